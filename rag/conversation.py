"""Conversation memory: past turns, bounded, and follow-up questions made standalone.

Usage:
    history = bounded(history, settings.history_turns)
    standalone = standalone_question("那PMI呢？", history, rewrite)   # rewrite: the LLM, or None
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from index.text import strip_markers

ANSWER_CHARS_IN_HISTORY = 200  # older answers are context, not something to re-read in full
MAX_STANDALONE_CHARS = 300
# Words that make a question lean on what was said before.
_FOLLOW_UP = re.compile(r"^(那|那么|还有|另外|再|它|他|她|这|该|其|上述|前者|后者|第[一二三四五六七八九十\d]+)|它|他们|她们|这个|那个|这些|那些|上面|刚才|展开|详细说说|具体说说|去年呢|今年呢|呢[？?]?$")

# (the conversation as text, the follow-up) -> the question rewritten to stand alone; an LLM call
Rewrite = Callable[[str, str], str]


@dataclass(frozen=True)
class Turn:
    """One past exchange of a conversation."""

    question: str
    answer: str


def bounded(history: list[Turn] | None, turns: int) -> list[Turn]:
    return list(history or [])[-turns:] if turns > 0 else []


def shown_answer(turn: Turn) -> str:
    """A past answer as the model sees it again: no markers, its start only."""
    return strip_markers(turn.answer)[:ANSWER_CHARS_IN_HISTORY]


def history_text(history: list[Turn]) -> str:
    return "\n".join(f"用户：{t.question}\n助手：{shown_answer(t)}" for t in history)


def needs_condensing(question: str, history: list[Turn]) -> bool:
    """Only follow-ups are rewritten: a standalone question skips the extra LLM call."""
    return bool(history) and (len(question) <= 12 or bool(_FOLLOW_UP.search(question.strip())))


def naive_standalone(question: str, history: list[Turn]) -> str:
    """Without an LLM: carry the previous question along, which keeps retrieval on topic."""
    return f"{history[-1].question} {question}" if history else question


def standalone_question(question: str, history: list[Turn], rewrite: Rewrite | None = None) -> str:
    """The question retrieval searches: a follow-up rewritten by `rewrite` when there is one,
    else carried along naively; any other question as it is."""
    if not needs_condensing(question, history):
        return question
    if rewrite is None:
        return naive_standalone(question, history)
    try:
        text = rewrite(history_text(history), question).strip()
    except Exception:  # a failing LLM must not stop retrieval
        return naive_standalone(question, history)
    first_line = text.splitlines()[0].strip() if text else ""
    return first_line[:MAX_STANDALONE_CHARS] or naive_standalone(question, history)
