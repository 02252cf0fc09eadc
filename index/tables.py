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
    """The row with each cell cleaned, one tab between cells; empty cells at its end dropped.
    An empty first cell stays: it is a merged cell more often than an indent (`regular_tables`)."""
    return CELL.join(clean_cell(field) for field in line.split(CELL)).rstrip(CELL + " ")


def regular_tables(lines: list[str]) -> list[str]:
    """Each run of table rows among `lines` as one plain grid, so a row reads alone.

    A PDF table keeps its layout, not its grid. Two tables set side by side share each line
    ("成立时间 自贸试验区 案例数 成立时间 自贸试验区 案例数"), and a cell merged over several rows
    is written once and left empty below ("\t福建\t147"), so the row alone does not say when
    福建's zone was set up, and its cells sit one column off. Here the side-by-side halves are
    stacked under one header and a merged first cell is written into every row it spans; a
    first column empty in every row (an indent) is dropped.
    """
    out: list[str] = []
    run: list[str] = []
    for line in [*lines, ""]:
        if CELL in line:
            run.append(line)
            continue
        out.extend(_regular(run) if len(run) >= 2 else run)
        run = []
        out.append(line)
    return out[:-1]


def _regular(run: list[str]) -> list[str]:
    grid = [line.split(CELL) for line in run]
    if all(not row[0].strip() for row in grid):
        grid = [row[1:] for row in grid]
    header, rows = grid[0], grid[1:]
    width = _side_by_side_width(header)
    parts = [rows]
    if width:
        header = header[:width]
        parts = [[row[k : k + width] for row in rows if any(row[k : k + width])] for k in range(0, len(grid[0]), width)]
    lines = [CELL.join(header)]
    for part in parts:
        lines.extend(CELL.join(row).rstrip(CELL) for row in _merged_filled(part, len(header)))
    return lines


def _side_by_side_width(header: list[str]) -> int:
    """The width of one table when the header repeats itself (two or three tables side by side); else 0."""
    cells = [cell.strip() for cell in header]
    for copies in (3, 2):
        width = len(cells) // copies
        if width >= 2 and len(cells) == width * copies and all(cells[: width]) and cells == cells[:width] * copies:
            return width
    return 0


def _merged_filled(rows: list[list[str]], width: int) -> list[list[str]]:
    """Rows with an empty first cell under a filled one take it: the cell was merged over them.
    Only rows of the header's shape: a row wider than its header is some other layout."""
    filled: list[list[str]] = []
    above = ""
    for row in rows:
        if not row[0].strip() and above and len(row) <= width and any(cell.strip() for cell in row[1:]):
            row = [above, *row[1:]]
        above = row[0].strip() and row[0]
        filled.append(row)
    return filled


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
