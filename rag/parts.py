"""The grounding rule for questions of several parts ("互通卡是哪年开始发行的？一共发了多少张？"): a
part asking a date or a figure that the answer gives none of is not left silently unanswered. A
small model often answers the part with the rarer words and drops the other.

The passages' sentence answering that part (holding the asked kind of date or figure, keeping to
what the part pins down, naming nearly all of its words) is added, quoted and cited:
"资料中与“互通卡是哪年开始发行的”对应的原文：2015年起，京津冀三省市联合发行“交通联合”互通卡[1]。"
When no shown sentence does, the answer says so: "资料中没有找到“…”所问的日期。" A date or a
figure given anywhere in the answer counts as that part's, so the rule only adds, never removes.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from index.text import split_sentences, strip_markers
from rag.answer_edits import NOT_ASKED
from rag.answer_in_hand import answering_sentence, states_asked_kind
from rag.asked_kind import kind_not_given
from rag.citations import inline_quote
from rag.constraints import Constraints, constraints_of
from rag.figure_kinds import counted_kinds, figure_kinds
from rag.questions import BACK_REFERENCE, date_pattern, split_question
from rag.records import Chunk, Citation, Passage

if TYPE_CHECKING:  # grounding imports this rule; the types are only for readers and checkers
    from rag.grounding import Grounded
    from rag.prepare import Prepared

NOTICE_PART_ADDED = "生成模型没有回答问题中的某一问，以上已补上资料原文，或说明资料中没有。"


def each_part_answered(grounded: Grounded, prepared: Prepared) -> Grounded:
    """`grounded` with a line for each part whose asked date or figure it does not give."""
    if grounded.refused or grounded.missing or not grounded.citations:
        return grounded
    parts = split_question(prepared.standalone)
    if len(parts) < 2:
        return grounded
    # what the answer gives, without the sentences saying whose a figure it took out is ("“…”是全年的数字，不是问题所问的…")
    answer = "".join(s for s in map(strip_markers, _sentences(grounded.text)) if NOT_ASKED not in s)
    lines: list[str] = []
    citations = list(grounded.citations)
    for part in parts:
        asked = constraints_of(part)
        kind = kind_not_given(part, answer, asked.value) or _count_not_given(asked, answer)
        if not kind:
            continue
        asked_part = part.rstrip("？?；;！! ").replace("“", "‘").replace("”", "’")  # quoted inside “…”
        found = _sentence_answering(part, asked, prepared.passages)
        unreferenced = BACK_REFERENCE.sub("", part)
        if found is None and unreferenced != part:
            # "那座城市现在有多少家高新技术企业": the articles name the city, never "那座城市"; the
            # city is the one the answer is about, so only the articles it cites are searched
            articles = {(c.chunk.source, c.chunk.title) for c in grounded.citations}
            found = _sentence_answering(unreferenced, constraints_of(unreferenced), [
                p for p in prepared.passages if (p.chunk.source, p.chunk.title) in articles])
        if found is None:
            lines.append(f"资料中没有找到“{asked_part}”所问的{kind}。")
            continue
        sentence, chunk = found
        n = next((c.n for c in citations if c.chunk.id == chunk.id), len(citations) + 1)
        if n > len(citations):
            citations.append(Citation(n, chunk, sentence))
        lines.append(f"资料中与“{asked_part}”对应的原文：{inline_quote(sentence)}[{n}]。")
    if not lines:
        return grounded
    return replace(grounded, text="\n".join([grounded.text, *lines]), citations=citations,
                   notice=grounded.notice or NOTICE_PART_ADDED)


def _sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text)]


def _count_not_given(asked: Constraints, answer: str) -> str:
    """"数字" when the part asks a count of one thing ("走了多少家重点企业") and the answer's counts
    all count others ("诉求67条"), or it gives no count ("占总参展商的12%"): another part's figure
    does not answer this one."""
    counted = counted_kinds(answer)
    if not asked.counted or asked.counted in counted:
        return ""
    return "数字" if counted or asked.unit not in figure_kinds(answer) else ""


def _sentence_answering(part: str, asked: Constraints, passages: list[Passage]) -> tuple[str, Chunk] | None:
    """The shown sentence holding the date or figure `part` asks, keeping to what it pins down and
    naming the most of its words (rag.answer_in_hand); None when no sentence does."""
    pattern = date_pattern(part)
    if pattern is not None:
        asked_dates = set(pattern.findall(part))  # "2024年…哪天": 2024年 is not the answer
        return answering_sentence(part, asked, passages, lambda sentence: bool(set(pattern.findall(sentence)) - asked_dates),
                                  lead=True)
    return answering_sentence(part, asked, passages, states_asked_kind(asked), lead=True)
