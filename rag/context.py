"""The passages shown to the model: retrieved hits, deduplicated, within a character budget,
numbered [1]..[n] and wrapped in delimiters that article text cannot close.

Usage:
    passages = select_passages(hits, budget_chars=settings.context_chars)
    prompt_data = format_passages(passages)
"""

from __future__ import annotations

import re

from index.records import Hit
from index.text import overlap, terms
from rag.records import Passage

NEAR_DUPLICATE = 0.8  # share of the shorter text's bigrams found in the other


def select_passages(hits: list[Hit], budget_chars: int, max_passages: int = 5) -> list[Passage]:
    """Hits in retrieval order, minus overlapping or near-duplicate chunks, within the budget.

    The first hit is always kept, however long: a context with no passage answers nothing.
    """
    kept: list[Hit] = []
    kept_terms: list[dict[str, float]] = []
    used = 0
    for hit in hits:
        if len(kept) >= max_passages:
            break
        chunk = hit.chunk
        if any(_ranges_overlap(hit, other) for other in kept):
            continue
        grams = terms(chunk.text)
        if any(_near_duplicate(grams, other) for other in kept_terms):
            continue
        if kept and used + len(chunk.text) > budget_chars:
            break  # retrieval order is relevance order: a later, shorter hit must not jump the queue
        kept.append(hit)
        kept_terms.append(grams)
        used += len(chunk.text)
    return [Passage(n=i, hit=hit) for i, hit in enumerate(kept, start=1)]


def _ranges_overlap(a: Hit, b: Hit) -> bool:
    """Same source and the character ranges share more than half of the shorter chunk."""
    x, y = a.chunk, b.chunk
    if x.source != y.source:
        return False
    shared = min(x.end, y.end) - max(x.start, y.start)
    shorter = min(x.end - x.start, y.end - y.start)
    return shorter > 0 and shared > shorter / 2


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
