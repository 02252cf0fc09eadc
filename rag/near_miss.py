"""The grounding rule for near misses: a figure taken from a sentence about another year, period,
measure or subject, or from a plan where an outcome is asked, does not answer the question; nor
does a name, place or date taken from a sentence about another year, nor any answer from a
passage about the asked thing's numbered sibling (一审 for 二审, 神舟十二号 for 十三号).

The answer then says exactly what the articles do not give and quotes what they give instead,
cited: "资料中没有2023年全年的数字；资料给出的是前三季度的：2023年前三季度营收52.3亿元[1]。"
Such an answer carries `missing` (what is not there), and evaluation counts it as declining.

The sentences a figure comes from are those of the cited passage that state it, each with the
clauses before it that a "：…；…" list hangs from ("力争到2025年，…；回收量达350万台；"); it is a
near miss only when none of them keeps to the question (a table states a figure in several rows).
The article's sentences are judged, not the model's restatement: models misquote dates around a
right figure.

A figure the cited sentence binds to another subject (rag.binding: "综合PMI产出指数为50.5%" given
as the 制造业PMI) is replaced by the clause the question points at, with whose the figure was;
the asked figure is then in the answer, so this is not counted as declining. So is a figure a
comparison's answer gives one compared thing ("欧洲…6%") that the passage states under another
(rag.binding.compared_swap): the answer then says what the passage gives the asked one.

A sentence naming no year belongs to the plan its paragraph's last dated sentence makes
("到2025年，…。…年均增速超过20%。"), so it does not answer what actually happened.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from index.text import MARKER, compact, figure_terms, marker_numbers, overlap, split_sentences, strip_markers, terms
from rag.answer_in_hand import IN_HAND_NOTICES
from rag.binding import Rebinding, Swap, bound_elsewhere, compared_swap, figure_scopes, kind_elsewhere, stated_figures
from rag.citations import LIST_NUMBER, best_quote, holds_figure, inline_quote, verify_citations
from rag.constraints import (
    Constraints,
    Mismatch,
    describe_missing,
    find_mismatch,
    is_plan,
    numbered_sibling,
    part_constraints,
)
from rag.figure_kinds import UNIT_WORDS, figure_kind_of, figure_kinds_of
from rag.periods import dated_years, periods_of
from rag.records import Citation, Passage
from rag.respective import Respective, respective_swap
from rag.table_cells import Cell, asked_cell, cell_of, named_column, prose

if TYPE_CHECKING:  # grounding imports this rule; the types are only for readers and checkers
    from rag.grounding import Grounded
    from rag.prepare import Prepared

NOTICE_NEAR_MISS = "资料中没有问题所问的那一项，以上给出资料中最接近的内容，请留意两者的差别。"
NOTICE_OTHER_TIME = "生成模型给出的一个数字在资料中属于另一年份或时期，已删去，并注明它是哪一时期的。"
_TIMES = ("year", "period", "day")  # the kinds of mismatch that date a figure to another time
NOTICE_REBOUND = "生成模型给出的数字在资料中属于另一对象，以上改为资料中与问题对应的原句。"
# no sentence answers the question as asked (the model's own check, an answer no passage holds)
MISSING_DIRECT = "资料中没有直接回答这个问题的内容；资料给出的最接近的是"
_LIST_OPENERS = ("；", ";", "：", ":")
# a sentence dated by its own time word reports, whatever plan comes before it ("目前全市共有基站3万个")
_NOW = re.compile(r"目前|截至|截止|现已|现有|如今|当前|去年|今年|上年|此前")


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
    for a, b in split_sentences(text):
        sentence = text[a:b]
        asked = _part_asked(sentence, parts) if parts else prepared.constraints
        said = LIST_NUMBER.sub("", strip_markers(sentence))
        stated = [f for f in stated_figures(said) if f not in named or _restated_as_other_kind(f, said, prepared.standalone)]
        cited = [by_marker[n] for m in MARKER.finditer(sentence) for n in marker_numbers(m.group()) if n in by_marker]
        sibling = _numbered_elsewhere(asked, sentence, cited, prepared.passages)
        if sibling is not None:
            return say_what_is_missing(grounded, *sibling)
        if not stated:  # a name, a place, a date: held to its source sentence's year, and to outcome over plan
            other = _dated_elsewhere(asked, sentence, cited) or _planned_only(asked, sentence, cited)
            if other is not None:
                return say_what_is_missing(grounded, *other)
            continue
        given = _cell_given(stated, cited)
        if given is not None:  # a table's cell is bound by its row and column, not by its sentence
            checked = _kept_to_table(grounded, prepared, stated, *given)
            if checked is not None:
                return checked
            grounded = _quoting_row(grounded, *given)  # the row, not the header, is what supports it
            continue
        if asked == Constraints():  # the question pins nothing to hold the sentence to
            continue
        sources = [(c, f, src) for c in cited for f in stated for src in figure_sources(c.chunk.text, f, sentence)]
        # the passage may name the asked company for a sentence that names none ("该中心总投资…")
        misses = [(c, src, find_mismatch(asked, src, c.chunk.title + "\n" + c.chunk.text, _scope_of(figure, src))
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
        swap = _swapped(asked, stated, sentence, cited) if asked.value and asked.compares else None
        if swap is not None:
            said = _say_whose(grounded, *swap)  # the sentence gave the asked thing another's figures: it goes
            return _followed_by(said, _with_sentence(grounded, prepared, a, b, ""), prepared)
        respective = _respectively_elsewhere(stated, sentence, cited) if asked.value else None
        if respective is not None:
            said = _say_respective(grounded, *respective)
            return _followed_by(said, _without_figure(grounded, prepared, a, b, respective[0].figure), prepared)
        rebound = _bound_elsewhere(asked, stated, sentence, cited) if asked.value else None
        if rebound is not None:
            said = _say_what_is_bound(grounded, *rebound)
            return _followed_by(said, _without_figure(grounded, prepared, a, b, rebound[0].figure), prepared)
        if not sources:  # nothing to hold it against but the model's own words
            miss = find_mismatch(asked, strip_markers(sentence), prepared.standalone)
            if miss is not None:
                return say_what_is_missing(grounded, describe_missing(asked, miss), strip_markers(sentence), None)
    return grounded


def _restated_as_other_kind(figure: str, said: str, question: str) -> bool:
    """Whether the answer gives a figure the question names as another kind of figure: asked about
    "那253个项目", an answer of "总投资额为253亿元" states an amount no passage gives."""
    asked = figure_kinds_of(question, figure)
    return bool(asked) and bool(figure_kinds_of(said, figure) - asked)


def _dated_elsewhere(asked: Constraints, sentence: str,
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


def _planned_only(asked: Constraints, sentence: str, cited: list[Citation]) -> tuple[str, str, Citation] | None:
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


def _part_asked(sentence: str, parts: list[tuple[str, Constraints]]) -> Constraints:
    """What the part of a several-part question that `sentence` answers (the one sharing most of
    its words) pins down: its time, measure, entity and outcome. Not its subject: binding a figure
    to one part's words would take the other part's figures for strays."""
    said = set(terms(strip_markers(sentence)))
    _, asked = max(parts, key=lambda part: len(said & set(terms(part[0]))))
    return replace(asked, value=False, subject=frozenset(), compares=False)


def _numbered_elsewhere(asked: Constraints, sentence: str, cited: list[Citation],
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

    found = _every_source_misses(sentence, cited, lambda c, source: numbered_sibling(asked, article(c), source))
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


def _bound_elsewhere(asked: Constraints, stated: list[str], sentence: str,
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


def _swapped(asked: Constraints, stated: list[str], sentence: str, cited: list[Citation]) -> tuple[Swap, Citation] | None:
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


def _respectively_elsewhere(stated: list[str], sentence: str,
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
        if any(miss is None or miss.kind not in _TIMES for _, _, miss in stated):
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
    rest = _without_figure(grounded, prepared, a, b, figure)
    checked = kept_to_question(rest, prepared)
    if checked.text != rest.text:
        return checked
    quote = _scope_of(figure, source) or source
    shown = next((c.n for c in rest.citations if c.chunk.id == citation.chunk.id), len(rest.citations) + 1)
    told = f"“{inline_quote(quote)}”是{miss.given}的数字，不是问题所问的{miss.asked}的[{shown}]。"
    cited = rest.citations if shown <= len(rest.citations) else [*rest.citations, replace(citation, n=shown, quote=source)]
    return replace(rest, text=f"{rest.text}{told}", citations=cited, notice=NOTICE_OTHER_TIME)


def _of_another_kind(asked: Constraints, source: str, figure: str) -> Mismatch | None:
    """Mismatch("unit", …) when `source` gives the asked subject a figure of another kind and
    `figure` is another thing's (rag.binding.kind_elsewhere): its growth, not its amount."""
    kind = kind_elsewhere(asked, source, figure) if asked.value else ""
    return Mismatch("unit", UNIT_WORDS[asked.unit], UNIT_WORDS[kind]) if kind else None


