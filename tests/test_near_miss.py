"""Near misses said as such, on short fictional passages (never the demo corpus's questions):
the answer says what the articles do not give and quotes, cited, what they give instead."""

from __future__ import annotations

import pytest

from rag.constraints import constraints_of
from rag.evidence import Evidence
from rag.grounding import ground
from rag.answer_edits import NOTICE_NEAR_MISS
from rag.near_miss import NOTICE_OTHER_NAME, NOTICE_OTHER_TIME
from rag.prepare import Prepared
from tests.fakes import passages

QUARTERS = "星河电池三季度报告显示，2025年前三季度，星河电池实现营业收入52.3亿元，同比增长12%。"
LAST_YEAR = "2024年，星河电池实现营业收入61.8亿元。"
PLAN = "北岛市提出，力争到2027年，全市数据中心改造率达到80%以上；改造完成数据中心10个；"
OTHER_COMPANY = "2025年，Moonbay通信南港智算中心启用，总投资约30亿元。"


def prepared(question: str, *texts: str) -> Prepared:
    shown = passages(*texts)
    asked = constraints_of(question)
    evidence = Evidence(True, 1.0, 0.9, "the passages cover the question")
    return Prepared(question, question, [], [p.hit for p in shown], shown, evidence, {}, asked)


def stands(answer: str, question: str, *texts: str) -> bool:
    """The answer passes every rule unchanged, as an answer."""
    grounded = ground(answer, prepared(question, *texts))
    return grounded.missing == "" and grounded.text == answer


def test_a_part_of_the_year_stated_as_the_year_becomes_what_is_missing_and_what_is_given() -> None:
    grounded = ground("星河电池2025年全年营业收入为52.3亿元[1]。", prepared("星河电池2025年全年营业收入是多少？", QUARTERS))
    assert grounded.missing == "资料中没有2025年全年的数字；资料给出的是前三季度的"
    assert grounded.text.startswith("资料中没有2025年全年的数字；资料给出的是前三季度的：")
    assert "52.3亿元" in grounded.text and grounded.text.endswith("[1]。")
    assert [c.n for c in grounded.citations] == [1] and grounded.citations[0].quote in QUARTERS
    assert not grounded.refused and grounded.notice == NOTICE_NEAR_MISS


def test_another_year_a_plan_and_another_subject_are_near_misses() -> None:
    year = ground("星河电池2025年营收61.8亿元[1]。", prepared("星河电池2025年的营业收入是多少？", LAST_YEAR))
    assert year.missing == "资料中没有2025年的数字；资料给出的是2024年的"
    plan = ground("北岛市已经改造完成了10个数据中心[1]。", prepared("北岛市实际已经改造完成了几个数据中心？", PLAN))
    assert plan.missing.startswith("资料中没有实际完成的情况") and "力争到2027年" in plan.text  # the governing clause
    other = ground("NovaTel智算中心总投资约30亿元[1]。", prepared("NovaTel的智算中心总投资多少？", OTHER_COMPANY))
    assert other.missing == "资料中没有关于NovaTel的这一数字；资料给出的是其他对象的"


def test_an_answer_keeping_to_the_question_is_left_alone() -> None:
    kept = ground("2025年前三季度，星河电池营业收入52.3亿元[1]。", prepared("星河电池前三季度营业收入是多少？", QUARTERS))
    assert kept.missing == "" and kept.text == "2025年前三季度，星河电池营业收入52.3亿元[1]。"


def test_the_articles_sentence_is_judged_not_the_models_restatement() -> None:
    """A model misdating a right figure ("截至5月") is not a near miss when the article says 2月."""
    article = "记者获悉，截至2月底，全国已有285万用户申领了数字身份。"
    kept = ground("截至5月，全国已有285万用户申领了数字身份[1]。", prepared("截至今年2月底，有多少人申领了数字身份？", article))
    assert kept.missing == ""


def test_a_near_miss_counts_as_declining_in_evaluation() -> None:
    from eval.runner import declined
    from rag.records import Answer

    assert declined(Answer(question="q", text="资料中没有…", missing="资料中没有2025年全年的数字"))
    assert declined(Answer(question="q", text="", refused=True))
    assert not declined(Answer(question="q", text="52.3亿元[1]。"))


def test_a_figure_is_dated_by_its_own_clause_when_the_sentence_names_two_years() -> None:
    """"以2024年的交付量计算，2025年需超过…": the asked year is in the sentence, but the figure is the
    other year's."""
    article = "以星河电池2024年的全球出货量93.6万台计算，按照公司规划，星河电池2025年的出货量需要超过140万台。"
    asked = prepared("星河电池2025年出货量是多少？", article)
    wrong_year = ground("星河电池2025年出货量为93.6万台[1]。", asked)
    assert wrong_year.missing == "资料中没有2025年的数字；资料给出的是2024年的"
    assert "93.6万台" in wrong_year.text and wrong_year.citations[0].quote in article
    right_year = ground("星河电池2025年的出货量需要超过140万台[1]。", asked)
    assert right_year.missing == ""


def test_the_months_of_a_date_are_not_figures_and_a_count_of_documents_is_not_an_amount() -> None:
    """"8月到9月底…罚款总额为120张": 8 and 9 date the question; 120张 (and 120余份) count documents."""
    article = ("今年8月初至9月底，北岛协会公布针对机构的处分决定书38张、针对个人的处分决定书88张，合计超120张。"
               "近两月，北岛协会网站披露了120余份处分决定书。")
    asked = prepared("北岛协会8月到9月底开出的罚单，罚款总额是多少？", article)
    grounded = ground("北岛协会8月到9月底开出的罚单，罚款总额为120张[1]。", asked)
    assert grounded.missing == "资料中没有问题所问的金额；资料给出的是数量"


