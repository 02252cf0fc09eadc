"""Figures read from a table, on a short fictional table (never the demo corpus's): a cell belongs
to its row and its column, and an answer giving the neighbouring row's or column's cell is
answered with the asked cell or told what the table does not give."""

from __future__ import annotations

from rag.grounding import ground
from rag.answer_edits import NOTICE_NEAR_MISS, NOTICE_REBOUND
from rag.table_cells import asked_cell, cell_of
from tests.test_near_miss import prepared

HEADER = "年份\t北岛指数\t南港指数\t星河50"
TABLE = f"北岛三大指数涨跌幅\n\n单位:%\n\n{HEADER}\n\n2025年\t-3.7\t-11.38\t-11.24\n\n2024年\t-15.13\t-21.63\t-31.35"
TOP_ROWS = f"北岛三大指数涨跌幅\n\n{HEADER}\n\n2025年\t-3.7\t-11.38\t-11.24"


def test_the_asked_cell_is_the_one_the_question_names_by_row_and_column() -> None:
    cell = asked_cell(TABLE, "2024年星河50指数的涨跌幅是多少？")
    assert (cell.row, cell.column, cell.value) == ("2024年", "星河50", "-31.35")
    assert cell.line == "2024年\t-15.13\t-21.63\t-31.35"
    assert asked_cell(TABLE, "2024年和2025年星河50的涨跌幅各是多少？") is None  # two rows: a comparison
    assert (cell_of(TABLE, "11.24").row, cell_of(TABLE, "11.24").column) == ("2025年", "星河50")


def test_the_neighbouring_rows_cell_is_replaced_by_the_asked_one() -> None:
    grounded = ground("2024年星河50指数的涨跌幅为-11.24%[1]。", prepared("2024年星河50指数的涨跌幅是多少？", TABLE))
    assert grounded.text.startswith("资料中与问题对应的是：2024年，星河50为-31.35[1]。")
    assert "“-11.24”是2025年星河50的数字" in grounded.text
    assert grounded.citations[0].quote == "2024年\t-15.13\t-21.63\t-31.35"
    assert grounded.notice == NOTICE_REBOUND and grounded.missing == ""


def test_a_row_the_passages_do_not_show_is_said_to_be_missing() -> None:
    grounded = ground("2024年星河50指数的涨跌幅为-11.24%[1]。", prepared("2024年星河50指数的涨跌幅是多少？", TOP_ROWS))
    assert grounded.missing == "资料中没有2024年的数字；资料给出的是2025年的"
    assert grounded.text.endswith("2025年，星河50为-11.24[1]。") and grounded.notice == NOTICE_NEAR_MISS


def test_the_right_cell_stands_and_its_row_is_quoted() -> None:
    grounded = ground("2025年星河50指数下跌11.24%[1]。", prepared("星河50指数2025年表现怎么样？", TABLE))
    assert grounded.text == "2025年星河50指数下跌11.24%[1]。" and grounded.missing == ""
    assert grounded.citations[0].quote == "2025年\t-3.7\t-11.38\t-11.24"


def test_a_figure_the_prose_states_too_is_judged_by_its_sentence_not_by_the_table() -> None:
    article = f"2025年，星河50指数全年下跌11.24%，南港指数上涨5%。\n\n{HEADER}\n\n2024年\t-15.13\t-21.63\t-11.24"
    grounded = ground("2025年星河50指数下跌11.24%[1]。", prepared("2025年星河50指数涨跌幅是多少？", article))
    assert grounded.text == "2025年星河50指数下跌11.24%[1]。" and grounded.missing == ""
    assert grounded.citations[0].quote.startswith("2025年，星河50指数全年下跌11.24%")
