"""Which page of a PDF each part of its cleaned text came from, and the pages of a chunk.

Cleaning works on the whole document (a sentence runs on across a page break, a running header
is told by recurring on many pages), and it only drops and joins: every non-space character of
the cleaned text stands, in order, in the extracted pages. So the pages are found by walking the
two texts side by side. Where dropped text (a page number, a header) holds the same characters as
the text after it, the walk can place a page break a few characters early or late; the break is
then put at the paragraph start between the two places.

    starts = page_starts(["第一页……", "第二页……"], cleaned)   # offsets where page 1, 2, … begin
    chunk = with_pages(chunk, doc)                               # chunk.page, chunk.last_page, chunk.ocr
"""

from __future__ import annotations

import bisect
from dataclasses import replace

from index.records import Chunk, Document

_LOOKAHEAD = 4000  # characters searched for the next match: a dropped table of contents is shorter


def page_starts(pages: list[str], text: str) -> tuple[int, ...]:
    """The offset in `text` where each page begins (a page whose text was all dropped begins
    where the next one does)."""
    if len(pages) <= 1:
        return (0,) * len(pages)
    raw, page_of = [], []
    for number, page in enumerate(pages):
        for ch in page:
            if not ch.isspace():
                raw.append(ch)
                page_of.append(number)
    positions = [i for i, ch in enumerate(text) if not ch.isspace()]
    chars = "".join(text[i] for i in positions)
    raw_text = "".join(raw)
    # matching each character as early as possible finds a page's start at or after the true one,
    # matching as late as possible at or before it
    after = _first_offsets(_walk(chars, raw_text), page_of, positions, len(pages), len(text))
    before = _first_offsets(_walk_back(chars, raw_text), page_of, positions, len(pages), len(text))
    starts = [0]
    for page in range(1, len(pages)):
        low, high = min(before[page], after[page]), after[page]
        paragraph = text.rfind("\n", max(low - 1, 0), high)
        starts.append(max(starts[-1], paragraph + 1 if paragraph >= 0 else high))
    return tuple(starts)


def with_pages(chunk: Chunk, doc: Document) -> Chunk:
    """The chunk with the pages it spans (PDFs) and whether OCR read them (or a picture it holds)."""
    if doc.page_starts:
        first = bisect.bisect_right(doc.page_starts, chunk.start)
        last = bisect.bisect_right(doc.page_starts, max(chunk.end - 1, chunk.start))
        ocr = any(page in doc.ocr_pages for page in range(first, last + 1))
        return replace(chunk, page=first, last_page=last, ocr=ocr)
    if doc.ocr_spans:  # a Word file: the chunk overlaps a picture's text
        return replace(chunk, ocr=any(start < chunk.end and chunk.start < end for start, end in doc.ocr_spans))
    return replace(chunk, ocr=bool(doc.ocr_pages)) if doc.ocr_pages else chunk


def _walk(chars: str, raw: str) -> list[int]:
    """For each character of `chars`, its earliest possible place in `raw` (-1: not found)."""
    found, at = [], 0
    for ch in chars:
        hit = raw.find(ch, at, at + _LOOKAHEAD)
        found.append(hit)
        if hit >= 0:
            at = hit + 1
    return found


def _walk_back(chars: str, raw: str) -> list[int]:
    """For each character of `chars`, its latest possible place in `raw`."""
    found, at = [], len(raw)
    for ch in reversed(chars):
        hit = raw.rfind(ch, max(0, at - _LOOKAHEAD), at)
        found.append(hit)
        if hit >= 0:
            at = hit
    return found[::-1]


def _first_offsets(matches: list[int], page_of: list[int], positions: list[int], pages: int, end: int) -> list[int]:
    """For each page, the offset in the cleaned text of its first character."""
    first = [end] * pages
    for index, hit in enumerate(matches):
        if hit >= 0 and positions[index] < first[page_of[hit]]:
            first[page_of[hit]] = positions[index]
    first[0] = 0
    for page in range(pages - 2, -1, -1):  # a page with nothing left begins where the next begins
        first[page] = min(first[page], first[page + 1])
    return first
