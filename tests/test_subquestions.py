"""Questions asking several things are searched part by part."""

from __future__ import annotations

from index.records import Chunk, Hit
from rag.subquestions import search_by_parts, split_question


def test_a_question_is_split_at_question_marks_and_semicolons():
    assert split_question("上海自贸区是哪年设立的？FT账户又是哪年推出的？") == ["上海自贸区是哪年设立的？", "FT账户又是哪年推出的？"]
    assert split_question("港股IPO一共多少家;募集资金一共多少钱?") == ["港股IPO一共多少家;", "募集资金一共多少钱?"]
    assert split_question("2023年中国汽车出口多少辆") == ["2023年中国汽车出口多少辆"]


def test_a_short_follow_on_stays_with_the_part_before_it():
    assert split_question("工行和建行的民企贷款余额各是多少？谁更多？") == ["工行和建行的民企贷款余额各是多少？谁更多？"]


def test_at_most_three_parts():
    question = "甲公司营收多少？乙公司利润多少？丙公司员工多少？丁公司总部在哪？"
    parts = split_question(question)
    assert len(parts) == 3 and "".join(parts) == question


def _hit(chunk_id: str, rank: int) -> Hit:
    chunk = Chunk(id=chunk_id, source="a.txt", title="t", text=chunk_id, start=0, end=1)
    return Hit(chunk=chunk, score=1.0 / rank, retriever="hybrid", rank=rank)


def test_each_part_brings_its_best_hit_near_the_top():
    results = {
        "Sora哪天发布？OpenAI哪天起屏蔽API？": ["sora1", "sora2", "sora3"],
        "Sora哪天发布？": ["sora1", "sora2"],
        "OpenAI哪天起屏蔽API？": ["api1", "sora2", "api2"],
    }
    asked = []

    def search(query):
        asked.append(query)
        return [_hit(c, i) for i, c in enumerate(results[query], 1)]

    hits = search_by_parts(search, "Sora哪天发布？OpenAI哪天起屏蔽API？", top_k=3)
    assert [h.chunk.id for h in hits] == ["sora1", "api1", "sora2", "sora3", "api2"]  # each chunk once
    assert [h.rank for h in hits] == [1, 2, 3, 4, 5]
    assert len(asked) == 3


def test_a_one_part_question_is_one_plain_search():
    asked = []
    hits = search_by_parts(lambda q: asked.append(q) or [_hit("x", 1)], "汽车出口多少辆？", top_k=5)
    assert asked == ["汽车出口多少辆？"] and [h.chunk.id for h in hits] == ["x"]
