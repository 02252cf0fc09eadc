"""Grounding: the model's text held against the passages by rules that run in one order, each
`(Grounded, Prepared) -> Grounded`; a rule that refuses stops the rest.

    declined       the model says the passages do not hold the answer
    no_repeats     a small model loops, writing a sentence it already wrote
    no_inventions  figures, days and names (people, places, organisations) no passage holds are dropped,
                   with their clause
    cited          every [n] checked against the passage it points at (rag/citations.py)
    tied_to_passages  an answer no passage supports (citing nothing once repaired) is not given:
                   the sentence closest to the question is quoted as "资料中没有直接回答…；…最接近的是：…",
                   unless the answer is a name or figure alone, or the question restated with a figure,
                   that this sentence says
    approximations_kept  a figure the article gives as approximate ("8000余人") keeps its 余/多
                   (rag/approximate.py)
    respectively_kept  items paired with quoted terms by "分别" in the article's order (rag/respective.py)
    kept_to_question  a figure from a sentence about another year, period, measure or subject, or a
                   plan where an outcome is asked, becomes "资料中没有…；资料给出的是…" (rag/near_miss.py);
                   a figure the sentence binds to another subject (its clause, its compared
                   name, its place in a 分别 list), or a table cell of another row or column, is
                   replaced (rag/binding.py, rag/respective.py, rag/table_cells.py)
    gives_asked_kind  asked for a date or a figure, an answer giving none quotes the closest sentence
                   as "资料中没有写明问题所问的日期；资料给出的最接近的是：…" (rag/asked_kind.py)
    each_part_answered  a part of a several-part question whose date or figure the answer does not
                   give gets the passages' sentence answering it, cited, or "资料中没有找到…" (rag/parts.py)
    kept_points    asked for an article's points, the ones its enumeration (一是/二是…) has and the
                   answer leaves out are added in the article's words (rag/points.py)

A new rule is one function and one line in MODEL_RULES. An extracted answer is made of the
passages' own sentences: only its citations are checked (EXTRACT_RULES).

Inventions: "瑞幸2023年净利润24.86亿元" over passages that give 248.6亿元 of sales; "主任委员是
王小虎" over passages that name nobody. The clauses stating them are dropped ("A为150亿，B为100亿"
keeps A's half), or the whole sentence when its first clause, which carries the subject, is one
of them; with nothing left, the question is treated as not answered by the articles. Numbers and
names the question itself contains, years and list numbering ("1. ") are not checked. A month or a
day is no amount: "相比 10 月份翻了一倍" holds no "缩短了10倍"; nor is a percentage: "同比下降1.09%" holds
no "亏损1.1亿元".

Usage:
    grounded = ground(llm_text, prepared)   # .text .citations .refused .notice
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from index.text import (
    CLOSERS,
    MARKER,
    TERMINATORS,
    figure_terms,
    figures,
    month_days,
    normalize,
    split_sentences,
    strip_markers,
    terms,
    weighed_alike,
)
from rag.answer_edits import say_what_is_missing
from rag.answer_in_hand import MIN_COVERAGE, NOTICE_IN_HAND, NOTICE_IN_HAND_INVENTED, sentence_in_hand
from rag.approximate import approximations_kept
from rag.asked_kind import gives_asked_kind
from rag.citations import FIGURE_TOLERANCE, LIST_NUMBER, closest_citation, verify_citations
from rag.evidence import is_model_refusal, telling_coverage
from rag.names import proper_names
from rag.near_miss import MISSING_DIRECT, kept_to_question
from rag.parts import each_part_answered
from rag.points import kept_points
from rag.prepare import Prepared
from rag.respective import respectively_kept
from rag.records import Citation, Passage

log = logging.getLogger(__name__)

NOTICE_MODEL_DECLINED = "生成模型判断资料不足以回答；检索到的段落仍列在来源中，可自行查看。"
NOTICE_INVENTED = "生成模型的回答含有资料中没有的数字或名称，未予采用；检索到的段落仍列在来源中，可自行查看。"
NOTICE_PARTLY_INVENTED = "已删去生成模型回答中资料里没有的数字或名称（连同所在的分句）。"
NOTICE_BARE = "生成模型只给出了答案本身，没有标注出处；以上标注的是资料中说到它、又最贴近问题的原句。"
NOTICE_RESTATED = "生成模型把问题复述了一遍、填上了答案，没有标注出处；以上标注的是资料中说到这个答案、又最贴近问题的原句。"
NOTICE_UNCITED = "生成模型的回答在资料中找不到出处，以上给出资料中最接近的原句，请自行判断。"

_CLAUSE = re.compile(r"(?<=[，；;])")  # a clause keeps its comma; ASCII commas group thousands
# a number naming a month or a day ("10 月份", "27日", "5号"): held for a date, never for an amount
_DATE_NUMBER = re.compile(r"\d+\s*(?=[月日号])")
# a percentage is no amount: "同比下降1.09%" holds no "亏损1.1亿元"
_PERCENT_NUMBER = re.compile(r"\d+(?:\.\d+)?\s*(?=%|％|个百分点)")
_AMOUNT = re.compile(r"(\d+(?:\.\d+)?)\s*(?=[万亿千百]*(?:元|美元|港元|欧元|英镑|日元)|[万亿])")
# an answer that is the name or figure alone: "古远新", "1.6万亿元"; not a yes or a no
_BARE = re.compile(r"[^\s。，,；;：:！？!?、“”\"]{2,16}")
_YES_OR_NO = frozenset("不是 没有 不对 不会 不能 可以 不可以 需要 不需要".split())
# what follows a sentence's last word: markers, stops, closing quotes, spaces
_SENTENCE_END = re.compile(rf"(?:{MARKER.pattern}|[\s.{TERMINATORS}{CLOSERS}])*$")


@dataclass(frozen=True)
class Grounded:
    """The answer's text as the rules leave it."""

    text: str
    citations: list[Citation] = field(default_factory=list)
    refused: bool = False  # nothing stands: the articles are taken not to hold the answer
    notice: str = ""  # what a rule did, told to the user
    missing: str = ""  # a near miss: what the question asks that the articles do not give


