"""The one-line hooks the API, the OpenAI-compatible endpoint and the chat call to log an answer.

They only look up the app's question log (None when ZHIKU_QUESTION_LOG=off) and who asked; the
log itself queues and returns at once.

Usage (FastAPI):
    answer = assistant.ask(question)
    log_answer(request, answer, "api")
    events = logged_stream(request, assistant.stream(question), "stream")
"""

from __future__ import annotations

from collections.abc import Iterator

from index.store import Where
from rag.records import Answer
from ui.admin import user_name
from ui.question_log import DEFAULT_COLLECTIONS, QuestionLog, logged


def question_log_of(request) -> QuestionLog | None:
    return getattr(request.app.state, "question_log", None)


def searched(where: Where | None) -> tuple[str, ...]:
    """The knowledge bases a question searched, as the log records them."""
    return tuple(where.collections) if where is not None and where.collections is not None else DEFAULT_COLLECTIONS


def log_answer(request, answer: Answer | None, channel: str, conversation_id: str | None = "",
               where: Where | None = None) -> None:
    question_log = question_log_of(request)
    if question_log is not None and answer is not None:
        question_log.record(answer, user=user_name(request, request.app.state.settings), channel=channel,
                            conversation_id=conversation_id or "", collections=searched(where))


def logged_stream(request, events: Iterator[str | Answer], channel: str,
                  conversation_id: str | None = "", where: Where | None = None) -> Iterator[str | Answer]:
    return logged(events, question_log_of(request), user=user_name(request, request.app.state.settings),
                  channel=channel, conversation_id=conversation_id or "", collections=searched(where))
