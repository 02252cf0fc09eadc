"""split_articles on small digests made here, and over the demo corpus in data/articles."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from index.articles import split_articles
from index.cleaning import clean_text
from index.loaders import load_paths
from index.records import Document

DEMO_CORPUS = Path(__file__).parent.parent / "data" / "articles"
BODY = "这是正文的一句话，讲述了相关政策的背景、主要内容和各方的看法，数据显示增长 5.4%。"


def doc_of(raw: str, source: str = "digest.txt") -> Document:
    return Document(source=source, text=clean_text(raw), sha256="0" * 64, kind="txt")


def body(n: int = 4, tag: str = "") -> str:
    # distinct paragraphs: cleaning drops a long paragraph repeated word for word
    return "\n\n".join(f"{tag}第{i}段。{BODY}" for i in range(n))


def check_offsets(doc: Document, articles) -> None:
    end = 0
    for article in articles:
        assert doc.text[article.start : article.end] == article.text
        assert article.start >= end
        end = article.end


def test_a_digest_is_split_at_its_source_lines_with_sections_and_publications():
    raw = f"""金融\n\n银行加大对科技企业的信贷支持\n\n{body(tag="甲")}\n\n来源：21 世纪经济报道
理论\n\n专家：促进新经济新业态\n\n新就业联动发展\n\n{body(tag="乙")}\n\n来源：经济参考报
第三篇没有栏目名的文章\n\n{body(tag="丙")}\n\n来源：科技日报
"""
    doc = doc_of(raw)
    articles = split_articles(doc)
    check_offsets(doc, articles)
    assert [(a.section, a.title, a.publication) for a in articles] == [
        ("金融", "银行加大对科技企业的信贷支持", "21 世纪经济报道"),
        ("理论", "专家：促进新经济新业态 新就业联动发展", "经济参考报"),
        ("理论", "第三篇没有栏目名的文章", "科技日报"),  # a section runs on until the next one is named
    ]
    assert articles[0].text.endswith("来源：21 世纪经济报道")


def test_a_table_stays_inside_its_article_not_read_as_headings_or_contents():
    # rows ending in a small number look like contents entries ("广西 10") once the tabs are gone
    rows = "成立时间\t自贸试验区\t案例个数\t成立时间\t自贸试验区\t案例个数\n2013年9月\t上海\t160\t2019年8月\t山东\t9\n\t福建\t147\t\t广西\t10\n"
    raw = f"金融\n\n自贸试验区金融创新案例\n\n{body(2, '甲')}\n\n{rows}\n{body(2, '乙')}\n\n来源：示例财经报\n\n下一篇\n\n{body(1, '丙')}\n\n来源：示例财经报"
    doc = doc_of(raw)
    articles = split_articles(doc)
    check_offsets(doc, articles)
    assert [a.title for a in articles] == ["自贸试验区金融创新案例", "下一篇"]
    # the two tables side by side stacked, the merged 成立时间 written into each row
    assert "2013年9月\t福建\t147\n\n2019年8月\t山东\t9\n\n2019年8月\t广西\t10\n\n乙第0段" in articles[0].text


def test_a_short_item_closed_by_its_source_line_is_still_an_article():
    raw = "简讯\n\n3月制造业PMI回升\n\nPMI为50.8%，重回扩张区间。\n\n来源：示例财经报\n\n下一条\n\n文字。\n\n来源：示例财经报"
    articles = split_articles(doc_of(raw))
    assert [(a.section, a.title) for a in articles] == [("简讯", "3月制造业PMI回升"), ("简讯", "下一条")]


def test_a_newspaper_is_split_at_titles_above_bylines():
    raw = f"""中国某某报\n\nCHINA SOME JOURNAL\n\n扫码了解更多
