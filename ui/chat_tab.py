"""The chat tab's handlers: a question in, the streamed, cited answer out, and the feedback on it.

The conversation of each browser session lives in a gr.State: a list of exchanges (plain dicts,
one per assistant message) from which the chat, the history passed to the assistant, the sources
panel and feedback are all derived. Every message is HTML built by ui/render.py from escaped text.

Usage (ui/gradio_app.py wires them to the components):
    chat = ChatHandlers(assistant, settings, feedback, t)
    question.submit(chat.respond, inputs=[question, exchanges], outputs=[chatbot, sources, question, exchanges])
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from itertools import islice
from typing import Any, TypedDict

import gradio as gr

from index.errors import ZhikuError
from rag.assistant import Assistant
from rag.conversation import Turn
from rag.records import Answer, Found
from rag.settings import Settings
from ui import render
from ui.examples import example_questions
from ui.feedback import FeedbackStore, produced_by
from ui.i18n import UIText
from ui.page_access import PageAccess
from ui.question_hooks import searched
from ui.question_log import QuestionLog
from ui.serialize import citation_to_dict

log = logging.getLogger(__name__)
EXAMPLE_SCAN = 5000  # chunks read from a Milvus store to draw example questions from

QUESTION_SHOWN = 2000  # characters of a question echoed in the chat (the assistant trims its own copy)
RATINGS = {True: "up", False: "down"}

# Handlers get the annotations gradio reads at run time (gr.Request, gr.SelectData, gr.LikeData
# inject those values), so every name below must exist at run time, not only for a type checker.


class Exchange(TypedDict, total=False):
    """One question and what came back, as the session's gr.State keeps it (a plain dict)."""

    ok: bool  # an answer; False: an error or notice shown instead
    question: str
    text: str  # the answer's text, as the history of the next question
    user_html: str
    answer_html: str
    sources_html: str
    citations: list[dict]
    produced_by: dict
    conversation_id: str


class Pending(TypedDict):
    """The exchange whose thumb was clicked last, waiting for a comment."""

    index: int
    rating: str
    feedback_id: int  # the row the thumb stored: a comment updates it


Message = dict[str, str]  # {"role": "user" | "assistant", "content": html}
Update = Any  # gr.skip() (leave the component as it is) or gr.update(...)
# what the chat's handlers stream: the messages, the sources panel, the question box, the state
ChatOutputs = tuple[list[Message] | Update, str | Update, str | Update, list[Exchange] | Update]


