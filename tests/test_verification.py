"""The verification pass's logic (rag/verification.py) with a stand-in judge; the real model's
logprobs are read in tests/test_local_llm.py. Fictional passages only."""

from __future__ import annotations

import itertools
from dataclasses import replace

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from rag.chain import yes_judge
from rag.grounding import REFUSED, ground
from rag.near_miss import MISSING_DIRECT
from rag.verification import NOTICE_UNVERIFIED, verified
from tests.test_near_miss import prepared

ARTICLE = "2025年，南港区新建5G基站1200个，全区累计建成5G基站8600个。"
QUESTION = "南港区2025年新建了多少个5G基站？"


def grounded_answer(text: str):
    p = prepared(QUESTION, ARTICLE)
    return ground(text, p), p


def test_an_answer_the_judge_doubts_becomes_what_is_missing_and_the_closest_sentence() -> None:
    grounded, p = grounded_answer("南港区2025年新建5G基站1200个[1]。")
    asked: list[tuple[str, str]] = []
    doubted = verified(grounded, p, lambda q, s: asked.append((q, s)) or 0.2, threshold=0.5)
    assert asked == [(QUESTION, grounded.citations[0].quote)]  # one question, on the one cited sentence
    assert doubted.missing == MISSING_DIRECT and doubted.notice == NOTICE_UNVERIFIED
    assert doubted.text.startswith(MISSING_DIRECT + "：") and doubted.text.endswith("[1]。")
    assert "1200个" in doubted.text and [c.n for c in doubted.citations] == [1]


def test_an_answer_the_judge_trusts_or_cannot_judge_is_unchanged() -> None:
    grounded, p = grounded_answer("南港区2025年新建5G基站1200个[1]。")
    assert verified(grounded, p, lambda q, s: 0.9, threshold=0.5) == grounded
    assert verified(grounded, p, lambda q, s: None, threshold=0.5) == grounded

    def broken(q: str, s: str) -> float:
        raise ConnectionError("the model went away")

    assert verified(grounded, p, broken, threshold=0.5) == grounded


def test_refusals_and_answers_already_saying_what_is_missing_are_not_asked_about() -> None:
    _, p = grounded_answer("南港区新建5G基站1200个[1]。")
    asked: list[str] = []
    assert verified(REFUSED, p, lambda q, s: asked.append(s) or 0.1, threshold=0.5) == REFUSED

    p = prepared("南港区的5G基站由谁承建？", ARTICLE)
    uncited = ground("南港区的5G基站由当地运营商负责承建。", p)  # no passage holds it: the rules say so
    assert uncited.missing == MISSING_DIRECT
    assert verified(uncited, p, lambda q, s: asked.append(s) or 0.1, threshold=0.5) == uncited
    assert asked == []


def test_questions_one_sentence_cannot_answer_are_not_asked_about() -> None:
    asked: list[str] = []
    for question in ("南港区2025年新建了多少个5G基站？累计建成多少个？", "南港区和北岛区2025年各新建了多少个5G基站？",
                     "南港区的5G建设方案提了哪些措施？"):
        p = prepared(question, ARTICLE)
        grounded = ground("南港区2025年新建5G基站1200个[1]。", p)
        assert grounded.citations and verified(grounded, p, lambda q, s: asked.append(q) or 0.1, threshold=0.5) == grounded
    assert asked == []


def test_the_judge_reads_the_probability_of_yes_from_the_first_tokens_logprobs() -> None:
    def model(yes: float, no: float) -> GenericFakeChatModel:
        top = [{"token": "是", "logprob": yes}, {"token": "否", "logprob": no}, {"token": "：", "logprob": -9.0}]
        reply = AIMessage("是", response_metadata={"logprobs": {"content": [{"token": "是", "logprob": yes, "top_logprobs": top}]}})
        return GenericFakeChatModel(messages=itertools.cycle([reply]))

    assert abs(yes_judge(model(-0.105, -2.303))("q", "s") - 0.9 / 1.0) < 0.01
    assert yes_judge(model(-3.0, -0.05))("q", "s") < 0.1
    plain = GenericFakeChatModel(messages=itertools.cycle([AIMessage("是")]))
    assert yes_judge(plain)("q", "s") is None  # no logprobs: no judgement


def test_the_assistant_runs_the_check_when_verify_is_on_and_times_it() -> None:
    """ZHIKU_VERIFY wires the judge into Assistant.stream: the model answers, then its first-token
    logprobs on the cited sentence doubt the answer."""
    from rag.assistant import Assistant
    from rag.settings import Settings
    from tests.fakes import passages

    doubt = [{"token": "否", "logprob": -0.05}, {"token": "是", "logprob": -3.0}]
    replies = [AIMessage("南港区2025年新建5G基站1200个[1]。"),
               AIMessage("否", response_metadata={"logprobs": {"content": [{"token": "否", "logprob": -0.05, "top_logprobs": doubt}]}})]
    hits = [replace(p.hit, scores={"dense": 0.95}) for p in passages(ARTICLE)]  # past the evidence gate
    for verify, expected in ((False, ""), (True, MISSING_DIRECT)):
        model = GenericFakeChatModel(messages=iter(list(replies)))
        answer = Assistant(Settings(verify=verify), chat_model=model).ask(QUESTION, hits=hits)
        assert answer.missing == expected, answer
        assert ("verify_ms" in answer.timings_ms) == verify


def test_a_doubted_first_sentence_that_only_sets_the_scene_leaves_the_answer_to_the_next() -> None:
    scene = "根据合伙协议，星河资本负责提出投资提案、组建管理团队，实施项目投资及投后管理并按约定提取管理费。"
    answer = "南港新城基金最终投向南港市旧城改造项目。"
    p = prepared("星河资本管理的南港新城基金最后把钱投到哪去了？", scene + answer)
    grounded = ground("星河资本作为执行事务合伙人，负责提出投资提案、组建管理团队，实施项目投资及投后管理并按约定"
                      "提取管理费[1]。南港新城基金最终投向南港市旧城改造项目[1]。", p)
    assert grounded.citations[0].quote == scene  # the quote shown is the scene's: it shares the most words
    asked: list[str] = []

    def judge(q: str, s: str) -> float:
        asked.append(s)
        return 0.9 if "旧城改造" in s else 0.2

    assert verified(grounded, p, judge, threshold=0.5) == grounded
    assert asked == [scene, answer]
    asked.clear()
    doubted = verified(grounded, p, lambda q, s: asked.append(s) or 0.2, threshold=0.5)
    assert doubted.missing == MISSING_DIRECT and asked == [scene, answer]  # every source doubted: not given


def test_a_table_row_is_judged_with_its_columns_names_and_quoted_as_it_stands() -> None:
    table = "表3 各园区入驻企业\n\n设立时间\t园区\t入驻企业数\n\n2011年6月\t东湖\t52\n\n2014年3月\t西岭\t38"
    question = "截至2025年底，西岭园区入驻了多少家企业？"
    p = prepared(question, table)
    grounded = ground("西岭园区入驻企业38家[1]。", p)
    assert grounded.citations[0].quote == "2014年3月\t西岭\t38"
    asked: list[str] = []
    doubted = verified(grounded, p, lambda q, s: asked.append(s) or 0.2, threshold=0.5)
    assert asked == ["设立时间：2014年3月，园区：西岭，入驻企业数：38。"]
    assert doubted.text.endswith("2014年3月 西岭 38[1]。")  # the reader is shown the row itself