def _shares_subject(asked: Constraints, source: str) -> bool:
    """Whether the sentence names any term of the question's subject and metric ("2021届毕业生
    909万人" names nothing of "城镇新增就业多少人")."""
    return bool(set(asked.subject) & set(terms(source)))


def _scope_of(figure: str, source: str) -> str:
    """The clauses of `source` that `figure` belongs to ("" when the sentence does not say)."""
    return next((scope for f, scope, _ in figure_scopes(source) if f == figure), "")


def figure_sources(chunk_text: str, figure: str, stated: str) -> list[str]:
    """Each sentence group of `chunk_text` stating `figure`, the one sharing most words with the
    answer's sentence first."""
    spans = split_sentences(chunk_text)
    wanted = terms(strip_markers(stated))
    kind = figure_kind_of(strip_markers(stated), figure)
    holding, rounded = [], []
    for i, (a, b) in enumerate(spans):
        found = terms(chunk_text[a:b])
        stated_here = figure_terms(found)
        if figure in stated_here:
            holding.append((-overlap(wanted, found), i))
        elif _rounds(figure, stated_here):
            rounded.append((-overlap(wanted, found), i))
    holding = holding or rounded  # "超过60万吨" rounds the 58万吨 of the sentence it comes from
    # "10亿元" is not stated by "畅销榜前10": with a unit, the figure is the one with that unit
    if kind:
        same_kind = [(o, i) for o, i in holding if figure_kind_of(chunk_text[spans[i][0] : spans[i][1]], figure) == kind]
        holding = same_kind or holding
    groups = []
    for _, i in sorted(holding):
        first = i
        while first > 0 and chunk_text[spans[first - 1][0] : spans[first - 1][1]].rstrip().endswith(_LIST_OPENERS):
            first -= 1
        group = chunk_text[spans[first][0] : spans[i][1]]
        plan = _governing_plan(chunk_text, spans, first) if not dated_years(group) and not _NOW.search(group) else None
        groups.append(chunk_text[spans[plan][0] : spans[plan][1]] + group if plan is not None else group)
    return groups