def test_a_sentence_naming_another_company_is_not_the_asked_one_s_whatever_the_passage_says_around_it() -> None:
    article = "北岛科技的智算中心今年投产，算力规模5.5EFLOPS。2025年，星河科技的智算中心启用，总投资约30亿元。"
    asked = prepared("北岛科技的智算中心总投资多少？", article)
    other = ground("北岛科技的智算中心总投资约30亿元[1]。", asked)
    assert other.missing == "资料中没有关于北岛的这一数字；资料给出的是其他对象的"
    assert "星河科技" in other.text
    unnamed = prepared("北岛科技的智算中心总投资多少？", "北岛科技的智算中心今年投产。该中心总投资约30亿元。")
    assert ground("北岛科技的智算中心总投资约30亿元[1]。", unnamed).missing == ""


def test_a_figure_from_a_sentence_sharing_no_word_with_what_was_asked_is_not_its_answer() -> None:
    article = "2025届高校毕业生规模达909万人，再创历史新高。今年城镇新增就业目标为1200万人左右。"
    asked = prepared("2025年城镇新增就业了多少人？", article)
    other = ground("2025年城镇新增就业909万人[1]。", asked)
    assert other.missing == "资料中没有直接回答这个问题的数字；资料给出的是另一项内容"
    assert other.text.endswith("2025届高校毕业生规模达909万人，再创历史新高[1]。")
    sharing = ground("今年城镇新增就业目标为1200万人左右[1]。", prepared("今年城镇新增就业目标是多少？", article))
    assert sharing.missing == ""


def test_a_name_answered_from_a_sentence_about_another_year_is_a_near_miss() -> None:
    """No figure to hold: the year its sentence is about is what a name or a place keeps to."""
    cup = "最近的一次2023年星河杯，吉祥物叫做“小蓝鲸”[3][4]，以海豚为原型。"
    moved = ground("2025年星河杯吉祥物叫“小蓝鲸”[1]。", prepared("2025年星河杯吉祥物叫什么？", cup))
    assert moved.missing == "资料中没有2025年的相关信息；资料给出的是2023年的"
    assert moved.text == "资料中没有2025年的相关信息；资料给出的是2023年的：最近的一次2023年星河杯，吉祥物叫做“小蓝鲸”，以海豚为原型[1]。"
    # the article's own footnote marks [3][4] are not left in the answer as citations
    this_year = "2025年星河杯的吉祥物是“小蓝鲸”，由北岛市设计。"
    kept = ground("2025年星河杯吉祥物叫“小蓝鲸”[1]。", prepared("2025年星河杯吉祥物叫什么？", this_year))
    assert kept.missing == "" and kept.text == "2025年星河杯吉祥物叫“小蓝鲸”[1]。"


def test_an_answer_from_a_passage_about_a_numbered_sibling_is_a_near_miss() -> None:
    """Asked the 二审, the passage tells only of the 一审: the same words, another thing."""
    first = "星河市中级法院一审判决认定王某犯合同诈骗罪，判处有期徒刑五年。"
    moved = ground("王某二审判决认定其犯合同诈骗罪[1]。", prepared("王某案二审判决结果是什么？", first))
    assert moved.missing == "资料中没有关于“二审”的内容；资料给出的是“一审”的"
    assert moved.text.endswith("判处有期徒刑五年[1]。") and moved.notice == NOTICE_NEAR_MISS
    both = "王某不服一审判决提起上诉。星河市高级法院二审维持原判。"
    kept = ground("二审维持原判[1]。", prepared("王某案二审判决结果是什么？", both))
    assert kept.missing == "" and kept.text == "二审维持原判[1]。"


def test_a_price_per_cup_is_no_numbered_name() -> None:
    """"一杯" asks the price of one cup; "2杯…只要7.9元" is an offer, not a sibling of a numbered name."""
    war = "2025年，南岛咖啡的“6.8元/杯”与北港咖啡的“7.9元/杯”直面对战，星湾咖啡亦推出“2杯咖啡只要7.9元”的活动。"
    answer = "2025年南岛咖啡的“6.8元/杯”与北港咖啡的“7.9元/杯”直面对战[1]。"
    assert stands(answer, "2025年南岛咖啡跟北港咖啡打价格战，两家一杯分别卖多少？", war)


def test_a_multiple_is_no_rate() -> None:
    """Asked a rate, a clause giving only a multiple (a price-earnings ratio) gives another measure."""
    valued = ("从估值来看，过去五年间，南港煤炭指数市盈率估值大多维持在7—10倍的区间，"
              "这也是煤炭能保持高股息率的原因之一。")
    grounded = ground("南港煤炭指数市盈率估值大多维持在7—10倍的区间[1]。",
                      prepared("南港煤炭指数眼下的股息率到底是多少？", valued))
    assert grounded.missing == "资料中没有问题所问的比例；资料给出的是倍数"
    # a rate that grew so many times is still the rate asked
    grown = "南港煤炭指数的股息率五年间提高了2倍，达到6.5%。"
    assert stands("南港煤炭指数的股息率五年间提高了2倍，达到6.5%[1]。", "南港煤炭指数的股息率是多少？", grown)


def test_an_answer_saying_a_is_one_option_states_no_figure_to_hold_to_the_asked_company() -> None:
    """"也是上市的一种选择" has no figure 1 to bind: the speaker's company, named a sentence earlier, is not missing."""
    advice = ("对于未上市的被投企业，星河资本董事长王立新建议企业可以先去北交所上市。"
              "“虽然北交所活跃度还不是很高，但上市难度相对会小一些。我们建议企业不要影响自己的资本化时间，"
              "北交所也是上市的一种选择。”王立新说。")
    answer = "王立新建议企业可以先去北交所上市[1]。我们建议企业不要影响自己的资本化时间，北交所也是上市的一种选择[1]。"
    assert stands(answer, "星河资本的王立新，给那些A股上市变难的被投企业出了个什么主意？", advice)


