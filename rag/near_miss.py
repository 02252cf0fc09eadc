"""The grounding rule for near misses: a figure taken from a sentence about another year, period,
measure or subject, or from a plan where an outcome is asked, does not answer the question; nor
does a name, place or date taken from a sentence about another year, nor any answer from a
passage about the asked thing's numbered sibling (rag.sentence_misses).

The answer then says exactly what the articles do not give and quotes what they give instead,
cited: "资料中没有2023年全年的数字；资料给出的是前三季度的：2023年前三季度营收52.3亿元[1]。"
Such an answer carries `missing` (what is not there), and evaluation counts it as declining
(rag.answer_edits writes it).

The sentences a figure comes from are those of the cited passage that state it, with what governs
them (rag.figure_sources); it is a near miss only when none of them keeps to the question (a table
states a figure in several rows; a table's cell is judged by its row and column, rag.table_answers).

A figure the passage gives another subject, compared thing or "分别" item is replaced by what it
gives the asked one (rag.rebinding); the asked figure is then in the answer, so this is not counted
as declining. One figure of several that belongs to another period goes, and the answer says whose
it is; the rest stands.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from index.text import MARKER, compact, marker_numbers, split_sentences, strip_markers, terms
from rag.answer_edits import NOT_ASKED, as_passage_markers, say_what_is_missing, with_sentence, without_figure
from rag.answer_edits import rebound as answered_with  # "rebound" names a local below
from rag.answer_in_hand import IN_HAND_NOTICES
from rag.binding import Rebinding, figure_scopes, kind_elsewhere, stated_figures, states_change
from rag.citations import LIST_NUMBER, inline_quote, verify_citations
from rag.constraints import Constraints, Mismatch, describe_missing, find_mismatch, part_constraints
from rag.figure_kinds import UNIT_WORDS, counted_kinds, figure_kinds, figure_kinds_of
from rag.figure_sources import figure_sources
from rag.periods import dated_years, periods_of
from rag.points import article_of
from rag.rebinding import rebound_figure, respectively_elsewhere, say_respective, say_what_is_bound, say_whose, swapped
from rag.records import Chunk, Citation, Passage
from rag.sentence_misses import (
    dated_elsewhere,
    dated_for_another_title,
    measured_otherwise,
    named_otherwise,
    numbered_elsewhere,
    owned_by_another,
    placed_elsewhere,
    planned_only,
)
from rag.speakers import attributed_to_another, said_by_another
from rag.table_answers import cell_given, kept_to_table, misread_cells, quoting_row

if TYPE_CHECKING:  # grounding imports this rule; the types are only for readers and checkers
    from rag.grounding import Grounded
    from rag.prepare import Prepared


NOTICE_OTHER_TIME = "生成模型给出的一个数字在资料中属于另一年份或时期，已删去，并注明它是哪一时期的。"
NOTICE_OTHER_NAME = "生成模型给出的名称不在它所依据的原文中，以上改为资料中与问题对应的原句。"
NOTICE_OTHER_SET = "生成模型给出的一个数字在资料中是整体的数字，不是问题所问的那一部分的，已删去并注明。"
_TIMES = ("year", "period", "day")  # the kinds of mismatch that date a figure to another time
# a figure of several that is another time's, or the whole set's where a part is asked ("共计有2400家企业
# 出席" beside "超过300家中国企业参展"), is taken out and said for what it is
_STRAY = (*_TIMES, "subset")
# no sentence answers the question as asked (the model's own check, an answer no passage holds)
MISSING_DIRECT = "资料中没有直接回答这个问题的内容；资料给出的最接近的是"


def kept_to_question(grounded: Grounded, prepared: Prepared) -> Grounded:
    """The first near miss found turns the answer into the
    "资料中没有…；资料给出的是…" form; an answer keeping to the question passes unchanged."""
    if grounded.refused or grounded.missing:  # already says what the articles do not give
        return grounded
    if grounded.notice in IN_HAND_NOTICES:  # the passage's own sentence, checked whole when it was chosen
        return grounded
    parts = part_constraints(prepared.standalone)
    text = grounded.text
    by_marker = {c.n: c for c in grounded.citations}
    named = set(stated_figures(prepared.standalone))  # "男子500米的金牌": 500 is the question's, not the answer
    misread = misread_cells(grounded, prepared, LIST_NUMBER.sub("", strip_markers(text)), grounded.citations)
    if misread is not None:  # a figure given as the cell its clause names, taken from another cell
        return misread
    for a, b in split_sentences(text):
        sentence = text[a:b]
        asked = _part_asked(sentence, parts) if parts else prepared.constraints
        said = LIST_NUMBER.sub("", strip_markers(sentence))
        stated = [f for f in stated_figures(said) if f not in named or _restated_as_other_kind(f, said, prepared.standalone)]
        cited = [by_marker[n] for m in MARKER.finditer(sentence) for n in marker_numbers(m.group()) if n in by_marker]
        sibling = numbered_elsewhere(asked, sentence, cited, prepared.passages)
        if sibling is not None:
            return say_what_is_missing(grounded, *sibling)
        if not stated:  # a name, a place, a date: held to its source sentence's year, and to outcome over plan
            attributed = attributed_to_another(prepared.standalone, sentence, prepared.passages)
            if attributed is not None:  # the words the question gives a person are another's
                return say_what_is_missing(grounded, *attributed)
            speaker = said_by_another(prepared.standalone, sentence, prepared.passages)
            if speaker is not None:  # asked who said it, the answer names another than the sentence saying it
                source, citation = speaker
                said = answered_with(grounded, f"资料中与问题对应的原文：{inline_quote(source)}[1]。", citation, source)
                return replace(said, notice=NOTICE_OTHER_NAME)
            other = dated_elsewhere(asked, sentence, cited) or planned_only(asked, sentence, cited) \
                or measured_otherwise(asked, sentence, cited) or dated_for_another_title(prepared.standalone, sentence, cited) \
                or owned_by_another(asked, sentence, cited) or placed_elsewhere(asked, sentence, cited)
            if other is not None:
                return say_what_is_missing(grounded, *other)
            renamed = named_otherwise(prepared.standalone, sentence, cited)
            if renamed is not None:  # an organisation its source sentence does not name: the sentence instead
                source, citation = renamed
                said = answered_with(grounded, f"资料中与问题对应的原文：{inline_quote(source)}[1]。", citation, source)
                return replace(said, notice=NOTICE_OTHER_NAME)
            continue
        given = cell_given(stated, cited)
        if given is not None:  # a table's cell is bound by its row and column, not by its sentence
            checked = kept_to_table(grounded, prepared, stated, *given)
            if checked is not None:
                return checked
            grounded = quoting_row(grounded, *given)  # the row, not the header, is what supports it
            continue
        if asked == Constraints():  # the question pins nothing to hold the sentence to
            continue
        sources = [(c, f, src) for c in cited for f in stated for src in figure_sources(c.chunk.text, f, sentence)]
        # the passage may name the asked company for a sentence that names none ("该中心总投资…")
        misses = [(c, src, find_mismatch(asked, src, c.chunk.title + "\n" + c.chunk.text, _scope_of(figure, src),
                                         _article_shown(c.chunk, prepared.passages))
                   or _of_another_kind(asked, src, figure)) for c, figure, src in sources]
        if asked.value and sources and not any(_shares_subject(asked, src) for _, _, src in sources):
            # asked for a figure, given one from sentences sharing no word with what was asked
            misses = [(c, src, Mismatch("subject", "", "")) for c, _, src in sources]
        if misses and all(miss is not None for _, _, miss in misses):  # no source of its figures keeps to it
            # the figure of the asked kind tells more than another kind beside it does
            citation, source, miss = next((m for m in misses if m[2].kind != "unit"), misses[0])
            return say_what_is_missing(grounded, describe_missing(asked, miss), source, citation)
        stray = _of_another_time(sentence, sources, misses)
        if stray is not None:  # one figure of several is another period's: it goes, and the answer says so
            return _without_stray(grounded, prepared, a, b, *stray)
        swap = swapped(asked, stated, sentence, cited) if asked.value and asked.compares else None
        if swap is not None:
            said = say_whose(grounded, *swap)  # the sentence gave the asked thing another's figures: it goes
            return _followed_by(said, with_sentence(grounded, prepared, a, b, ""), prepared)
        respective = respectively_elsewhere(stated, sentence, cited) if asked.value else None
        if respective is not None:
            said = say_respective(grounded, *respective)
            return _followed_by(said, without_figure(grounded, prepared, a, b, respective[0].figure), prepared)
        rebound = rebound_figure(asked, stated, sentence, cited) if asked.value else None
        if rebound is not None and (missed := _pointed_clause_misses(asked, *rebound)) is not None:
            return say_what_is_missing(grounded, *missed)  # the clause the question points at is another year's
        if rebound is not None:
            said = say_what_is_bound(grounded, *rebound)
            return _followed_by(said, without_figure(grounded, prepared, a, b, rebound[0].figure), prepared)
        if not sources:  # nothing to hold it against but the model's own words
            miss = find_mismatch(asked, strip_markers(sentence), prepared.standalone)
            if miss is not None:
                return say_what_is_missing(grounded, describe_missing(asked, miss), strip_markers(sentence), None)
    return grounded


def _pointed_clause_misses(asked: Constraints, other: Rebinding, citation: Citation) -> tuple[str, str, Citation] | None:
    """When the clauses the question points at (`other.given`) themselves depart from it ("占全市…比重接近
    40%" after "由2018年的…提高到2022年的…", asked of 2018), or give a level where a change is asked:
    what is missing, their sentence and citation."""
    text = citation.chunk.text
    source = next((text[a:b] for a, b in split_sentences(text) if other.given in text[a:b]), other.given)
    miss = find_mismatch(asked, source, citation.chunk.title + "\n" + text, other.given)
    if miss is None and asked.change and states_change(other.scope) and not states_change(other.given):
        # asked how much 存力总规模 grew, the clause naming it gives its level: "存力总规模超过1080EB"
        miss = Mismatch("measure", "增长幅度", "总量")
    return (describe_missing(asked, miss), source.strip(), citation) if miss is not None else None


def _restated_as_other_kind(figure: str, said: str, question: str) -> bool:
    """Whether the answer gives a figure the question names as another kind of figure: asked about
    "那253个项目", an answer of "总投资额为253亿元" states an amount no passage gives."""
    asked = figure_kinds_of(question, figure)
    return bool(asked) and bool(figure_kinds_of(said, figure) - asked)


def _part_asked(sentence: str, parts: list[tuple[str, Constraints]]) -> Constraints:
    """What the part of a several-part question that `sentence` answers pins down: its time,
    measure, entity and outcome. That part is one sharing words with the sentence whose asked kind
    of figure (家, 项, 亿元) the sentence states, the most words first: "共收集企业诉求67条" answers
    "收上来多少项诉求", not "走了多少家重点企业", though it shares more words with the latter. Not its
    subject: binding a figure to one part's words would take the other part's figures for strays."""
    said_text = strip_markers(sentence)
    said = set(terms(said_text))
    kinds, counted = figure_kinds(said_text), counted_kinds(said_text)

    def fit(part: tuple[str, Constraints]) -> tuple[bool, int]:
        words, asked = part
        shared = len(said & set(terms(words)))
        stated = asked.counted in counted if asked.counted else bool(asked.unit) and asked.unit in kinds
        return shared > 0 and stated, shared

    _, asked = max(parts, key=fit)
    return replace(asked, value=False, subject=frozenset(), compares=False)


def _of_another_time(sentence: str, sources: list[tuple[Citation, str, str]],
                     misses: list[tuple[Citation, str, Mismatch | None]]) -> tuple[str, Citation, str, Mismatch] | None:
    """(figure, citation, source, mismatch) for a figure of an answer's sentence whose other figures
    keep to the question, when every sentence stating it is about another year, period or day and
    the answer gives it no time of its own: "今年前5个月，中国出口到俄罗斯的汽车为37.25万辆，出口到墨西哥
    的汽车为41.5万辆" where the article's 41.5万辆 is 2023's. None when no figure is such."""
    if not any(miss is None for _, _, miss in misses):
        return None
    found: dict[str, list[tuple[Citation, str, Mismatch | None]]] = {}
    for (citation, figure, source), (_, _, miss) in zip(sources, misses):
        found.setdefault(figure, []).append((citation, source, miss))
    own = {f: scope for f, scope, _ in figure_scopes(strip_markers(sentence))}
    for figure, stated in found.items():
        if any(miss is None or miss.kind not in _STRAY for _, _, miss in stated):
            continue
        clause = own.get(figure, "")
        if dated_years(clause) or periods_of(compact(clause)):  # the answer dates it itself: "去年全年为…"
            continue
        citation, source, miss = stated[0]
        return figure, citation, source, miss
    return None


def _without_stray(grounded: Grounded, prepared: Prepared, a: int, b: int, figure: str, citation: Citation,
                   source: str, miss: Mismatch) -> Grounded:
    """The answer without the clause giving `figure`, then what that figure is, cited: "“2023年中国出口
    到墨西哥的汽车为41.5万辆”是全年的数字，不是问题所问的1—5月的[2]。" It still answers the rest, which
    is held to the question in turn (its own near miss, if it has one, is what is said)."""
    rest = without_figure(grounded, prepared, a, b, figure)
    checked = kept_to_question(rest, prepared)
    if checked.text != rest.text:
        return checked
    quote = _scope_of(figure, source) or source
    shown = next((c.n for c in rest.citations if c.chunk.id == citation.chunk.id), len(rest.citations) + 1)
    if miss.kind == "subset":  # the whole set's: "“共计有2400家企业出席”不是问题所问的中国企业单独的数字"
        told = f"“{inline_quote(quote)}”{NOT_ASKED}{miss.asked}单独的数字[{shown}]。"
    else:
        told = f"“{inline_quote(quote)}”是{miss.given}的数字，{NOT_ASKED}{miss.asked}的[{shown}]。"
    cited = rest.citations if shown <= len(rest.citations) else [*rest.citations, replace(citation, n=shown, quote=source)]
    return replace(rest, text=f"{rest.text}{told}", citations=cited,
                   notice=NOTICE_OTHER_SET if miss.kind == "subset" else NOTICE_OTHER_TIME)


def _of_another_kind(asked: Constraints, source: str, figure: str) -> Mismatch | None:
    """Mismatch("unit", …) when `source` gives the asked subject a figure of another kind and
    `figure` is another thing's (rag.binding.kind_elsewhere): its growth, not its amount."""
    kind = kind_elsewhere(asked, source, figure) if asked.value else ""
    return Mismatch("unit", UNIT_WORDS[asked.unit], UNIT_WORDS[kind]) if kind else None


def _shares_subject(asked: Constraints, source: str) -> bool:
    """Whether the sentence names any term of the question's subject and metric ("2021届毕业生
    909万人" names nothing of "城镇新增就业多少人")."""
    return bool(set(asked.subject) & set(terms(source)))


def _article_shown(chunk: Chunk, passages: list[Passage]) -> str:
    """The text of the shown passages from `chunk`'s article."""
    return "\n".join(p.chunk.text for p in passages if article_of(p.chunk) == article_of(chunk))


def _scope_of(figure: str, source: str) -> str:
    """The clauses of `source` that `figure` belongs to ("" when the sentence does not say)."""
    return next((scope for f, scope, _ in figure_scopes(source) if f == figure), "")


def _followed_by(said: Grounded, rest: Grounded, prepared: Prepared) -> Grounded:
    """`said`, then the sentences of `rest` stating a cited figure `said` does not, when the
    near-miss checks let them stand unchanged. A conclusion drawn from the corrected figure
    ("鼓楼硅巷多") no longer holds and goes, and so does a sentence stating only the question's own
    figures ("那28家私募里"): it says nothing the question did not."""
    given = set(stated_figures(said.text)) | set(stated_figures(prepared.standalone))
    kept = "".join(rest.text[a:b] for a, b in split_sentences(rest.text)
                   if MARKER.search(rest.text[a:b]) and set(stated_figures(strip_markers(rest.text[a:b]))) - given)
    if not kept:
        return said
    rest_text, citations = verify_citations(as_passage_markers(kept, rest.citations, prepared), prepared.passages,
                                            prepared.standalone)
    rest = replace(rest, text=rest_text, citations=citations)
    if not rest.citations or kept_to_question(rest, prepared).text != rest.text:
        return said
    shift = len(said.citations)
    renumbered = MARKER.sub(lambda m: "".join(f"[{n + shift}]" for n in marker_numbers(m.group())), rest.text)
    moved = [replace(c, n=c.n + shift) for c in rest.citations]
    return replace(said, text=f"{said.text}{renumbered}", citations=[*said.citations, *moved])


