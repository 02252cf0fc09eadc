"""Class 4 of #22: an article written as headed sections, each with a list of its own, gives its
headings as its points. Fictional articles only."""

from __future__ import annotations

from index.records import Chunk, Hit
from rag.records import Passage
from rag.sections import article_sections

ARTICLE = ("以法治护航北岛民营经济\n\n民营经济是北岛发展的重要力量，需要在法治轨道上推进。\n\n"
           "从企业关注的重点入手\n\n完善地方立法\n\n一是围绕企业需求开展立法。要深入企业了解需求。\n\n二是开展法规清理。完善审查机制。\n\n"
           "扎实推进依法行政\n\n一是规范行政执法行为。要明晰执法权限。\n\n二是提升政务服务水平。推动公务人员走进企业。\n\n"
           "发挥自觉守法作用\n\n一是开展普法教育。提升经营者守法意识。\n\n来源：北岛日报")


def _chunks(text: str, size: int = 60) -> list[Chunk]:
    return [Chunk(f"s{i}", "law.txt", "以法治护航北岛民营经济", text[a : a + size], a, min(a + size, len(text)))
            for i, a in enumerate(range(0, len(text), size))]


def _following(chunks: list[Chunk]):
    after = {a.id: b for a, b in zip(chunks, chunks[1:])}
    return lambda chunk: after.get(chunk.id)


def _shown(*chunks: Chunk) -> list[Passage]:
    return [Passage(n, Hit(chunk=c, score=1.0, retriever="hybrid", rank=n)) for n, c in enumerate(chunks, start=1)]


def test_the_headings_of_sections_that_each_open_a_list_are_the_articles_points() -> None:
    chunks = _chunks(ARTICLE)
    listed = article_sections(_shown(chunks[2], chunks[0]), _following(chunks), "那篇文章主要从哪几块提的建议？")
    assert [heading for _, heading in listed] == ["从企业关注的重点入手，完善地方立法", "扎实推进依法行政", "发挥自觉守法作用"]
    assert all(heading.split("，")[0] in chunk.text for chunk, heading in listed)  # each cited where it starts


def test_a_question_naming_one_section_or_an_article_without_headed_lists_gets_no_headings() -> None:
    chunks = _chunks(ARTICLE)
    assert article_sections(_shown(chunks[0]), _following(chunks), "在依法行政方面提了哪些建议？") == []
    plain = "北岛新区建设\n\n新区建设提速。\n\n合力做大产业生态圈\n\n园区企业超过三千家，产值增长。\n\n服务再升级\n\n新区推出一站式服务。"
    flat = _chunks(plain)
    assert article_sections(_shown(flat[0]), _following(flat), "这篇文章主要讲了哪些方面？") == []