def test_a_figure_whose_clause_names_another_brand_is_not_the_asked_ones() -> None:
    """Both brands are read as names of people; the article is about the asked one, the figure's clause another's."""
    passage = ("从蓝鲸的财报来看，联营门店的发展强劲。王立新表示：“在全国近3000个县级行政区，星舟已经覆盖了857个。”")
    grounded = ground("蓝鲸现在一共进了857个县级行政区[1]。", prepared("蓝鲸现在一共进了多少个县级行政区？", passage))
    assert grounded.missing == "资料中没有关于蓝鲸的这一数字；资料给出的是其他对象的"


@pytest.mark.parametrize("says", ["表示", "谈到", "提到"])
def test_a_speaker_in_a_figure_s_clause_says_whose_words_not_whose_figure(says: str) -> None:
    """Every verb of saying zhiku knows reads a speaker, here as in the rules naming who said a quotation."""
    own = f"蓝鲸的下沉战略成效显著。陈晓东{says}已经覆盖了857个县级行政区。"  # jieba reads 陈晓东 as a person
    assert stands("蓝鲸现在一共进了857个县级行政区[1]。", "蓝鲸现在一共进了多少个县级行政区？", own)


def test_a_running_total_stated_as_a_quarter_s_additions_says_so() -> None:
    passage = "截至今年一季度，东湖区已累计认定高新技术企业 1432 家，数量居全省第三；认定省级专精特新企业 267 家。"
    question = "东湖区今年一季度这一个季度，新认定了多少家高新技术企业？"
    grounded = ground("东湖区今年一季度新认定了1432家高新技术企业[1]。", prepared(question, passage))
    assert grounded.missing == "资料中没有今年一季度新增的数字；资料给出的是累计的"
    assert "1432" in grounded.text and grounded.text.endswith("[1]。")


def test_two_figures_asked_in_one_sentence_each_keep_their_own_clause() -> None:
    """"低于多少…到多少…" asks two figures: the clause of one is not the better binding of the other."""
    passage = "一般认为，如果研发投入强度小于 1%，那么企业将无法生存，但如果企业研发投入强度大于 5%，那么企业具有较强的竞争力。"
    answer = "如果研发投入强度小于1%，那么企业将无法生存，但如果企业研发投入强度大于5%，那么企业具有较强的竞争力[1]。"
    assert stands(answer, "南港那篇文章说，企业研发投入强度低于多少就活不下去，到多少才算有竞争力？", passage)


def test_what_a_passage_never_naming_the_asked_place_says_of_another_is_the_others() -> None:
    """An answer with no figure, given the asked place, from a passage about another place only."""
    policy = ("通知称，在南港（星城）自由贸易试验区的海关特殊监管区域内，对暂时进境修理的货物实施保税，"
              "复运出境的免征关税。")
    answer = "北岛自贸港暂时进境修理的政策是：对暂时进境修理的货物实施保税，复运出境的免征关税[1]。"
    question = "北岛自贸港那边搞暂时进境修理免税，具体是怎么规定的？"
    grounded = ground(answer, titled("南港：自贸试验区试点暂时进境修理有关税收政策", prepared(question, policy)))
    assert grounded.missing.startswith("资料中没有关于北岛的这一内容；资料给出的是南港的")
    assert grounded.citations[0].quote == policy
    # a passage naming the asked place may say it of that place, and an article whose title names no
    # place may leave the place to a chunk before this one
    assert ground(answer, titled("南港：自贸试验区试点", prepared(question, "北岛也在研究类似安排。" + policy))).missing == ""
    assert ground(answer, titled("我国自贸试验区金融创新案例评述", prepared(question, policy))).missing == ""


def titled(title: str, asked: Prepared) -> Prepared:
    """`asked` with its passages under the article title `title`."""
    from dataclasses import replace

    shown = [replace(p, hit=replace(p.hit, chunk=replace(p.chunk, title=title))) for p in asked.passages]
    return replace(asked, passages=shown, hits=[p.hit for p in shown])


def test_the_batch_an_article_names_in_another_shown_passage_still_tells_which_it_is_about() -> None:
    """Asked the 第一批, the article names only the 第二批, two paragraphs before the cited one."""
    from dataclasses import replace

    heading = "南港市公示近零碳工厂（第二批）认定名单，星河电梯入选。"
    counts = "截至目前，南港高新区共有南港市近零碳工厂1家。"
    asked = prepared("南港市第一批近零碳工厂认定了多少家企业？", heading, counts)
    one_article = [replace(p, hit=replace(p.hit, chunk=replace(p.chunk, source="a.txt", title="南港"))) for p in asked.passages]
    asked = replace(asked, passages=one_article, hits=[p.hit for p in one_article])
    moved = ground("南港市第一批近零碳工厂认定了1家企业[2]。", asked)
    assert moved.missing == "资料中没有关于“第一批”的内容；资料给出的是" and "1家" in moved.text
    # passages of two articles: the other article's batch says nothing of this one
    apart = ground("南港市第一批近零碳工厂认定了1家企业[2]。", prepared("南港市第一批近零碳工厂认定了多少家企业？", heading, counts))
    assert apart.missing == ""


def test_a_figure_the_question_names_is_not_held_as_the_answers() -> None:
    """"男子500米" names the event: 500 is not the answer's figure to hold to a sentence."""
    race = "星河杯男子500米决赛，林小北以34秒32夺冠。"
    assert stands("星河杯男子500米冠军是林小北[1]。", "深圳星河杯男子500米冠军", race)


