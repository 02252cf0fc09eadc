"""Questions asking several things are searched part by part."""

from __future__ import annotations

from index.records import Chunk, Hit
from rag.questions import search_by_parts, search_queries, split_comparison, split_question


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

    hits, leading = search_by_parts(search, "Sora哪天发布？OpenAI哪天起屏蔽API？", top_k=3)
    assert [h.chunk.id for h in hits] == ["sora1", "api1", "sora2", "sora3", "api2"]  # each chunk once
    assert leading == 2  # the whole question and its first part share their best hit
    assert [h.rank for h in hits] == [1, 2, 3, 4, 5]
    assert len(asked) == 3


def test_a_one_part_question_is_one_plain_search():
    asked = []
    hits, leading = search_by_parts(lambda q: asked.append(q) or [_hit("x", 1)], "汽车出口多少辆？", top_k=5)
    assert asked == ["汽车出口多少辆？"] and [h.chunk.id for h in hits] == ["x"] and leading == 1


def test_a_comparison_is_searched_thing_by_thing():
    assert split_comparison("创新奇智的工业大模型和阿里夸克大模型，参数规模各多大？") == [
        "创新奇智的工业大模型，参数规模各多大？", "阿里夸克大模型，参数规模各多大？",
    ]
    # the first thing starts at its clause, the second ends before 的 or a preposition
    assert split_comparison("截至2月25日，国有理财公司和股份制理财公司的存续规模各是多少？") == [
        "截至2月25日，国有理财公司的存续规模各是多少？", "截至2月25日，股份制理财公司的存续规模各是多少？",
    ]
    assert split_comparison("黑石BXPE和老虎环球新基金给LP的管理费分别是多少？") == [
        "黑石BXPE给LP的管理费分别是多少？", "老虎环球新基金给LP的管理费分别是多少？",
    ]


def test_compared_dates_keep_the_thing_they_belong_to():
    assert split_comparison("Oura智能戒指2019年和2022年3月的销量分别是多少？") == [
        "Oura智能戒指2019年的销量分别是多少？", "Oura智能戒指2022年3月的销量分别是多少？",
    ]


def test_two_things_asked_about_together_are_not_a_comparison():
    assert split_comparison("国铁集团和建设银行合作的铁路物流金融产品依托什么平台？") == []
    assert split_comparison("几家国有大行的民营企业贷款余额谁最多？") == []  # 谁最, but no 和


def test_search_queries_hold_parts_and_compared_things():
    assert search_queries("汽车出口多少辆？") == []
    assert search_queries("工行和建行的贷款余额各是多少？谁更多？") == ["工行的贷款余额各是多少？谁更多？", "建行的贷款余额各是多少？谁更多？"]
    assert search_queries("上海自贸区哪年设立？工行和建行的贷款余额各是多少？") == [
        "上海自贸区哪年设立？", "工行的贷款余额各是多少？", "建行的贷款余额各是多少？",
    ]


def test_a_comparison_brings_each_things_best_hit():
    results = {"A公司和B公司的营收各是多少？": ["a1", "a2", "a3"], "A公司的营收各是多少？": ["a1", "a2"],
               "B公司的营收各是多少？": ["b1", "a2"]}
    hits, leading = search_by_parts(lambda q: [_hit(c, i) for i, c in enumerate(results[q], 1)], "A公司和B公司的营收各是多少？", 3)
    assert [h.chunk.id for h in hits][:3] == ["a1", "b1", "a2"] and leading == 2


def test_a_part_opening_with_a_pronoun_is_searched_with_the_first_parts_topic():
    assert search_queries("星河移动在展会上说今年要在多少个城市商用？它现在已经开通了多少基站？") == [
        "星河移动在展会上说今年要在多少个城市商用？", "星河移动现在已经开通了多少基站？",
    ]
    # "其中" is no pronoun; "那座城市" names the first part's answer, which no query knows
    assert search_queries("今年注销的私募机构一共有多少家？其中由协会注销的有多少家？")[1] == "其中由协会注销的有多少家？"
    assert search_queries("星云科技是在哪座城市起家的？那座城市现在有多少家企业？")[1] == "那座城市现在有多少家企业？"
