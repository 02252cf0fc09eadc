"""Figures and people's names the model wrote that no passage holds are inventions:
"瑞幸2023年净利润24.86亿元" over passages that give 248.6亿元 of sales; "主任委员是王小虎"
over passages that name nobody. The clauses stating them are dropped ("A为150亿，B为100亿" keeps
A's half), or the whole sentence when its first clause, which carries the subject, is one of
them; with nothing left, the question is treated as not answered by the articles.

Numbers and names the question itself contains, years and list numbering ("1. ") are not checked.

Small models also loop, writing a sentence they already wrote; `drop_repeats` removes those.

Usage:
    kept, dropped = drop_unsupported(llm_text, passages, question)
    text = drop_repeats(kept)
"""

from __future__ import annotations

import re
from collections.abc import Callable

from index.text import (
    CLOSERS,
    MARKER,
    TERMINATORS,
    figure_terms,
    figures,
    normalize,
    split_sentences,
    strip_markers,
    terms,
)
from rag.citations import FIGURE_TOLERANCE
from rag.names import person_names
from rag.records import Passage

_LIST_NUMBER = re.compile(r"^\s*(?:\d+[.、．)）]|[（(]\d+[)）])\s*")
_CLAUSE = re.compile(r"(?<=[，；;])")  # a clause keeps its comma; ASCII commas group thousands
# what follows a sentence's last word: markers, stops, closing quotes, spaces
_SENTENCE_END = re.compile(rf"(?:{MARKER.pattern}|[\s.{TERMINATORS}{CLOSERS}])*$")


def drop_unsupported(text: str, passages: list[Passage], question: str) -> tuple[str, list[str]]:
    """`text` without the clauses stating a figure or a person absent from every passage,
    and what was dropped."""
    source = "\n".join(p.chunk.title + "\n" + p.chunk.text for p in passages)
    held = figures(terms(source))
    asked = figures(terms(question))
    named = normalize(source + "\n" + question)

    def invented(span: str) -> bool:
        stated = figure_terms(terms(_LIST_NUMBER.sub("", strip_markers(span))))
        if any(float(t) not in asked and not _held(t, held) for t in stated):
            return True
        return any(normalize(n) not in named for n in person_names(span))

    kept: list[str] = []
    dropped: list[str] = []
    for a, b in split_sentences(text):
        sentence = text[a:b]
        if not invented(sentence):
            kept.append(sentence)
            continue
        trimmed, removed = _without_invented_clauses(sentence, invented)
        kept.append(trimmed)
        dropped.extend(removed)
    return "".join(kept).strip(), dropped


def _without_invented_clauses(sentence: str, invented: Callable[[str], bool]) -> tuple[str, list[str]]:
    """The sentence minus its invented clauses, with its markers and full stop; "" when the
    first clause is invented or the sentence is one clause."""
    end = _SENTENCE_END.search(sentence).group()
    clauses = _CLAUSE.split(sentence[: len(sentence) - len(end)])
    flags = [invented(c) for c in clauses] if len(clauses) > 1 else [True]
    if flags[0]:
        return "", [sentence.strip()]
    removed = [c.strip() for c, bad in zip(clauses, flags) if bad]
    kept = "".join(c for c, bad in zip(clauses, flags) if not bad).rstrip("，；;, ")
    return kept + end, removed


def _held(stated: str, held: list[float]) -> bool:
    """Some passage figure, written to the stated precision, is the stated one: 58 for 57.9 and
    7 for 7.1 are roundings; 7.1 for 7 is more precise than the article, so not from it. Whole
    numbers may also round more loosely ("超500万辆" for 491万辆)."""
    value = float(stated)
    decimals = len(stated.partition(".")[2])
    half_unit = 0.5 * 10**-decimals + 1e-9
    loose = FIGURE_TOLERANCE if decimals == 0 else 0.0
    return any(abs(value - h) <= max(half_unit, loose * max(value, h)) for h in held)


def drop_repeats(text: str) -> str:
    """`text` without sentences that repeat an earlier one (markers and spacing aside)."""
    seen: set[str] = set()
    kept: list[str] = []
    for a, b in split_sentences(text):
        sentence = text[a:b]
        key = "".join(strip_markers(sentence).split())
        if key and key in seen:
            continue
        seen.add(key)
        kept.append(sentence)
    return "".join(kept).strip()
