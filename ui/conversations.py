"""A user's own past conversations, from the question log: the 历史对话 list and a reopened one.

The chat logs every question with its session's conversation id (ui/chat_tab.py), so grouping by
that id gives the conversations back. Everything is read for one user only: a conversation id
alone never opens someone else's chat.

Usage:
    items = past_conversations(log, user)           # newest first: id, started, questions, title
    rows = conversation_rows(log, user, items[0]["id"])
    exchanges = reopened_exchanges(rows, t)          # what ui/chat_tab.py keeps in its gr.State
"""

from __future__ import annotations

import re
from datetime import datetime

from ui import render
from ui.i18n import UIText
from ui.question_log import QuestionLog
from ui.question_row import decode

SHOWN = 30  # conversations in the list
TITLE_CHARS = 40
MAX_ROWS = 200  # questions of one conversation shown when it is reopened
_BLANK_LINES = re.compile(r"\n\s*\n")  # a passage's blank lines would double the panel's height


def past_conversations(question_log: QuestionLog, user: str, limit: int = SHOWN) -> list[dict]:
    """The user's chat conversations, newest first: {id, started, last, questions, title}."""
    sql = ("SELECT conversation_id, min(created_at), max(created_at), count(*), min(id), max(id) FROM questions"
           " WHERE user = ? AND channel = 'chat' AND conversation_id != '' GROUP BY conversation_id"
           " ORDER BY max(id) DESC LIMIT ?")
    with question_log.reader() as db:
        groups = db.execute(sql, (user, limit)).fetchall()
        firsts = {row[0]: row[1] for row in db.execute(
            f"SELECT id, question FROM questions WHERE id IN ({','.join('?' * len(groups))})",
            [g[4] for g in groups]).fetchall()} if groups else {}
    items = []
    for conversation_id, started, last, count, first_id, _last_id in groups:
        title = " ".join((firsts.get(first_id) or "").split())
        title = title if len(title) <= TITLE_CHARS else title[:TITLE_CHARS] + "…"
        items.append({"id": conversation_id, "started": started, "last": last, "questions": int(count), "title": title})
    return items


def conversation_rows(question_log: QuestionLog, user: str, conversation_id: str) -> list[dict]:
    """The logged questions of one of the user's conversations, oldest first ([] if not theirs)."""
    with question_log.reader() as db:
        rows = db.execute("SELECT * FROM questions WHERE user = ? AND channel = 'chat' AND conversation_id = ?"
                          " ORDER BY id LIMIT ?", (user, conversation_id, MAX_ROWS)).fetchall()
    return [decode(r) for r in rows]


def local_time(iso: str) -> str:
    """'2026-12-04T21:30:05+00:00' as the server's local '12-04 21:30'."""
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%m-%d %H:%M")
    except ValueError:
        return iso[5:16].replace("T", " ")


def choice_label(item: dict, t: UIText) -> str:
    return t("conversation_choice", when=local_time(item["last"]), title=item["title"], n=item["questions"])


def reopened_exchanges(rows: list[dict], t: UIText) -> list[dict]:
    """Exchanges (as ui/chat_tab.py keeps them) rebuilt from logged rows: the answers as they were
    given, their cited passages in the sources panel, and the conversation id, so a follow-up
    continues the same conversation."""
    exchanges = []
    for n, row in enumerate(rows):
        anchor = f"zkp{n}"
        cited = _cited_hits(row)
        exchanges.append({
            "ok": True,
            "question": row["question"],
            "text": row["answer"],
            "user_html": render.render_question(row["question"]),
            "answer_html": _answer_html(row, cited, t, anchor),
            "sources_html": _sources_html(cited, t, anchor),
            "citations": [{"n": i, "source": h.get("source", ""), "title": h.get("title", ""),
                           "quote": ""} for i, h in cited],
            "produced_by": {"answerer": row.get("answerer", ""), "reopened": True},
            "conversation_id": row["conversation_id"],
        })
    return exchanges


def _cited_hits(row: dict) -> list[tuple[int, dict]]:
    by_id = {h.get("chunk_id"): h for h in row.get("hits") or []}
    return [(n, by_id[cid]) for n, cid in enumerate(row.get("cited") or [], start=1) if cid in by_id]


def _answer_html(row: dict, cited: list[tuple[int, dict]], t: UIText, anchor: str) -> str:
    when = render.escape_text(t("reopened_note", when=local_time(row["created_at"])))
    if row["refused"]:
        body = f'<div class="zk-notice zk-notice-refused"><strong>{render.escape_text(t("refused"))}</strong></div>'
    else:
        text = render.escape_text(row["answer"])
        for n, _hit in cited:  # the markers link to the panel, as in a live answer
            text = text.replace(f"&#91;{n}&#93;", f'<a class="zk-cite" href="#{anchor}-s{n}">&#91;{n}&#93;</a>')
        body = f'<div class="zk-text">{text}</div>'
    return f'<div class="zk-answer zk-reopened"><div class="zk-muted zk-when">{when}</div>{body}</div>'


def _sources_html(cited: list[tuple[int, dict]], t: UIText, anchor: str) -> str:
    parts = [f'<div class="zk-sources"><div class="zk-sources-title">{render.escape_text(t("sources"))}</div>']
    if not cited:
        parts.append(f'<p class="zk-muted">{render.escape_text(t("no_citations"))}</p>')
    for n, hit in cited:
        title = render.escape_text(hit.get("title") or hit.get("source", ""))
        parts.append(
            f'<div class="zk-source" id="{anchor}-s{n}"><div class="zk-source-head"><span class="zk-n">&#91;{n}&#93;</span> '
            f'<span class="zk-source-title">{title}</span></div>'
            f'<div class="zk-meta">{render.escape_text(t("source_file"))}：<code>{render.escape_text(hit.get("source", ""))}</code></div>'
            f'<div class="zk-passage">{render.escape_text(_BLANK_LINES.sub(chr(10), hit.get("text", "")))}</div></div>')
    parts.append("</div>")
    return "".join(parts)
