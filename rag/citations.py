"""Citation repair: small models put `[n]` on the wrong passage, on nothing, or forget it.

Each sentence keeps a marker only when the passage it names supports the sentence lexically;
a wrong marker moves to the passage that clearly supports the sentence, or goes; an uncited
factual sentence gets the passage that clearly supports it. Markers shown to the user are
renumbered 1..m in order of first appearance, and every one of them points at a Citation.

A bare answer ("张艺谋", "D组") is read in the question's frame: its words alone are in many
passages, so a passage supports it by the question's words and its own together, and only when it
holds every one of its own.

Usage: `text, citations = verify_citations(llm_text, passages, question)`.
"""

from __future__ import annotations

import re

from index.text import (
    ENDING,
    MARKER,
    compact,
    count_cjk,
    figures,
    marker_numbers,
    month_days,
    overlap,
    split_sentences,
    strip_markers,
    terms,
)
from rag.binding import stated_figures
from rag.evidence import is_model_refusal
from rag.names import person_names
from rag.records import Citation, Passage

# the number of an answer's list item: "1. ", "2、", "(3)"
LIST_NUMBER = re.compile(r"^\s*(?:\d+[.、．)）]|[（(]\d+[)）])\s*")

SUPPORT = 0.3  # the model's own marker stays if this share of the sentence's terms is in the passage
CLEAR = 0.5  # we only add or move a marker to a passage holding at least this share
MARGIN = 0.3  # ...and it moves when a clearly supporting passage beats it by more than this
FIGURE_TOLERANCE = 0.05  # "约58%" is 57.9%, "超500万辆" is 491万: rounding, not a different figure
MIN_FACT_CJK = 6  # shorter sentences ("如下：", "综上所述，") state no fact worth a citation


def verify_citations(text: str, passages: list[Passage], question: str = "") -> tuple[str, list[Citation]]:
    """The answer with repaired, renumbered markers, and one Citation per displayed marker."""
    by_n = {p.n: p for p in passages}
    passage_terms = {p.n: terms(p.chunk.title + "\n" + p.chunk.text) for p in passages}
    held = {n: figures(found) for n, found in passage_terms.items()}  # each passage's figures, read once
    days = {p.n: month_days(p.chunk.title + "\n" + p.chunk.text) for p in passages}
    texts = {p.n: compact(p.chunk.title + p.chunk.text) for p in passages}
    asked_people = person_names(question)
    asked = frozenset(figures(terms(question)))
    asked_days = month_days(question)
    sentences: list[tuple[str, list[int], str]] = []  # (body, cited passage numbers, tail)
    cited_by: dict[int, dict[str, float]] = {}  # passage -> terms of the sentences citing it
    cited_days: dict[int, set[tuple[int, int]]] = {}  # passage -> days the sentences citing it state
    cited_figures: dict[int, set[float]] = {}  # passage -> figures the sentences citing it state
    spans = split_sentences(text)
    for a, b in spans:
        segment = text[a:b]
        wanted = [n for m in MARKER.finditer(segment) for n in marker_numbers(m.group())]
        body = strip_markers(segment)
        tail = ENDING.search(body).group()
        body = body[: len(body) - len(tail)]
        own = terms(LIST_NUMBER.sub("", body))  # "2. 探索…" states no figure 2
        # the figures it states, without the month and day of a day the question names: a day is held
        # by its own check below, which leaves the question's days to any passage
        asked_day = {float(n) for day in month_days(body) & asked_days for n in day}
        own_figures = [f for f in figures(own) if f not in asked_day]
        if question and len(spans) == 1 and own and _is_bare_answer(body):
            sentence_terms = {**terms(question), **own}
            framed = [f for f in figures(sentence_terms) if f not in asked_day]  # "男子500米": 500 frames the name
            support = {n: _support(sentence_terms, found, framed, held[n], asked) if own.keys() <= found.keys()
                       else 0.0 for n, found in passage_terms.items()}
            factual = True
        else:
            sentence_terms = own
            support = {n: _support(sentence_terms, found, own_figures, held[n], asked) for n, found in passage_terms.items()}
            if own_figures and set(own_figures) <= asked and not any(support.values()):
                # only the question's own figures, which no passage writes so ("十大领域" for "那十个场景"):
                # they frame the answer, its words decide
                support = {n: overlap(sentence_terms, found) for n, found in passage_terms.items()}
            factual = _is_factual(body)
        said_days = month_days(body) - asked_days  # a day is the sentence's fact as a figure is
        if said_days:
            support = {n: value if days[n] & said_days else 0.0 for n, value in support.items()}
        # and so is a person it names: "总经理叫张辉" is supported by the passage naming 张辉, not by the
        # one spelling out the company's full name
        said_people = person_names(body) - asked_people
        if said_people:
            support = {n: value if all(p in texts[n] for p in said_people) else 0.0 for n, value in support.items()}
        stated = [f for f in own_figures if f not in asked]
        # the figures a quote must hold, without a date's month or day ("2018年5月上任": when the
        # sentence about him says no date, that one about his bureau's founding is not his)
        facts = {float(f) for f in stated_figures(LIST_NUMBER.sub("", body))} - asked
        holding_all = {n for n in support if stated and all(holds_figure(held[n], f) for f in stated)}
        # a passage that must name the person is clear at a lower share of the sentence's words
        clear_at = SUPPORT if said_people else CLEAR
        cited = _attribute(support, wanted, factual, holding_all, clear_at) if sentence_terms else []
        cited += _holding_the_rest(stated, cited, support, held)
        for n in cited:
            cited_by.setdefault(n, {}).update(sentence_terms)
            cited_days.setdefault(n, set()).update(said_days)
            cited_figures.setdefault(n, set()).update(facts)
        sentences.append((body, cited, tail))

    display: dict[int, int] = {}  # passage number -> number the user sees
    parts = []
    for body, cited, tail in sentences:
        for n in cited:
            display.setdefault(n, len(display) + 1)
        parts.append(body + "".join(f"[{display[n]}]" for n in cited) + tail)
    citations = [
        Citation(n=shown, chunk=by_n[n].chunk,
                 quote=best_quote(by_n[n].chunk.text, cited_by[n], cited_days[n], cited_figures[n]))
        for n, shown in display.items()
    ]
    return _drop_dangling("".join(parts), len(citations)), citations


