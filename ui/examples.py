"""Example questions for the empty chat screen, drawn from whatever the index holds.

Known good questions are offered only when the passage that answers them is indexed (so the
shipped demo corpus gets them); the rest are article titles turned into questions, one article per
file in turn, so any corpus gets examples. Usage: `example_questions(snapshot.chunks, t)`.
"""

from __future__ import annotations

import re
from pathlib import PurePath

from rag.records import Chunk
from ui.i18n import UIText

# (question, a phrase the answering passage holds): the demo corpus's questions with good answers
KNOWN_QUESTIONS = (
    ("私募股权基金可以通过二级市场增持北交所上市公司股票吗？", "私募投资基金备案指引"),
    ("支持扩大汽车消费包括哪些方面？", "支持扩大汽车消费包括"),
    ("成为汽车强国有哪三个标志？", "成为汽车强国有三个标志"),
    ("中央经济工作会议在什么时间举行？", "中央经济工作会议12月11日"),
)
TITLE_CHARS = (4, 30)  # shorter titles say nothing; longer ones make an unwieldy question
_SPACE = re.compile(r"\s+")


def example_questions(chunks: list[Chunk], t: UIText, limit: int = 4) -> list[str]:
    """Up to `limit` questions the index can answer: known ones first, then from titles."""
    if limit <= 0 or not chunks:
        return []
    questions = _known_questions(chunks)[:limit]
    for title in _spread_titles(chunks):
        if len(questions) >= limit:
            break
        questions.append(t("example_about", title=title))
    return questions


def _known_questions(chunks: list[Chunk]) -> list[str]:
    found = []
    for question, phrase in KNOWN_QUESTIONS:
        if any(phrase in _SPACE.sub("", c.text) for c in chunks):
            found.append(question)
    return found


def _spread_titles(chunks: list[Chunk]) -> list[str]:
    """Usable titles taken round-robin over the source files, in index order."""
    by_source: dict[str, list[str]] = {}
    for chunk in chunks:
        title = _SPACE.sub(" ", chunk.title or "").strip()
        if not _usable_title(title, chunk.source):
            continue
        titles = by_source.setdefault(chunk.source, [])
        if title not in titles:
            titles.append(title)
    spread: list[str] = []
    for i in range(max((len(v) for v in by_source.values()), default=0)):
        for titles in by_source.values():
            if i < len(titles) and titles[i] not in spread:
                spread.append(titles[i])
    return spread


def _usable_title(title: str, source: str) -> bool:
    low, high = TITLE_CHARS
    if not low <= len(title) <= high:
        return False
    if title in (source, PurePath(source).name, PurePath(source).stem):
        return False  # a file name standing in for a missing title
    return any(ch.isalpha() for ch in title)
