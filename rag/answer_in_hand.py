"""When the model declines with the answer in hand: the first passage has a sentence that states a
figure of the asked kind and keeps to every constraint of the question (its year, period, measure
and subject, rag.constraints) while naming nearly all of the question's terms. That sentence is
the answer, quoted and cited, and labelled as taken from the passage: a small model refuses
answerable questions now and then, and a refusal with the fact in passage [1] helps nobody.

Only value questions qualify ("…多少…", a unit asked, and a year or a named subject to hold the
sentence to): what a list or a reason question needs cannot be checked sentence by sentence.
"""

from __future__ import annotations

from index.text import overlap, split_sentences, terms
from rag.constraints import figure_kinds, find_mismatch
from rag.evidence import question_terms
from rag.prepare import Prepared

MIN_COVERAGE = 0.7  # weighted share of the question's content terms in the sentence and its title


def sentence_in_hand(prepared: Prepared) -> str:
    """The sentence of passage [1] that answers the question by every check; "" when none does."""
    asked = prepared.constraints
    if not (asked.value and asked.unit) or asked.compares or not (asked.years or asked.names) or not prepared.passages:
        return ""
    wanted = question_terms(prepared.standalone)
    if not wanted:
        return ""
    chunk = prepared.passages[0].chunk
    best, best_coverage = "", MIN_COVERAGE
    for a, b in split_sentences(chunk.text):
        sentence = chunk.text[a:b].strip()
        if asked.unit not in figure_kinds(sentence):
            continue
        if find_mismatch(asked, sentence, chunk.title + "\n" + chunk.text) is not None:  # the passage may name the subject
            continue
        coverage = overlap(wanted, terms(chunk.title + "\n" + sentence))
        if coverage >= best_coverage and (not best or coverage > best_coverage):
            best, best_coverage = sentence, coverage
    return best