def _attribute(support: dict[int, float], wanted: list[int], factual: bool, holding_all: set[int],
               clear_at: float = CLEAR) -> list[int]:
    """Passage numbers a sentence should cite, in the order the model cited them, from each
    passage's support for it; an uncited `factual` sentence gets the clearly supporting one.

    `holding_all`: the passages holding every figure the sentence states, its fact. A cited
    passage that supports the sentence but misses one of them moves to the best supporting one of these
    ("年化利率为8%-10%" cites the passage stating 8%-10%, not the one sharing the question's words
    and a 10 of another figure)."""
    if not support:
        return []
    best = min(support, key=lambda n: (-support[n], n))  # ties go to the higher-ranked passage
    clear = best if support[best] >= clear_at else None
    fullest = min((n for n in holding_all if support[n] >= SUPPORT), key=lambda n: (-support[n], n), default=None)
    cited: list[int] = []
    for n in wanted:
        own = support.get(n, 0.0)
        if fullest is not None and own >= SUPPORT and n not in holding_all:
            target: int | None = fullest
        else:
            # a neighbouring chunk of the same article shares words; the one with the fact shares more
            keep = own >= SUPPORT and (clear is None or own >= support[clear] - MARGIN)
            target = n if keep else clear
        if target is not None and target not in cited:
            cited.append(target)
    if not cited and clear is not None and factual:
        cited.append(clear)
    return cited


def _holding_the_rest(stated: list[float], cited: list[int], support: dict[int, float],
                      held: dict[int, list[float]]) -> list[int]:
    """The passages to cite besides `cited` for the sentence's figures none of them holds: "A有881家，
    B有162家" takes its two figures from two passages, and each is cited (the best-supported
    passage holding the figure, when it supports the sentence at all). `stated`: the sentence's
    figures the question does not already give."""
    if not cited:
        return []
    added: list[int] = []
    for figure in stated:
        if any(holds_figure(held[n], figure) for n in cited + added):
            continue
        holding = [n for n in held if holds_figure(held[n], figure) and support.get(n, 0.0) >= SUPPORT]
        if holding:
            added.append(min(holding, key=lambda n: (-support[n], n)))
    return added


