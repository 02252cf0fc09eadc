"""Table rows stay rows. Text exported from a PDF or a spreadsheet keeps a table's cells apart
with tabs; joined into the prose around them, a table reads "存续规模占比国有理财公司 117.7833
31.70%股份理财公司 200.3456 53.93%…", and a reader (or a model) takes one row's figure for the
next row's. A row keeps its line and its tabs, so it becomes a paragraph of its own. Tables from
Word and web pages are written the same way, and a passage that begins below a table's header
row carries that row in front: "2022年 -15.13 … -31.35" alone does not say which index fell 31.35%.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from index.records import Article, Chunk

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


def cells_row(cells: list[str]) -> str:
    """A table row from its cells, written as text tables are."""
    return CELL.join(" ".join(cell.split()) for cell in cells)


_PIPE_ROW = re.compile(r"^\s*\|(.*)\|\s*$")
_PIPE_RULE = re.compile(r"^\s*:?-{3,}:?\s*$")


def pipe_rows_to_cells(text: str) -> str:
    """Markdown tables (`| a | b |`, as trafilatura writes a web page's tables) as tab-separated rows."""
    lines = []
    for line in text.split("\n"):
        row = _PIPE_ROW.match(line)
        if row is None:
            lines.append(line)
            continue
        cells = row.group(1).split("|")
        if not all(_PIPE_RULE.match(cell) for cell in cells):  # |---|---| only underlines the header
            lines.append(cells_row(cells))
    return "\n".join(lines)


def with_header(chunk: Chunk, article: Article) -> Chunk:
    """The chunk with its table's header row in front, when it begins below that row."""
    header = header_above(article.text, chunk.start - article.start)
    return replace(chunk, text=f"{header}\n\n{chunk.text}") if header else chunk


def header_above(text: str, at: int) -> str:
    """The first row of the table whose rows go on at offset `at`, when that row stands above it."""
    lines = [(m.start(), m.end()) for m in re.finditer(r"[^\n]*\S[^\n]*", text)]
    here = next((k for k, (start, end) in enumerate(lines) if start <= at < end), None)
    if here is None or CELL not in text[lines[here][0] : lines[here][1]]:
        return ""
    first = here
    while first > 0 and CELL in text[lines[first - 1][0] : lines[first - 1][1]]:
        first -= 1
    return text[lines[first][0] : lines[first][1]].strip() if first < here else ""
