"""clean_text on text shaped like real PDF extractions (see data/articles)."""

from __future__ import annotations

import re

from index.cleaning import clean_text

# wrapped at a fixed width, a blank line after every line, as the demo digests are
WRAPPED = """ 创业投资 

二级市场增持北交所上市公司股票“获准” 众多 PE 机构跃

跃欲试 

9 月 28 日，中国证券投资基金业协会官网发布《私募投资基金备案指引第 2

号——私募股权、创业投资基金》（下称《指引》）指出，除创业投资基金之外

的私募股权基金所投资的公司在北京证券交易所上市后，私募股权基金可以通过

公开发行或公开交易增持上市公司股票。 

这意味着相关部门正式允许私募股权基金通过二级市场增持北交所上市公司股

票。 

20 

图片来源：视觉中国 

PE 呼吁放宽买入限制得到“响应” 

数据显示，当前私募股权基金已参与约 90 家北交所上市公司的战略配售。去年以

来，新三板新增近 500 家挂牌公司里，逾 30%在挂牌前获得私募股权基金注资，

2023 年中国汽车出口 491万辆，同比增长 5.4%，全国交通固定资产投资完成 3.9 

万亿元。 

来源：21 世纪经济报道 
"""


def paragraphs(text: str) -> list[str]:
    return text.split("\n\n")


def test_output_is_one_paragraph_per_line_separated_by_blank_lines():
    out = clean_text(WRAPPED)
    assert "\n\n\n" not in out
    assert all(p and p == p.strip() and "\n" not in p for p in paragraphs(out))


def test_a_paragraph_broken_across_lines_is_rejoined_without_stray_spaces():
    out = clean_text(WRAPPED)
    assert "除创业投资基金之外的私募股权基金所投资的公司在北京证券交易所上市后，私募股权基金可以通过公开发行" in out
    assert "增持北交所上市公司股票。" in out


def test_a_title_wrapped_onto_a_second_line_is_rejoined():
    assert "二级市场增持北交所上市公司股票“获准” 众多 PE 机构跃跃欲试" in paragraphs(clean_text(WRAPPED))


def test_latin_words_and_digits_keep_one_space_when_lines_are_joined():
    out = clean_text("The committee approved the plan on\nthe first Monday, raising the budget by\n5.4 percent.\n")
    assert out == "The committee approved the plan on the first Monday, raising the budget by 5.4 percent."


def test_page_numbers_and_photo_credits_are_gone():
    out = clean_text(WRAPPED)
    assert "视觉中国" not in out
    assert "20" not in paragraphs(out)
    for credit in ("视觉中国供图", "图/视觉中国", "本报资料室/图", "林立/摄影", "图片来源：新华社", "- 12 -", "第 3 页"):
        assert clean_text(f"正文第一段结束。\n{credit}\n正文第二段结束。") == "正文第一段结束。\n\n正文第二段结束。"


def test_numbers_units_and_percentages_stay_intact():
    out = clean_text(WRAPPED)
    assert "491万辆" in out
    assert "5.4%" in out
    assert re.search(r"完成 3\.9 ?万亿元", out)  # the line break after "3.9" did not split the number
    assert "逾 30%在挂牌前" in out


def test_headings_and_source_lines_survive_as_their_own_paragraphs():
    paras = paragraphs(clean_text(WRAPPED))
    for line in ("创业投资", "PE 呼吁放宽买入限制得到“响应”", "来源：21 世纪经济报道"):
        assert line in paras


def test_a_numbered_heading_with_a_comma_is_not_joined_to_the_paragraph_under_it():
    # the demo digests give no margin to read; a dotted section number still marks a heading
    paper = "本文提出以下几点建议。\n3.2 完善人才评价体系，破除唯论文倾向\n目前高校评价仍以论文数量为主，青年教师压力较大。\n"
    assert paragraphs(clean_text(paper)) == [
        "本文提出以下几点建议。",
        "3.2 完善人才评价体系，破除唯论文倾向",
        "目前高校评价仍以论文数量为主，青年教师压力较大。",
    ]
    # a figure that opens a line is not a section number
    assert len(paragraphs(clean_text("全年营收\n2.5 亿元，同比增长 12%，创下\n历史新高。\n"))) == 2


def test_a_numbered_heading_narrower_than_the_margin_ends_its_line():
    first = (
        "各地要结合实际制定实施方案，明确责任分工和时间安排，确保各项任务落到实处，按季度报送工作进展情况。"
        "对推进不力、进度滞后的地区，要及时约谈提醒，督促整改到位，并将结果纳入年度考核。"
    )
    second = (
        "要加大财政资金统筹力度，保障重点项目用地需求，完善融资担保体系，降低企业综合融资成本和物流成本。"
        "同时清理不合理的收费项目，推行惠企政策免申即享。"
    )
    heading = "（二）强化要素保障，优化营商环境"
    lines = [first[i : i + 26] for i in range(0, len(first), 26)]  # a margin 26 characters wide
    lines += [heading] + [second[i : i + 26] for i in range(0, len(second), 26)]
    assert paragraphs(clean_text("\n".join(lines))) == [first, heading, second]


def test_sentence_final_punctuation_ends_a_paragraph():
    out = clean_text("第一段在这里结束。\n\n第二段从这里开始，一直写到这里。\n")
    assert paragraphs(out) == ["第一段在这里结束。", "第二段从这里开始，一直写到这里。"]