def test_the_passage_may_name_the_asked_organisation_far_from_the_sentence() -> None:
    """"荔园迎来了…新生" names no university; the passage is about the asked one, named earlier."""
    passage = ("北岛大学2025年新生开学典礼9月3日举行。" + "典礼上，校长寄语新生珍惜大学时光，勤学善思，明辨笃行，"
               "在学术和生活中不断成长。" * 6 + "今年荔园迎来了12691名新生，其中包括7436名本科生、5010名硕士生。")
    assert stands("北岛大学2025年录取了7436名本科生[1]。", "北岛大学2025年录取了多少名本科生？", passage)


GAME = ("《星河传说》长期稳居畅销榜前10。"
        "据某证券研究所研报预估，《星河传说》第三季度的合计流水或超10亿元。")


def test_billings_given_for_profit_are_a_near_miss_whatever_else_states_the_number() -> None:
    grounded = ground("《星河传说》第三季度的合计流水或超10亿元[1]。", prepared("《星河传说》第三季度赚了多少利润？", GAME))
    # "前10" states the number too, but not as an amount of money: it is not where 10亿元 comes from
    assert grounded.missing == "资料中没有利润的数字；资料给出的是流水的"
    assert "合计流水或超10亿元" in grounded.text
    assert stands("《星河传说》第三季度的合计流水或超10亿元[1]。", "《星河传说》第三季度的流水有多少？", GAME)


def test_a_measure_the_article_spells_out_is_the_asked_one() -> None:
    report = "半导体设备公司星河微电2025年度业绩报告显示，营业收入约62.64亿元，同比增加32.15%。"
    assert stands("星河微电2025年营收为62.64亿元[1]。", "星河微电2025年的营收是多少？", report)
    # the sentence naming nothing of the question but the figure: 营业收入 is 营收, written out
    fragment = "示，营业收入约62.64亿元，同比增加32.15%。"
    assert stands("星河微电营收更高，为62.64亿元[1]。", "星河微电和南港科技2025年的营收分别是多少？", fragment)


def test_each_part_of_a_question_is_held_to_what_it_pins_and_a_later_part_to_the_first_parts_year() -> None:
    installed = "2024年，北岛市新增光伏装机12吉瓦，其中南港区占40%。"
    question = "2025年北岛市新增光伏装机多少？南港区占了多少？"
    grounded = ground("2025年北岛市新增光伏装机12吉瓦，南港区占40%[1]。", prepared(question, installed))
    assert grounded.missing == "资料中没有2025年的数字；资料给出的是2024年的" and "12吉瓦" in grounded.text
    assert stands("2024年北岛市新增光伏装机12吉瓦，南港区占40%[1]。", "2024年北岛市新增光伏装机多少？南港区占了多少？", installed)


def test_asked_whether_it_happened_a_plan_restated_without_a_figure_is_a_near_miss() -> None:
    planned = "星河电池计划在2027年前实现固态电池量产，并建成两条产线。"
    grounded = ground("星河电池计划在2027年前实现固态电池量产[1]。", prepared("星河电池的固态电池量产了吗？", planned))
    assert grounded.missing.startswith("资料中没有实际完成的情况") and "计划在2027年前" in grounded.text
    forecast = "一位合伙人透露，若一切顺利，年底将有2家投资企业上市。"
    given = ground("年底实际上市了2家[1]。", prepared("那位合伙人预计年底会有企业上市，最后实际上市了几家？", forecast))
    assert given.missing.startswith("资料中没有实际完成的情况")


def test_a_sentence_naming_no_year_under_a_plan_sentence_of_its_paragraph_is_part_of_the_plan() -> None:
    roadmap = ("《北岛机器人规划》提出了路线图：到2027年，北岛成为机器人创新高地。整机指标达到先进水平。"
               "机器人产业营业收入年均增速超过20%。\n2025年，北岛机器人产业营业收入增长12%。")
    asked = "北岛机器人产业营业收入实际年均增长了多少？"
    planned = ground("北岛机器人产业营业收入年均增速超过20%[1]。", prepared(asked, roadmap))
    assert planned.missing.startswith("资料中没有实际完成的情况") and "到2027年" in planned.text
    # a paragraph's sentences report what happened when its last dated sentence reports
    report = "2025年，北岛已建成机器人创新高地。整机指标达到先进水平。机器人产业营业收入年均增速超过20%。"
    assert stands("北岛机器人产业营业收入年均增速超过20%[1]。", asked, report)
    now = roadmap.replace("机器人产业营业收入年均增速超过20%", "目前机器人产业营业收入年均增速超过20%")
    assert stands("北岛机器人产业营业收入年均增速超过20%[1]。", asked, now)  # its own time word: a report


def test_a_comparison_giving_one_thing_anothers_figures_says_whose_they_are() -> None:
    report = ("报道称，北岛虽然生产了全球20%的电动汽车，但几乎没有参与电池供应链。其电池产能占全球的7%。"
              "南港的汽车产量占全球的10%，但只占电池供应链的6%。")
    asked = "北岛和南港在全球电池供应链上各占多少？"
    swapped = ground("北岛的汽车产量占全球的10%，但只占电池供应链的6%[1]。南港只占电池供应链的6%[1]。", prepared(asked, report))
    assert swapped.text.startswith("资料中北岛的是：北岛虽然生产了全球20%的电动汽车，但几乎没有参与电池供应链。其电池产能占全球的7%[1]。"
                                   "“南港的汽车产量占全球的10%”说的是南港。")
    assert swapped.text.endswith("南港只占电池供应链的6%[2]。") and not swapped.missing  # the asked figures are there
    assert stands("北岛的电池产能占全球的7%，南港只占电池供应链的6%[1]。", asked, report)


