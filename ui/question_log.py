"""The question log: every answered question, kept in SQLite so admins see what staff ask.

Why a background writer: an answer must never wait for a disk. A request only puts the finished
Answer on a bounded queue (microseconds); one thread turns it into a row and writes batches in
WAL mode, so a kill -9 loses at most what was still queued, never a committed row, and readers
(the insights tab, the admin API) never block the writer. When the queue is full (the disk is
stuck) entries are dropped and counted, not waited for.

What a row holds is an allow-list: the question, the answer and its sources, who asked (the
trusted proxy's name), timings. Never a token, an API key or a URL's credentials.

Usage:
    log = QuestionLog(settings.data_dir / "questions.sqlite3", days=90, max_rows=100_000)
    log.record(answer, user="张三", channel="api")        # from the request path: never blocks
    log.link_feedback(feedback_id, {...feedback row...})  # a thumb given later finds its question
"""

from __future__ import annotations

import logging
import queue
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from rag.records import Answer
from ui.question_row import INSERT, build_row, qa_key

log = logging.getLogger(__name__)

FILE_NAME = "questions.sqlite3"
QUEUE_SIZE = 10_000
BATCH = 200
PRUNE_EVERY = 500  # rows written between retention passes
DEFAULT_COLLECTIONS = ("default",)

SCHEMA = """
CREATE TABLE IF NOT EXISTS questions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,          -- UTC, ISO 8601 to the second
    day TEXT NOT NULL,                 -- UTC date, for per-day figures
    user TEXT NOT NULL DEFAULT '',
    channel TEXT NOT NULL DEFAULT '',  -- api, stream, openai, chat
    conversation_id TEXT NOT NULL DEFAULT '',
    collections TEXT NOT NULL DEFAULT '["default"]',
    question TEXT NOT NULL,
    standalone TEXT NOT NULL DEFAULT '',
    answer TEXT NOT NULL DEFAULT '',
    refused INTEGER NOT NULL DEFAULT 0,
    refusal_reason TEXT NOT NULL DEFAULT '',  -- evidence, model_declined, invented_figures, kind_not_given, near_miss
    missing TEXT NOT NULL DEFAULT '',
    answerer TEXT NOT NULL DEFAULT '',
    notice TEXT NOT NULL DEFAULT '',
    cited TEXT NOT NULL DEFAULT '[]',   -- chunk ids, in marker order
    hits TEXT NOT NULL DEFAULT '[]',    -- [{rank, chunk_id, score, title, source, text}]
    timings TEXT NOT NULL DEFAULT '{}',
    total_ms REAL NOT NULL DEFAULT 0,
    qa_key TEXT NOT NULL DEFAULT '',    -- question + answer, to find the row a thumb belongs to
    rating TEXT NOT NULL DEFAULT '',    -- up, down, or '' (no feedback)
    comment TEXT NOT NULL DEFAULT '',
    feedback_id INTEGER,
    test_case TEXT NOT NULL DEFAULT ''  -- "<test set>#<item id>" once a reviewer made it a test case
);
CREATE INDEX IF NOT EXISTS questions_day ON questions (day);
CREATE INDEX IF NOT EXISTS questions_qa ON questions (qa_key);
CREATE INDEX IF NOT EXISTS questions_user ON questions (user);
"""


@dataclass
class _Stats:
    written: int = 0
    dropped: int = 0
    write_seconds: float = 0.0  # the writer thread's time in _write (bench/question_log.py reports it)
    since_prune: int = field(default=0, repr=False)


def open_db(path: Path, readonly: bool = False) -> sqlite3.Connection:
    if readonly:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    else:
        db = sqlite3.connect(path, check_same_thread=False)
    db.row_factory = sqlite3.Row
    db.execute("PRAGMA busy_timeout=5000")
    return db


