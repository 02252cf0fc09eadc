"""Questions of several parts, on short fictional passages (never the demo corpus's questions): a
part whose date or figure the answer leaves out gets the passage's sentence, or is said missing."""

from __future__ import annotations

from rag.grounding import ground
from rag.near_miss import NOTICE_OTHER_SET
from rag.parts import NOTICE_PART_ADDED
from tests.test_near_miss import prepared

CARD = ("北岛市交通委介绍，2016年起，北岛、南港两市联合发行“星河通”互通卡，逐步实现两市公交地铁一卡通行。"
        "截至目前，两市已发卡320余万张。")
QUESTION = "“星河通”互通卡是哪年开始发行的？到现在两市一共发了多少张？"


def test_a_part_left_unanswered_gets_the_passages_sentence_cited() -> None:
    grounded = ground("截至目前，两市已发卡320余万张[1]。", prepared(QUESTION, CARD))
    first, added = grounded.text.split("\n")
    assert first == "截至目前，两市已发卡320余万张[1]。"
    assert added.startswith("资料中与“‘星河通’互通卡是哪年开始发行的”对应的原文：北岛市交通委介绍，2016年起，北岛、南港两市联合发行")
    assert added.endswith("[1]。") and grounded.notice == NOTICE_PART_ADDED
    assert not grounded.missing and not grounded.refused  # a partial answer completed, not a refusal


def test_a_part_the_passages_do_not_answer_is_said_missing() -> None:
    question = "星河通互通卡是哪年开始发行的？两市的地铁线路一共有多少公里？"
    grounded = ground("2016年起，北岛、南港两市联合发行“星河通”互通卡[1]。", prepared(question, CARD))
    assert grounded.text.endswith("\n资料中没有找到“两市的地铁线路一共有多少公里”所问的数字。")
    assert [c.n for c in grounded.citations] == [1]


def test_an_answer_giving_each_part_is_left_alone() -> None:
    answer = "“星河通”互通卡2016年起发行[1]。截至目前，两市已发卡320余万张[1]。"
    grounded = ground(answer, prepared(QUESTION, CARD))
    assert grounded.text == answer and grounded.notice == ""


def test_the_added_sentence_may_come_from_a_passage_the_answer_did_not_cite() -> None:
    count = "截至目前，两市已发卡320余万张。"
    start = "2016年起，北岛、南港两市联合发行“星河通”互通卡。"
    grounded = ground("截至目前，两市已发卡320余万张[1]。", prepared(QUESTION, count, start))
    assert grounded.text.endswith("2016年起，北岛、南港两市联合发行“星河通”互通卡[2]。")
    assert [(c.n, c.chunk.text) for c in grounded.citations] == [(1, count), (2, start)]


def test_the_articles_own_footnote_marks_are_not_left_as_citations() -> None:
    """An article's "[3]" would read as a citation of passage 3: the quoted sentence drops it."""
    noted = "2016年起，北岛、南港两市联合发行“星河通”互通卡[3]。截至目前，两市已发卡320余万张。"
    grounded = ground("截至目前，两市已发卡320余万张[1]。", prepared(QUESTION, noted))
    assert grounded.text.endswith("对应的原文：2016年起，北岛、南港两市联合发行“星河通”互通卡[1]。")
    assert [c.n for c in grounded.citations] == [1]


SOUTH = "南港市科技局数据显示，南港市高新技术企业已经达到9100家。"
ORIGIN = "星云科技最早诞生在北岛市郊区的一间仓库里，后来入驻北岛软件园。北岛市科技局数据显示，北岛市高新技术企业已经达到8600家。"


def test_a_part_referring_back_is_answered_from_the_article_the_answer_cites() -> None:
    question = "星云科技是在哪座城市起家的？那座城市现在有多少家高新技术企业？"
    grounded = ground("星云科技最早诞生在北岛市郊区的一间仓库里[2]。", prepared(question, SOUTH, ORIGIN))
    assert grounded.text.endswith("\n资料中与“那座城市现在有多少家高新技术企业”对应的原文："
                                  "北岛市科技局数据显示，北岛市高新技术企业已经达到8600家[1]。")
    assert [c.chunk.text for c in grounded.citations] == [ORIGIN]  # not 南港's, which names no city of the answer


def test_an_articles_headline_is_not_quoted_when_its_body_says_it() -> None:
    from index.records import Chunk, Hit
    from rag.answer_in_hand import answering_sentence
    from rag.constraints import constraints_of
    from rag.records import Passage

    title = "北岛高新技术企业十年增长十倍达8600家"
    text = f"{title}\n\n本报记者 李明\n\n北岛市科技局数据显示，北岛市高新技术企业已经达到8600家。"
    chunk = Chunk(id="h", source="h.txt", title=title, text=text, start=0, end=len(text))
    shown = [Passage(n=1, hit=Hit(chunk=chunk, score=1.0, retriever="hybrid", rank=1))]
    question = "北岛现在有多少家高新技术企业？"  # the headline names all of it, as the body does
    found = answering_sentence(question, constraints_of(question), shown, lambda sentence: "8600" in sentence)
    assert found is not None and found[0].startswith("北岛市科技局数据显示")


VISITS = ("今年上半年，北岛开发区共收集企业诉求 58 条，平均处置时长 1.2 天。\n\n"
          "今年上半年，北岛开发区对 64 家重点企业开展“送策上门”走访，共收集企业诉求 21 项，目前已办结 17 项。")
VISITS_QUESTION = "北岛开发区上半年搞“送策上门”走访，一共走了多少家重点企业？收上来多少项诉求？"


def test_a_count_of_another_thing_answers_the_part_that_asks_it_and_the_other_part_is_added() -> None:
    """"诉求58条" shares more words with the first part, but counts what the second part asks: it is
    held to that part, and the first part's count of firms, which the answer does not give, is added."""
    grounded = ground("北岛开发区上半年共收集企业诉求 58 条[1]。", prepared(VISITS_QUESTION, VISITS))
    assert not grounded.missing and not grounded.refused
    first, added = grounded.text.split("\n")
    assert first == "北岛开发区上半年共收集企业诉求 58 条[1]。"
    assert added.startswith("资料中与“北岛开发区上半年搞‘送策上门’走访，一共走了多少家重点企业”对应的原文：")
    assert "对 64 家重点企业" in added and added.endswith("[1]。")


def test_a_count_of_the_asked_thing_is_not_added_again() -> None:
    answer = "北岛开发区走访了 64 家重点企业，共收集企业诉求 21 项[1]。"
    assert ground(answer, prepared(VISITS_QUESTION, VISITS)).text == answer


EXPO = ("2月26日，2025年星河博览会在南港拉开帷幕。《中国星河报》记者在现场看到，共计有1800家企业出席此次博览会。"
        "同时，还有超过260家中国企业参展，占总参展商的14%。")


def test_the_whole_sets_count_given_for_the_country_s_firms_is_taken_out_and_said_for_what_it_is() -> None:
    grounded = ground("今年的星河博览会上有1800家中国企业参展，占总参展商的14%[1]。",
                      prepared("今年的星河博览会上有多少家中国企业参展？占总参展商多大比例？", EXPO))
    assert "1800家中国企业" not in grounded.text
    assert "共计有1800家企业出席此次博览会”不是问题所问的中国企业单独的数字[1]。" in grounded.text
    assert grounded.text.endswith("还有超过260家中国企业参展，占总参展商的14%[1]。")  # the part asked, from its sentence
    assert not grounded.missing and not grounded.refused and grounded.notice == NOTICE_OTHER_SET
