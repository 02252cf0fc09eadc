"""The chat's 历史 list: the signed-in user's own latest questions, from the question log.

Who "own" is: the trusted proxy's user name (or a Gradio login). Without one nobody is named, so
only the local single user of a server without a token (an admin, ui/admin.py) sees the
unnamed questions; anyone else sees a line saying why there is no history.

Usage (inside the chat column): `panel = HistoryPanel(question_log, settings, t); html = panel.build()`.
"""

from __future__ import annotations

import gradio as gr

from rag.settings import Settings
from ui import insights
from ui.admin import is_admin, user_name
from ui.i18n import UIText
from ui.question_log import QuestionLog
from ui.render import escape_text

SHOWN = 20
WORDS = {
    "zh": {"title": "历史", "empty": "还没有提问记录。", "anonymous": "登录后可在这里看到自己问过的问题。",
           "refused": "未找到", "off": "提问记录已关闭。"},
    "en": {"title": "History", "empty": "No questions yet.", "anonymous": "Sign in to see your own questions here.",
           "refused": "not found", "off": "The question log is off."},
}


class HistoryPanel:
    def __init__(self, question_log: QuestionLog | None, settings: Settings, t: UIText):
        self.question_log = question_log
        self.settings = settings
        self.words = WORDS["en" if settings.language == "en" else "zh"]

    def build(self) -> gr.HTML:
        with gr.Accordion(self.words["title"], open=False, elem_id="zk-history-box"):
            return gr.HTML("", elem_id="zk-history")

    def render(self, request: gr.Request = None) -> str:
        """The list for whoever made the request (written after the answer: flush first)."""
        if self.question_log is None:
            return self._note("off")
        user = user_name(request, self.settings) or (getattr(request, "username", None) or "" if request else "")
        if not user and not is_admin(request, self.settings):
            return self._note("anonymous")
        self.question_log.flush(2.0)
        rows = insights.history(self.question_log, user, SHOWN)
        if not rows:
            return self._note("empty")
        items = []
        for row in rows:
            mark = f' <span class="zk-muted">（{escape_text(self.words["refused"])}）</span>' if row["refused"] else ""
            when = escape_text(row["created_at"][:16].replace("T", " "))
            items.append(f'<li><span class="zk-muted">{when}</span> {escape_text(row["question"])}{mark}</li>')
        return f'<ol class="zk-history">{"".join(items)}</ol>'

    def _note(self, key: str) -> str:
        return f'<p class="zk-muted">{escape_text(self.words[key])}</p>'
