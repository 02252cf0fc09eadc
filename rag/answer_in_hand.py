"""When the model declines with the answer in hand: the first passage has a sentence that states a
figure of the asked kind and keeps to every constraint of the question (its year, period, measure
and subject, rag.constraints) while naming nearly all of the question's terms. That sentence is
the answer, quoted and cited, and labelled as taken from the passage: a small model refuses
answerable questions now and then, and a refusal with the fact in passage [1] helps nobody.

Only value questions qualify ("…多少…", a unit asked, and a year or a named subject to hold the
sentence to): what a list or a reason question needs cannot be checked sentence by sentence.
"""

from __future__ import annotations

from collections.abc import Callable

from index.text import compact, overlap, split_sentences, terms
from rag.constraints import Constraints, find_mismatch
from rag.figure_kinds import figure_kinds
from rag.evidence import question_terms
from rag.prepare import Prepared
from rag.records import Chunk, Passage

MIN_COVERAGE = 0.7  # weighted share of the question's content terms in the sentence and its title


def sentence_in_hand(prepared: Prepared) -> str:
    """The sentence of passage [1] that answers the question by every check; "" when none does."""
    asked = prepared.constraints
    if not (asked.value and asked.unit) or asked.compares or not (asked.years or asked.names) or not prepared.passages:
        return ""
    found = answering_sentence(prepared.standalone, asked, prepared.passages[:1],
                               lambda sentence: asked.unit in figure_kinds(sentence))
    return found[0] if found else ""


def answering_sentence(question: str, asked: Constraints, passages: list[Passage],
                       holds_asked: Callable[[str], bool]) -> tuple[str, Chunk] | None:
    """The passages' sentence that `holds_asked` (the kind of figure or date asked), keeps to every
    constraint of the question and names the most of its content terms, at least MIN_COVERAGE (the
    first such on a tie); None when no sentence does. Also used for a part of a question
    (rag.parts)."""
    wanted = question_terms(question)
    if not wanted:
        return None
    best: tuple[str, Chunk] | None = None
    best_coverage = (MIN_COVERAGE, 0.0)
    for passage in passages:
        chunk = passage.chunk
        for a, b in split_sentences(chunk.text):
            sentence = chunk.text[a:b].strip()
            if not holds_asked(sentence) or compact(sentence) in compact(chunk.title):  # the headline: its body says more
                continue
            if find_mismatch(asked, sentence, chunk.title + "\n" + chunk.text) is not None:  # the passage may name the subject
                continue
            # with its title (a sentence may leave the subject to it); on a tie, by its own words:
            # a title naming the question covers every sentence of its article alike
            coverage = (overlap(wanted, terms(chunk.title + "\n" + sentence)), overlap(wanted, terms(sentence)))
            if coverage[0] < MIN_COVERAGE:
                continue
            if coverage > best_coverage or best is None:
                best, best_coverage = (sentence, chunk), coverage
    return best
