"""The model's own check of an answer, after the rules: one short yes/no question to the local
model on the single sentence the answer's first citation points at ("这句资料是否直接回答了这个
问题…？"), read as the probability of 是 from the first token's logprobs (rag.chain.yes_judge).

Below `settings.verify_threshold` the answer is not trusted as it stands: it becomes the explicit
form "资料中没有直接回答这个问题的内容；资料给出的最接近的是：…[1]", which evaluation counts as
declining. A first sentence may only set the scene, so a doubted answer's later sentences have
their own source sentences judged too (at most two more): one of them answering is enough.
One prompt of ~100 tokens and one generated token: 0.9 s p50 on 2 cores.
On by default (`ZHIKU_VERIFY`); README "How zhiku decides what it can answer" has the measurements.

Usage:
    grounded = verified(grounded, prepared, yes_judge(chat_model), threshold=0.5)
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from index.text import MARKER, marker_numbers, split_sentences, strip_markers, terms
from rag.answer_edits import say_what_is_missing
from rag.citations import best_quote
from rag.near_miss import MISSING_DIRECT
from rag.points import asks_points
from rag.questions import split_question
from rag.table_cells import row_read_out

if TYPE_CHECKING:
    from rag.grounding import Grounded
    from rag.prepare import Prepared

log = logging.getLogger(__name__)

Judge = Callable[[str, str], "float | None"]  # (question, sentence) -> P(the sentence answers it)

_SEVERAL_THINGS = re.compile(r"分别|各|(?:和|与|跟|还是).{0,20}(?:谁|哪个|哪家|哪边)")
MORE_CHECKS = 2  # a doubted answer's later sentences whose sources are judged too: ~1 s each, only when doubted
NOTICE_UNVERIFIED = "生成模型复核时判断资料中的原句并未直接回答问题，以上给出资料中最接近的原句，请自行判断。"


def one_sentence_can_answer(question: str) -> bool:
    """Whether one cited sentence could answer the whole question: not a question of several parts
    ("哪年设立的？…多少家？"), about several things ("各是多少", "A和B谁更多") or asking an article's
    points, whose answers cite several sentences (the judge, shown one, doubts them all)."""
    return len(split_question(question)) == 1 and not _SEVERAL_THINGS.search(question) and not asks_points(question)


def verified(grounded: Grounded, prepared: Prepared, judge: Judge, threshold: float) -> Grounded:
    """`grounded` unchanged when the judge finds its cited sentence answers the question (or cannot
    tell); otherwise the explicit "资料中没有…；资料给出的最接近的是…" form. Answers already
    refused, already a near miss, or to a question one sentence cannot answer are not asked about."""
    if grounded.refused or grounded.missing:
        return grounded
    if not one_sentence_can_answer(prepared.standalone):
        return grounded
    if not grounded.citations:  # rag.grounding.tied_to_passages leaves none such; nothing to read
        return grounded
    judged = grounded.citations[0]
    sentence = judged.quote.strip()
    if not sentence:
        return grounded
    # a table row is judged with its columns' names: "2017年3月 湖北 30" alone says nothing of what 30 counts
    for candidate in [row_read_out(judged.chunk.text, sentence), *_answers_own_sources(grounded, sentence)]:
        try:
            p_yes = judge(prepared.standalone, candidate)
        except Exception as exc:  # the check is a refinement: a failing call leaves the answer as it was
            log.warning("verification pass failed, answer kept: %s", exc)
            return grounded
        if p_yes is None or p_yes >= threshold:
            return grounded
        log.info("verification: P(yes)=%.2f < %.2f for %r on %r", p_yes, threshold, prepared.standalone, candidate)
    return say_what_is_missing(grounded, MISSING_DIRECT, sentence, judged, NOTICE_UNVERIFIED)


def _answers_own_sources(grounded: Grounded, judged: str) -> list[str]:
    """The passage sentence each later answer sentence comes from, when it is not the one judged,
    at most MORE_CHECKS: a first sentence that sets the scene ("上海迎水作为执行事务合伙人，负责…")
    quotes a sentence that answers nothing, and the answer is in the next ("凤凰新城最终投向…[1]")."""
    by_marker = {c.n: c for c in grounded.citations}
    found: list[str] = []
    for a, b in split_sentences(grounded.text)[1:]:
        sentence = grounded.text[a:b]
        cited = [by_marker[n] for m in MARKER.finditer(sentence) for n in marker_numbers(m.group()) if n in by_marker]
        if not cited:
            continue
        source = best_quote(cited[0].chunk.text, terms(strip_markers(sentence))).strip()
        source = source and row_read_out(cited[0].chunk.text, source)
        if source and source != judged and source not in found:
            found.append(source)
    return found[:MORE_CHECKS]
