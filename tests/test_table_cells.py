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


def test_an_asked_cell_with_no_figure_is_said_to_be_missing_not_filled_from_a_neighbour() -> None:
    table = TABLE + "\n\n2023年\t5.6\t8.1\t--"
    grounded = ground("2023年星河50指数的涨跌幅为-31.35%[1]。", prepared("星河50指数2023年全年涨跌幅是多少？", table))
    assert grounded.missing == "资料中没有2023年星河50的数字"
    assert grounded.text == "资料中没有2023年星河50的数字；表中这一格为“--”[1]。"
    assert grounded.citations[0].quote == "2023年\t5.6\t8.1\t--" and grounded.notice == NOTICE_NEAR_MISS


def test_the_right_cell_stands_and_its_row_is_quoted() -> None:
    grounded = ground("2025年星河50指数下跌11.24%[1]。", prepared("星河50指数2025年表现怎么样？", TABLE))
    assert grounded.text == "2025年星河50指数下跌11.24%[1]。" and grounded.missing == ""
    assert grounded.citations[0].quote == "2025年\t-3.7\t-11.38\t-11.24"


def test_a_figure_the_prose_states_too_is_judged_by_its_sentence_not_by_the_table() -> None:
    article = f"2025年，星河50指数全年下跌11.24%，南港指数上涨5%。\n\n{HEADER}\n\n2024年\t-15.13\t-21.63\t-11.24"
    grounded = ground("2025年星河50指数下跌11.24%[1]。", prepared("2025年星河50指数涨跌幅是多少？", article))
    assert grounded.text == "2025年星河50指数下跌11.24%[1]。" and grounded.missing == ""
    assert grounded.citations[0].quote.startswith("2025年，星河50指数全年下跌11.24%")


SET_UP = ("表2 各园区入驻企业数（截至2025年底）\n\n设立时间\t园区\t入驻企业数\n\n2011年6月\t东湖\t52\n\n"
          "2011年6月\t西岭\t38\n\n2014年3月\t青溪\t21")


def test_a_row_is_named_by_any_of_its_labels_and_a_set_up_date_does_not_date_its_figures() -> None:
    cell = asked_cell(SET_UP, "西岭园区的入驻企业数是多少？")
    assert (cell.row, cell.column, cell.value) == ("西岭", "入驻企业数", "38")
    assert cell_of(SET_UP, "21").row == "青溪"  # not 2014年3月: the park was set up then
    grounded = ground("截至2025年底，东湖园区入驻企业52家，西岭园区38家[1]。",
                      prepared("截至2025年底，东湖园区和西岭园区哪个入驻企业多？", SET_UP))
    assert grounded.missing == "" and grounded.text.startswith("截至2025年底，东湖园区入驻企业52家")


def test_comparing_two_rows_a_figure_from_a_third_row_is_replaced_by_the_named_rows_cell() -> None:
    grounded = ground("东湖园区入驻企业更多，有21家，西岭园区有38家[1]。",
                      prepared("截至2025年底，东湖园区和西岭园区哪个入驻企业多？", SET_UP))
    assert grounded.text == ("资料中与问题对应的是：东湖，入驻企业数为52[1]；西岭，入驻企业数为38[2]。"
                             "“21”是青溪入驻企业数的数字，不是问题所问的。")
    assert grounded.missing == "" and grounded.notice == NOTICE_REBOUND
    assert [c.quote for c in grounded.citations] == ["2011年6月\t东湖\t52", "2011年6月\t西岭\t38"]


def test_comparing_two_columns_each_figure_is_held_to_its_clause_s_column() -> None:
    table = "年份\t晨星指数\t蓝筹30\t星河50\n\n2021年\t4.8\t2.67\t12.02\n\n2020年\t13.87\t38.73\t64.96"
    question = "2020年星河50和蓝筹30哪个涨得多？各涨了多少？"
    swapped = ground("2020年星河50涨了38.73%，蓝筹30涨了2.67%[1]。", prepared(question, table))
    assert swapped.text == ("资料中与问题对应的是：2020年，星河50为64.96[1]；2020年，蓝筹30为38.73[1]。"
                            "“38.73”是2020年蓝筹30的数字，不是问题所问的。“2.67”是2021年蓝筹30的数字，不是问题所问的。")
    assert swapped.citations[0].quote == "2020年\t13.87\t38.73\t64.96" and swapped.missing == ""
    right = ground("2020年星河50涨了64.96%，蓝筹30涨了38.73%，星河50涨得更多[1]。", prepared(question, table))
    assert right.text == "2020年星河50涨了64.96%，蓝筹30涨了38.73%，星河50涨得更多[1]。"


