"""Everything before the model: the question made standalone, searched part by part, the
passages chosen, and the evidence judged. Plain Python, no LLM but the optional `rewrite`.

The Assistant refuses, extracts or asks the model from what this returns; keeping it apart lets
the expensive LLM call be skipped when the evidence already says "not in the articles".

Usage:
    prepared = prepare("2023年汽车出口多少辆？", history, settings, retriever)
    if prepared.answerable: ...prepared.passages...
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Protocol

from index.records import Chunk, Hit
from rag.answer_context import with_answering_sentence
from rag.constraints import Constraints, constraints_of
from rag.context import select_passages
from rag.conversation import Rewrite, Turn, bounded, standalone_question
from rag.evidence import Evidence, assess_evidence
from rag.passage_names import introduced_names, named_kinds, named_people
from rag.points import asks_points
from rag.questions import prefer_answer_type, search_by_parts
from rag.quotes import with_quotes_closed
from rag.read_on import article_lists, read_on
from rag.records import Passage
from rag.sections import article_sections
from rag.settings import Settings
from rag.table_context import with_asked_rows


class Searcher(Protocol):
    def search(self, query: str) -> list[Hit]: ...

    def next_chunk(self, chunk: Chunk) -> Chunk | None: ...


@dataclass(frozen=True)
class Prepared:
    """A question ready to be answered, and what was found for it."""

    question: str  # as asked
    standalone: str  # after condensing with the history: what was searched, what the model answers
    history: list[Turn]  # the past turns the model sees (bounded)
    hits: list[Hit]  # everything retrieved, in rank order
    passages: list[Passage]  # what the model reads, numbered [1]..[n]
    evidence: Evidence  # whether the passages can answer the question, and why
    timings_ms: dict[str, float]  # condense_ms, retrieve_ms
    constraints: Constraints = Constraints()  # what the question pins down: year, period, kind of figure…
    # asked for points: the asked article's section headings (rag.sections) or its list, item by item (rag.read_on)
    listed: tuple[tuple[Chunk, str], ...] = ()
    other_lists: tuple[tuple[tuple[Chunk, str], ...], ...] = ()  # the asked article's other lists, read so too

    @property
    def answerable(self) -> bool:
        return bool(self.passages) and self.evidence.answerable


def prepare(question: str, history: list[Turn] | None, settings: Settings, retriever: Searcher | None,
            hits: list[Hit] | None = None, rewrite: Rewrite | None = None) -> Prepared:
    """`hits` skips retrieval and answers from exactly those passages (the RGB benchmark does
    this; `retriever` may then be None); `rewrite` makes a follow-up standalone (the LLM)."""
    history = bounded(history, settings.history_turns)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    standalone = standalone_question(question, history, rewrite)
    timings["condense_ms"] = _ms_since(started)
    started = time.perf_counter()
    leading = 1
    if hits is None:
        search = retriever.search
        hits, leading = search_by_parts(lambda q: prefer_answer_type(q, search(q)), standalone, settings.top_k)
    points = asks_points(standalone)
    passages = select_passages(hits, settings.summary_context_chars if points else settings.context_chars, leading=leading)
    asked = asked_of(standalone, passages)
    if not points:
        passages = with_asked_rows(passages, hits, standalone)  # a table's asked row past the budget
        passages = with_answering_sentence(passages, hits, standalone, asked)  # and the answering sentence
        if retriever is not None:
            passages = with_quotes_closed(passages, retriever.next_chunk, standalone)  # and who said it
    listed: list[tuple[Chunk, str]] = []
    lists: list[list[tuple[Chunk, str]]] = []
    if points and retriever is not None:
        passages = read_on(passages, retriever.next_chunk)
        listed = article_sections(passages, retriever.next_chunk, standalone)
        if not listed:
            lists = article_lists(passages, retriever.next_chunk)
            listed = lists[0] if lists else []
    timings["retrieve_ms"] = _ms_since(started)
    return Prepared(question, standalone, history, hits, passages, assess_evidence(standalone, hits), timings, asked,
                    tuple(listed), tuple(tuple(other) for other in lists[1:]))


def asked_of(question: str, passages: list[Passage]) -> Constraints:
    """What the question pins down (rag.constraints), with the names its passages show it to say
    where jieba sees none (rag.passage_names)."""
    asked = constraints_of(question)
    shown = [p.chunk.text for p in passages]
    return replace(asked, introduced=introduced_names(question, shown),
                   qualified=asked.qualified | named_kinds(question, shown),
                   people=named_people(question, shown) if asked.value else frozenset())


def _ms_since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
