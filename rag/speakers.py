"""Asked who said something, the person an answer names must be the one the passages give for it.
A small model takes the first expert it reads for the speaker: asked "是谁说2024年要从消费恢复转向
“持续扩大消费”", it answers 苏剑, of the passage before, while the sentence saying it names 洪涛.

When a shown passage has a sentence naming most of what the question says was said (read with its
article's title, which the question may describe the article by), and that sentence names another
person, the sentence is the answer, quoted (rag.near_miss). A sentence naming nobody, its speaker a
sentence away, changes nothing; nor does one whose passage names the answer's person anywhere: the
best-matching sentence may only set the scene ("…推进会，潘功胜在会上表示…"), the claim and its
speaker following ("…初稿，”马贱阳在会上透露").

Asked what a named person said ("马化腾好像讲过“大模型本身不直接产生价值”，他原话是怎么说的？"), an
answer giving them the words is no answer when no shown passage names that person and the sentence
saying the words names another ("…李彦宏也曾表示，大模型本身是不直接产生价值的…"): the answer says
whose words they are (`attributed_to_another`).
"""

from __future__ import annotations

import re

from index.text import compact, overlap, split_sentences, strip_markers, terms
from rag.asked_kind import asks_who
from rag.evidence import question_terms
from rag.names import SAYS, person_names
from rag.records import Citation, Passage

MIN_SAID = 0.6  # share of the question's content terms the sentence and its title must name
_QUOTED = re.compile(r"[“\"]([^”\"]{4,})[”\"]")  # the words a question says were said
# a person saying something, as the passages say it or as a question recalls it ("马化腾好像讲过", "他原话")
_SAYS = rf"(?:{SAYS}|讲|原话)"


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
    best = _saying(wanted, passages, titled=True)
    if best is None:
        return None
    said, passage = best
    # the answer's person in that passage may be the speaker of the sentence after ("…初稿，”马贱阳透露")
    if not person_names(said) - asked_people or any(compact(n) in compact(passage.chunk.text) for n in named):
        return None
    return said, Citation(n=1, chunk=passage.chunk, quote=said)


def attributed_to_another(question: str, sentence: str, passages: list[Passage]) -> tuple[str, str, Citation] | None:
    """(what is missing, the passages' sentence saying the words, its citation) when the question gives
    words to one person, the answer's `sentence` gives them to that person too, no shown passage names
    them, and the sentence saying the words names another; None otherwise."""
    asked_people = person_names(question)
    if len(asked_people) != 1 or asks_who(question) or not passages:
        return None
    person = next(iter(asked_people))
    if not _speaking(person, question) or compact(person) not in compact(strip_markers(sentence)):
        return None
    if any(compact(person) in compact(p.chunk.title + p.chunk.text) for p in passages):
        return None
    quoted = _QUOTED.findall(question)
    wanted = terms("".join(quoted)) if quoted else question_terms(question.replace(person, " "))
    best = _saying(wanted, passages, titled=False)
    if best is None:
        return None
    said, passage = best
    others = sorted(p for p in person_names(said) - asked_people if _speaking(p, said))
    if not others:  # its speaker a sentence away: whose the words are is not read here
        return None
    return f"资料中没有{person}的这番话；资料给出的是{'、'.join(others)}的", said, Citation(n=1, chunk=passage.chunk, quote=said)


def _speaking(person: str, text: str) -> bool:
    """Whether `text` has `person` saying something ("马化腾好像讲过", "李彦宏也曾表示"): a name jieba
    reads into other words ("卫健委牵头的…") says nothing."""
    return re.search(re.escape(person) + rf"[^，,。；;？?“”]{{0,4}}{_SAYS}", text) is not None


def _saying(wanted: dict[str, float], passages: list[Passage], titled: bool) -> tuple[str, Passage] | None:
    """The passages' sentence naming the most of `wanted`, above MIN_SAID, with its passage; read with
    its article's title when `titled` (the question may describe the article by it). None when none does."""
    best: tuple[str, Passage] | None = None
    best_share = MIN_SAID
    for passage in passages:
        text = passage.chunk.text
        for a, b in split_sentences(text):
            share = overlap(wanted, terms((passage.chunk.title + "\n" if titled else "") + text[a:b]))
            if share > best_share:
                best, best_share = (text[a:b].strip(), passage), share
    return best
