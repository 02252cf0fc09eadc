"""The passages shown to the model: retrieved hits, deduplicated, within a character budget,
numbered [1]..[n] and wrapped in delimiters that article text cannot close.

Usage:
    passages = select_passages(hits, budget_chars=settings.context_chars)
    prompt_data = format_passages(passages)
"""

from __future__ import annotations

import re

from index.records import Chunk, Hit
from index.text import overlap, terms
from rag.records import Passage

NEAR_DUPLICATE = 0.8  # share of the shorter text's bigrams found in the other


def select_passages(hits: list[Hit], budget_chars: int, max_passages: int = 5, leading: int = 1) -> list[Passage]:
    """Hits in retrieval order, minus overlapping or near-duplicate chunks, within the budget.

    The first `leading` hits are always kept, however long: a context with no passage answers
    nothing, and a question searched part by part leads with each part's best passage.
    """
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
            break  # retrieval order is relevance order: a later, shorter hit must not jump the queue
        kept.append(hit)
        kept_terms.append(grams)
        used += len(chunk.text)
    return [Passage(n=i, hit=hit) for i, hit in enumerate(kept, start=1)]


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
