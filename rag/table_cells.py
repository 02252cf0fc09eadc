"""Figures read from a table: a cell belongs to its row and its column, not to the sentence.

A passage holding a table keeps its rows as tab-separated lines under a header row (index/tables.py):

    年份	上证综指	…	科创50	北证50
    2023年	-3.7	…	-11.24	14.92
    2022年	-15.13	…	-31.35	-5.79

Asked "2022年科创50指数的涨跌幅是多少？", a small model often reads the neighbouring row and answers
-11.24. When the question names exactly one row label (2022年) and one column header (科创50) of a
cited table, the asked cell is known; an answer stating another cell of that table instead is
answered with the asked cell, and says whose cell its figure was. Comparing two rows or two columns,
each figure is held to the cell its own clause of the answer names (`cell_named`): "2020年创业板指涨了
38.73%" under "2020年创业板指和深证成指哪个涨得多" gives 深证成指's cell as 创业板指's. A row is named by any of its labels, the text
cells left of the value ("2015年4月\t福建\t147" by 福建), save a date under an event's time
("成立时间"): it tells when 福建's zone was set up, not the year its 147 cases are for.

Usage:
    cell = asked_cell(chunk_text, "2022年科创50指数的涨跌幅是多少？")   # Cell("2022年", "科创50", "-31.35", line)
    other = cell_of(chunk_text, "11.24")                                # Cell("2023年", "科创50", "-11.24", line)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.tables import CELL, is_table_row
from index.text import compact, figure_terms, terms


_VALUE = re.compile(r"^[-+−–—]*\s*[\d.,]*\s*%?$")  # "-15.13", "31.70%", "--": a value, not a label
# a column of dates the rows' things began on, not the period the figures are for
_EVENT_TIME = re.compile(r"^\S+(?<!统计)(?<!数据)(?<!报告)(?:时间|日期)$")


@dataclass(frozen=True)
class Cell:
    row: str  # the row's label: its cells left of the value, save dates of an event
    column: str  # the column's header
    value: str  # the cell as written
    line: str  # the row's line in the passage, to quote


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[list[str]]
    lines: list[str]  # each row's line as the passage writes it


def tables(text: str) -> list[Table]:
    """The tables of a passage: runs of table rows, the first row of each run taken as its header."""
    found: list[Table] = []
    run: list[str] = []
    for line in text.splitlines() + ["end"]:
        if is_table_row(line):
            run.append(line)
            continue
        if not line.strip():  # paragraphs apart: rows may be too
            continue
        if len(run) >= 2:
            cells = [[c.strip() for c in row.split(CELL)] for row in run]
            found.append(Table(cells[0], cells[1:], run[1:]))
        run = []
    return found


def asked_cell(text: str, question: str) -> Cell | None:
    """The one cell of a table in `text` whose row and column header the question both name; a
    row is named by any of its label cells ("福建" in "2015年4月\t福建\t147")."""
    asked = compact(question)
    for table in tables(text):
        columns = _named(_value_columns(table), asked)
        if len(columns) != 1:
            continue
        column = table.header.index(columns[0])
        cell = _the_named_row(table, column, set(_named(_all_labels(table, column), asked)))
        if cell is not None:
            return cell
    return None


def cell_named(text: str, clause: str, question: str = "") -> Cell | None:
    """The cell of a table in `text` that an answer's `clause` names, its row and column taken from
    the clause, else from `question`, when either names exactly one ("2020年创业板指涨了…" under
    "2020年创业板指和深证成指哪个涨得多"); a table of one value column needs no column named. Call it
    without the question first: a passage lacking the clause's row would take the question's other."""
    said, asked = compact(clause), compact(question) if question else "\0"
    for table in tables(text):
        values = _value_columns(table)
        columns = _named(values, said) or _named(values, asked) or (values if len(values) == 1 else [])
        if len(columns) != 1:
            continue
        column = table.header.index(columns[0])
        labels = _all_labels(table, column)
        named = _named(labels, said) or _named(labels, asked)
        cell = _the_named_row(table, column, set(named)) if len(named) == 1 else None
        if cell is not None:
            return cell
    return None


def labels_in_order(text: str, clause: str) -> list[str]:
    """The column headers of a table in `text` that `clause` names, in the order it names them,
    when it names two or more; else its row labels so named: "沪深300和创业板指分别…" -> ["沪深300",
    "创业板指"]. [] when it names fewer than two of either."""
    said = compact(clause)
    for table in tables(text):
        for named in (_named(_value_columns(table), said),
                      _named(list(dict.fromkeys(_all_labels(table, len(table.header)))), said)):
            if len(named) >= 2:
                return sorted(named, key=lambda label: said.find(compact(label)))
    return []


def _all_labels(table: Table, column: int) -> list[str]:
    return [label for row in table.rows for label in _labels(table.header, row, column)]


def _the_named_row(table: Table, column: int, named: set[str]) -> Cell | None:
    """The cell in `column` of the one row labelled by one of `named`; None for none or several."""
    rows = [(row, line) for row, line in zip(table.rows, table.lines)
            if named & set(_labels(table.header, row, column)) and column < len(row) and row[column]]
    if len(rows) != 1:
        return None
    row, line = rows[0]
    return Cell(_row_label(table.header, row, column), table.header[column], row[column], line)


def named_column(text: str, question: str) -> str:
    """The one column header of a table in `text` the question names ("" for none or several)."""
    asked = compact(question)
    for table in tables(text):
        columns = _named(_value_columns(table), asked)
        if len(columns) == 1:
            return columns[0]
    return ""


def named_row_labels(text: str, asked: str) -> set[str]:
    """The row labels of the tables in `text` that `asked` (a compacted question) names ("2020年", "辽宁")."""
    return {label for table in tables(text) for row in table.rows
            for label in _named(_labels(table.header, row, len(row)), asked)}


def row_read_out(text: str, line: str) -> str:
    """A table row of `text` as a reader takes it in, each cell after its column's name
    ("成立时间：2017年3月，自贸试验区：湖北，金融创新案例个数：30"); `line` itself when it is no row
    under a header there. A row alone ("2017年3月 湖北 30") says nothing of what 30 counts."""
    for table in tables(text):
        for row, own in zip(table.rows, table.lines):
            if own.strip() == line.strip():
                return "，".join(f"{name}：{cell}" if name else cell
                                for name, cell in zip(table.header, row) if cell) + "。"
    return line


def prose(text: str) -> str:
    """`text` without its table rows."""
    return "\n".join(line for line in text.splitlines() if not is_table_row(line))


def cell_of(text: str, figure: str) -> Cell | None:
    """The cell of a table in `text` stating `figure` (a number as rag's terms write it)."""
    for table in tables(text):
        for row, line in zip(table.rows, table.lines):
            for i, value in enumerate(row[1:], start=1):
                if i < len(table.header) and figure in figure_terms(terms(value)):
                    return Cell(_row_label(table.header, row, i), table.header[i], value, line)
    return None


def _value_columns(table: Table) -> list[str]:
    """The headers of the columns holding figures ("园区" heads names, not values)."""
    return [name for j, name in enumerate(table.header) if j > 0 and any(
        j < len(row) and _VALUE.match(row[j]) and any(ch.isdigit() for ch in row[j]) for row in table.rows)]


def _labels(header: list[str], row: list[str], column: int) -> list[str]:
    """The cells left of `column` that name the row. A date under an event's time ("成立时间",
    "上市日期") tells when the row's thing began, not when its figures are for: not a label."""
    return [cell for j, cell in enumerate(row[:column])
            if cell and not _VALUE.match(cell) and not (j < len(header) and _EVENT_TIME.match(header[j]))]


def _row_label(header: list[str], row: list[str], column: int) -> str:
    return " ".join(_labels(header, row, column)) or row[0]


def _named(labels: list[str], asked: str) -> list[str]:
    """The labels the question names; one that is part of a longer named label does not count
    ("上证50" inside "上证50ETF" is the longer one's)."""
    named = [label for label in labels if label and compact(label) in asked]
    return [a for a in named if not any(a != b and compact(a) in compact(b) for b in named)]
