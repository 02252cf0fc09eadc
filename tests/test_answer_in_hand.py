"""A model declining with the answer in hand (class 3), on short fictional passages: the first
passage's sentence that keeps to every constraint of the question answers instead; a near miss,
another subject or a question that pins no value still ends in the model's refusal."""

from __future__ import annotations

import pytest

from rag.grounding import NOTICE_IN_HAND, NOTICE_MODEL_DECLINED, ground
from tests.test_near_miss import prepared

DECLINED = "资料中没有找到相关信息。"
REVENUE = ("星河电池发布年报。2025年，星河电池实现营业收入61.8亿元，同比增长9%。"
           "公司表示，将继续扩大海外市场。")


def test_the_asked_figure_in_the_first_passage_answers_instead_of_a_refusal() -> None:
    grounded = ground(DECLINED, prepared("星河电池2025年营业收入是多少亿元？", REVENUE))
    assert not grounded.refused and grounded.notice == NOTICE_IN_HAND
    assert grounded.text == "2025年，星河电池实现营业收入61.8亿元，同比增长9%[1]。"
    assert [c.n for c in grounded.citations] == [1] and "61.8亿元" in grounded.citations[0].quote


@pytest.mark.parametrize("question", [
    "星河电池2024年营业收入是多少亿元？",    # another year: a near miss, not the answer
    "月湾电池2025年营业收入是多少亿元？",    # another company
    "星河电池2025年营业收入增长的原因是什么？",  # no value asked: nothing to check a sentence against
])
def test_a_refusal_stands_when_no_sentence_keeps_to_the_question(question: str) -> None:
    grounded = ground(DECLINED, prepared(question, REVENUE))
    assert grounded.refused and grounded.notice == NOTICE_MODEL_DECLINED


def test_only_the_first_passage_is_taken_at_its_word() -> None:
    grounded = ground(DECLINED, prepared("星河电池2025年营业收入是多少亿元？", "北岛市新建了三座公园。", REVENUE))
    assert grounded.refused
