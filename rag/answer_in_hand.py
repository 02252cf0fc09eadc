"""When the model declines with the answer in hand: the first passage has a sentence that states a
figure of the asked kind and keeps to every constraint of the question (its year, period, measure
and subject, rag.constraints) while naming nearly all of the question's terms. That sentence is
the answer, quoted and cited, and labelled as taken from the passage: a small model refuses
answerable questions now and then, and a refusal with the fact in passage [1] helps nobody. So
is an answer whose every figure is invented ("河北省占三地里程的84.21%" over "河北省8421公里").
Quoted whole, each of its figures stands with its own subject, so it is not bound again
(rag.near_miss).

Only value questions qualify ("…多少…", a unit asked, and a year or a named subject to hold the
sentence to): what a list or a reason question needs cannot be checked sentence by sentence.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from index.text import compact, overlap, split_sentences, terms
from rag.binding import stated_figures
from rag.constraints import Constraints, find_mismatch
from rag.figure_kinds import figure_kinds
from rag.periods import dated_years
from rag.evidence import question_terms
from rag.names import kind_words
from rag.records import Chunk, Passage

if TYPE_CHECKING:  # prepare shows the answering sentence past the budget (rag.answer_context), so imports this
    from rag.prepare import Prepared

NOTICE_IN_HAND = "生成模型判断资料不足以回答，但第一段资料中的这句话符合问题的各项条件：以上为原句摘录。"
NOTICE_IN_HAND_INVENTED = "生成模型的回答含有资料中没有的数字或名称，未予采用；第一段资料中的这句话符合问题的各项条件：以上为原句摘录。"
IN_HAND_NOTICES = (NOTICE_IN_HAND, NOTICE_IN_HAND_INVENTED)  # the answer is the passage's sentence, quoted whole
MIN_COVERAGE = 0.7  # weighted share of the question's content terms in the sentence and its title


def sentence_in_hand(prepared: Prepared) -> str:
    """The sentence of passage [1] that answers the question by every check; "" when none does."""
    asked = prepared.constraints
    if not (asked.value and asked.unit) or asked.compares or not prepared.passages:
        return ""
    if not (asked.years or asked.names or _titled(prepared.standalone, prepared.passages[0].chunk)):
        return ""
    found = answering_sentence(prepared.standalone, asked, prepared.passages[:1],
                               lambda sentence: asked.unit in figure_kinds(sentence))
    if not found:
        return ""
    sentence, chunk = found
    # overriding the model, the sentence itself (or its headline) names what is asked: a passage naming
    # 美国 somewhere does not make "2023年中国出口到墨西哥的汽车为41.5万辆" the answer for 美国
    said = compact(chunk.title + sentence)
    return sentence if all(compact(name) in said for name in asked.names - asked.described) else ""


def _titled(question: str, chunk: Chunk) -> bool:
    """Whether the question names what `chunk`'s article is about, by a noun of three characters or
    more its title says ("金融街" of "北京金融街有何魅力？"): a subject to hold the sentence to, where
    jieba knows no name."""
    title = compact(chunk.title)
    return any(len(word) >= 3 and word in title for word in kind_words(question))


def states_asked_kind(asked: Constraints) -> Callable[[str], bool]:
    """Whether a sentence states a figure of the kind `asked` asks (any figure when it names none)."""
    return lambda sentence: bool(stated_figures(sentence)) and (not asked.unit or asked.unit in figure_kinds(sentence))


def answering_sentence(question: str, asked: Constraints, passages: list[Passage],
                       holds_asked: Callable[[str], bool], lead: bool = False) -> tuple[str, Chunk] | None:
    """The sentence and chunk of `scored_answering_sentence`; None when no sentence answers."""
    found = scored_answering_sentence(question, asked, passages, holds_asked, lead)
    return found[:2] if found else None


def scored_answering_sentence(question: str, asked: Constraints, passages: list[Passage],
                              holds_asked: Callable[[str], bool], lead: bool = False) -> tuple[str, Chunk, float] | None:
    """The passages' sentence that `holds_asked` (the kind of figure or date asked), keeps to every
    constraint of the question and names the most of its content terms, at least MIN_COVERAGE (the
    first such on a tie), with that share; None when no sentence does. Also used for a part of a question
    (rag.parts), with `lead`: the sentence's paragraph before it counts towards the terms it names
    ("2024年世界移动通信大会(MWC 2024)…开幕。…同时，还有超过300家中国企业参展" answers "MWC 2024上有多少家中国企业参展")."""
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
            if not asked.years <= dated_years(chunk.title + "\n" + chunk.text[:b]):
                # the asked year is said by the sentence, its title or the passage before it: a
                # sentence that only names no other year ("其中，北京独角兽企业75家") is no one year's answer
                continue
            # with its title (a sentence may leave the subject to it); on a tie, by its own words:
            # a title naming the question covers every sentence of its article alike
            said = _paragraph_before(chunk.text, a) + sentence if lead else sentence
            coverage = (overlap(wanted, terms(chunk.title + "\n" + said)), overlap(wanted, terms(sentence)))
            if coverage[0] < MIN_COVERAGE:
                continue
            if coverage > best_coverage or best is None:
                best, best_coverage = (sentence, chunk), coverage
    return (*best, best_coverage[0]) if best else None


def _paragraph_before(text: str, at: int) -> str:
    """The text of `at`'s paragraph before it."""
    return text[text.rfind("\n", 0, at) + 1 : at]
