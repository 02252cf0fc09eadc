"""The evidence shown first: what retrieval found, ready before the model is asked.

On 2 cores the model's first token comes seconds after retrieval; the passages and the answer
extracted from them (rag/extractive.py, milliseconds) are useful at once, so the Assistant
streams them first, as a `Found`.

Usage: `found = found_for(prepared, extract_answer(prepared.standalone, prepared.passages))`.
"""

from __future__ import annotations

from index.text import MARKER, marker_numbers, split_sentences, strip_markers, terms
from rag.citations import best_quote
from rag.evidence import question_terms
from rag.prepare import Prepared
from rag.records import Citation, Found


def found_for(prepared: Prepared, extract: str) -> Found:
    """The passages numbered as the model reads them, each with the sentence to highlight: the one
    the extract quotes from it, else the one sharing most with the question."""
    asked = question_terms(prepared.standalone) or terms(prepared.standalone)
    quoted = _quoted_terms(extract)
    passages = [Citation(p.n, p.chunk, best_quote(p.chunk.text, quoted.get(p.n) or asked))
                for p in prepared.passages]
    return Found(passages, extract, prepared.standalone)


def _quoted_terms(extract: str) -> dict[int, dict[str, float]]:
    """Passage number -> terms of the extract's sentences citing it."""
    by_n: dict[int, dict[str, float]] = {}
    for a, b in split_sentences(extract):
        sentence = extract[a:b]
        sentence_terms = terms(strip_markers(sentence))
        for marker in MARKER.finditer(sentence):
            for n in marker_numbers(marker.group()):
                by_n.setdefault(n, {}).update(sentence_terms)
    return by_n