def test_a_compared_row_in_another_passage_is_read_from_there() -> None:
    first = "设立时间\t园区\t入驻企业数\n\n2011年6月\t东湖\t52\n\n2014年3月\t青溪\t21"
    second = "设立时间\t园区\t入驻企业数\n\n2011年6月\t西岭\t38\n\n2015年1月\t南湾\t4"
    grounded = ground("西岭园区入驻企业38家，东湖园区入驻企业4家[2]。",
                      prepared("东湖园区和西岭园区哪个入驻企业多？各有多少家？", first, second))
    assert grounded.text == ("资料中与问题对应的是：西岭，入驻企业数为38[1]；东湖，入驻企业数为52[2]。"
                             "“4”是南湾入驻企业数的数字，不是问题所问的。")
    assert [c.chunk.id for c in grounded.citations] == ["c2", "c1"]


def test_a_figure_from_an_uncited_passage_of_the_table_is_held_to_its_clause_s_cell_too() -> None:
    from rag.grounding import Grounded
    from rag.records import Citation
    from rag.table_answers import misread_cells

    recent = "年份\t晨星指数\t蓝筹指数\t星河指数\n\n2021年\t4.8\t2.67\t12.02\n\n2020年\t13.87\t38.73\t64.96"
    older = "年份\t晨星指数\t蓝筹指数\t星河指数\n\n2015年\t9.41\t35.62\t84.41"
    asked = prepared("2020年星河指数和蓝筹指数哪个涨得多？各涨了多少？", recent, older)
    said = "2020年星河指数涨了38.73%，蓝筹指数涨了35.62%。"
    only_recent = [Citation(1, asked.passages[0].chunk, said)]  # the model cited the passage of one figure
    grounded = misread_cells(Grounded(said[:-1] + "[1]。", only_recent), asked, said, only_recent)
    assert grounded.text.startswith("资料中与问题对应的是：2020年，星河指数为64.96[1]；2020年，蓝筹指数为38.73[1]。")
    assert "“35.62”是2015年蓝筹指数的数字" in grounded.text


def test_the_named_cells_of_every_sentence_answer_not_only_the_misread_one_s() -> None:
    named = "设立时间\t园区\t入驻企业数\n\n2011年6月\t东湖\t52\n\n2011年6月\t西岭\t38"
    others = "设立时间\t园区\t入驻企业数\n\n2014年3月\t青溪\t21\n\n2015年1月\t南湾\t4"
    grounded = ground("东湖园区入驻企业更多，有21家；西岭园区有38家。",
                      prepared("东湖园区和西岭园区哪个入驻企业多？各有多少家？", others, named))
    assert grounded.text.startswith("资料中与问题对应的是：东湖，入驻企业数为52[1]；西岭，入驻企业数为38[2]。")
    assert "“21”是青溪入驻企业数的数字" in grounded.text


def test_figures_given_in_turn_with_fenbie_are_each_held_to_the_thing_named_in_that_turn() -> None:
    table = "年份\t晨星指数\t蓝筹30\t星河50\n\n2021年\t4.8\t2.67\t12.02\n\n2020年\t13.87\t-8.73\t64.96"
    question = "2020年蓝筹30和星河50分别是涨还是跌？各多少？"
    misread = ground("2020年蓝筹30和星河50分别涨了13.87%和64.96%[1]。", prepared(question, table))
    assert misread.text == ("资料中与问题对应的是：2020年，蓝筹30为-8.73[1]；2020年，星河50为64.96[1]。"
                            "“13.87”是2020年晨星指数的数字，不是问题所问的。")
    right = "2020年蓝筹30和星河50分别为-8.73%和64.96%[1]。"
    assert ground(right, prepared(question, table)).text == right
    by_rows = ground("东湖和西岭园区分别入驻企业21家和38家[1]。", prepared("东湖和西岭园区分别入驻了多少家企业？", SET_UP))
    assert by_rows.text.startswith("资料中与问题对应的是：东湖，入驻企业数为52[1]；西岭，入驻企业数为38[2]。")