REFUSED = Grounded("", refused=True)
Rule = Callable[[Grounded, Prepared], Grounded]


def ground(text: str, prepared: Prepared, rules: tuple[Rule, ...] | None = None) -> Grounded:
    """`text` after `rules` (MODEL_RULES by default), in order, until one refuses."""
    grounded = Grounded(text)
    for rule in MODEL_RULES if rules is None else rules:
        grounded = rule(grounded, prepared)
        if grounded.refused:
            break
    return grounded


def declined(grounded: Grounded, prepared: Prepared) -> Grounded:
    """The evidence passed the retrieval gate, but near misses (the right topic, not the asked
    fact) pass it too: the model reading the passages is the better judge of those."""
    if is_model_refusal(grounded.text):
        return _in_hand_or_refused(grounded, prepared, NOTICE_IN_HAND, NOTICE_MODEL_DECLINED)
    return grounded


def _in_hand_or_refused(grounded: Grounded, prepared: Prepared, answered: str, refused: str) -> Grounded:
    """The sentence of passage [1] stating the asked figure by every check, as the answer with
    notice `answered`; a refusal with notice `refused` when there is none."""
    in_hand = sentence_in_hand(prepared)
    if in_hand:
        return replace(grounded, text=f"{in_hand.rstrip('。')}[1]。", notice=answered)
    return replace(grounded, text="", refused=True, notice=refused)


def no_repeats(grounded: Grounded, prepared: Prepared) -> Grounded:
    return replace(grounded, text=drop_repeats(grounded.text))


def no_inventions(grounded: Grounded, prepared: Prepared) -> Grounded:
    text, invented = drop_unsupported(grounded.text, prepared.passages, prepared.standalone)
    if invented:
        log.info("dropped sentences with figures or names no passage holds: %s", invented)
    if not text:  # all of it invented ("河北省占84.21%" over "河北省8421公里"): passage [1] may still answer
        return _in_hand_or_refused(grounded, prepared, NOTICE_IN_HAND_INVENTED, NOTICE_INVENTED)
    return replace(grounded, text=text, notice=NOTICE_PARTLY_INVENTED if invented else grounded.notice)


def cited(grounded: Grounded, prepared: Prepared) -> Grounded:
    text, citations = verify_citations(grounded.text, prepared.passages, prepared.standalone)
    return replace(grounded, text=text, citations=citations)


def tied_to_passages(grounded: Grounded, prepared: Prepared) -> Grounded:
    """Every claim is tied to a passage: an answer citing nothing once its citations are repaired
    (no passage clearly holds it: most often the model's own knowledge, "口号是“一起向未来”" over
    passages that never say so) is not given as an answer. The passage sentence closest to the
    question and the answer, each weighing alike, is quoted instead, as the closest the articles
    come: the answer's words point at the sentence the model read ("大众汽车…第六位"), which the
    question's longer description of the article ("汽车管理中心（CAM）那份车企创新排名") would outweigh."""
    if grounded.refused or grounded.missing or grounded.citations:
        return grounded
    closest = closest_citation(weighed_alike(terms(prepared.standalone), terms(strip_markers(grounded.text))),
                               prepared.passages)
    if closest is None or not closest.quote.strip():
        return replace(grounded, text="", refused=True, notice=NOTICE_UNCITED)
    bare = strip_markers(grounded.text).strip().rstrip("。.")
    if _BARE.fullmatch(bare) and bare not in _YES_OR_NO and bare not in prepared.standalone and bare in closest.quote \
            and telling_coverage(prepared.standalone, closest.chunk.title + "\n" + closest.quote) >= MIN_COVERAGE:
        # the name or figure alone ("古远新"), which the sentence closest to the question says, naming
        # nearly all of the question with its headline: that sentence is its source
        return replace(grounded, text=f"{bare}[1]", citations=[replace(closest, n=1)], notice=NOTICE_BARE)
    if _restated_with_figure(bare, prepared.standalone, closest):
        return replace(grounded, text=f"{bare}[1]。", citations=[replace(closest, n=1)], notice=NOTICE_RESTATED)
    return say_what_is_missing(grounded, MISSING_DIRECT, closest.quote, closest, NOTICE_UNCITED)