2024年GDP增速目标或设定为5%左右\n\n本报记者 张三 北京报道\n\n{body(tag="甲")}\n\n小标题也在文章里\n\n{body(2, "乙")}
银行“大脑”升级\n\n本报记者 李四\n\n上海报道\n\n{body(tag="丙")}
"""
    doc = doc_of(raw, "paper.txt")
    articles = split_articles(doc)
    check_offsets(doc, articles)
    assert [(a.title, a.byline) for a in articles] == [
        ("2024年GDP增速目标或设定为5%左右", "本报记者 张三 北京报道"),
        ("银行“大脑”升级", "本报记者 李四 上海报道"),
    ]
    assert "小标题也在文章里" in articles[0].text
    assert "扫码了解更多" not in articles[0].text  # the masthead above is not part of any article


def test_a_table_of_contents_is_not_an_article_and_names_the_sections():
    raw = f"""信息摘编\n\n2024年 第七期\n\n目录 CONTENTS
热点关注\n\n两部门: 进一步支持专精特新中小企业\t1\n\n证监会: 发布“科创板八条”\t3
国际视野\n\n西媒: 中国巩固电池行业全球主导地位\t5
两部门：进一步支持专精特新中小企业\n\n新京报 2024-06-19\n\n{body(tag="甲")}\n\n<https://example.com/a>
证监会：发布“科创板八条”\n\n人民网 2024-06-20\n\n{body(tag="乙")}
西媒：中国巩固电池行业全球主导地位\n\n参考消息网 2024-06-17\n\n{body(tag="丙")}
"""
    doc = doc_of(raw)
    articles = split_articles(doc)
    check_offsets(doc, articles)
    assert [(a.section, a.title, a.publication) for a in articles] == [
        ("热点关注", "两部门：进一步支持专精特新中小企业", "新京报"),
        ("热点关注", "证监会：发布“科创板八条”", "人民网"),
        ("国际视野", "西媒：中国巩固电池行业全球主导地位", "参考消息网"),
    ]
    assert not any("目录" in a.text or "信息摘编" in a.text for a in articles)


def test_a_document_without_structure_is_one_article_titled_by_its_heading():
    doc = Document(source="notes/meeting.md", text=f"# 会议纪要\n\n{BODY}\n\n- 第一项", sha256="", kind="md")
    [article] = split_articles(doc)
    assert article.title == "会议纪要"
    assert (article.start, article.end) == (0, len(doc.text))


def test_a_short_note_without_heading_is_titled_by_its_first_line_or_file_name():
    assert split_articles(Document("a.txt", "简短的说明\n\n只有两行。", "", "txt"))[0].title == "简短的说明"
    long_line = BODY * 3
    assert split_articles(Document("dir/report-2024.txt", long_line, "", "txt"))[0].title == "report-2024"


def test_an_empty_document_has_no_articles():
    assert split_articles(Document("a.txt", "", "", "txt")) == []


@pytest.fixture(scope="module")
def demo():
    report = load_paths([DEMO_CORPUS])
    assert len(report.documents) == 5 and not report.skipped
    return [(doc, split_articles(doc)) for doc in report.documents]


def test_demo_corpus_splits_into_a_plausible_number_of_articles(demo):
    counts = [len(articles) for _, articles in demo]
    assert 100 <= sum(counts) <= 250
    assert all(n >= 5 for n in counts)


def test_every_demo_article_has_a_title_and_exact_offsets(demo):
    for doc, articles in demo:
        check_offsets(doc, articles)
        for article in articles:
            assert article.title.strip()
            assert len(article.title) <= 80
            assert article.source == doc.source


def test_demo_digests_credit_the_publication_of_their_articles(demo):
    for doc, articles in demo[:3]:  # 来源：… under every article
        assert all(a.publication for a in articles), doc.source
    reprints = demo[3][1]  # a dateline under every title, but the book column has none
    assert sum(bool(a.publication) for a in reprints) >= 0.9 * len(reprints)


def test_no_demo_article_is_a_table_of_contents(demo):
    page_ref = re.compile(r"\s[A-Z]?(\d{1,3})$")
    for _, articles in demo:
        for article in articles:
            paragraphs = article.text.split("\n\n")
            assert not any(re.match(r"(目\s*录|contents)", p, re.IGNORECASE) for p in paragraphs)
            # a table's row ends in its last cell, a figure, not in a page number
            pages = [int(m.group(1)) for p in paragraphs if "\t" not in p and (m := page_ref.search(p))]
            # a contents list: five or more lines ending in page numbers that go up
            runs = sum(1 for a, b in zip(pages, pages[1:]) if a <= b)
            assert runs < 5, article.title
