"""Conversation memory: past turns, bounded, and follow-up questions made standalone."""

from __future__ import annotations

import re
from dataclasses import dataclass

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage

from index.text import strip_markers

ANSWER_CHARS_IN_HISTORY = 200  # older answers are context, not something to re-read in full
# Words that make a question lean on what was said before.
_FOLLOW_UP = re.compile(r"^(那|那么|还有|另外|再|它|他|她|这|该|其|上述|前者|后者|第[一二三四五六七八九十\d]+)|它|他们|她们|这个|那个|这些|那些|上面|刚才|展开|详细说说|具体说说|去年呢|今年呢|呢[？?]?$")


@dataclass(frozen=True)
class Turn:
    """One past exchange of a conversation."""

    question: str
    answer: str


def bounded(history: list[Turn] | None, turns: int) -> list[Turn]:
    return list(history or [])[-turns:] if turns > 0 else []


def history_messages(history: list[Turn]) -> list[BaseMessage]:
    messages: list[BaseMessage] = []
    for turn in history:
        messages.append(HumanMessage(turn.question))
        messages.append(AIMessage(strip_markers(turn.answer)[:ANSWER_CHARS_IN_HISTORY]))
    return messages


def history_text(history: list[Turn]) -> str:
    return "\n".join(
        f"用户：{t.question}\n助手：{strip_markers(t.answer)[:ANSWER_CHARS_IN_HISTORY]}" for t in history
    )


def needs_condensing(question: str, history: list[Turn]) -> bool:
    """Only follow-ups are rewritten: a standalone question skips the extra LLM call."""
    return bool(history) and (len(question) <= 12 or bool(_FOLLOW_UP.search(question.strip())))


def naive_standalone(question: str, history: list[Turn]) -> str:
    """Without an LLM: carry the previous question along, which keeps retrieval on topic."""
    return f"{history[-1].question} {question}" if history else question
