"""OCR lines to text in reading order: columns one after the other, lines joined into paragraphs.

A recogniser returns boxes, not prose. A two-column page read line by line across the page mixes
the columns' sentences, and every wrapped line would end a paragraph. So the page is cut at its
gutter (text spanning it, such as a title, is read where it stands), each column is read top to
bottom, and a paragraph ends where the geometry says so: a wider gap above a line, a first-line
indent, or a short line before it. Boxes side by side on one row are table cells: tab-separated,
as text tables are (index/tables.py). Lines the recogniser is unsure of are dropped.

    page_text(lines, width=1654)  # -> "标题\\n第一段……。\\n第二段……。", one paragraph a line
"""

from __future__ import annotations

import statistics

from index.ocr import OcrLine
from index.reflow import join_lines
from index.tables import CELL
from index.text import STOPS, has_cjk

MIN_SCORE = 0.8  # below this a line is more often misread than right (rendered pages score 0.95+)
_GUTTER_RANGE = (0.25, 0.75)  # where a column gap may lie, as shares of the width looked at
_MIN_COLUMN_LINES = 3
_MIN_COLUMN_CHARS = 6  # median line length in a column of prose; table cells are shorter
_CELL_GAP = 1.5  # line heights of empty space between two boxes on a row: separate cells
_INDENT = 1.2  # line heights: a first-line indent (two characters in Chinese typesetting)
_SHORT_LINE = 1.5  # line heights short of the right margin: the last line of a paragraph
_SENTENCE_END = STOPS + "”」"  # a line read by OCR may end on the closing quote
_MAX_DEPTH = 3  # column cuts inside a column: three or four columns at most


def page_text(lines: list[OcrLine], width: float, min_score: float = MIN_SCORE) -> str:
    """The page's paragraphs in reading order, one per line."""
    kept = [line for line in lines if line.score >= min_score]
    paragraphs: list[str] = []
    for block in _blocks(kept, 0.0, width, _MAX_DEPTH):
        paragraphs.extend(_paragraphs(block))
    return "\n".join(paragraphs)


def _blocks(lines: list[OcrLine], left: float, right: float, depth: int) -> list[list[OcrLine]]:
    """Groups of lines to read one after the other: a column at a time, spanning lines in place."""
    gutter = _gutter(lines, left, right) if depth else None
    if gutter is None:
        return [lines] if lines else []
    blocks: list[list[OcrLine]] = []
    band: list[OcrLine] = []
    for line in sorted(lines, key=lambda line: line.top):
        if line.left < gutter < line.right:  # a title or table across both columns
            blocks.extend(_band(band, left, gutter, right, depth))
            band = []
            if blocks and blocks[-1] and blocks[-1][-1].left < gutter < blocks[-1][-1].right:
                blocks[-1].append(line)
            else:
                blocks.append([line])
        else:
            band.append(line)
    blocks.extend(_band(band, left, gutter, right, depth))
    return blocks


def _band(lines: list[OcrLine], left: float, gutter: float, right: float, depth: int) -> list[list[OcrLine]]:
    """The left column, then the right one (each may be cut again)."""
    return [
        *_blocks([line for line in lines if line.right <= gutter], left, gutter, depth - 1),
        *_blocks([line for line in lines if line.left >= gutter], gutter, right, depth - 1),
    ]


def _gutter(lines: list[OcrLine], left: float, right: float) -> float | None:
    """The x of an empty vertical strip between two columns of prose, or None for one column."""
    if len(lines) < 2 * _MIN_COLUMN_LINES:
        return None
    span = right - left
    low, high = left + _GUTTER_RANGE[0] * span, left + _GUTTER_RANGE[1] * span
    # candidate cuts: just right of each line's right edge, inside the middle of the range
    cuts = sorted({line.right + 1 for line in lines if low <= line.right + 1 <= high})
    best, best_crossing = None, len(lines)
    for x in cuts:
        crossing = sum(1 for line in lines if line.left < x < line.right)
        if crossing < best_crossing:
            best, best_crossing = x, crossing
    if best is None or best_crossing > max(1, len(lines) // 8):
        return None
    sides = [line for line in lines if line.right <= best], [line for line in lines if line.left >= best]
    if not all(_is_prose_column(side) for side in sides) or not _side_by_side(*sides):
        return None
    # the cut in the middle of the empty strip, not against the left column
    start = max(line.right for line in sides[0])
    return (start + min(line.left for line in sides[1])) / 2


def _is_prose_column(lines: list[OcrLine]) -> bool:
    return len(lines) >= _MIN_COLUMN_LINES and statistics.median(len(line.text) for line in lines) >= _MIN_COLUMN_CHARS


def _side_by_side(a: list[OcrLine], b: list[OcrLine]) -> bool:
    """Columns share their height; a heading block above a paragraph does not."""
    top, bottom = max(min(l.top for l in a), min(l.top for l in b)), min(max(l.bottom for l in a), max(l.bottom for l in b))
    shorter = min(max(l.bottom for l in a) - min(l.top for l in a), max(l.bottom for l in b) - min(l.top for l in b))
    return bottom - top >= 0.5 * shorter


def _rows(lines: list[OcrLine]) -> list[list[OcrLine]]:
    """Lines grouped by the height they stand at, each row left to right."""
    rows: list[list[OcrLine]] = []
    for line in sorted(lines, key=lambda line: (line.top, line.left)):
        if rows:
            row = rows[-1]
            top, bottom = min(l.top for l in row), max(l.bottom for l in row)
            overlap = min(bottom, line.bottom) - max(top, line.top)
            if overlap >= 0.5 * min(line.height, bottom - top):
                row.append(line)
                continue
        rows.append([line])
    return [sorted(row, key=lambda line: line.left) for row in rows]


def _row_text(row: list[OcrLine], height: float) -> str:
    text = row[0].text
    for before, line in zip(row, row[1:]):
        text = text + CELL + line.text if line.left - before.right > _CELL_GAP * height else join_lines(text, line.text)
    return text


def _paragraphs(lines: list[OcrLine]) -> list[str]:
    rows = _rows(lines)
    if not rows:
        return []
    height = statistics.median(line.height for line in lines)
    gaps = [min(l.top for l in b) - max(l.bottom for l in a) for a, b in zip(rows, rows[1:])]
    usual_gap = statistics.median(gaps) if gaps else 0.0
    margin_left = min(row[0].left for row in rows)
    margin_right = max(row[-1].right for row in rows)
    paragraphs: list[str] = []
    previous: list[OcrLine] | None = None
    for row, gap in zip(rows, [0.0, *gaps]):
        text = _row_text(row, height)
        starts = (
            previous is None
            or CELL in text
            or CELL in paragraphs[-1]
            or gap > usual_gap + 0.5 * height
            or row[0].left - margin_left > _INDENT * height
            or _ends_short(previous, margin_right, height)
        )
        if starts:
            paragraphs.append(text)
        else:
            paragraphs[-1] = join_lines(paragraphs[-1], text)
        previous = row
    return paragraphs


def _ends_short(row: list[OcrLine], margin_right: float, height: float) -> bool:
    """A line stopping well before the margin ends its paragraph (or is a heading)."""
    last = row[-1]
    if margin_right - last.right <= _SHORT_LINE * height:
        return False
    # English text is ragged: a short line ends a paragraph only when its sentence ends
    return last.text[-1] in _SENTENCE_END or has_cjk(last.text)
