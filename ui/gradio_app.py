"""The Gradio app: chat with streamed, cited answers; the knowledge base; evaluation runs.

Usage (the server mounts it; `launch` works the same for a quick look):
    demo = build_gradio_app(assistant, settings, feedback, kb)
    gr.mount_gradio_app(app, demo, path="/")

Every message in the chat is HTML built by ui/render.py from escaped text, and the chatbot's
Markdown/LaTeX can find nothing to act on in it. The chat's handlers and the session state they
keep are in ui/chat_tab.py, the other tabs in ui/kb_tab.py and ui/eval_tab.py.
"""

from __future__ import annotations

import gradio as gr

from index.knowledge_base import KnowledgeBase
from rag.assistant import Assistant
from rag.settings import Settings
from ui import render
from ui.chat_page import LAYOUT_CSS, chat_script
from ui.chat_tab import ChatHandlers
from ui.eval_tab import build_eval_tab
from ui.feedback import FeedbackStore
from ui.history_panel import HistoryPanel
from ui.i18n import UIText
from ui.insights_tab import InsightsTab
from ui.kb_tab import build_kb_tab
from ui.page_access import PageAccess
from ui.question_log import QuestionLog

SHOW_CHAT = "(...args) => { document.querySelector('#zk-chatbot')?.scrollIntoView({block: 'start'}); return args; }"
CHAT_CONCURRENCY = 16  # answers in flight per app; the LLM layer bounds its own capacity


