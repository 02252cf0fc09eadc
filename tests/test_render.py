"""Answers rendered for the chat bubble and the sources panel: linked markers, highlighted
quotes, clear notices, and nothing from an article or a question ever becoming markup."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest

from rag.evidence import REFUSAL_TEXT
from rag.records import Answer, Chunk, Citation, Found, Hit
from ui.i18n import UIText
from ui.render import (escape_text, render_answer, render_extract, render_found, render_question, render_sources,
                       render_streaming)

T = UIText("zh")
PAYLOADS = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "![x](http://evil.example/pixel.png)",
    "[click](javascript:alert(1))",
    "${alert(1)} {{value}} `code` $$x^2$$ **bold** &amp; \" '",
)
OUR_TAGS = {"div", "span", "a", "strong", "mark", "code", "br", "ul", "li", "details", "summary"}
OUR_ATTRS = {"class", "id", "href", "title", "target", "rel"}


class _Markup(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parse(html: str) -> _Markup:
    parser = _Markup()
    parser.feed(html)
    parser.close()
    return parser


def assert_only_our_markup(html: str) -> None:
    for tag, attrs in parse(html).tags:
        assert tag in OUR_TAGS, tag
        assert set(attrs) <= OUR_ATTRS, attrs
        href = attrs.get("href", "#")
        # an in-page anchor, or the source preview with nothing but its own parameters
        assert href.startswith("#") or (href.startswith("preview?") and set(parse_qs(urlsplit(href).query)) <= {
            "source", "start", "end", "quote"}), attrs
    for syntax in ("](", "![", "${", "{{", "$$", "**", "`"):
        assert syntax not in html, f"{syntax!r} would reach Markdown/LaTeX/templates"


def chunk(n: int, title: str = "", text: str = "", source: str = "a.txt", section: str = "", **where) -> Chunk:
    return Chunk(id=f"c{n}", source=source, title=title or f"文章{n}", text=text or f"第{n}段的内容。", start=0,
                 end=10, section=section, **where)


def hit(c: Chunk, rank: int = 1) -> Hit:
    return Hit(chunk=c, score=1.0 / rank, retriever="hybrid", rank=rank)


def test_article_and_answer_payloads_render_as_text():
    evil = "；".join(PAYLOADS)
    c = chunk(1, title=evil, text=f"前文。{evil}。后文。", source=f"{PAYLOADS[1]}.txt", section=PAYLOADS[0])
    answer = Answer(question=evil, text=f"{evil}[1]", citations=[Citation(1, c, evil)], hits=[hit(c)],
                    answerer="extractive", notice=evil)
    for html in (render_answer(answer, T, "zk0"), render_sources(answer, T, "zk0"), render_question(evil)):
        assert_only_our_markup(html)
        assert "<script" not in html and "<img" not in html
        assert "".join(parse(html).text).count("<script>alert(1)</script>") >= 1  # shown, as text
    # the file name and the quote reach the preview address intact, as its parameters
    opened = next(a["href"] for tag, a in parse(render_sources(answer, T)).tags if a.get("class") == "zk-open")
    assert parse_qs(urlsplit(opened).query) == {"source": [c.source], "start": ["0"], "end": ["10"], "quote": [evil]}


def test_uncited_passages_escape_payloads_too():
    evil = chunk(2, title=PAYLOADS[0], text=PAYLOADS[1])
    answer = Answer(question="q", text="答[1]", citations=[Citation(1, chunk(1), "")], hits=[hit(chunk(1)), hit(evil, 2)])
    html = render_sources(answer, T)
    assert_only_our_markup(html)
    assert PAYLOADS[1] in "".join(parse(html).text)


def test_streaming_text_is_escaped():
    html = render_streaming("部分回答 <img src=x onerror=alert(1)> [1")
    assert_only_our_markup(html)
    assert "&lt;img" in html


def test_the_evidence_shown_first_is_labelled_an_extract_linked_and_escaped():
    evil = "；".join(PAYLOADS)
    c1, c2 = chunk(1, title=evil, text=f"前文。{evil}。后文。"), chunk(2, title="制造业PMI", text="PMI为50.8%。")
    found = Found([Citation(1, c1, evil), Citation(2, c2, "PMI为50.8%。")], f"{evil}[1]。PMI为50.8%[2]。")
    bubble, panel = render_extract(found, T, "zk4"), render_found(found, T, "zk4")
    for html in (bubble, panel):
        assert_only_our_markup(html)
        assert "<script" not in html and "<img" not in html
    assert "zk-streaming" in bubble and "摘录" in "".join(parse(bubble).text)  # never taken for the answer
    assert [a["href"] for tag, a in parse(bubble).tags if a.get("class") == "zk-cite"] == ["#zk4-s1", "#zk4-s2"]
    assert [a["id"] for tag, a in parse(panel).tags if "id" in a] == ["zk4-s1", "zk4-s2"]
    assert "<mark>PMI为50.8%。</mark>" in panel
    nothing = render_extract(Found([Citation(1, c2, "")], ""), T)
    assert "zk-streaming" in nothing and "摘录" not in nothing  # no sentence matched: no empty extract


def test_question_keeps_line_breaks_as_br_only():
    assert render_question("第一行\n<b>第二行</b>") == '<div class="zk-question">第一行<br>&lt;b&gt;第二行&lt;/b&gt;</div>'


def test_escape_text_leaves_chinese_alone():
    assert escape_text("中国汽车出口491万辆。") == "中国汽车出口491万辆。"


def test_markers_link_to_their_source_entries():
    c1, c2 = chunk(1, title="汽车出口"), chunk(2, title="制造业PMI")
    answer = Answer(question="q", text="出口增长[1]。PMI回升[2]。", citations=[Citation(1, c1, ""), Citation(2, c2, "")],
                    hits=[hit(c1), hit(c2, 2)])
    bubble, panel = render_answer(answer, T, "zk3"), render_sources(answer, T, "zk3")
    links = [a for tag, a in parse(bubble).tags if tag == "a"]
    assert [a["href"] for a in links] == ["#zk3-s1", "#zk3-s2"]
    assert links[0]["title"] == "汽车出口"
    ids = [a["id"] for tag, a in parse(panel).tags if "id" in a]
    assert ids == ["zk3-s1", "zk3-s2"]
    assert "出口增长" in "".join(parse(bubble).text)


def test_a_combined_marker_links_each_number():
    c1, c2 = chunk(1), chunk(2)
    answer = Answer(question="q", text="两者都提到[1, 2]。", citations=[Citation(1, c1, ""), Citation(2, c2, "")])
    hrefs = [a["href"] for tag, a in parse(render_answer(answer, T, "x")).tags if tag == "a"]
    assert hrefs == ["#x-s1", "#x-s2"]


def test_a_marker_without_citation_stays_plain_text():
    answer = Answer(question="q", text="没有出处[7]。", citations=[])
    html = render_answer(answer, T)
    assert not [t for t, _ in parse(html).tags if t == "a"]
    assert "[7]" in "".join(parse(html).text)


def test_quote_is_highlighted_inside_its_passage():
    c = chunk(1, text="背景介绍。2023年，中国汽车出口491万辆。<其他>内容。", section="汽车")
    answer = Answer(question="q", text="出口491万辆[1]。", citations=[Citation(1, c, "2023年，中国汽车出口491万辆。")])
    html = render_sources(answer, T, "zk0")
    assert "背景介绍。<mark>2023年，中国汽车出口491万辆。</mark>&lt;其他&gt;内容。" in html
    assert "文章1" in html and "a.txt" in html and "汽车" in html  # title, source file, section


def test_a_pdf_passage_shows_its_page_and_whether_ocr_read_it():
    one = chunk(1, source="年报.pdf", page=3, last_page=3)
    two = chunk(2, source="扫描件.pdf", page=3, last_page=4, ocr=True)
    answer = Answer(question="q", text="x[1]y[2]", citations=[Citation(1, one, ""), Citation(2, two, "")])
    entries = render_sources(answer, T).split('class="zk-source"')[1:]
    assert "第 3 页" in entries[0] and "OCR" not in entries[0]
    assert "第 3–4 页" in entries[1] and "OCR 识别" in entries[1]
    assert "page 3" in render_sources(answer, UIText("en"))
    text_file = render_sources(Answer(question="q", text="x[1]", citations=[Citation(1, chunk(1), "")]), T)
    assert "页" not in text_file  # a text file has no pages


def test_each_passage_opens_in_its_document():
    c = chunk(1, source="资料/年报 2023.pdf", page=2, last_page=2)
    answer = Answer(question="q", text="x[1]", citations=[Citation(1, c, "第1段")], hits=[hit(c), hit(chunk(2), 2)])
    links = [a for tag, a in parse(render_sources(answer, T)).tags if a.get("class") == "zk-open"]
    assert [(a["target"], a["rel"]) for a in links] == [("_blank", "noopener")] * 2  # cited, and the uncited one
    assert parse_qs(urlsplit(links[0]["href"]).query) == {
        "source": ["资料/年报 2023.pdf"], "start": ["0"], "end": ["10"], "quote": ["第1段"]}
    assert "quote" not in parse_qs(urlsplit(links[1]["href"]).query)


def test_a_quote_not_in_the_passage_shows_the_passage_unmarked():
    answer = Answer(question="q", text="x[1]", citations=[Citation(1, chunk(1, text="原文。"), "别处的话")])
    html = render_sources(answer, T)
    assert "<mark>" not in html and "原文。" in html


def test_retrieved_but_uncited_passages_are_collapsed():
    cited, other = chunk(1, title="被引用"), chunk(2, title="未引用")
    answer = Answer(question="q", text="答[1]", citations=[Citation(1, cited, "")], hits=[hit(cited), hit(other, 2)])
    html = render_sources(answer, T)
    details = html[html.index("<details"):]
    assert "未引用" in details and "被引用" not in details
    assert "其他检索到的段落（1）" in details


def test_refusal_lists_the_titles_that_were_searched():
    hits = [hit(chunk(1, title="图书馆开放时间调整")), hit(chunk(2, title="图书馆开放时间调整"), 2),
            hit(chunk(3, title="<b>汽车</b>出口"), 3)]
    answer = Answer(question="火星上有图书馆吗？", text="资料中没有找到相关信息。", hits=hits, refused=True)
    html = render_answer(answer, T)
    text = "".join(parse(html).text)
    assert REFUSAL_TEXT in text  # the API's wording: one refusal everywhere
    items = [text for text in parse(html.split("<ul>")[1]).text]
    assert items == ["图书馆开放时间调整", "<b>汽车</b>出口"]
    assert_only_our_markup(html)


def test_refusal_lists_only_articles_close_to_the_question():
    """年假 answered with "已检索：淘特回归淘宝" reads as nonsense: far hits are not listed."""
    from dataclasses import replace

    near = replace(hit(chunk(1, title="年休假管理办法")), scores={"dense": 0.91})
    far = replace(hit(chunk(2, title="淘特回归淘宝"), 2), scores={"dense": 0.84})
    text = "".join(parse(render_answer(Answer(question="年假怎么休？", text="", hits=[near, far], refused=True), T)).text)
    assert "年休假管理办法" in text and "淘特" not in text
    html = render_answer(Answer(question="年假怎么休？", text="", hits=[far], refused=True), T)
    searched, _, suggested = html.partition("zk-suggest")
    assert "淘特" not in searched and "没有找到相关的文章" in "".join(parse(searched).text)
    # what the knowledge base holds instead, never called related to the question
    assert "知识库收录的是这类文章，例如：" in suggested and "淘特回归淘宝" in suggested and "相关" not in suggested


def test_a_refusal_names_the_knowledge_bases_to_choose_from_only_when_there_are_several():
    answer = Answer(question="食堂几点开门？", text="", refused=True)
    assert "人事制度" not in render_answer(answer, T, covers=["公共资料"]) + render_answer(answer, T)
    text = "".join(parse(render_answer(answer, T, covers=["公共资料", "<i>人事</i>制度"])).text)
    assert "您可以检索的知识库：公共资料、<i>人事</i>制度" in text
    english = "".join(parse(render_answer(answer, UIText("en"), covers=["Public", "HR"])).text)
    assert "Knowledge bases you can search: Public, HR" in english


def test_refusal_with_nothing_retrieved_says_so():
    html = render_answer(Answer(question="q", text="", refused=True), T)
    assert "没有找到相关的文章" in html


def test_extracted_answer_carries_its_notice():
    answer = Answer(question="q", text="原句[1]。", citations=[Citation(1, chunk(1), "")], answerer="extractive",
                    notice="未使用生成模型：以下为从资料中摘录的原句。")
    html = render_answer(answer, T)
    assert 'class="zk-notice zk-notice-extracted"' in html
    assert html.index("未使用生成模型") < html.index("原句")


def test_an_english_page_shows_every_notice_rag_writes_in_english():
    import re

    from rag.assistant import NOTICE_LLM_BROKEN
    from ui.notice_words import EN

    broken = NOTICE_LLM_BROKEN.format(reason="连接被拒绝")
    for notice in EN:
        answer = Answer(question="q", text="原句[1]。", citations=[Citation(1, chunk(1), "")], notice=notice)
        shown = re.search(r'zk-notice-extracted">(.*?)</div>', render_answer(answer, UIText("en"))).group(1)
        assert not re.search(r"[\u4e00-\u9fff]", shown), shown
    broken_en = re.search(r'zk-notice-extracted">(.*?)</div>', render_answer(
        Answer(question="q", text="原句[1]。", notice=broken), UIText("en"))).group(1)
    assert broken_en.startswith("The generative model is failing") and "连接被拒绝" in broken_en  # the reason kept
    assert "未使用生成模型" in render_answer(Answer(question="q", text="原句。", notice=next(iter(EN))), UIText("zh"))


@pytest.mark.parametrize("language, label", [("zh", "引用来源"), ("en", "Sources")])
def test_panel_labels_follow_the_language(language, label):
    html = render_sources(Answer(question="q", text="t"), UIText(language))
    assert label in html


def test_the_knowledge_base_summary_folds_technical_words_away():
    """Model names and retrieval modes sit in an ⓘ fold; the build time reads without +00:00."""
    from types import SimpleNamespace

    from ui.kb_tab import summary_html

    stats = {"chunks": 12, "documents": 2, "articles": 3, "built_at": "2026-12-04T19:00:12+00:00",
             "model": "packaged:multilingual-e5-small", "dimension": 384, "index_type": "flat"}
    settings = SimpleNamespace(answerer="extractive", retrieval_mode="hybrid", top_k=5)
    html = summary_html(stats, SimpleNamespace(llm_description="Qwen"), settings, T)
    shown, folded = html.split("<details", 1)
    assert "2026-12-04 19:00 UTC" in shown and "+00:00" not in html
    assert "packaged:" not in shown and "hybrid" not in shown and "top 5" not in shown
    assert "packaged:multilingual-e5-small" in folded and "hybrid, top 5" in folded
