"""Approximate figures keep the article's 余/多. Fictional passages only."""

from __future__ import annotations

from rag.grounding import ground
from tests.test_near_miss import prepared

FAIR = "北岛智能科技展开幕，第一天就吸引了8000余人参加，签约金额3000多亿元。"
QUESTION = "北岛智能科技展开幕第一天来了多少人？"


def test_a_figure_the_article_gives_as_approximate_keeps_its_yu_or_duo() -> None:
    assert ground("开幕第一天来了8000人[1]。", prepared(QUESTION, FAIR)).text == "开幕第一天来了8000余人[1]。"
    assert ground("签约金额3000亿元[1]。", prepared("北岛智能科技展签约了多少钱？", FAIR)).text == "签约金额3000多亿元[1]。"


def test_an_answer_already_qualifying_it_or_an_article_also_stating_it_exactly_is_left_alone() -> None:
    assert ground("第一天超过8000人参加[1]。", prepared(QUESTION, FAIR)).text == "第一天超过8000人参加[1]。"
    both = FAIR + "其中8000人来自东南亚。"
    assert ground("开幕第一天来了8000人[1]。", prepared(QUESTION, both)).text == "开幕第一天来了8000人[1]。"