def _rounds(figure: str, stated: list[str]) -> bool:
    """Whether whole number `figure` is one of `stated` rounded, as grounding lets a model write it."""
    return "." not in figure and holds_figure([float(f) for f in stated], float(figure))


def _governing_plan(chunk_text: str, spans: list[tuple[int, int]], first: int) -> int | None:
    """The plan a sentence naming no year belongs to: the last sentence of its paragraph before
    it that names a year, when that one plans ("到2025年，我国成为…。…机器人产业营业收入年均增速
    超过20%。" is a target too); None when there is none, or it reports."""
    for j in range(first - 1, -1, -1):
        if "\n" in chunk_text[spans[j][1] : spans[first][0]]:
            return None  # another paragraph
        sentence = chunk_text[spans[j][0] : spans[j][1]]
        if dated_years(sentence):
            return j if is_plan(sentence) else None
    return None


def _cell_given(stated: list[str], cited: list[Citation]) -> tuple[Cell, Citation] | None:
    """The table cell of a cited passage that states one of the answer's figures, unless the
    passage's prose states it too (then its sentence is judged as any other)."""
    for citation in cited:
        for figure in stated:
            cell = cell_of(citation.chunk.text, figure)
            if cell is not None and figure not in figure_terms(terms(prose(citation.chunk.text))):
                return cell, citation
    return None


def _kept_to_table(grounded: Grounded, prepared: Prepared, stated: list[str], given: Cell,
                   citation: Citation) -> Grounded | None:
    """None when the answer's cell is the asked one (or the question does not say which); else the
    asked cell, when a passage shows it, or what the table gives instead."""
    for passage in [citation, *prepared.passages]:  # a long table runs on in the next passage
        asked = asked_cell(passage.chunk.text, prepared.standalone)
        if asked is not None:
            if set(stated) & set(figure_terms(terms(asked.value))):
                return None
            return _say_what_the_table_gives(grounded, asked, given, Citation(1, passage.chunk, asked.line))
    read_as = f"{given.row}，{given.column}为{given.value}"  # the cell as the sentence the table means
    miss = find_mismatch(prepared.constraints, read_as, citation.chunk.title)
    if miss is None:
        other_column = named_column(citation.chunk.text, prepared.standalone)
        if other_column and other_column != given.column:
            miss = Mismatch("measure", other_column, given.column)
    if miss is None:
        return None
    kept = replace(citation, n=1, quote=given.line)
    return replace(grounded, text=f"{describe_missing(prepared.constraints, miss)}：{read_as}[1]。", citations=[kept],
                   missing=describe_missing(prepared.constraints, miss), notice=NOTICE_NEAR_MISS)


def _quoting_row(grounded: Grounded, cell: Cell, citation: Citation) -> Grounded:
    quoted = [replace(c, quote=cell.line) if c.n == citation.n else c for c in grounded.citations]
    return replace(grounded, citations=quoted)


