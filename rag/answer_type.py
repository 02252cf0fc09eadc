"""A question asking "when" is answered by a passage holding a date.

"Sora是哪天发布的？" shares its words with every article about Sora, so the passage that says
"2月16日" can rank fourth behind commentary without a date. When the best hit holds no date
of the asked kind, the best one that does (within the first few) moves to the front. One move
at most: relevance order otherwise stands.

Usage: `hits = prefer_answer_type(question, hits)`.
"""

from __future__ import annotations

import re
from dataclasses import replace

from index.records import Hit

WINDOW = 5  # a hit further down is too far from the question to jump ahead of the best one

_DAY = re.compile(r"\d{1,2}\s*月\s*\d{1,2}\s*[日号]|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}")
_YEAR = re.compile(r"\d{4}\s*年")
# what the question asks for -> the pattern a passage answering it holds
_ASKS = [
    (re.compile(r"哪天|哪一天|几号|哪一日|什么日子|哪两天|哪几天|几月几日|日期"), _DAY),
    (re.compile(r"哪年|哪一年|什么年份|哪个年份"), _YEAR),
    # "发布时间", "什么时候"; not a duration ("多长时间", "一段时间")
    (re.compile(r"什么时候|何时|(?<![长段少多])时间(?!段)"), re.compile(f"{_DAY.pattern}|{_YEAR.pattern}|\\d{{1,2}}\\s*月")),
]


def date_pattern(question: str) -> re.Pattern[str] | None:
    """The pattern of the date the question asks for, or None when it asks no date."""
    for asks, pattern in _ASKS:
        if asks.search(question):
            return pattern
    return None


def prefer_answer_type(question: str, hits: list[Hit]) -> list[Hit]:
    """`hits` with the best dated hit first when the question asks a date and the top hit has none."""
    pattern = date_pattern(question)
    if pattern is None or not hits or pattern.search(hits[0].chunk.text):
        return hits
    for i, hit in enumerate(hits[1:WINDOW], start=1):
        if pattern.search(hit.chunk.text):
            moved = [hit, *hits[:i], *hits[i + 1 :]]
            return [replace(h, rank=r) for r, h in enumerate(moved, start=1)]
    return hits
