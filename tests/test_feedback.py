"""The feedback store (SQLite under the data folder) and the feedback endpoint."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator

import pytest

from tests.test_api import QUESTION, Live, live_server, server_settings
from ui.feedback import FeedbackStore, produced_by

CITATIONS = [{"n": 1, "title": "中国汽车出口跃居全球第一", "source": "auto_exports.txt", "quote": "491万辆"}]


def test_a_rating_is_stored_with_its_question_answer_citations_and_settings(tmp_path):
    from rag.settings import Settings

    settings = Settings(data_dir=tmp_path, token="secret-token-xyz", llm_base_url="http://bob:pw@llm.internal/v1")
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    record_id = store.record("up", QUESTION, "491万辆[1]", CITATIONS, comment="准确",
                             produced_by=produced_by(settings, "llm", "qwen @ http://bob:pw@llm.internal/v1"),
                             user="李四", conversation_id="c1", channel="chat")
    row = store.recent(1)[0]
    assert row["id"] == record_id and row["rating"] == "up" and row["comment"] == "准确"
    assert row["question"] == QUESTION and row["citations"] == CITATIONS
    assert row["produced_by"]["answerer"] == "llm" and row["produced_by"]["top_k"] == settings.top_k
    assert row["produced_by"]["chunk_size"] == settings.chunk_size
    assert row["user"] == "李四" and row["created_at"].endswith("+00:00")
    store.close()
    raw = (tmp_path / "feedback.sqlite3").read_bytes()
    assert b"secret-token-xyz" not in raw
    assert b"bob:pw" not in raw  # credentials in the LLM URL are dropped too


def test_only_up_and_down_are_ratings(tmp_path):
    from index.errors import ZhikuError

    store = FeedbackStore(tmp_path / "f.sqlite3")
    with pytest.raises(ZhikuError):
        store.record("meh", "q", "a")


def test_recent_returns_the_newest_first(tmp_path):
    store = FeedbackStore(tmp_path / "f.sqlite3")
    for i in range(5):
        store.record("up" if i % 2 else "down", f"q{i}", "a")
    assert [r["question"] for r in store.recent(3)] == ["q4", "q3", "q2"]


def test_concurrent_writers_lose_nothing(tmp_path):
    store = FeedbackStore(tmp_path / "f.sqlite3")

    def write(n: int) -> None:
        for i in range(25):
            store.record("up", f"{n}-{i}", "a")

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(store.recent(1000)) == 200


def test_the_store_survives_a_reopen(tmp_path):
    FeedbackStore(tmp_path / "f.sqlite3").record("down", "q", "a", comment="旧")
    assert FeedbackStore(tmp_path / "f.sqlite3").recent(1)[0]["comment"] == "旧"


# --- over HTTP -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory, fixture_index, embedder) -> Iterator[Live]:
    settings = server_settings(tmp_path_factory.mktemp("feedback"), fixture_index)
    with live_server(settings, embedder) as live:
        yield live


@pytest.mark.model
@pytest.mark.timeout(180)
def test_feedback_from_the_api_is_stored_with_the_servers_settings(server):
    with server.client() as http:
        answer = http.post("/api/ask", json={"question": QUESTION}).json()
        response = http.post("/api/feedback", json={
            "rating": "up", "question": QUESTION, "answer": answer["answer"], "citations": answer["citations"],
            "answerer": answer["answerer"], "conversation_id": "w-1", "channel": "widget",
        })
    assert response.status_code == 200, response.text
    db = sqlite3.connect(server.settings.data_dir / "feedback.sqlite3")
    rating, citations, settings, channel, user = db.execute(
        "SELECT rating, citations, produced_by, channel, user FROM feedback WHERE id = ?", (response.json()["id"],)).fetchone()
    assert rating == "up" and channel == "widget" and user == ""  # no trusted header configured
    assert json.loads(citations)[0]["source"] == "auto_exports.txt"
    assert json.loads(settings)["answerer"] == "extractive"


@pytest.mark.model
@pytest.mark.parametrize("body", [
    {"rating": "meh", "question": QUESTION, "answer": "a"},
    {"rating": "up", "question": "", "answer": "a"},
    {"rating": "up", "question": QUESTION, "answer": "a", "comment": "x" * 2001},
    {"rating": "up", "question": QUESTION, "answer": "a", "admin": True},
    {"rating": "up", "question": QUESTION, "answer": "a", "citations": [{"n": "one"}]},
])
def test_bad_feedback_is_a_4xx_with_a_message(server, body):
    with server.client() as http:
        response = http.post("/api/feedback", json=body)
    assert response.status_code == 422 and response.json()["detail"]