def _say_what_the_table_gives(grounded: Grounded, cell: Cell, other: Cell, citation: Citation) -> Grounded:
    """The asked cell, cited with its row, and whose cell the answer's figure was: the asked
    figure is in the answer, so this is not counted as declining."""
    text = (f"资料中与问题对应的是：{cell.row}，{cell.column}为{cell.value}[1]。"
            f"“{other.value}”是{other.row}{other.column}的数字，不是问题所问的。")
    return replace(grounded, text=text, citations=[citation], missing="", notice=NOTICE_REBOUND)


def _say_what_is_bound(grounded: Grounded, other: Rebinding, citation: Citation) -> Grounded:
    """The clause the question points at, cited, and whose the answer's figure was: the asked
    figure is in the passage, so this answers (it is not counted as declining)."""
    told = f"“{inline_quote(other.scope)}”说的是另一项，不是问题所问的。"
    return _rebound(grounded, f"资料中与问题对应的是：{inline_quote(other.given)}[1]。{told}", citation, other.given)


def _say_whose(grounded: Grounded, swap: Swap, citation: Citation) -> Grounded:
    """What the passage says of the compared thing the answer gave another's figure to, cited,
    and whose that figure is: the passage holds the asked thing's figures, so this answers."""
    told = f"“{inline_quote(swap.scope)}”说的是{swap.owner}。"
    return _rebound(grounded, f"资料中{swap.asked}的是：{inline_quote(swap.given)}[1]。{told}", citation, swap.given)


def _say_respective(grounded: Grounded, r: Respective, citation: Citation) -> Grounded:
    """The article's "分别" sentence, cited, and which of its figures is the asked item's."""
    told = f"按原文“分别”的顺序，{r.asked}对应的是{r.asked_figure}，{r.figure_written}说的是{r.owner}。"
    return _rebound(grounded, f"资料中与问题对应的是：{inline_quote(r.sentence)}[1]。{told}", citation, r.sentence)


def _rebound(grounded: Grounded, text: str, citation: Citation, quote: str) -> Grounded:
    """The answer replaced by `text`, citing `quote` of `citation`'s passage as [1]; it answers."""
    return replace(grounded, text=text, citations=[replace(citation, n=1, quote=quote)], missing="",
                   notice=NOTICE_REBOUND)


def _without_figure(grounded: Grounded, prepared: Prepared, a: int, b: int, figure: str) -> Grounded:
    """The answer without the clauses of its sentence `text[a:b]` stating `figure`, its citations
    repaired: what it says of the other things ("…，鼓楼硅巷有162家[2]") still stands."""
    text = grounded.text
    sentence = strip_markers(text[a:b])
    markers = "".join(m.group() for m in MARKER.finditer(text[a:b]))
    scope = next((scope for f, scope, _ in figure_scopes(sentence) if f == figure), sentence)
    kept = sentence.replace(scope, "", 1).strip("，；;：:, \n")
    kept = f"{kept.rstrip('。')}{markers}。" if kept else ""
    return _with_sentence(grounded, prepared, a, b, kept)


def _with_sentence(grounded: Grounded, prepared: Prepared, a: int, b: int, kept: str) -> Grounded:
    """The answer with its sentence `text[a:b]` replaced by `kept` ("" drops it), its citations repaired."""
    text = grounded.text
    rest = _as_passage_markers(text[:a] + kept + text[b:], grounded.citations, prepared).strip()
    rest_text, citations = verify_citations(rest, prepared.passages, prepared.standalone)
    return replace(grounded, text=rest_text, citations=citations)


def _as_passage_markers(text: str, citations: list[Citation], prepared: Prepared) -> str:
    """`text` with each displayed marker turned back into the number of the passage it cites, so
    that verify_citations can repair and renumber it again."""
    by_marker = {c.n: c for c in citations}
    passage_of = {p.chunk.id: p.n for p in prepared.passages}

    def to_passages(match: re.Match[str]) -> str:
        ns = [passage_of.get(by_marker[n].chunk.id) for n in marker_numbers(match.group()) if n in by_marker]
        return "".join(f"[{n}]" for n in ns if n)

    return MARKER.sub(to_passages, text)


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
    rest_text, citations = verify_citations(_as_passage_markers(kept, rest.citations, prepared), prepared.passages,
                                            prepared.standalone)
    rest = replace(rest, text=rest_text, citations=citations)
    if not rest.citations or kept_to_question(rest, prepared).text != rest.text:
        return said
    shift = len(said.citations)
    renumbered = MARKER.sub(lambda m: "".join(f"[{n + shift}]" for n in marker_numbers(m.group())), rest.text)
    moved = [replace(c, n=c.n + shift) for c in rest.citations]
    return replace(said, text=f"{said.text}{renumbered}", citations=[*said.citations, *moved])


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