def test_a_word_broken_before_its_last_character_is_rejoined_whatever_the_line_widths():
    # paragraphs of one line each, and one broken mid-word: "显" / "示，"; a heading and "一、" stay apart
    text = ("南港电子2025年度业绩报告显\n\n示，营业收入约12.6亿元，同比增加32%。\n\n"
            "国产设备加速\n\n一、总体要求\n\n近日，南港发布了新的措施，一直写到这里。\n")
    assert paragraphs(clean_text(text)) == ["南港电子2025年度业绩报告显示，营业收入约12.6亿元，同比增加32%。",
                                            "国产设备加速", "一、总体要求", "近日，南港发布了新的措施，一直写到这里。"]


def test_odd_whitespace_and_invisible_characters_are_normalised():
    out = clean_text("\ufeff中国\u3000经济\u00a0增长\u200b平稳，\t就业稳定。\r\n")
    assert out == "中国 经济 增长平稳， 就业稳定。"


def test_layout_debris_is_dropped():
    out = clean_text("正文一句话。\n↗\n•\n……\nx\n目录........ 12\n正文二句话。")
    assert paragraphs(out) == ["正文一句话。", "目录 12", "正文二句话。"]


def test_a_running_header_repeated_on_every_page_is_dropped():
    page = "问道科技创新\n\n本页正文内容，说明第{}页的情况。\n\n"
    out = clean_text("".join(page.format(n) for n in range(6)))
    assert "问道科技创新" not in out
    assert "本页正文内容，说明第5页的情况。" in out


def test_a_header_on_each_of_three_pages_is_dropped():
    page = "某某研究院内部参考\n\n第{}页的正文，讲述本期的主要内容。\n\n"
    out = clean_text("\x0c".join(page.format(n) for n in range(3)))
    assert "某某研究院内部参考" not in out
    assert "第2页的正文，讲述本期的主要内容。" in out


def test_repeated_source_lines_are_kept():
    text = "".join(f"第{n}篇文章的正文。\n来源：经济参考报\n" for n in range(6))
    assert clean_text(text).count("来源：经济参考报") == 6


def test_letter_spaced_headings_are_closed_up():
    assert paragraphs(clean_text("来源：科技日报\n A I \n人工智能辅助科研要从可用走向可信\n")) == [
        "来源：科技日报", "AI", "人工智能辅助科研要从可用走向可信",
    ]


def test_markdown_blocks_are_not_glued_together():
    text = "# 标题\n\n- 第一项，说明内容比较长的一项\n- 第二项\n\n| 列一 | 列二 |\n| 数据，数据数据数据 | 2 |\n"
    assert paragraphs(clean_text(text)) == [
        "# 标题", "- 第一项，说明内容比较长的一项", "- 第二项", "| 列一 | 列二 |", "| 数据，数据数据数据 | 2 |",
    ]


def test_table_rows_stay_rows_with_a_tab_between_cells():
    # a PDF table cut into the middle of a sentence, as in the demo corpus
    text = (
        "更多加入泛权益\n截至2月25日存续规模\n机构类型\t存续规模(亿元)\t占比\n国有理财公司\t117.7833\t31.70%\n"
        "股份理财公司\t 200.3456 \t53.93%\n\t天津\t135\t\t江苏\t3\t\n数据来源：普益标准\n"
    )
    paras = paragraphs(clean_text(text))
    assert paras[-5:-1] == [
        "机构类型\t存续规模(亿元)\t占比", "国有理财公司\t117.7833\t31.70%", "股份理财公司\t200.3456\t53.93%",
        "\t天津\t135\t\t江苏\t3",  # wider than its header: cells stay where they were, empty ones too
    ]
    assert paras[-1] == "数据来源：普益标准"
    assert not any("\t" in p for p in paras[:-5])


def test_tables_side_by_side_are_stacked_and_merged_cells_written_into_each_row():
    # a fictional report's table, two halves on each line, the year cell merged over rows
    text = (
        "表2 各园区入驻企业数\n"
        "设立年份\t园区\t企业数\t设立年份\t园区\t企业数\n"
        "2011年\t东湖\t52\t2016年\t南山\t17\n"
        "\t西岭\t38\t\t北塘\t9\n"
        "2014年\t青溪\t21\t\n"
        "资料来源：园区年报。\n"
    )
    assert paragraphs(clean_text(text)) == [
        "表2 各园区入驻企业数",
        "设立年份\t园区\t企业数",
        "2011年\t东湖\t52", "2011年\t西岭\t38", "2014年\t青溪\t21",
        "2016年\t南山\t17", "2016年\t北塘\t9",
        "资料来源：园区年报。",
    ]


def test_a_table_indented_by_a_tab_loses_only_the_indent():
    text = "说明。\n\t地区\t户数\t金额\n\t东区\t12\t3.5\n\t西区\t\t4.1\n"
    assert paragraphs(clean_text(text))[1:] == ["地区\t户数\t金额", "东区\t12\t3.5", "西区\t\t4.1"]


def test_a_contents_entry_with_its_page_after_a_tab_is_not_a_table_row():
    assert clean_text("工信部: 印发《锂离子电池行业规范条件》\t13\n") == "工信部: 印发《锂离子电池行业规范条件》 13"


def test_tabs_indenting_prose_saved_from_a_web_page_do_not_make_a_table():
    text = "这是RCEP生效后的首趟国际货运班列，货物总重800多吨。  \t\t东盟水果更是实现了从海运到空运的飞跃。\t\t\n"
    assert "\t" not in clean_text(text)


def test_empty_input_gives_empty_output():
    assert clean_text("") == ""
    assert clean_text(" \n\u3000\n\t\n") == ""
