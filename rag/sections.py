"""An article's own sections, as opinion pieces and reports are written: a short heading, then a
list of its own ("完善地方立法和政策" then 一是…二是…三是…, "扎实推进依法行政" then 一是…). Asked
for the article's points as a whole ("主要从哪几块提的建议"), its headings are the points; the
first section's 一是… is one part of one of them.

Usage:
    listed = article_sections(passages, retriever.next_chunk, question)
    # [(chunk, "从民营经济关注的重点入手，完善地方立法和政策"), (chunk, "扎实推进依法行政，…"), …]
"""

from __future__ import annotations

import re
from collections.abc import Callable

from index.records import Chunk
from index.text import terms
from rag.points import article_of
from rag.read_on import text_after
from rag.records import Passage

MAX_WALK = 15  # chunks read from the article's first shown chunk
MAX_HEADING_CHARS = 20
MIN_SECTIONS = 2
NAMES_A_SECTION = 0.4  # share of a heading's words a question naming that section holds
# a heading line states no sentence: no stop, no comma; a source or byline line is no heading
_NOT_A_HEADING = re.compile(r"[。！？；;，,：:、]|^(?:来源|作者|编辑|记者|（|\()")
# a section's own list opens right after its heading
_LIST_OPENS = re.compile(r"^(?:一是|（一）|第一[，、]|[1１][.、．])")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def article_sections(passages: list[Passage], next_chunk: Callable[[Chunk], Chunk | None],
                     question: str) -> list[tuple[Chunk, str]]:
    """The asked article's section headings, each with the chunk it stands in, when at least two of
    its sections open a list of their own and the question does not name one section; [] otherwise."""
    if not passages:
        return []
    asked = article_of(passages[0].chunk)
    first = min((p.chunk for p in passages if article_of(p.chunk) == asked), key=lambda c: c.start)
    text, owners = _read(first, next_chunk)
    sections = _headed_sections(text)
    if len(sections) < MIN_SECTIONS or _names_one(question, [heading for _, heading in sections]):
        return []
    return [(_owner(owners, at), heading) for at, heading in sections]


def _read(chunk: Chunk, next_chunk: Callable[[Chunk], Chunk | None]) -> tuple[str, list[tuple[int, Chunk]]]:
    """The article's text from `chunk` on, and where each chunk's new text starts in it."""
    text, owners = chunk.text, [(0, chunk)]
    for _ in range(MAX_WALK - 1):
        after = next_chunk(chunk)
        if after is None or article_of(after) != article_of(chunk):
            break
        owners.append((len(text), after))
        text += text_after(chunk, after)
        chunk = after
    return text, owners


def _headed_sections(text: str) -> list[tuple[int, str]]:
    """(where it starts, its heading lines joined) for each run of heading lines that a list follows."""
    breaks = list(_PARAGRAPH_BREAK.finditer(text))
    starts = [0] + [m.end() for m in breaks]
    ends = [m.start() for m in breaks] + [len(text)]
    paragraphs = [(a, text[a:b].strip()) for a, b in zip(starts, ends) if text[a:b].strip()]
    sections: list[tuple[int, str]] = []
    group: list[tuple[int, str]] = []
    for at, paragraph in paragraphs:
        if len(paragraph) <= MAX_HEADING_CHARS and not _NOT_A_HEADING.search(paragraph):
            group.append((at, paragraph))
            continue
        if group and _LIST_OPENS.match(paragraph):
            sections.append((group[0][0], "，".join(line for _, line in group)))
        group = []
    return sections


def _names_one(question: str, headings: list[str]) -> bool:
    """Whether the question names one section ("在完善地方立法方面提了哪些建议"): many of one heading's
    words are in it (NAMES_A_SECTION)."""
    asked = set(terms(question))
    for heading in headings:
        words = [t for t in terms(heading) if len(t) > 1]
        if words and sum(t in asked for t in words) / len(words) >= NAMES_A_SECTION:
            return True
    return False


def _owner(owners: list[tuple[int, Chunk]], at: int) -> Chunk:
    return next(chunk for start, chunk in reversed(owners) if start <= at)