def _restated_with_figure(answer: str, question: str, closest: Citation) -> bool:
    """Whether `answer` is the question restated with its figure filled in ("50家企业放出来的岗位里，
    专门给应届生的有830个"): one sentence whose words beyond the question's are a figure and what the
    closest sentence says with it, which names nearly all of the question with its headline and the
    paragraph before it ("…专场直播带岗活动。50家优质企业发布人才需求岗位1332个，其中应届生岗位830个").
    The question's own words, in the model's paraphrase, are no claim a passage must hold."""
    if len(split_sentences(answer)) != 1:
        return False
    asked = terms(question)
    added = {t: w for t, w in terms(answer).items() if t not in asked}
    if not figures(added) or not added.keys() <= terms(closest.quote).keys():
        return False
    text = closest.chunk.text
    at = text.find(closest.quote)
    lead = text[text.rfind("\n", 0, at) + 1 : at] if at > 0 else ""
    return telling_coverage(question, closest.chunk.title + "\n" + lead + closest.quote) >= MIN_COVERAGE


MODEL_RULES: tuple[Rule, ...] = (declined, no_repeats, no_inventions, cited, tied_to_passages, approximations_kept,
                                 respectively_kept, kept_to_question, gives_asked_kind, each_part_answered, kept_points)
EXTRACT_RULES: tuple[Rule, ...] = (cited,)


# --- the checks behind the rules -------------------------------------------------------------------


def drop_unsupported(text: str, passages: list[Passage], question: str) -> tuple[str, list[str]]:
    """`text` without the clauses stating a figure, a day or a name absent from every passage,
    and what was dropped."""
    source = "\n".join(p.chunk.title + "\n" + p.chunk.text for p in passages)
    held = figures(terms(source))
    values = figures(terms(_DATE_NUMBER.sub(" ", source)))  # a month or a day is no amount: "10 月份" holds no 10倍
    amounts = figures(terms(_PERCENT_NUMBER.sub(" ", _DATE_NUMBER.sub(" ", source))))  # nor is a percentage
    asked = figures(terms(question))
    named = normalize(source + "\n" + question)
    dated = month_days(source + "\n" + question)

    def invented(span: str) -> bool:
        plain = LIST_NUMBER.sub("", strip_markers(span))
        stated = figure_terms(terms(plain))
        if any(float(t) not in asked and not _held(t, held) for t in stated):
            return True
        stated_values = figure_terms(terms(_DATE_NUMBER.sub(" ", plain)))
        if any(float(t) not in asked and not _held(t, values) for t in stated_values):
            return True
        if any(float(t) not in asked and not _held(t, amounts) for t in _AMOUNT.findall(plain)):
            return True
        if month_days(span) - dated:
            return True
        return any(normalize(n) not in named for n in proper_names(span))

    kept: list[str] = []
    dropped: list[str] = []
    for a, b in split_sentences(text):
        sentence = text[a:b]
        if not invented(sentence):
            kept.append(sentence)
            continue
        trimmed, removed = _without_invented_clauses(sentence, invented)
        kept.append(trimmed)
        dropped.extend(removed)
    return "".join(kept).strip(), dropped


def _without_invented_clauses(sentence: str, invented: Callable[[str], bool]) -> tuple[str, list[str]]:
    """The sentence minus its invented clauses, with its markers and full stop; "" when the
    first clause is invented or the sentence is one clause."""
    end = _SENTENCE_END.search(sentence).group()
    clauses = _CLAUSE.split(sentence[: len(sentence) - len(end)])
    flags = [invented(c) for c in clauses] if len(clauses) > 1 else [True]
    if flags[0]:
        return "", [sentence.strip()]
    removed = [c.strip() for c, bad in zip(clauses, flags) if bad]
    kept = "".join(c for c, bad in zip(clauses, flags) if not bad).rstrip("，；;, ")
    return kept + end, removed


def _held(stated: str, held: list[float]) -> bool:
    """Some passage figure, written to the stated precision, is the stated one: 58 for 57.9 and
    7 for 7.1 are roundings; 7.1 for 7 is more precise than the article, so not from it. Whole
    numbers may also round more loosely ("超500万辆" for 491万辆)."""
    value = float(stated)
    decimals = len(stated.partition(".")[2])
    half_unit = 0.5 * 10**-decimals + 1e-9
    loose = FIGURE_TOLERANCE if decimals == 0 else 0.0
    return any(abs(value - h) <= max(half_unit, loose * max(value, h)) for h in held)


def drop_repeats(text: str) -> str:
    """`text` without sentences that repeat an earlier one (markers and spacing aside)."""
    seen: set[str] = set()
    kept: list[str] = []
    for a, b in split_sentences(text):
        sentence = text[a:b]
        key = "".join(strip_markers(sentence).split())
        if key and key in seen:
            continue
        seen.add(key)
        kept.append(sentence)
    return "".join(kept).strip()