def test_a_figure_a_respectively_sentence_gives_another_item_is_replaced_by_the_asked_items() -> None:
    from rag.respective import respective_pairs

    deals = "今年以来，北岛并购和回购案例数同比分别增长 16.4%、13.2%。"
    assert respective_pairs(deals) == [("北岛并购", "16.4"), ("回购案例数同比", "13.2")]
    asked = "今年北岛回购案例数同比增长了多少？"
    taken = ground("今年北岛回购案例数同比增长16.4%[1]。", prepared(asked, deals))
    assert taken.text.startswith("资料中与问题对应的是：今年以来，北岛并购和回购案例数同比分别增长 16.4%、13.2%[1]。")
    assert "回购案例数同比对应的是13.2%" in taken.text and not taken.missing
    assert stands("今年北岛回购案例数同比增长13.2%[1]。", asked, deals)
    # items and figures of unequal number pair nothing
    assert respective_pairs("北岛和南港的营收分别增长 5%。") == []
    # half a title is no item: "《北岛及南港回顾》报告指出" lists nothing
    assert respective_pairs("《北岛及南港回顾》报告指出，上市企业仅 44 家，较去年同期分别减少 65%与 15%。") == []


def test_items_a_respectively_sentence_pairs_with_named_terms_keep_the_articles_order() -> None:
    report = ("综合来看,机器智能、量子通信、星际航行等产业有望成为新引擎,分别代表了“未来智能”“未来算力”和"
              "“未来空间”的发展趋势。")
    asked = "那份报告把量子通信和星际航行分别看成代表什么方向？"
    mixed = ground("量子通信和星际航行分别代表了“未来智能”和“未来空间”[1]。", prepared(asked, report))
    assert mixed.text == "按原文“分别”的顺序，量子通信对应的是“未来算力”，星际航行对应的是“未来空间”[1]。"
    assert mixed.citations[0].quote.startswith("综合来看") and not mixed.missing
    assert stands("量子通信和星际航行分别代表了“未来算力”和“未来空间”[1]。", asked, report)


def test_a_figure_is_held_to_the_kind_its_own_clause_states_and_a_count_to_what_it_counts() -> None:
    funded = "北岛市融资服务团队集聚金融机构30余家，帮助企业新增贷款近3亿元。"
    money = ground("融资服务团队帮助企业新增贷款近3亿元[1]。", prepared("北岛市融资服务团队帮多少家企业拿到了贷款？", funded))
    assert money.missing == "资料中没有问题所问的数量；资料给出的是金额"
    fair = "南港招聘会上，星河电池、Moonbay通信等4家企业参加宣讲。"
    firms = ground("南港招聘会有4家企业参加[1]。", prepared("南港招聘会最后录用了多少人？", fair))
    assert firms.missing == "资料中没有问题所问的人数；资料给出的是机构或企业的家数"
    hired = "南港招聘会上，4家企业参加宣讲，最终录用120人。"
    assert stands("南港招聘会最终录用120人[1]。", "南港招聘会最后录用了多少人？", hired)


def test_a_rounded_figure_is_held_to_the_sentence_it_rounds() -> None:
    """"超过60万吨" for the article's 58万吨 of 2025: the model's rounding does not free it from the year."""
    forecast = "据南港研究院预计，2025年全国废旧电池退役量将超过58万吨。"
    year = ground("预计2026年全国废旧电池退役量将超过60万吨[1]。", prepared("预计2026年全国废旧电池退役量有多少？", forecast))
    assert year.missing == "资料中没有2026年的数字；资料给出的是2025年的" and "58万吨" in year.text
    assert stands("预计2025年全国废旧电池退役量将超过60万吨[1]。", "预计2025年全国废旧电池退役量有多少？", forecast)


def test_a_count_the_question_names_restated_as_an_amount_is_not_the_questions_figure() -> None:
    projects = "南港国企发布396个合作项目，总投资额达1729亿元，其中资产盘活项目253个。"
    amount = ground("那253个资产盘活项目总投资额为253亿元[1]。", prepared("南港那253个资产盘活项目，总投资额是多少？", projects))
    assert amount.missing == "资料中没有问题所问的金额；资料给出的是数量" and "资产盘活项目253个" in amount.text
    assert stands("那253个是资产盘活项目[1]。", "南港国企发布的那253个是什么项目？", projects)  # the same kind: the question's


def test_a_growth_given_for_an_asked_amount_is_a_near_miss_even_beside_anothers_amount() -> None:
    trade = "2024年，临江市一般贸易进出口增长14.5%，外贸进出口总额5230.6亿元，居沿江城市第2位。"
    question = "2024年临江的一般贸易进出口额是多少？"
    grounded = ground("2024年临江一般贸易进出口增长14.5%，外贸进出口总额5230.6亿元[1]。", prepared(question, trade))
    assert grounded.missing == "资料中没有问题所问的金额；资料给出的是比例"
    # asked for all trade, the amount is its own
    assert stands("2024年临江外贸进出口总额5230.6亿元[1]。", "2024年临江的外贸进出口总额是多少？", trade)


def test_a_span_of_years_sets_the_scene_and_states_no_figure() -> None:
    loans = "公开数据显示，北岛银行民营企业贷款余额超过3万亿元，南港银行近三年余额增长比例超过40%。"
    grounded = ground("南港银行近三年民营企业贷款余额增长比例超过40%[1]。",
                      prepared("南港银行现在的民营企业贷款余额有多少？", loans))
    assert grounded.missing == "资料中没有问题所问的金额；资料给出的是比例"


