"""Table rows stay rows. Text exported from a PDF or a spreadsheet keeps a table's cells apart
with tabs; joined into the prose around them, a table reads "存续规模占比国有理财公司 117.7833
31.70%股份理财公司 200.3456 53.93%…", and a reader (or a model) takes one row's figure for the
next row's. A row keeps its line and its tabs, so it becomes a paragraph of its own.
"""

from __future__ import annotations

from collections.abc import Callable

CELL = "\t"
MIN_CELLS = 3  # "标题\t13" is a contents entry with its page number, not a table row
# web pages saved as text indent paragraphs with tabs: a field this long, or one holding a
# full stop, is prose, and the line is not a table row
MAX_CELL_CHARS = 40


def is_table_row(line: str) -> bool:
    """Three or more tab-separated short fields, two of them filled (merged cells leave some empty)."""
    fields = [field.strip() for field in line.split(CELL)]
    return (
        len(fields) >= MIN_CELLS
        and sum(1 for field in fields if field) >= 2
        and all(len(field) <= MAX_CELL_CHARS and "。" not in field for field in fields)
    )


def table_row(line: str, clean_cell: Callable[[str], str]) -> str:
    """The row with each cell cleaned, one tab between cells; empty cells at either end dropped."""
    return CELL.join(clean_cell(field) for field in line.split(CELL)).strip(CELL + " ")
