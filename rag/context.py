"""The passages shown to the model: retrieved hits, deduplicated, within a character budget,
numbered [1]..[n] and wrapped in delimiters that article text cannot close.

Usage:
    passages = select_passages(hits, budget_chars=settings.context_chars)
    prompt_data = format_passages(passages)
"""

from __future__ import annotations

import re
from dataclasses import replace

from index.records import Chunk, Hit
from index.text import overlap, split_sentences, terms
from rag.evidence import question_terms
from rag.records import Passage

NEAR_DUPLICATE = 0.8  # share of the shorter text's bigrams found in the other
MIN_EXCERPT_CHARS = 100  # less room than this left in the budget shows no part of the next hit


def select_passages(hits: list[Hit], budget_chars: int, max_passages: int = 5, leading: int = 1,
                    question: str = "") -> list[Passage]:
    """Hits in retrieval order, minus overlapping or near-duplicate chunks, within the budget.

    The first `leading` hits are always kept, however long: a context with no passage answers
    nothing, and a question searched part by part leads with each part's best passage. The first
    hit that does not fit is shown in part: its sentences nearest `question` that fit the room
    left (two chunks of 350 characters leave 200 of 900 unused, and the third hit often holds
    the answer).
    """
    wanted = question_terms(question) if question else {}
    kept: list[Hit] = []
    kept_terms: list[dict[str, float]] = []
    used = 0
    for rank, hit in enumerate(hits):
        if len(kept) >= max_passages:
            break
        chunk = hit.chunk
        if _mostly_shown(chunk, [other.chunk for other in kept]):
            continue
        grams = terms(chunk.text)
        if any(_near_duplicate(grams, other_terms) for other, other_terms in zip(kept, kept_terms)
               if not _intersects(chunk, other.chunk)):
            continue
        if rank >= leading and used + len(chunk.text) > budget_chars:
            # retrieval order is relevance order: a later, shorter hit must not jump the queue
            excerpt = _excerpt(chunk, wanted, budget_chars - used) if wanted else None
            if excerpt is not None:
                kept.append(replace(hit, chunk=excerpt))
            break
        kept.append(hit)
        kept_terms.append(grams)
        used += len(chunk.text)
    return [Passage(n=i, hit=hit) for i, hit in enumerate(kept, start=1)]


def _excerpt(chunk: Chunk, wanted: dict[str, float], room: int) -> Chunk | None:
    """The run of `chunk`'s sentences sharing most terms with `wanted` within `room` characters
    (the earliest on a tie), as a chunk of its own; None when nothing useful fits."""
    if room < MIN_EXCERPT_CHARS:
        return None
    spans = split_sentences(chunk.text)
    best: tuple[float, int, int] | None = None
    for i in range(len(spans)):
        for j in range(i, len(spans)):
            a, b = spans[i][0], spans[j][1]
            if b - a > room:
                break
            share = overlap(wanted, terms(chunk.text[a:b]))
            if share > 0 and (best is None or share > best[0]):
                best = (share, a, b)
    if best is None:
        return None
    _, a, b = best
    text = chunk.text[a:b].strip()
    if len(text) < MIN_EXCERPT_CHARS / 2:
        return None
    return replace(chunk, text=text, start=chunk.start + a, end=chunk.start + b)


def _mostly_shown(chunk: Chunk, kept: list[Chunk]) -> bool:
    """More than half of `chunk` is already in the kept chunks of its source.

    Measured on the candidate, not on the shorter of two: neighbouring chunks share a sentence,
    and a long hit holding the fact must not be dropped for overlapping a short kept tail.
    """
    ranges = sorted((max(c.start, chunk.start), min(c.end, chunk.end)) for c in kept if c.source == chunk.source)
    covered, reached = 0, chunk.start
    for start, end in ranges:
        start = max(start, reached)
        if end > start:
            covered += end - start
            reached = end
    return covered > (chunk.end - chunk.start) / 2


def _intersects(a: Chunk, b: Chunk) -> bool:
    """Two chunks of one source sharing text: what they share is known from their offsets."""
    return a.source == b.source and a.start < b.end and b.start < a.end


def _near_duplicate(a: dict[str, float], b: dict[str, float]) -> bool:
    # the same article syndicated under two sources: compare against the shorter one
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    return bool(small) and overlap(small, large) >= NEAR_DUPLICATE


_DELIMITER = re.compile(r"<(\s*/?\s*passage)", re.IGNORECASE)


def format_passages(passages: list[Passage]) -> str:
    """The prompt's data block: one `<passage n=".." title="..">` element per passage.

    Article text is data, never instructions; any `<passage`/`</passage>` inside it is
    defused (the `<` becomes `＜`) so an article cannot close its delimiter early.
    """
    blocks = []
    for p in passages:
        title = _attribute(p.chunk.title)
        text = _DELIMITER.sub(r"＜\1", p.chunk.text.strip())
        blocks.append(f'<passage n="{p.n}" title="{title}">\n{text}\n</passage>')
    return "\n".join(blocks)


def _attribute(value: str) -> str:
    value = _DELIMITER.sub(r"＜\1", " ".join(value.split()))
    return value.replace('"', "＂").replace("<", "＜").replace(">", "＞")