def test_one_figure_of_another_period_among_several_goes_and_is_said_for_what_it_is() -> None:
    five_months = "今年前5个月，北岛向南港交付了27.3万辆汽车，几乎是向东州出口汽车数量的两倍，后者以14.1万辆位居第二。"
    year = "研报显示，2025年北岛出口到东州的汽车为33.6万辆，预计多数会再出口到其他国家。"
    question = "今年前5个月北岛出口到南港和东州的汽车各有多少辆？"
    answer = "今年前5个月，北岛出口到南港的汽车为27.3万辆，出口到东州的汽车为33.6万辆[1][2]。"
    grounded = ground(answer, prepared(question, five_months, year))
    assert grounded.text == ("今年前5个月，北岛出口到南港的汽车为27.3万辆[1]。"
                             "“研报显示，2025年北岛出口到东州的汽车为33.6万辆”是全年的数字，不是问题所问的1—5月的[2]。")
    assert grounded.missing == "" and [c.n for c in grounded.citations] == [1, 2]
    # an answer dating the figure itself says what it is
    dated = ground("今年前5个月，北岛出口到南港的汽车为27.3万辆[1]，2025年全年出口到东州的为33.6万辆[2]。",
                   prepared(question, five_months, year))
    assert "2025年全年出口到东州的为33.6万辆" in dated.text and dated.notice != NOTICE_OTHER_TIME


def test_an_amount_of_another_measure_than_the_one_named_after_how_many_is_a_near_miss() -> None:
    value_added = "数据显示，近五年来，城西区金融业增加值由2020年的1780.1亿元增长到2024年的3088.7亿元。"
    grounded = ground("城西区金融业增加值为3088.7亿元[1]。", prepared("南港金融街一年能给城西区贡献多少税收？", value_added))
    assert grounded.missing == "资料中没有关于税收的数字；资料给出的是"
    assert grounded.text == f"资料中没有关于税收的数字；资料给出的是：{value_added.rstrip('。')}[1]。"
    assert stands("南港金融街贡献税收约620亿元[1]。", "南港金融街一年能给城西区贡献多少税收？",
                  "2024年，南港金融街贡献税收约620亿元。")


def test_a_figure_the_passage_gives_before_it_first_names_the_asked_batch_is_another_batchs() -> None:
    release = ("南港近日发布533个协同发展项目，其中国企合作项目396个、民企合作项目137个。"
               "今年以来南港已两次发布协同发展项目。3月20日，南港发布首批协同发展项目362个，总金额2479.8亿元。")
    question = "南港3月份发布的首批协同发展项目里，民企合作项目有多少个？"
    grounded = ground("首批协同发展项目里，民企合作项目有137个[1]。", prepared(question, release))
    assert grounded.missing == "资料中没有“首批”的这一数字；资料给出的是另一批的"
    assert grounded.text.startswith("资料中没有“首批”的这一数字；资料给出的是另一批的：南港近日发布533个")
    # details after the first mention may be the batch's own
    first = "3月20日，南港发布首批协同发展项目362个。其中，民企合作项目137个。"
    assert stands("首批协同发展项目里，民企合作项目有137个[1]。", question, first)
    # and so may a passage whose title names the batch
    assert stands("首批协同发展项目里，民企合作项目有137个[1]。", question,
                  "南港发布首批协同发展项目\n" + release)
    # a place or a date is no figure of another batch, and a mention stating none only sets the scene
    fair = "大会在南港会展中心举办，以线上为主。首届南港职业教育大会由南港教育学会牵头组织。"
    assert stands("首届南港职业教育大会在南港会展中心举办[1]。", "首届南港职业教育大会在哪里举办？", fair)
    scene = "南港近日发布533个项目，其中民企合作项目137个。与首批相比，本次项目更加多元。"
    assert stands("首批项目里，民企合作项目有137个[1]。", question, scene)


def test_a_sentence_calling_its_place_this_district_is_read_with_its_article() -> None:
    """"本区共引进资管机构136家": the article names 东湖区 in another passage shown; a passage of
    another article naming it does not count."""
    first = "东湖区金融业增加值由2020年的780亿元增长到2025年的1088亿元。"
    second = "在卢明看来，金融街发展资产管理具有独特优势。2021年以来，本区共引进各类资管机构136家，占新引进金融机构的近六成。"
    shown = article_passages(("东湖金融街", first), ("东湖金融街", second))
    question = "东湖区2021年以来一共引进了多少家资管机构？"
    answer = "2021年以来，东湖区共引进各类资管机构136家[2]。"
    assert ground(answer, prepared_over(question, shown)).missing == ""
    apart = article_passages(("东湖金融街", first), ("西岭金融城", second))
    assert ground(answer, prepared_over(question, apart)).missing == "资料中没有关于东湖区的这一数字；资料给出的是其他对象的"


def article_passages(*titled: tuple[str, str]) -> list:
    """Passages of one source; those with the same title are one article's."""
    from index.records import Chunk, Hit
    from rag.records import Passage

    return [Passage(n=n, hit=Hit(Chunk(id=f"c{n}", source="digest.txt", title=title, text=text, start=100 * n,
                                       end=100 * n + len(text)), 1.0, "hybrid", n, {"dense": 0.85}))
            for n, (title, text) in enumerate(titled, 1)]


def prepared_over(question: str, shown: list) -> Prepared:
    evidence = Evidence(True, 1.0, 0.9, "the passages cover the question")
    return Prepared(question, question, [], [p.hit for p in shown], shown, evidence, {}, constraints_of(question))