def holds_figure(held: list[float], figure: float) -> bool:
    """Whether a passage's figures `held` include `figure`, up to rounding."""
    return any(abs(figure - h) <= FIGURE_TOLERANCE * max(figure, h) for h in held)


def _support(sentence_terms: dict[str, float], passage_terms: dict[str, float], stated: list[float],
             held: list[float], asked: frozenset[float]) -> float:
    """Share of the sentence's terms in the passage; none if the sentence states figures and the
    passage's figures `held` include none of them (same words, other numbers: the typical slip of
    a small model).
    The figures the question names (`asked`) are left out when the sentence states others: an
    answer restating "1亿元资金池里" holds the passage it takes that from, not the one it answers from.
    `stated`: the sentence's figures, not the month and day of a day the question names ("在8月30日那场
    推进会上签约" states no figure 30 of its own)."""
    stated = [f for f in stated if f not in asked] or stated
    if stated and not any(holds_figure(held, f) for f in stated):
        return 0.0
    return overlap(sentence_terms, passage_terms)


def _is_bare_answer(body: str) -> bool:
    """A name or a figure alone, too short to state a fact without the question."""
    stripped = body.strip()
    return bool(stripped) and count_cjk(stripped) < MIN_FACT_CJK and not is_model_refusal(stripped)


def _is_factual(body: str) -> bool:
    stripped = body.strip()
    if count_cjk(stripped) < MIN_FACT_CJK or stripped.endswith(("？", "?")):
        return False
    return not is_model_refusal(stripped)


def inline_quote(sentence: str) -> str:
    """An article's sentence as it is quoted inside an answer: on one line, without its closing
    stop (inside its closing quote too: "…机制。”" is quoted "…机制”"), and without the article's own
    footnote marks ([17]), which would read as citations."""
    line = " ".join(strip_markers(sentence).split()).rstrip("。；;，,")
    return re.sub(r"[。；;，,]+([”’」』])$", r"\1", line)


def closest_citation(wanted: dict[str, float], passages: list[Passage]) -> Citation | None:
    """The passages' sentence sharing most with `wanted`, cited as [1]; None without passages.
    Ties go to the higher-ranked passage."""
    quotes = [(p, best_quote(p.chunk.text, wanted)) for p in passages]
    if not quotes:
        return None
    passage, quote = max(quotes, key=lambda pq: overlap(wanted, terms(pq[1])))
    return Citation(n=1, chunk=passage.chunk, quote=quote)


def best_quote(chunk_text: str, wanted: dict[str, float], days: set[tuple[int, int]] | frozenset = frozenset(),
               stated: set[float] | frozenset = frozenset()) -> str:
    """The sentence of `chunk_text` sharing most with `wanted`: a real substring, to highlight.
    A sentence naming one of `days` (the days the citing sentences state) comes first, and so does
    one holding the figures they state (`stated`), the more of them the sooner: it holds their
    fact, however many words another shares with them (an answer restating the question's long
    description of an article shares most with the article's title)."""
    best, best_score = "", -1.0
    for a, b in split_sentences(chunk_text):
        sentence = chunk_text[a:b].strip()
        if not sentence:
            continue
        found = terms(sentence)
        score = overlap(wanted, found) + (1.0 if days and month_days(sentence) & days else 0.0)
        if stated:
            held = figures(found)
            score += sum(holds_figure(held, f) for f in stated) / len(stated)
        if score > best_score:  # strict: the earlier sentence wins ties
            best, best_score = sentence, score
    return best


def _drop_dangling(text: str, count: int) -> str:
    """Remove any marker naming a number outside 1..count. Unreachable by construction;
    kept because the invariant is what the UI relies on."""
    while True:
        fixed = MARKER.sub(lambda m: m.group() if all(1 <= n <= count for n in marker_numbers(m.group())) else "", text)
        if fixed == text:
            return text
        text = fixed
