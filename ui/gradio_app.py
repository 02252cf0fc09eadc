"""The Gradio app: chat with streamed, cited answers; the knowledge base; evaluation runs.

Usage (the server mounts it; `launch` works the same for a quick look):
    demo = build_gradio_app(assistant, settings, feedback, kb)
    gr.mount_gradio_app(app, demo, path="/")

Every message in the chat is HTML built by ui/render.py from escaped text, and the chatbot's
Markdown/LaTeX can find nothing to act on in it. The conversation of each browser session lives in
a gr.State: a list of exchanges (plain dicts, one per assistant message) from which the chat, the
history passed to the assistant, the sources panel and feedback are all derived.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from itertools import islice

import gradio as gr

from index.errors import ZhikuError
from rag.conversation import Turn
from rag.records import Answer
from rag.settings import Settings
from ui import render
from ui.eval_tab import build_eval_tab
from ui.examples import example_questions
from ui.feedback import produced_by
from ui.i18n import UIText
from ui.kb_tab import build_kb_tab
from ui.serialize import citation_to_dict

log = logging.getLogger(__name__)

CHAT_CONCURRENCY = 16  # answers in flight per app; the LLM layer bounds its own capacity
QUESTION_SHOWN = 2000  # characters of a question echoed in the chat (the assistant trims its own copy)
RATINGS = {True: "up", False: "down"}
EXAMPLE_SCAN = 5000  # chunks read from a Milvus store to draw example questions from


def build_gradio_app(assistant, settings: Settings, feedback, kb) -> gr.Blocks:
    """`assistant`: rag.assistant.Assistant; `feedback`: ui.feedback.FeedbackStore;
    `kb`: rag.knowledge_base.KnowledgeBase."""
    t = UIText(settings.language)
    chat = ChatHandlers(assistant, settings, feedback, t)
    rating_choices = [(t("feedback_up"), "up"), (t("feedback_down"), "down")]
    with gr.Blocks(title=t("title"), analytics_enabled=False) as demo:
        # the styles travel with the Blocks: mount_gradio_app resets Blocks.css unless given css=
        gr.HTML(
            f"<style>{render.CSS}</style><div class='zk-header'>"
            f"<h2 style='margin:0'>{render.escape_text(t('title'))}</h2>"
            f"<div class='zk-muted'>{render.escape_text(t('subtitle'))}</div></div>"
        )
        # says so when answers are extracted because the LLM is down, or while it starts
        llm_banner = gr.HTML(chat.llm_banner(), elem_id="zk-llm-banner")
        exchanges = gr.State([])
        pending = gr.State(None)  # the exchange whose thumb was clicked last: {"index", "rating"}
        with gr.Tab(t("tab_chat"), id="chat"):
            with gr.Row(equal_height=False):
                with gr.Column(scale=3, min_width=360):
                    chatbot = gr.Chatbot(
                        label=t("chat_label"),
                        height=600,
                        layout="bubble",
                        placeholder=t("empty_screen"),
                        examples=[{"text": q} for q in chat.examples()],
                        latex_delimiters=[],  # "$$" in an article is text, not a formula
                        sanitize_html=True,
                        render_markdown=True,
                        feedback_options=("Like", "Dislike"),
                        buttons=[],  # "copy" would copy our HTML source, not the text
                        elem_id="zk-chatbot",
                    )
                    with gr.Row():
                        question = gr.Textbox(
                            placeholder=t("placeholder"), show_label=False, scale=5, lines=1, max_lines=6,
                            autofocus=True, elem_id="zk-question",
                        )
                        send = gr.Button(t("send"), variant="primary", scale=1, min_width=80, elem_id="zk-send")
                    with gr.Row():
                        new_chat = gr.Button(t("new_chat"), size="sm", elem_id="zk-new-chat")
                    with gr.Group(visible=False, elem_id="zk-feedback") as feedback_row:
                        with gr.Row():
                            rating = gr.Radio(rating_choices, value="up", show_label=False, scale=2, min_width=240)
                            comment = gr.Textbox(
                                show_label=False, placeholder=t("feedback_comment_placeholder"), scale=3,
                            )
                            submit_comment = gr.Button(t("feedback_submit"), scale=1, min_width=100)
                    feedback_status = gr.Markdown("", elem_id="zk-feedback-status")
                with gr.Column(scale=2, min_width=300):
                    sources = gr.HTML(render.render_sources_placeholder(t), elem_id="zk-sources")
        build_kb_tab(assistant, settings, kb, t)
        build_eval_tab(settings, t)

        chat_outputs = [chatbot, sources, question, exchanges]
        ask_event = dict(fn=chat.respond, inputs=[question, exchanges], outputs=chat_outputs,
                         concurrency_limit=CHAT_CONCURRENCY, show_progress="minimal")
        question.submit(**ask_event, api_name="ask").then(chat.llm_banner, outputs=[llm_banner], api_name=False,
                                                           show_progress="hidden", queue=False)
        send.click(**ask_event, api_name=False).then(chat.llm_banner, outputs=[llm_banner], api_name=False,
                                                     show_progress="hidden", queue=False)
        demo.load(chat.llm_banner, outputs=[llm_banner], api_name="llm_banner", show_progress="hidden", queue=False)
        gr.Timer(10).tick(chat.llm_banner, outputs=[llm_banner], api_name=False, show_progress="hidden",
                          queue=False)
        for trigger in (question.submit, send.click, chatbot.example_select):
            # a comment box left open belongs to an older answer: close it once a new one is asked
            trigger(chat.close_feedback, outputs=[pending, feedback_row, feedback_status], api_name=False,
                    show_progress="hidden", queue=False)
        chatbot.example_select(chat.respond_example, inputs=[exchanges], outputs=chat_outputs,
                               concurrency_limit=CHAT_CONCURRENCY, api_name=False)
        new_chat.click(chat.reset, outputs=[chatbot, sources, question, exchanges, pending, feedback_row,
                                            feedback_status], api_name="new_chat")
        chatbot.select(chat.show_sources, inputs=[exchanges], outputs=[sources], api_name=False,
                       show_progress="hidden")
        chatbot.like(chat.on_like, inputs=[exchanges], outputs=[pending, rating, feedback_row, feedback_status],
                     api_name=False, show_progress="hidden")
        submit_comment.click(chat.submit_feedback, inputs=[rating, comment, pending, exchanges],
                             outputs=[comment, feedback_status], api_name="feedback")
    return demo


class ChatHandlers:
    """The chat tab's event handlers; state arrives and leaves through their arguments."""

    def __init__(self, assistant, settings: Settings, feedback, t: UIText):
        self.assistant = assistant
        self.settings = settings
        self.feedback = feedback
        self.t = t

    def llm_banner(self) -> str:
        """A visible line while the LLM starts or when it is broken; nothing when it is fine."""
        if self.settings.answerer != "llm":
            return ""
        status = self.assistant.llm_status
        if status.state == "failed":
            text = self.t("llm_failed", reason=status.reason)
        elif status.state == "starting":
            text = self.t("llm_starting")
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
        return example_questions(chunks, self.t)

    # --- asking --------------------------------------------------------------------------------

    def respond(self, question: str, exchanges: list[dict], request: gr.Request = None) -> Iterator[tuple]:
        """Streams (chat, sources, question box, exchanges): deltas first, then the cited answer."""
        exchanges = list(exchanges or [])
        question = question or ""
        n = len(exchanges)
        anchor = f"zk{n}"
        chat = _messages(exchanges)
        shown = question if len(question) <= QUESTION_SHOWN else question[:QUESTION_SHOWN] + "…"
        user_html = render.render_question(shown)
        if not question.strip():
            exchanges.append(_failed(question, render.render_message(self.t("empty_question"), "info")))
            yield _messages(exchanges), gr.skip(), "", exchanges
            return
        searching = render.render_sources_placeholder(self.t, self.t("thinking"))
        yield chat + _pair(user_html, render.render_streaming(self.t("thinking"))), searching, "", gr.skip()
        history = [Turn(e["question"], e["text"]) for e in exchanges if e["ok"]]
        conversation_id = next((e["conversation_id"] for e in exchanges if e["ok"]), None) or uuid.uuid4().hex
        streamed: list[str] = []
        try:
            for event in self.assistant.stream(question, history):
                if isinstance(event, Answer):
                    exchanges.append(self._exchange(event, anchor, user_html, conversation_id))
                    yield _messages(exchanges), exchanges[-1]["sources_html"], gr.skip(), exchanges
                    return
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

    def respond_example(self, exchanges: list[dict], data: gr.SelectData, request: gr.Request = None):
        value = data.value if isinstance(data.value, dict) else {}
        yield from self.respond(str(value.get("text", "")), exchanges, request)

    def reset(self):
        placeholder = render.render_sources_placeholder(self.t)
        return [], placeholder, "", [], *self.close_feedback()

    @staticmethod
    def close_feedback():
        return None, gr.update(visible=False), ""

    def show_sources(self, exchanges: list[dict], data: gr.SelectData):
        exchange = _exchange_at(exchanges, data.index)
        return exchange["sources_html"] if exchange and exchange["ok"] else gr.skip()

    def _exchange(self, answer: Answer, anchor: str, user_html: str, conversation_id: str) -> dict:
        llm = self.assistant.llm_description if answer.answerer == "llm" else ""
        return {
            "ok": True,
            "question": answer.question,
            "text": answer.text,
            "user_html": user_html,
            "answer_html": render.render_answer(answer, self.t, anchor),
            "sources_html": render.render_sources(answer, self.t, anchor),
            "citations": [citation_to_dict(c) for c in answer.citations],
            "produced_by": produced_by(self.settings, answer.answerer, llm),
            "conversation_id": conversation_id,
        }

    # --- feedback ------------------------------------------------------------------------------

    def on_like(self, exchanges: list[dict], data: gr.LikeData, request: gr.Request = None):
        """A thumb on an answer is stored at once; the comment box then opens for that answer."""
        index = _exchange_index(data.index)
        exchange = _exchange_at(exchanges, data.index)
        rating = RATINGS.get(data.liked) if isinstance(data.liked, bool) else None
        if exchange is None or not exchange["ok"] or rating is None:
            return None, gr.skip(), gr.update(visible=False), self.t("feedback_unavailable") if rating else ""
        self._record(rating, "", exchange, request)
        return {"index": index, "rating": rating}, rating, gr.update(visible=True), self.t("feedback_thanks")

    def submit_feedback(self, rating: str, comment: str, pending: dict | None, exchanges: list[dict],
                        request: gr.Request = None):
        """A rating with a comment for the answer whose thumb was clicked, else the latest answer.

        Also the API for programs: `client.predict("down", "数字不对", api_name="/feedback")`.
        """
        index = pending["index"] if pending else len(exchanges or []) - 1
        exchange = exchanges[index] if exchanges and 0 <= index < len(exchanges) else None
        if exchange is None or not exchange["ok"] or rating not in ("up", "down"):
            return gr.skip(), self.t("feedback_unavailable")
        self._record(rating, (comment or "").strip(), exchange, request)
        return "", self.t("feedback_comment_thanks")

    def _record(self, rating: str, comment: str, exchange: dict, request) -> None:
        self.feedback.record(
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

    def _user(self, request) -> str:
        """Who rated: the trusted proxy's header when configured, else the Gradio login, else ''."""
        if request is None:
            return ""
        header = self.settings.trusted_user_header
        name = request.headers.get(header, "") if header else ""
        return (name or getattr(request, "username", None) or "").strip()


# --- records and messages ----------------------------------------------------------------------


def _failed(question: str, message_html: str, user_html: str | None = None) -> dict:
    return {"ok": False, "question": question, "user_html": user_html or render.render_question(question),
            "answer_html": message_html, "sources_html": ""}


def _pair(user_html: str, assistant_html: str) -> list[dict]:
    return [{"role": "user", "content": user_html}, {"role": "assistant", "content": assistant_html}]


def _messages(exchanges: list[dict]) -> list[dict]:
    return [m for e in exchanges for m in _pair(e["user_html"], e["answer_html"])]


def _exchange_index(message_index) -> int:
    # the chat holds a (user, assistant) pair per exchange
    index = message_index[0] if isinstance(message_index, (list, tuple)) else message_index
    return int(index) // 2


def _exchange_at(exchanges: list[dict], message_index) -> dict | None:
    try:
        index = _exchange_index(message_index)
    except (TypeError, ValueError):
        return None
    return exchanges[index] if exchanges and 0 <= index < len(exchanges) else None
