"""Where a quoted passage stands on a page read by OCR: the parts of its line boxes that hold it.

The quote comes from the cleaned text, where the page's lines were joined; each line holds the
whole quote, a part of it, or its start or end. Characters of a Chinese line are about equally
wide, so the part of a box is cut in proportion to the characters it holds.

    ocr_boxes(page.lines, "同比增长57.9%")   # [(left, top, right, bottom)] in the OCR image's pixels
"""

from __future__ import annotations

from index.ocr import OcrLine

Box = tuple[float, float, float, float]
_MIN_SHARED = 4  # characters a line must share with the quote's start or end (fewer match by chance)


def ocr_boxes(lines: list[OcrLine], quote: str) -> list[Box]:
    wanted = "".join(quote.split())
    boxes = []
    for line in lines:
        text = "".join(line.text.split())
        found = _covered(text, wanted) if text and wanted else None
        if found is not None:
            first, last = found
            step = (line.right - line.left) / len(text)
            boxes.append((line.left + first * step, line.top, line.left + last * step, line.bottom))
    return boxes


def _covered(text: str, wanted: str) -> tuple[int, int] | None:
    """The characters of the line `text` that belong to the quote, as a range, or None."""
    if len(text) >= _MIN_SHARED and text in wanted:
        return 0, len(text)
    at = text.find(wanted)
    if at >= 0:
        return at, at + len(wanted)
    shared = min(len(text), len(wanted))
    for k in range(shared, _MIN_SHARED - 1, -1):
        if text.endswith(wanted[:k]):  # the quote begins at the end of this line
            return len(text) - k, len(text)
        if text.startswith(wanted[-k:]):  # the quote ends at the start of this line
            return 0, k
    return None
