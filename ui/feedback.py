"""Thumbs up/down on answers, kept in one SQLite file under the data folder.

Each row keeps what is needed to judge the answer later: the question, the answer, its
citations, the settings that produced it and who gave the feedback (when a trusted proxy says).
The access token is never among them: `produced_by` copies named settings only.

Usage:
    store = FeedbackStore(settings.data_dir / "feedback.sqlite3")
    store.record("down", question, answer_text, citations, comment="数字不对",
                 produced_by=produced_by(settings, answer.answerer, assistant.llm_description))
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from index.errors import ZhikuError
from rag.settings import Settings

RATINGS = ("up", "down")
_LIMITS = {"question": 4000, "answer": 20000, "comment": 2000, "user": 200, "conversation_id": 100, "channel": 20}
_USERINFO = re.compile(r"(//)[^/@\s]*@")  # credentials in a URL: http://user:pass@host

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    comment TEXT NOT NULL DEFAULT '',
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    citations TEXT NOT NULL DEFAULT '[]',
    produced_by TEXT NOT NULL DEFAULT '{}',
    user TEXT NOT NULL DEFAULT '',
    conversation_id TEXT NOT NULL DEFAULT '',
    channel TEXT NOT NULL DEFAULT ''
)
"""


def produced_by(settings: Settings, answerer: str = "", llm: str = "") -> dict:
    """The settings worth keeping with a rated answer (an allow-list: secrets never get in)."""
    return {
        "embedding_model": settings.embedding_model,
        "llm": _USERINFO.sub(r"\1", llm or settings.llm_model),
        "answerer": answerer or settings.answerer,
        "chunk_size": settings.chunk_size,
        "chunk_overlap": settings.chunk_overlap,
        "top_k": settings.top_k,
        "retrieval_mode": settings.retrieval_mode,
        "context_chars": settings.context_chars,
    }


class FeedbackStore:
    """Append-only feedback rows; safe to share between threads."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        # called with (id, row values) after each rating is stored: the question log links it
        self.listeners: list[Callable[[int, dict], None]] = []
        self._db = sqlite3.connect(self.path, check_same_thread=False)
        with self._lock, self._db:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(_SCHEMA)

    def record(
        self,
        rating: str,
        question: str,
        answer: str,
        citations: list[dict] | None = None,
        *,
        comment: str = "",
        produced_by: dict | None = None,
        user: str = "",
        conversation_id: str = "",
        channel: str = "",
    ) -> int:
        """Store one rating ("up" or "down"); returns its id."""
        if rating not in RATINGS:
            raise ZhikuError(f"rating must be one of {', '.join(RATINGS)}, not {rating!r}")
        values = {
            "question": question,
            "answer": answer,
            "comment": comment,
            "user": user,
            "conversation_id": conversation_id,
            "channel": channel,
        }
        values = {k: (v or "")[: _LIMITS[k]] for k, v in values.items()}
        row = (
            datetime.now(timezone.utc).isoformat(timespec="seconds"),
            rating,
            values["comment"],
            values["question"],
            values["answer"],
            json.dumps(citations or [], ensure_ascii=False),
            json.dumps(produced_by or {}, ensure_ascii=False),
            values["user"],
            values["conversation_id"],
            values["channel"],
        )
        with self._lock, self._db:
            cursor = self._db.execute(
                "INSERT INTO feedback (created_at, rating, comment, question, answer, citations,"
                " produced_by, user, conversation_id, channel) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )
            record_id = int(cursor.lastrowid)
        for listener in self.listeners:
            listener(record_id, {**values, "rating": rating})
        return record_id

    def update(self, record_id: int, rating: str, comment: str) -> bool:
        """Change a stored rating and its comment (a comment after a thumb is one row, not two);
        False when there is no such row."""
        if rating not in RATINGS:
            raise ZhikuError(f"rating must be one of {', '.join(RATINGS)}, not {rating!r}")
        comment = (comment or "")[: _LIMITS["comment"]]
        with self._lock, self._db:
            changed = self._db.execute("UPDATE feedback SET rating = ?, comment = ? WHERE id = ?",
                                       (rating, comment, int(record_id))).rowcount
            row = self._db.execute("SELECT question, answer, user, conversation_id, channel FROM feedback WHERE id = ?",
                                   (int(record_id),)).fetchone()
        if not changed or row is None:
            return False
        values = dict(zip(("question", "answer", "user", "conversation_id", "channel"), row))
        for listener in self.listeners:
            listener(int(record_id), {**values, "comment": comment, "rating": rating})
        return True

    def recent(self, n: int = 20) -> list[dict]:
        """The newest `n` rows, newest first, with citations and settings decoded."""
        with self._lock:
            self._db.row_factory = sqlite3.Row
            rows = self._db.execute("SELECT * FROM feedback ORDER BY id DESC LIMIT ?", (max(0, n),)).fetchall()
        result = []
        for row in rows:
            item = dict(row)
            item["citations"] = json.loads(item["citations"])
            item["produced_by"] = json.loads(item["produced_by"])
            result.append(item)
        return result

    def close(self) -> None:
        with self._lock:
            self._db.close()
