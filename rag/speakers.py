"""Asked who said something, the person an answer names must be the one the passages give for it.
A small model takes the first expert it reads for the speaker: asked "是谁说2024年要从消费恢复转向
“持续扩大消费”", it answers 苏剑, of the passage before, while the sentence saying it names 洪涛.

When a shown passage has a sentence naming most of what the question says was said (read with its
article's title, which the question may describe the article by), and that sentence names another
person, the sentence is the answer, quoted (rag.near_miss). A sentence naming nobody, its speaker a
sentence away, changes nothing; nor does one whose passage names the answer's person anywhere: the
best-matching sentence may only set the scene ("…推进会，潘功胜在会上表示…"), the claim and its
speaker following ("…初稿，”马贱阳在会上透露").
"""

from __future__ import annotations

from index.text import compact, overlap, split_sentences, strip_markers, terms
from rag.asked_kind import asks_who
from rag.evidence import question_terms
from rag.names import person_names
from rag.records import Citation, Passage

MIN_SAID = 0.6  # share of the question's content terms the sentence and its title must name


def said_by_another(question: str, sentence: str, passages: list[Passage]) -> tuple[str, Citation] | None:
    """(the passages' sentence saying what `question` asks who said, its citation) when it names a
    person other than the one the answer's `sentence` names; None otherwise."""
    if not asks_who(question):
        return None
    asked_people = person_names(question)
    named = person_names(strip_markers(sentence)) - asked_people
    wanted = question_terms(question)
    if not named or not wanted:
        return None
    best: tuple[str, Passage] | None = None
    best_share = MIN_SAID
    for passage in passages:
        text = passage.chunk.text
        for a, b in split_sentences(text):
            share = overlap(wanted, terms(passage.chunk.title + "\n" + text[a:b]))
            if share > best_share:
                best, best_share = (text[a:b].strip(), passage), share
    if best is None:
        return None
    said, passage = best
    # the answer's person in that passage may be the speaker of the sentence after ("…初稿，”马贱阳透露")
    if not person_names(said) - asked_people or any(compact(n) in compact(passage.chunk.text) for n in named):
        return None
    return said, Citation(n=1, chunk=passage.chunk, quote=said)