class ChatHandlers:
    """The chat tab's event handlers; state arrives and leaves through their arguments."""

    def __init__(self, assistant: Assistant, settings: Settings, feedback: FeedbackStore, t: UIText,
                 question_log: QuestionLog | None = None, access: PageAccess | None = None):
        self.assistant = assistant
        self.settings = settings
        self.feedback = feedback
        self.t = t
        self.question_log = question_log
        self.access = access or PageAccess(None)

    def llm_banner(self) -> str:
        """A visible line while the LLM starts or when it is broken; nothing when it is fine."""
        if self.settings.answerer != "llm":
            return ""
        status = self.assistant.llm_status
        if status.state == "failed":
            text = self.t("llm_failed", reason=status.reason)
        elif status.state == "starting":
            text = self.t("llm_starting", seconds=status.seconds)
        else:
            return ""
        return f"<div class='zk-banner' role='status'>{render.escape_text(text)}</div>"

    def examples(self) -> list[str]:
        try:
            retriever = self.assistant.retriever
            chunks = retriever.snapshot.chunks if retriever.snapshot is not None else [
                row.chunk for row in islice(retriever.store.iter_chunks(), EXAMPLE_SCAN)]  # Milvus: a sample
        except ZhikuError as exc:  # no index yet: the knowledge-base tab says what to do
            log.info("no examples: %s", exc)
            return []
        public = self.access.public()  # suggestions are shown to everyone: never from a restricted collection
        return example_questions([c for c in chunks if public is None or c.collection in public], self.t)

    # --- asking --------------------------------------------------------------------------------

    def respond(self, question: str, exchanges: list[Exchange], collections: list[str] | None = None,
                request: gr.Request = None) -> Iterator[ChatOutputs]:
        """Streams (chat, sources, question box, exchanges): the passages found and the extract
        (labelled 摘录) first, then the model's deltas, then the cited answer."""
        yield from self._answer(question, exchanges, collections, request)

    def regenerate(self, exchanges: list[Exchange], collections: list[str] | None, data: gr.RetryData,
                   request: gr.Request = None) -> Iterator[ChatOutputs]:
        """The same question asked again in the same conversation; the new answer replaces the old
        one (and any exchange after it)."""
        index = _exchange_index(data.index)
        exchanges = list(exchanges or [])
        if not 0 <= index < len(exchanges):
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        again = exchanges[index]
        conversation_id = again.get("conversation_id") or next(
            (e["conversation_id"] for e in exchanges if e.get("conversation_id")), None)
        yield from self._answer(again["question"], exchanges[:index], collections, request, conversation_id)

    def reopened(self, exchanges: list[Exchange] | None) -> tuple[list[Message] | Update, str | Update, str | Update,
                                                                  list[Exchange] | Update, None, Update, str]:
        """A past conversation (ui/history_panel.py) shown in the chat, its last sources beside it."""
        if not exchanges:
            return gr.skip(), gr.skip(), gr.skip(), gr.skip(), *self.close_feedback()
        return _messages(exchanges), exchanges[-1]["sources_html"], "", exchanges, *self.close_feedback()

    def _answer(self, question: str, exchanges: list[Exchange], collections: list[str] | None,
                request: gr.Request | None, conversation_id: str | None = None) -> Iterator[ChatOutputs]:
        exchanges = list(exchanges or [])
        question = question or ""
        n = len(exchanges)
        anchor = f"zk{n}"
        chat = _messages(exchanges)
        shown = question if len(question) <= QUESTION_SHOWN else question[:QUESTION_SHOWN] + "…"
        user_html = render.render_question(shown)
        if not question.strip():  # a hint, not a bubble: nothing to rate, nothing in the conversation
            gr.Info(self.t("empty_question"))
            yield gr.skip(), gr.skip(), "", gr.skip()
            return
        searching = render.render_sources_placeholder(self.t, self.t("thinking"))
        yield chat + _pair(user_html, render.render_streaming(self.t("thinking"))), searching, "", gr.skip()
        history = [Turn(e["question"], e["text"]) for e in exchanges if e["ok"]]
        conversation_id = conversation_id or next(
            (e["conversation_id"] for e in exchanges if e.get("conversation_id")), None) or uuid.uuid4().hex
        streamed: list[str] = []
        try:
            reader, where = self.access.scope(request, collections)
            events = self.access.audited(self.assistant.stream(question, history, where=where), reader, where)
            for event in events:
                if isinstance(event, Answer):
                    if self.question_log is not None:
                        self.question_log.record(event, user=self._user(request), channel="chat",
                                                 conversation_id=conversation_id, collections=searched(where))
                    covers = [title for title, _name in self.access.choices(request)] if event.refused else []
                    exchanges.append(self._exchange(event, anchor, user_html, conversation_id, covers))
                    yield _messages(exchanges), exchanges[-1]["sources_html"], gr.skip(), exchanges
                    return
                if isinstance(event, Found):  # the evidence at once; the model's text replaces the extract
                    extract = chat + _pair(user_html, render.render_extract(event, self.t, anchor))
                    yield extract, render.render_found(event, self.t, anchor), gr.skip(), gr.skip()
                    continue
                streamed.append(event)
                partial = chat + _pair(user_html, render.render_streaming("".join(streamed)))
                yield partial, gr.skip(), gr.skip(), gr.skip()
        except ZhikuError as exc:
            message = render.render_message(self.t("error", message=str(exc)), "error")
        except Exception:  # never a traceback in the chat; the log has it
            log.exception("answering %r failed", question[:200])
            message = render.render_message(self.t("error_internal"), "error")
        else:
            log.error("the assistant stream ended without an Answer")
            message = render.render_message(self.t("error_internal"), "error")
        exchanges.append(_failed(question, message, user_html))
        yield _messages(exchanges), gr.skip(), gr.skip(), exchanges

    def respond_example(self, exchanges: list[Exchange], collections: list[str] | None, data: gr.SelectData,
                        request: gr.Request = None) -> Iterator[ChatOutputs]:
        value = data.value if isinstance(data.value, dict) else {}
        yield from self.respond(str(value.get("text", "")), exchanges, collections, request)

    def collection_choices(self, request: gr.Request = None) -> Update:
        choices = self.access.choices(request)
        return gr.update(choices=choices, value=[], visible=len(choices) > 1)

    def reset(self) -> tuple[list[Message], str, str, list[Exchange], None, Update, str]:
        placeholder = render.render_sources_placeholder(self.t)
        return [], placeholder, "", [], *self.close_feedback()

    @staticmethod
    def close_feedback() -> tuple[None, Update, str]:
        return None, gr.update(visible=False), ""

    def show_sources(self, exchanges: list[Exchange], data: gr.SelectData) -> str | Update:
        exchange = _exchange_at(exchanges, data.index)
        return exchange["sources_html"] if exchange and exchange["ok"] else gr.skip()

    def _exchange(self, answer: Answer, anchor: str, user_html: str, conversation_id: str,
                  covers: list[str] | None = None) -> Exchange:
        llm = self.assistant.llm_description if answer.answerer == "llm" else ""
        return {
            "ok": True,
            "question": answer.question,
            "text": answer.text,
            "user_html": user_html,
            "answer_html": render.render_answer(answer, self.t, anchor, covers),
            "sources_html": render.render_sources(answer, self.t, anchor),
            "citations": [citation_to_dict(c) for c in answer.citations],
            "produced_by": produced_by(self.settings, answer.answerer, llm),
            "conversation_id": conversation_id,
        }

    # --- feedback ------------------------------------------------------------------------------

    def on_like(self, exchanges: list[Exchange], data: gr.LikeData,
                request: gr.Request = None) -> tuple[Pending | None, str | Update, Update, str]:
        """A thumb on an answer is stored at once; the comment box then opens for that answer."""
        index = _exchange_index(data.index)
        exchange = _exchange_at(exchanges, data.index)
        rating = RATINGS.get(data.liked) if isinstance(data.liked, bool) else None
        if exchange is None or not exchange["ok"] or rating is None:
            return None, gr.skip(), gr.update(visible=False), self.t("feedback_unavailable") if rating else ""
        feedback_id = self._record(rating, "", exchange, request)
        return ({"index": index, "rating": rating, "feedback_id": feedback_id}, rating, gr.update(visible=True),
                self.t("feedback_thanks"))

    def submit_feedback(self, rating: str, comment: str, pending: Pending | None, exchanges: list[Exchange],
                        request: gr.Request = None) -> tuple[str | Update, str]:
        """A rating with a comment for the answer whose thumb was clicked, else the latest answer.

        Also the API for programs: `client.predict("down", "数字不对", api_name="/feedback")`.
        """
        index = pending["index"] if pending else len(exchanges or []) - 1
        exchange = exchanges[index] if exchanges and 0 <= index < len(exchanges) else None
        if exchange is None or not exchange["ok"] or rating not in ("up", "down"):
            return gr.skip(), self.t("feedback_unavailable")
        if pending and pending.get("feedback_id") and self.feedback.update(pending["feedback_id"], rating,
                                                                            (comment or "").strip()):
            return "", self.t("feedback_comment_thanks")  # the thumb's row, now with its comment: one row an answer
        self._record(rating, (comment or "").strip(), exchange, request)
        return "", self.t("feedback_comment_thanks")

    def _record(self, rating: str, comment: str, exchange: Exchange, request: gr.Request | None) -> int:
        return self.feedback.record(
            rating,
            exchange["question"],
            exchange["text"],
            exchange["citations"],
            comment=comment,
            produced_by=exchange["produced_by"],
            user=self._user(request),
            conversation_id=exchange["conversation_id"],
            channel="chat",
        )

    def _user(self, request: gr.Request | None) -> str:
        """Who rated: the trusted proxy's header when configured, else the Gradio login, else ''."""
        if request is None:
            return ""
        return self.access.user(request) or (getattr(request, "username", None) or "").strip()


# --- records and messages ----------------------------------------------------------------------


def _failed(question: str, message_html: str, user_html: str | None = None) -> Exchange:
    return {"ok": False, "question": question, "user_html": user_html or render.render_question(question),
            "answer_html": message_html, "sources_html": ""}


def _pair(user_html: str, assistant_html: str) -> list[Message]:
    return [{"role": "user", "content": user_html}, {"role": "assistant", "content": assistant_html}]


def _messages(exchanges: list[Exchange]) -> list[Message]:
    return [m for e in exchanges for m in _pair(e["user_html"], e["answer_html"])]


def _exchange_index(message_index: int | list[int] | tuple[int, ...]) -> int:
    # the chat holds a (user, assistant) pair per exchange
    index = message_index[0] if isinstance(message_index, (list, tuple)) else message_index
    return int(index) // 2


def _exchange_at(exchanges: list[Exchange], message_index: int | list[int] | tuple[int, ...]) -> Exchange | None:
    try:
        index = _exchange_index(message_index)
    except (TypeError, ValueError):
        return None
    return exchanges[index] if exchanges and 0 <= index < len(exchanges) else None
