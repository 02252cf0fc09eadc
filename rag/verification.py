"""The model's own check of an answer, after the rules: one short yes/no question to the local
model on the single sentence the answer's first citation points at ("这句资料是否直接回答了这个
问题…？"), read as the probability of 是 from the first token's logprobs (rag.chain.yes_judge).

Below `settings.verify_threshold` the answer is not trusted as it stands: it becomes the explicit
form "资料中没有直接回答这个问题的内容；资料给出的最接近的是：…[1]", which evaluation counts as
declining. One prompt of ~80 tokens and one generated token: a fraction of a second on a CPU.
Off by default (`ZHIKU_VERIFY`): see README "How zhiku decides what it can answer" for why.

Usage:
    grounded = verified(grounded, prepared, yes_judge(chat_model), threshold=0.5)
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from rag.citations import inline_quote
from rag.points import asks_points
from rag.questions import split_question

if TYPE_CHECKING:
    from rag.grounding import Grounded
    from rag.prepare import Prepared

log = logging.getLogger(__name__)

Judge = Callable[[str, str], "float | None"]  # (question, sentence) -> P(the sentence answers it)

MISSING_UNVERIFIED = "资料中没有直接回答这个问题的内容；资料给出的最接近的是"
NOTICE_UNVERIFIED = "生成模型复核时判断引用的原句并未直接回答问题，以上给出资料中最接近的原句，请自行判断。"


def cited_sentence(grounded: Grounded) -> str:
    """The sentence the answer's first citation points at ("" when it cites nothing)."""
    return grounded.citations[0].quote.strip() if grounded.citations else ""


def one_sentence_can_answer(question: str, compares: bool) -> bool:
    """Whether one cited sentence could answer the whole question: not a question of several parts
    ("哪年设立的？…多少家？"), a comparison ("各是多少") or a request for an article's points, whose
    answers cite several sentences (the judge, shown one, doubts them all)."""
    return len(split_question(question)) == 1 and not compares and not asks_points(question)


def verified(grounded: Grounded, prepared: Prepared, judge: Judge, threshold: float) -> Grounded:
    """`grounded` unchanged when the judge finds its cited sentence answers the question (or cannot
    tell); otherwise the explicit "资料中没有…；资料给出的最接近的是…" form. Answers already
    refused, already a near miss, citing nothing, or to a question one sentence cannot answer
    are not asked about."""
    sentence = cited_sentence(grounded)
    if grounded.refused or grounded.missing or not sentence:
        return grounded
    if not one_sentence_can_answer(prepared.standalone, prepared.constraints.compares):
        return grounded
    try:
        p_yes = judge(prepared.standalone, sentence)
    except Exception as exc:  # the check is a refinement: a failing call leaves the answer as it was
        log.warning("verification pass failed, answer kept: %s", exc)
        return grounded
    if p_yes is None or p_yes >= threshold:
        return grounded
    log.info("verification: P(yes)=%.2f < %.2f for %r on %r", p_yes, threshold, prepared.standalone, sentence)
    shown = inline_quote(sentence)
    kept = replace(grounded.citations[0], n=1)
    return replace(grounded, text=f"{MISSING_UNVERIFIED}：{shown}[1]。", citations=[kept],
                   missing=MISSING_UNVERIFIED, notice=NOTICE_UNVERIFIED)
