"""Corrections for a figure the answer gives the asked thing that the passage gives another: bound
to another subject in its sentence ("综合PMI产出指数为50.5%" given as the 制造业PMI, rag.binding),
given one compared thing for another ("欧洲…6%", rag.binding.compared_swap), or another item's by
"分别" (rag.respective). The answer becomes the clause the question points at, cited, and says
whose the figure was; the asked figure is then in the answer, so this is not counted as declining.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from index.text import strip_markers
from rag.answer_edits import NOT_ASKED, rebound
from rag.binding import Rebinding, Swap, bound_elsewhere, compared_swap, figure_scopes
from rag.citations import inline_quote
from rag.constraints import Constraints
from rag.figure_sources import figure_sources
from rag.records import Citation
from rag.respective import Respective, respective_swap

if TYPE_CHECKING:
    from rag.grounding import Grounded


def rebound_figure(asked: Constraints, stated: list[str], sentence: str,
                     cited: list[Citation]) -> tuple[Rebinding, Citation] | None:
    """A figure of the answer's sentence that every cited sentence stating it binds to another
    subject than the asked one (rag.binding): what to say instead, from the first such sentence."""
    for figure in stated:
        found = [(c, bound_elsewhere(asked, src, figure, sentence))
                 for c in cited for src in figure_sources(c.chunk.text, figure, sentence)]
        if found and all(other is not None for _, other in found):
            citation, other = found[0]
            return other, citation
    return None


def swapped(asked: Constraints, stated: list[str], sentence: str, cited: list[Citation]) -> tuple[Swap, Citation] | None:
    """Asked to compare ("欧洲和美国各占多少"), a figure the answer gives one of the compared things
    that every cited passage states under another (rag.binding.compared_swap): whose it is, and
    what the passage says of the asked one, from the first such passage."""
    compared = set(asked.names | asked.subjects)
    scopes = figure_scopes(strip_markers(sentence))
    for figure in stated:
        names = {n for f, scope, _ in scopes if f == figure for n in compared if n in scope}
        if len(names) != 1:
            continue
        found = [(c, compared_swap(compared, c.chunk.text, figure, *names)) for c in cited]
        if found and all(swap is not None for _, swap in found):
            citation, swap = found[0]
            return swap, citation
    return None


def respectively_elsewhere(stated: list[str], sentence: str,
                            cited: list[Citation]) -> tuple[Respective, Citation] | None:
    """A figure of the answer's sentence that every cited sentence stating it gives, by "分别", to
    another item than the one the answer names (rag.respective): which, from the first such sentence."""
    scopes = figure_scopes(strip_markers(sentence))
    for figure in stated:
        said = next((scope for f, scope, _ in scopes if f == figure), strip_markers(sentence))
        found = [(c, respective_swap(src, figure, said)) for c in cited for src in figure_sources(c.chunk.text, figure, sentence)]
        if found and all(r is not None for _, r in found):
            citation, respective = found[0]
            return respective, citation
    return None


def say_what_is_bound(grounded: Grounded, other: Rebinding, citation: Citation) -> Grounded:
    """The clause the question points at, cited, and whose the answer's figure was: the asked
    figure is in the passage, so this answers (it is not counted as declining)."""
    told = f"“{inline_quote(other.scope)}”说的是另一项，{NOT_ASKED}。"
    return rebound(grounded, f"资料中与问题对应的是：{inline_quote(other.given)}[1]。{told}", citation, other.given)


def say_whose(grounded: Grounded, swap: Swap, citation: Citation) -> Grounded:
    """What the passage says of the compared thing the answer gave another's figure to, cited,
    and whose that figure is: the passage holds the asked thing's figures, so this answers."""
    told = f"“{inline_quote(swap.scope)}”说的是{swap.owner}。"
    return rebound(grounded, f"资料中{swap.asked}的是：{inline_quote(swap.given)}[1]。{told}", citation, swap.given)


def say_respective(grounded: Grounded, r: Respective, citation: Citation) -> Grounded:
    """The article's "分别" sentence, cited, and which of its figures is the asked item's."""
    told = f"按原文“分别”的顺序，{r.asked}对应的是{r.asked_figure}，{r.figure_written}说的是{r.owner}。"
    return rebound(grounded, f"资料中与问题对应的是：{inline_quote(r.sentence)}[1]。{told}", citation, r.sentence)
