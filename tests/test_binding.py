"""Class 2 of #22: a figure bound, in its cited sentence, to another subject or metric than the
asked one, on short fictional passages (never the demo corpus's questions)."""

from __future__ import annotations

from rag.binding import bound_elsewhere, figure_scopes
from rag.constraints import question_constraints
from rag.grounding import ground
from rag.near_miss import NOTICE_REBOUND
from tests.test_near_miss import prepared

INDICES = ("9月份，青川省工业景气指数为49.2%，比上月下降0.3个百分点；服务业景气指数为52.6%；"
           "综合景气产出指数为50.8%，比上月上升0.1个百分点。")
SHARES = "在北岛的储能市场，星海科技份额为31%，蓝湾电子为18%，其余厂商合计51%。"
RESULTS = "2025年，星河电池营收52亿元，净利润3亿元。"


def test_a_figure_of_the_neighbouring_index_is_replaced_by_the_asked_ones_clause() -> None:
    grounded = ground("9月份青川省工业景气指数为50.8%[1]。", prepared("9月份青川省工业景气指数是多少？", INDICES))
    assert grounded.text.startswith("资料中与问题对应的是：9月份，青川省工业景气指数为49.2%[1]。")
    assert "综合景气产出指数为50.8%" in grounded.text and grounded.notice == NOTICE_REBOUND
    assert grounded.missing == "" and not grounded.refused  # the asked figure is given: not declining
    assert [c.n for c in grounded.citations] == [1] and grounded.citations[0].quote in INDICES


def test_a_market_share_taken_from_the_neighbouring_company_is_caught() -> None:
    grounded = ground("星海科技在北岛储能市场的份额为18%[1]。", prepared("星海科技在北岛储能市场的份额是多少？", SHARES))
    assert "星海科技份额为31%" in grounded.text and grounded.notice == NOTICE_REBOUND


def test_figures_bound_to_the_asked_subject_are_left_alone() -> None:
    right = ground("9月份青川省工业景气指数为49.2%[1]。", prepared("9月份青川省工业景气指数是多少？", INDICES))
    assert right.text == "9月份青川省工业景气指数为49.2%[1]。" and right.notice == ""
    # the subject named once heads the sentence; the 净利润's own clause names the asked metric
    profit = ground("星河电池2025年净利润为3亿元[1]。", prepared("星河电池2025年净利润是多少？", RESULTS))
    assert profit.text == "星河电池2025年净利润为3亿元[1]。"


def test_a_figure_of_another_kind_is_no_competitor() -> None:
    """"比上月下降0.3个百分点" is a change, but 49.2% and 0.3 are both percent: only a scope naming
    more of the question binds more; a change asked for stays with its own clause."""
    asked = question_constraints("9月份工业景气指数比上月下降了多少？")
    assert bound_elsewhere(asked, INDICES, "0.3") is None
    assert bound_elsewhere(asked, INDICES, "49.2") is None  # crossing coverage is no evidence


def test_a_date_carries_the_subject_on_and_is_not_a_figure() -> None:
    scopes = figure_scopes("9月份，工业景气指数为49.2%，服务业为52.6%。")
    assert [(f, s) for f, s, _ in scopes] == [("49.2", "9月份，工业景气指数为49.2%，"), ("52.6", "服务业为52.6%。")]
