"""How a checked answer is rewritten: into the "资料中没有…；资料给出的是…" form every declining rule
answers with, into the clause the question points at (it answers), or without one figure's clauses,
its citations repaired and renumbered each time.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from index.text import MARKER, marker_numbers, strip_markers
from rag.binding import figure_scopes
from rag.citations import inline_quote, verify_citations
from rag.records import Citation

if TYPE_CHECKING:  # grounding imports these edits; the types are only for readers and checkers
    from rag.grounding import Grounded
    from rag.prepare import Prepared


NOTICE_NEAR_MISS = "资料中没有问题所问的那一项，以上给出资料中最接近的内容，请留意两者的差别。"
NOTICE_REBOUND = "生成模型给出的数字在资料中属于另一对象，以上改为资料中与问题对应的原句。"
# how a rewritten answer says whose a figure it took out is ("“…”是全年的数字，不是问题所问的1—5月的"):
# such a sentence gives no figure of the answer's own (rag.parts reads past it)
NOT_ASKED = "不是问题所问的"


def say_what_is_missing(grounded: Grounded, missing: str, source: str, citation: Citation | None,
                        notice: str = NOTICE_NEAR_MISS) -> Grounded:
    """The "资料中没有…；资料给出的是：<source>[1]。" form every declining rule answers with: what is
    missing, then the article's sentence, quoted and cited as [1] (uncited when `citation` is None)."""
    quote = source.strip()
    shown = inline_quote(quote)
    if citation is None:
        return replace(grounded, text=f"{missing}：{shown}。", citations=[], missing=missing, notice=notice)
    kept = replace(citation, n=1, quote=quote)
    return replace(grounded, text=f"{missing}：{shown}[1]。", citations=[kept], missing=missing, notice=notice)


def rebound(grounded: Grounded, text: str, citation: Citation, quote: str) -> Grounded:
    """The answer replaced by `text`, citing `quote` of `citation`'s passage as [1]; it answers."""
    return replace(grounded, text=text, citations=[replace(citation, n=1, quote=quote)], missing="",
                   notice=NOTICE_REBOUND)


def without_figure(grounded: Grounded, prepared: Prepared, a: int, b: int, figure: str) -> Grounded:
    """The answer without the clauses of its sentence `text[a:b]` stating `figure`, its citations
    repaired: what it says of the other things ("…，鼓楼硅巷有162家[2]") still stands."""
    text = grounded.text
    sentence = strip_markers(text[a:b])
    markers = "".join(m.group() for m in MARKER.finditer(text[a:b]))
    scope = next((scope for f, scope, _ in figure_scopes(sentence) if f == figure), sentence)
    kept = sentence.replace(scope, "", 1).strip("，；;：:, \n")
    kept = f"{kept.rstrip('。')}{markers}。" if kept else ""
    return with_sentence(grounded, prepared, a, b, kept)


def with_sentence(grounded: Grounded, prepared: Prepared, a: int, b: int, kept: str) -> Grounded:
    """The answer with its sentence `text[a:b]` replaced by `kept` ("" drops it), its citations repaired."""
    text = grounded.text
    rest = as_passage_markers(text[:a] + kept + text[b:], grounded.citations, prepared).strip()
    rest_text, citations = verify_citations(rest, prepared.passages, prepared.standalone)
    return replace(grounded, text=rest_text, citations=citations)


def as_passage_markers(text: str, citations: list[Citation], prepared: Prepared) -> str:
    """`text` with each displayed marker turned back into the number of the passage it cites, so
    that verify_citations can repair and renumber it again."""
    by_marker = {c.n: c for c in citations}
    passage_of = {p.chunk.id: p.n for p in prepared.passages}

    def to_passages(match: re.Match[str]) -> str:
        ns = [passage_of.get(by_marker[n].chunk.id) for n in marker_numbers(match.group()) if n in by_marker]
        return "".join(f"[{n}]" for n in ns if n)

    return MARKER.sub(to_passages, text)