def test_a_quotation_is_its_speakers_company_s_not_the_asked_one_s() -> None:
    passage = ("南港高新区连续多年举办政校企合作年会。“通过南港高新区搭建的政校企合作平台，我们已与北岛大学等 13 所高校"
               "实现深度对接合作，并建立了校企互惠共赢合作机制。”南港星辰科技股份有限公司校招负责人介绍说，截至目前，"
               "这些合作已累计培养优秀人才 7000 余人。\n\n近日，星辰科技、海川电子 2家重点企业参加直播宣讲推介。")
    other = ground("海川电子通过南港高新区的政校企合作平台，跟13所高校建立了合作[1]。",
                   prepared("海川电子通过南港高新区的政校企合作平台，跟多少所高校建立了合作？", passage))
    assert other.missing == "资料中没有关于海川的这一数字；资料给出的是其他对象的"
    assert other.text.endswith("建立了校企互惠共赢合作机制”[1]。")  # its stop inside the quote dropped
    own = ground("星辰科技通过南港高新区的政校企合作平台，跟13所高校建立了合作[1]。",
                 prepared("星辰科技通过南港高新区的政校企合作平台，跟多少所高校建立了合作？", passage))
    assert own.missing == "" and own.text.startswith("星辰科技通过")


def test_asked_which_organisations_an_answer_naming_one_its_sentence_does_not_gets_the_sentence() -> None:
    """The model read the headline ("南港智能制造集团走向海外") as a name: the sentence it answers
    from names the organisers, and is quoted instead."""
    passage = ("南港智能制造集团走向海外\n\n第三届侨商博览会（星洲）科技展在星洲会展中心开幕。"
               "据了解，第三届侨商博览会（星洲）科技展由南港市侨商发展研究院和星洲潮商工商会联合主办，展会首日吸引了3000余人参加。")
    question = "星洲那个第三届侨商博览会科技展，是哪两家单位联合主办的？"
    grounded = ground("南港智能制造集团和星洲潮商工商会联合主办第三届侨商博览会科技展[1]。", prepared(question, passage))
    assert grounded.text == ("资料中与问题对应的原文：据了解，第三届侨商博览会（星洲）科技展由南港市侨商发展研究院和星洲潮商工商会联合主办，"
                             "展会首日吸引了3000余人参加[1]。")
    assert grounded.notice == NOTICE_OTHER_NAME and not grounded.missing
    right = "南港市侨商发展研究院和星洲潮商工商会联合主办了这次科技展[1]。"  # named as the sentence names them
    assert ground(right, prepared(question, passage)).text == right
    short = "侨商发展研究院和星洲潮商工商会联合主办[1]。"  # a shorter name the sentence holds
    assert ground(short, prepared(question, passage)).text == short


def test_a_sentence_without_a_figure_before_one_with_a_figure_is_held_sentence_by_sentence() -> None:
    answer = "星河电池营业收入同比增长[1]。星河电池2025年前三季度营收52.3亿元[1]。"
    grounded = ground(answer, prepared("星河电池2025年前三季度营收是多少？", QUARTERS))
    assert grounded.text == answer and not grounded.missing


def test_a_day_another_titled_document_was_issued_on_is_not_the_asked_ones() -> None:
    passage = ("2025年6月9日，南港区政府举办政策发布会，正式发布《关于支持南港金融科技发展若干措施》。"
               "在资管高地打造方面，韩立表示，我们正在研究编制《南港资产管理高地建设三年行动方案（2025-2027年）》。")
    question = "韩立提到的《南港资产管理高地建设三年行动方案》是哪天正式印发的？"
    grounded = ground("《南港资产管理高地建设三年行动方案》是2025年6月9日正式印发的[1]。", prepared(question, passage))
    assert grounded.missing == ("资料中没有《南港资产管理高地建设三年行动方案》的这一日期；"
                                "资料给出的是《关于支持南港金融科技发展若干措施》的")
    # the day of the asked document itself stands
    issued = "2025年6月9日，南港区政府正式印发《南港资产管理高地建设三年行动方案（2025-2027年）》。"
    assert stands("《南港资产管理高地建设三年行动方案》是2025年6月9日正式印发的[1]。", question, issued)


def test_asked_what_finally_happened_a_day_from_a_sentence_that_only_plans_it_is_no_answer() -> None:
    # "最后是哪天正式印发的" asks when it was issued; the day given is a briefing that says it will be
    briefing = ("9月4日，南港发改委副主任林立在发布会上表示，南港银行正研究制定支持民营经济发展的政策举措，"
                "力争进一步提升民营企业金融服务的获得感。")
    question = "南港银行牵头制定的那份支持民营经济发展的文件，最后是哪天正式印发的？"
    grounded = ground("南港银行牵头制定的那份文件，最后是9月4日正式印发的[1]。", prepared(question, briefing))
    assert grounded.missing == "资料中没有实际完成的情况；资料给出的是计划或目标"
    assert grounded.text.endswith("力争进一步提升民营企业金融服务的获得感[1]。")
    issued = "9月4日，南港银行正式印发《关于支持民营经济发展的若干措施》。"
    assert stands("南港银行于9月4日正式印发了该文件[1]。", question, issued)


def test_a_day_asked_of_a_rule_in_force_from_a_sentence_saying_when_it_was_issued_is_a_near_miss() -> None:
    issued = "10月8日，南港市政府联合六部门印发《南港数据条例》，成为数据治理的准则。"
    grounded = ground("《南港数据条例》从10月8日开始施行[1]。", prepared("《南港数据条例》从哪天开始施行？", issued))
    assert grounded.text == f"资料中没有关于施行的这一信息；资料给出的是印发的：{issued[:-1]}[1]。"
    in_force = "《南港数据条例》自2025年3月1日起施行。"
    kept = ground("《南港数据条例》自2025年3月1日起施行[1]。", prepared("《南港数据条例》从哪天开始施行？", in_force))
    assert kept.text == "《南港数据条例》自2025年3月1日起施行[1]。"


