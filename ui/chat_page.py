"""The chat page's script (ui/static/chat.js) with the page language's words in it.

Gradio runs it once the page has loaded (`demo.load(None, js=chat_script(t, language))`), so it
travels with the Blocks whether they are launched alone or mounted by the server.
"""

from __future__ import annotations

import json
from pathlib import Path

from ui.gradio_i18n import gradio_strings
from ui.i18n import UIText

SCRIPT = Path(__file__).parent / "static" / "chat.js"


def chat_script(t: UIText) -> str:
    """A function body Gradio calls: `() => { … }`."""
    gradio = gradio_strings(t.language)
    labels = {"chatbot conversation": t("a11y_log"), "More tabs": t("a11y_more_tabs"),
              "Click to upload or drop files": t("a11y_upload"), "File upload": t("a11y_file_input")}
    words = {"user": t("a11y_user"), "bot": t("a11y_bot"), "labels": labels,
             "colon": "：" if t.language == "zh" else ": ", "sources": t("sources"), "copy": gradio["chatbot.copy_message"],
             "copied": gradio["chatbot.copied_message"]}
    body = SCRIPT.read_text(encoding="utf-8").replace("__WORDS__", json.dumps(words, ensure_ascii=False))
    return "() => {\n" + body + "\n}"

# the page around the chat: a slim header, the chat filling the window's height, the sources
# scrolling beside it on a desktop and following it on a phone (Gradio wraps the columns)
LAYOUT_CSS = """
#zk-top { align-items: center; gap: 12px; }
/* one reset control: the new-conversation button (the trash icon did the same); copy is for answers */
#zk-chatbot .top-panel, #zk-chatbot .message-buttons-right { display: none; }
.gradio-container > .main { padding-top: 8px; }
.zk-header { padding: 2px 0; }
#zk-top .html-container { padding: 0; }
.zk-header .zk-title { font-size: 1.4em; margin: 0 !important; line-height: 1.3; }
#zk-llm-banner .html-container { padding: 0; }
#zk-llm-banner:has(.html-container:empty) { display: none; }
#zk-new-chat { align-self: center; white-space: nowrap; }
#zk-ask-row { align-items: stretch; gap: 8px; }
#zk-ask-row textarea { font-size: 1em; }
.zk-keys { font-size: 0.8em; text-align: right; margin-top: -6px; }
#zk-sources { max-height: calc(100vh - 230px); overflow-y: auto; padding-right: 4px; }
#zk-chatbot .zk-when { font-size: 0.82em; margin-bottom: 2px; }
.zk-suggest { margin-top: 6px; }
@media (max-width: 720px) {
  .zk-keys { display: none; }
  #zk-sources { max-height: none; }
  .zk-header .zk-title { font-size: 1.15em; white-space: nowrap; }
  .zk-header .zk-muted { display: none; }
  #zk-new-chat { min-width: 0 !important; flex: 0 0 auto !important; }
  #zk-chatbot .placeholder-content, #zk-chatbot .placeholder { padding: 0 12px; }
}
"""