class QuestionLog:
    """Append questions from any thread; one writer thread owns the database's writes."""

    def __init__(self, path: Path, days: int = 90, max_rows: int = 100_000, queue_size: int = QUEUE_SIZE):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.days = days
        self.max_rows = max_rows
        self.stats = _Stats()
        self._queue: queue.Queue = queue.Queue(maxsize=queue_size)
        self._db = open_db(self.path)
        with self._db:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: a process kill loses no commit
            self._db.executescript(SCHEMA)
        self._prune()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="zhiku-question-log", daemon=True)
        self._thread.start()

    # --- the request path: enqueue only ------------------------------------------------------

    def record(self, answer: Answer, *, user: str = "", channel: str = "", conversation_id: str = "",
               collections: tuple[str, ...] = DEFAULT_COLLECTIONS) -> None:
        """Queue one answered question; the row is built and written by the writer thread."""
        meta = {"user": user, "channel": channel, "conversation_id": conversation_id or "",
                "collections": list(collections), "at": datetime.now(timezone.utc)}
        self._put(("answer", answer, meta))

    def link_feedback(self, feedback_id: int, values: dict) -> None:
        """A thumb stored in the feedback file: its rating and comment go onto the newest logged
        row with the same question and answer (in the same conversation, when it names one)."""
        self._put(("feedback", feedback_id, values))

    def mark_test_case(self, row_id: int, ref: str) -> None:
        """Note on the row that it became a test case (`ref`: "<test set>#<item id>")."""
        self._put(("test_case", row_id, ref))

    def _put(self, item) -> None:
        if self._closed:
            return
        try:
            self._queue.put_nowait(item)
        except queue.Full:
            self.stats.dropped += 1
            if self.stats.dropped in (1, 10, 100) or self.stats.dropped % 1000 == 0:
                log.warning("question log queue full (the disk is slow?): %d entries dropped", self.stats.dropped)

    # --- the writer thread -------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            batch = [item]
            while len(batch) < BATCH:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            stop = any(b is None for b in batch)
            try:
                self._write([b for b in batch if b is not None])
            except Exception:  # a broken row must not stop the log
                log.exception("question log: a batch of %d could not be written", len(batch))
            finally:
                for _ in batch:
                    self._queue.task_done()
            if stop:
                return

    def _write(self, batch: list[tuple]) -> None:
        started = time.perf_counter()
        inserted = 0
        with self._db:
            for kind, first, second in batch:
                if kind == "answer":
                    self._db.execute(INSERT, build_row(first, second))
                    inserted += 1
                elif kind == "feedback":
                    self._apply_feedback(first, second)
                else:
                    self._db.execute("UPDATE questions SET test_case = ? WHERE id = ?", (second[:300], first))
        self.stats.written += inserted
        self.stats.write_seconds += time.perf_counter() - started
        self.stats.since_prune += inserted
        if self.stats.since_prune >= PRUNE_EVERY:
            self._prune()

    def _apply_feedback(self, feedback_id: int, values: dict) -> None:
        key = qa_key(values.get("question", ""), values.get("answer", ""))
        conversation = values.get("conversation_id") or ""
        row = None
        if conversation:
            row = self._db.execute("SELECT id FROM questions WHERE qa_key = ? AND conversation_id = ? "
                                   "ORDER BY id DESC LIMIT 1", (key, conversation)).fetchone()
        row = row or self._db.execute("SELECT id FROM questions WHERE qa_key = ? ORDER BY id DESC LIMIT 1",
                                      (key,)).fetchone()
        if row is None:
            return  # answered before the log was on, or pruned
        self._db.execute("UPDATE questions SET rating = ?, comment = ?, feedback_id = ? WHERE id = ?",
                         (values.get("rating", ""), (values.get("comment") or "")[:2000], feedback_id, row["id"]))

    def _prune(self) -> None:
        """Retention: rows older than `days`, then the oldest past `max_rows`."""
        self.stats.since_prune = 0
        cutoff = (datetime.now(timezone.utc) - timedelta(days=self.days)).isoformat(timespec="seconds")
        with self._db:
            self._db.execute("DELETE FROM questions WHERE created_at < ?", (cutoff,))
            top = self._db.execute("SELECT max(id) FROM questions").fetchone()[0] or 0
            self._db.execute("DELETE FROM questions WHERE id <= ?", (top - self.max_rows,))

    # --- housekeeping ------------------------------------------------------------------------

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything queued so far is written (tests, the CLI, shutdown)."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.005)
        return True

    def reader(self) -> sqlite3.Connection:
        """A read-only connection of its own (WAL: reads never wait for the writer)."""
        return open_db(self.path, readonly=True)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._queue.put(None)
        self._thread.join(10)
        self._db.close()


class LogFile:
    """The log read from another process (the command line): reads only, no writer thread."""

    def __init__(self, path: Path):
        self.path = Path(path)

    def reader(self) -> sqlite3.Connection:
        return open_db(self.path, readonly=True)

    def flush(self, timeout: float = 0.0) -> bool:
        return True

    def close(self) -> None:
        pass


def logged(events, question_log: "QuestionLog | None", **meta):
    """`events` (an assistant's stream) passed through; its final Answer is logged on the way."""
    for event in events:
        if question_log is not None and isinstance(event, Answer):
            question_log.record(event, **meta)
        yield event