def build_gradio_app(assistant: Assistant, settings: Settings, feedback: FeedbackStore,
                     kb: KnowledgeBase, question_log: QuestionLog | None = None,
                     access: PageAccess | None = None) -> gr.Blocks:
    """`access` says who is behind each event (the server passes it; a standalone launch is open)."""
    t = UIText(settings.language)
    access = access or PageAccess(None)
    chat = ChatHandlers(assistant, settings, feedback, t, question_log, access)
    history = HistoryPanel(question_log, settings, t)
    rating_choices = [(t("feedback_up"), "up"), (t("feedback_down"), "down")]
    with gr.Blocks(title=t("title"), analytics_enabled=False, fill_width=True) as demo:
        with gr.Row(elem_id="zk-top", equal_height=True):
            # the styles travel with the Blocks: mount_gradio_app resets Blocks.css unless given css=
            gr.HTML(
                f"<style>{render.CSS}{LAYOUT_CSS}</style><div class='zk-header'>"
                f"<h1 class='zk-title'>{render.escape_text(t('title'))}</h1>"
                f"<div class='zk-muted'>{render.escape_text(t('subtitle'))}</div></div>", scale=4,
            )
            new_chat = gr.Button(t("new_chat_button"), size="sm", scale=0, min_width=150, elem_id="zk-new-chat")
        # says so when answers are extracted because the LLM is down, or while it starts
        llm_banner = gr.HTML(chat.llm_banner(), elem_id="zk-llm-banner")
        exchanges = gr.State([])
        pending = gr.State(None)  # the exchange whose thumb was clicked last: {"index", "rating"}
        reopened = gr.State(None)  # a past conversation's exchanges, on their way into the chat
        with gr.Tab(t("tab_chat"), id="chat"):
            # side by side on a desktop; below ~700 px the columns wrap: sources under the chat
            with gr.Row(equal_height=False, elem_id="zk-chat-row"):
                with gr.Column(scale=3, min_width=340, elem_id="zk-chat-column"):
                    chatbot = gr.Chatbot(
                        label=t("chat_label"),
                        show_label=False,
                        height="calc(100vh - 300px)",
                        min_height=360,
                        layout="bubble",
                        placeholder=t("empty_screen"),
                        examples=[{"text": q} for q in chat.examples()],
                        latex_delimiters=[],  # "$$" in an article is text, not a formula
                        sanitize_html=True,
                        render_markdown=True,
                        feedback_options=("Like", "Dislike"),
                        buttons=["copy"],  # ui/static/chat.js makes it copy the text and sources, not our HTML
                        elem_id="zk-chatbot",
                    )
                    with gr.Group(visible=False, elem_id="zk-feedback") as feedback_row:
                        with gr.Row():
                            rating = gr.Radio(rating_choices, value="up", label=t("rating_label"), show_label=False,
                                              scale=2, min_width=240)
                            comment = gr.Textbox(label=t("feedback_comment_label"), show_label=False,
                                                 placeholder=t("feedback_comment_placeholder"), scale=3)
                            submit_comment = gr.Button(t("feedback_submit"), scale=1, min_width=100)
                    # right under the thumbs, so a click is seen to do something
                    feedback_status = gr.Markdown("", elem_id="zk-feedback-status")
                    with gr.Row(elem_id="zk-ask-row", equal_height=True):
                        question = gr.Textbox(
                            label=t("question_label"), placeholder=t("placeholder"), show_label=False, scale=5,
                            lines=1, max_lines=6, autofocus=True, elem_id="zk-question", container=False,
                        )
                        send = gr.Button(t("send"), variant="primary", scale=0, min_width=80, elem_id="zk-send")
                    gr.HTML(f"<div class='zk-muted zk-keys'>{render.escape_text(t('keys_hint'))}</div>")
                    picker = gr.Dropdown([], value=[], multiselect=True, label=t("kb_picker"), visible=False,
                                         allow_custom_value=True, elem_id="zk-collections")
                with gr.Column(scale=2, min_width=300, elem_id="zk-side-column"):
                    sources = gr.HTML(render.render_sources_placeholder(t), elem_id="zk-sources")
                    history_note, history_choices = history.build()
        build_kb_tab(assistant, settings, kb, t, access)
        build_eval_tab(settings, t, assistant)
        if question_log is not None:
            InsightsTab(question_log, settings, assistant).build(demo)

        chat_outputs = [chatbot, sources, question, exchanges]
        ask_event = dict(fn=chat.respond, inputs=[question, exchanges, picker], outputs=chat_outputs,
                         concurrency_limit=CHAT_CONCURRENCY, show_progress="minimal")
        question.submit(**ask_event, api_name="ask").then(chat.llm_banner, outputs=[llm_banner], api_name=False,
                                                           show_progress="hidden", queue=False)
        send.click(**ask_event, api_name=False).then(chat.llm_banner, outputs=[llm_banner], api_name=False,
                                                     show_progress="hidden", queue=False)
        for trigger in (exchanges.change, demo.load):  # exchanges change when an answer is complete
            trigger(history.render, outputs=[history_note, history_choices], api_name=False, show_progress="hidden",
                    queue=False)
        demo.load(None, js=chat_script(t))
        demo.load(chat.collection_choices, outputs=[picker], api_name=False, show_progress="hidden", queue=False)
        demo.load(chat.llm_banner, outputs=[llm_banner], api_name="llm_banner", show_progress="hidden", queue=False)
        gr.Timer(10).tick(chat.llm_banner, outputs=[llm_banner], api_name=False, show_progress="hidden",
                          queue=False)
        for trigger in (question.submit, send.click, chatbot.example_select, chatbot.retry):
            # a comment box left open belongs to an older answer: close it once a new one is asked
            trigger(chat.close_feedback, outputs=[pending, feedback_row, feedback_status], api_name=False,
                    show_progress="hidden", queue=False)
        chatbot.example_select(chat.respond_example, inputs=[exchanges, picker], outputs=chat_outputs,
                               concurrency_limit=CHAT_CONCURRENCY, api_name=False)
        reset_outputs = [chatbot, sources, question, exchanges, pending, feedback_row, feedback_status]
        new_chat.click(chat.reset, outputs=reset_outputs, api_name="new_chat")
        # the chat's own trash icon resets everything too: one reset, never a hidden history
        chatbot.clear(chat.reset, outputs=reset_outputs, api_name=False)
        chatbot.select(chat.show_sources, inputs=[exchanges], outputs=[sources], api_name=False,
                       show_progress="hidden")
        chatbot.retry(chat.regenerate, inputs=[exchanges, picker], outputs=chat_outputs,
                      concurrency_limit=CHAT_CONCURRENCY, api_name=False)
        history_choices.input(history.reopen, inputs=[history_choices], outputs=[reopened], api_name=False,
                              show_progress="hidden").then(
            chat.reopened, inputs=[reopened], outputs=reset_outputs, api_name=False, show_progress="hidden",
            js=SHOW_CHAT)  # on a phone the list is below the chat: bring the reopened chat into view
        chatbot.like(chat.on_like, inputs=[exchanges], outputs=[pending, rating, feedback_row, feedback_status],
                     api_name=False, show_progress="hidden")
        submit_comment.click(chat.submit_feedback, inputs=[rating, comment, pending, exchanges],
                             outputs=[comment, feedback_status], api_name="feedback")
    return demo