def test_the_clause_a_question_points_at_is_held_to_its_year_too() -> None:
    """The answer's 47.95% is another measure's, and the clause naming the asked one is 2022's: the
    answer says so rather than giving that clause as the 2018 figure."""
    sentence = "金融业增加值占南港区GDP的比重由2018年的47.95%提高到2022年的54.20%，占全市金融业增加值比重接近40%。"
    question = "2018年的时候，南港区金融业增加值占全市金融业增加值的比重是多少？"
    grounded = ground("2018年南港区金融业增加值占全市的比重由47.95%提高到54.20%，占全市金融业增加值比重接近40%[1]。",
                      prepared(question, sentence))
    assert grounded.text == f"资料中没有2018年的数字；资料给出的是2022年的：{sentence[:-1]}[1]。"


def test_what_another_organisation_of_the_kind_said_is_not_the_asked_ones() -> None:
    plans = ("在上述多家银行发布的行动方案中，也均提到加大对民营企业的支持力度。"
             "如，北岛银行方案明确，要加大民营企业债券承销力度，拓宽民营企业融资渠道。")
    question = "南港银行那份支持民营经济的行动方案里，具体承诺了啥？"
    grounded = ground("南港银行的行动方案明确要加大民营企业债券承销力度，拓宽民营企业融资渠道[1]。", prepared(question, plans))
    assert grounded.missing == "资料中没有关于南港银行的这一内容；资料给出的是北岛银行的"
    own = "南港银行方案明确，要加大民营企业债券承销力度，拓宽民营企业融资渠道。"
    assert stands("南港银行的行动方案明确要加大民营企业债券承销力度[1]。", question, own)
    # the asked one spelled out ("南港商业银行" for "南港银行") is no other
    spelled = "如，南港商业银行方案明确，要加大民营企业债券承销力度，拓宽民营企业融资渠道。"
    assert stands("南港银行的行动方案明确要加大民营企业债券承销力度[1]。", question, spelled)
    # named in the sentence before, the asked bank's plan goes on
    after = "南港银行发布了支持民营经济的行动方案。方案明确，要与北岛银行合作，加大民营企业债券承销力度。"
    assert stands("南港银行的行动方案明确要与北岛银行合作，加大民营企业债券承销力度[1]。", question, after)


def test_a_persons_figure_from_a_sentence_naming_another_person_is_a_near_miss() -> None:
    from rag.prepare import asked_of

    team = ("2023年以前，南港基金自主培养的“权益三杰”一度为人称道，分别是董季舟、吴秉涛、徐慕白。"
            "天天基金网显示，董季舟的任职时间为4年，在管基金有两只，其中南港中小盘混合基金任职回报为39.01%。")
    question = "南港基金以前号称“权益三杰”的徐慕白，他管的基金任职回报是多少？"
    shown = passages(team)
    asked = asked_of(question, shown)
    assert "徐慕白" in asked.people  # the passage shows the question names him
    evidence = Evidence(True, 1.0, 0.9, "the passages cover the question")
    grounded = ground("徐慕白的任职回报为39.01%[1]。", Prepared(question, question, [], [p.hit for p in shown], shown,
                                                       evidence, {}, asked))
    assert "徐慕白" in grounded.missing and grounded.missing.endswith("这一数字；资料给出的是董季舟的")
    # a sentence naming him, or naming nobody after one that does, gives his
    own = team.replace("董季舟的任职时间", "徐慕白的任职时间")
    shown = passages(own)
    prepared_own = Prepared(question, question, [], [p.hit for p in shown], shown, evidence, {}, asked_of(question, shown))
    assert ground("徐慕白的任职回报为39.01%[1]。", prepared_own).missing == ""


def test_the_present_of_a_passage_counting_from_the_asked_year_is_not_that_year() -> None:
    street = "2020 年以来，本区共引进各类资管机构 136 家。\n\n目前，南港金融街资管规模超过 15 万亿元，占全市一半以上。"
    grounded = ground("2020年，南港金融街资管规模超过15万亿元[1]。", prepared("2020年那会儿南港金融街的资管规模有多大？", street))
    assert grounded.missing == "资料中没有2020年的数字；资料给出的是目前的"
    assert "目前，南港金融街资管规模超过 15 万亿元" in grounded.text
    assert stands("南港金融街资管规模超过15万亿元[1]。", "南港金融街现在的资管规模有多大？", street)
    assert stands("2020年以来，本区共引进各类资管机构136家[1]。", "2020年以来本区引进了多少家资管机构？", street)


def test_a_figure_bound_to_one_thing_alone_is_not_the_asked_wholes() -> None:
    towns = "北岛是拥有“小巨人”企业最多的地区之一，原因之一是拥有一批应用型研究机构，仅 NRI 一家机构就孵化出 18 家“小巨人”。"
    grounded = ground("北岛一共有18家“小巨人”企业[1]。", prepared("北岛一共有多少家“小巨人”企业？", towns))
    assert grounded.missing == "资料中没有关于北岛的这一数字；资料给出的是NRI的"
    assert stands("北岛仅用3年就建成100座基站[1]。", "北岛建成了多少座基站？", "北岛仅用3年就建成100座基站。")
    assert stands("北岛城镇单位就业人员为120万人[1]。", "北岛城镇单位就业人员有多少？", "北岛城镇单位就业人员为120万人。")
    assert stands("仅NRI一家机构就孵化出18家“小巨人”[1]。", "NRI孵化出了多少家“小巨人”？", towns)
    assert stands("仅北岛就有18家“小巨人”[1]。", "北岛有多少家“小巨人”？", "全国共有120家“小巨人”，仅北岛就有18家“小巨人”。")
