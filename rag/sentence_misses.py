"""Near misses judged on the source sentence as a whole, for answers a figure cannot hold: a name,
place or date taken from a sentence about another year, an outcome asked of sentences that only
plan it, and any answer from a passage about the asked thing's numbered sibling (一审 for 二审,
神舟十二号 for 十三号), or a figure from a sentence the passage sets before it first names the asked
batch (rag.numbered_names.named_after). Each gives (what is missing, the sentence, its citation)
when every cited source misses.
"""

from __future__ import annotations

from collections.abc import Callable

from index.text import strip_markers, terms
from rag.binding import stated_figures
from rag.citations import best_quote
from rag.constraints import Constraints, Mismatch, describe_missing, find_mismatch, numbered_sibling
from rag.numbered_names import named_after
from rag.records import Citation, Passage


def dated_elsewhere(asked: Constraints, sentence: str,
                     cited: list[Citation]) -> tuple[str, str, Citation] | None:
    """For an answer stating no figure ("2022年世界杯吉祥物叫“扎比瓦卡”"): when every cited passage's
    sentence it comes from is dated to other years than the asked one ("2018年俄罗斯世界杯，吉祥物
    叫做“扎比瓦卡”"), what to say instead: (what is missing, that sentence, its citation)."""
    if not asked.years:
        return None
    by_year = Constraints(years=asked.years)

    def other_year(citation: Citation, source: str) -> Mismatch | None:
        miss = find_mismatch(by_year, source)
        return miss if miss is not None and miss.kind == "year" else None

    found = _every_source_misses(sentence, cited, other_year)
    if found is None:
        return None
    miss, source, citation = found
    return f"资料中没有{miss.asked}的相关信息；资料给出的是{miss.given}的", source, citation


def planned_only(asked: Constraints, sentence: str, cited: list[Citation]) -> tuple[str, str, Citation] | None:
    """Asked what happened ("研制出来了吗？"), an answer stating no figure of its own from sentences
    that only plan it ("计划在2025年前研制成功…"): what to say instead."""
    if not asked.outcome:
        return None
    by_outcome = Constraints(outcome=True)
    found = _every_source_misses(sentence, cited, lambda c, source: find_mismatch(by_outcome, source))
    if found is None:
        return None
    miss, source, citation = found
    return describe_missing(asked, miss), source, citation


def numbered_elsewhere(asked: Constraints, sentence: str, cited: list[Citation],
                        shown: list[Passage]) -> tuple[str, str, Citation] | None:
    """For any answer sentence: when every cited passage never names a thing the question numbers
    ("劳荣枝二审判决") and the sentence the answer comes from names it with another number ("一审判决
    认定…"), what to say instead: (what is missing, that sentence, its citation). A cited passage is
    read with the other shown passages of its article: "第二批认定名单" two paragraphs up still says
    which batch the article is about."""
    if not asked.numbered:
        return None

    def article(c: Citation) -> str:
        same = [p.chunk.text for p in shown if (p.chunk.source, p.chunk.title) == (c.chunk.source, c.chunk.title)]
        return "\n".join([c.chunk.title, c.chunk.text, *same])

    def before(c: Citation) -> str:
        earlier = [p.chunk.text for p in shown if (p.chunk.source, p.chunk.title) == (c.chunk.source, c.chunk.title)
                   and p.chunk.start < c.chunk.start]
        return "\n".join([c.chunk.title, *earlier])

    def miss_of(c: Citation, source: str) -> Mismatch | None:
        sibling = numbered_sibling(asked, article(c), source)
        if sibling is not None:
            return sibling
        # a name or a date is no figure of another batch; the source must state the answer's figure
        if not set(stated_figures(strip_markers(sentence))) & set(stated_figures(source)):
            return None
        named = named_after(asked.numbered, before(c), c.chunk.text, source)
        return Mismatch("numbered_other", named, named[-1]) if named else None

    found = _every_source_misses(sentence, cited, miss_of)
    if found is None:
        return None
    miss, source, citation = found
    return describe_missing(asked, miss), source, citation


def _every_source_misses(sentence: str, cited: list[Citation],
                         miss_of: Callable[[Citation, str], Mismatch | None]) -> tuple[Mismatch, str, Citation] | None:
    """When `miss_of` finds a miss in the sentence of every cited passage that the answer's
    `sentence` comes from (the one sharing most of its words): the first miss, its sentence and
    citation; None when any source keeps to the question, or nothing is cited."""
    if not cited:
        return None
    wanted = terms(strip_markers(sentence))
    sources = [(c, best_quote(c.chunk.text, wanted)) for c in cited]
    misses = [miss_of(c, source) for c, source in sources]
    if not all(misses):
        return None
    (citation, source), miss = sources[0], misses[0]
    return miss, source, citation
