"""The chat's 历史对话 list: the signed-in user's own past conversations, from the question log;
choosing one reopens it in the chat (a follow-up continues it).

Who "own" is: the trusted proxy's user name (or a Gradio login). Without one nobody is named, so
only the local single user of a server without a token (an admin, ui/admin.py) sees the
unnamed conversations; anyone else sees a line saying why there is no history.

Usage (inside the chat column): `panel = HistoryPanel(question_log, settings, t); note, choices = panel.build()`.
"""

from __future__ import annotations

import gradio as gr

from rag.settings import Settings
from ui.admin import is_admin, user_name
from ui.conversations import choice_label, conversation_rows, past_conversations, reopened_exchanges
from ui.i18n import UIText
from ui.question_log import QuestionLog
from ui.render import escape_text

Update = object  # gr.update(...)


class HistoryPanel:
    def __init__(self, question_log: QuestionLog | None, settings: Settings, t: UIText):
        self.question_log = question_log
        self.settings = settings
        self.t = t

    def build(self) -> tuple[gr.HTML, gr.Radio]:
        with gr.Accordion(self.t("history_title"), open=False, elem_id="zk-history-box"):
            note = gr.HTML("", elem_id="zk-history")
            choices = gr.Radio([], value=None, label=self.t("history_title"), show_label=False, visible=False,
                               elem_id="zk-conversations")
        return note, choices

    def render(self, request: gr.Request = None) -> tuple[str, Update]:
        """The list for whoever made the request (written after the answer: flush first)."""
        user = self._owner(request)
        if user is None:
            return self._note("history_anonymous" if self.question_log is not None else "history_off"), _hidden()
        self.question_log.flush(2.0)
        items = past_conversations(self.question_log, user)
        if not items:
            return self._note("history_empty"), _hidden()
        choices = [(choice_label(item, self.t), item["id"]) for item in items]
        return self._note("history_hint"), gr.update(choices=choices, value=None, visible=True)

    def reopen(self, conversation_id: str | None, request: gr.Request = None) -> list[dict] | None:
        """The exchanges of one of the user's conversations; None when there is nothing to open."""
        user = self._owner(request)
        if user is None or not conversation_id:
            return None
        rows = conversation_rows(self.question_log, user, conversation_id)
        return reopened_exchanges(rows, self.t) if rows else None

    def _owner(self, request: gr.Request | None) -> str | None:
        """Whose conversations this request may see: a name, '' (the local admin), or None."""
        if self.question_log is None:
            return None
        user = user_name(request, self.settings) or (getattr(request, "username", None) or "" if request else "")
        if not user and not is_admin(request, self.settings):
            return None
        return user

    def _note(self, key: str) -> str:
        return f'<p class="zk-muted">{escape_text(self.t(key))}</p>'


def _hidden() -> Update:
    return gr.update(choices=[], value=None, visible=False)
