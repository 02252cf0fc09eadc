"""The sentence that answers, shown even past the budget. Retrieval ranks chunks, not sentences: an
article's overview chunks may fill the 900 characters while the chunk holding the one sentence
that names nearly every word of the question waits a rank or two below ("商务部公布的…最佳实践案例里，
金融创新类的有几个？占多大比例？" over "商务部陆续公布了五批共84个自贸试验区最佳实践案例，其中金融创新
案例11个，占比为13.1%", ranked fourth). The model, shown only the overviews, then invents a figure.

So, asked for a figure, a retrieved chunk holding a sentence that states a figure of the asked kind,
keeps to every constraint of the question (the checks of rag.answer_in_hand: its year said by the sentence, the title or the
passage before it) and names at least MIN_COVERAGE of its content words
(with its article's title), is shown after the others, when no shown sentence comes within MARGIN
of it. At most one chunk is added.

Usage:
    passages = with_answering_sentence(passages, hits, question, constraints_of(question))
"""

from __future__ import annotations

from index.records import Hit
from rag.answer_in_hand import scored_answering_sentence, states_asked_kind
from rag.constraints import Constraints
from rag.records import Passage

MIN_COVERAGE = 0.8  # of the question's content words, named by the sentence and its title
MARGIN = 0.1  # how much more of them it names than any shown sentence does


def with_answering_sentence(passages: list[Passage], hits: list[Hit], question: str, asked: Constraints) -> list[Passage]:
    """`passages`, and after them the retrieved chunk whose sentence answers the question by every
    check when no shown sentence comes close (see module)."""
    if not asked.value or not passages:
        return passages
    shown = {p.chunk.id for p in passages}
    best_shown = _coverage(question, asked, passages)
    for hit in hits:
        if hit.chunk.id in shown:
            continue
        if _coverage(question, asked, [Passage(n=0, hit=hit)]) >= max(MIN_COVERAGE, best_shown + MARGIN):
            return passages + [Passage(n=len(passages) + 1, hit=hit)]
    return passages


def _coverage(question: str, asked: Constraints, passages: list[Passage]) -> float:
    """The share of the question's content words that the passages' answering sentence (one stating
    a figure of the asked kind and keeping to the question, rag.answer_in_hand) names with its
    title; 0 when no sentence answers."""
    found = scored_answering_sentence(question, asked, passages, states_asked_kind(asked))
    return found[2] if found else 0.0
