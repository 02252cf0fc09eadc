"""The question log over real HTTP: what a row holds, feedback linked to it, admin-only filters
(403 / 422), test cases appended in `zhiku eval`'s format, the content-gaps CSV, 50 concurrent
clients losing no row, a kill -9 of the server losing no committed row, and retention."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from eval.testset import load_testset
from tests.conftest import MODEL_CACHE
from tests.test_api import live_server, server_settings

pytestmark = [pytest.mark.model, pytest.mark.timeout(300)]

ANSWERED = "2023年中国汽车出口多少辆？"
UNANSWERED = "公司的年假制度是怎样规定的？"
ADMIN = {"X-User": "alice"}
STAFF = {"X-User": "bob"}


def rows(path: Path) -> list[dict]:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    db.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in db.execute("SELECT * FROM questions ORDER BY id")]
    finally:
        db.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory, fixture_index, embedder):
    settings = server_settings(tmp_path_factory.mktemp("qlog"), fixture_index, trusted_user_header="X-User",
                               admin_users=["alice"])
    with live_server(settings, embedder) as live:
        yield live


def ask(client: httpx.Client, question: str, headers=None, **extra) -> dict:
    response = client.post("/api/ask", json={"question": question, **extra}, headers=headers or STAFF)
    assert response.status_code == 200, response.text
    return response.json()


def flushed(live) -> None:
    assert live.app.state.question_log.flush(10)


def test_a_row_holds_the_question_answer_sources_and_timings_and_feedback_finds_it(server):
    with server.client() as c:
        answer = ask(c, ANSWERED, conversation_id="conv-1")
        refused = ask(c, UNANSWERED)
        feedback = c.post("/api/feedback", headers=STAFF, json={
            "rating": "down", "question": ANSWERED, "answer": answer["answer"], "comment": "想知道新能源车的数字",
            "conversation_id": "conv-1"})
        assert feedback.status_code == 200
    flushed(server)
    logged = {r["question"]: r for r in rows(server.settings.data_dir / "questions.sqlite3")}
    row = logged[ANSWERED]
    assert row["user"] == "bob" and row["channel"] == "api" and json.loads(row["collections"]) == ["default"]
    assert row["answer"] == answer["answer"] and row["refused"] == 0 and row["answerer"] == "extractive"
    assert json.loads(row["cited"]) == [c["chunk_id"] for c in answer["citations"]]
    hits = json.loads(row["hits"])
    assert [h["chunk_id"] for h in hits] == [h["chunk_id"] for h in answer["hits"]] and hits[0]["score"] > 0
    assert json.loads(row["timings"])["total_ms"] == row["total_ms"] > 0
    assert (row["rating"], row["comment"], row["feedback_id"]) == ("down", "想知道新能源车的数字", feedback.json()["id"])
    gap = logged[UNANSWERED]
    assert gap["refused"] == 1 and gap["refusal_reason"] == "evidence" and gap["rating"] == ""


def test_streamed_and_openai_answers_are_logged_too(server):
    with server.client() as c:
        c.post("/api/ask/stream", json={"question": "图书馆周一开放吗？"}, headers=STAFF).raise_for_status()
        c.post("/v1/chat/completions", json={"model": "zhiku", "messages": [{"role": "user", "content": "3月制造业PMI是多少？"}]},
               headers=STAFF).raise_for_status()
    flushed(server)
    channels = {r["question"]: r["channel"] for r in rows(server.settings.data_dir / "questions.sqlite3")}
    assert channels["图书馆周一开放吗？"] == "stream" and channels["3月制造业PMI是多少？"] == "openai"


def test_the_admin_api_is_403_for_staff_and_filters_for_admins(server):
    with server.client() as c:
        ask(c, UNANSWERED)
        flushed(server)
        for path in ("/api/admin/questions", "/api/admin/insights", "/api/admin/gaps.csv", "/api/admin/questions/1"):
            denied = c.get(path, headers=STAFF)
            assert denied.status_code == 403 and "admins only" in denied.json()["detail"]
            assert c.get(path, params={"limit": "huge"}, headers=STAFF).status_code == 403  # 403 before 422
        assert c.post("/api/admin/testcases", headers=STAFF, json={"log_id": 1, "testset": "x"}).status_code == 403
        found = c.get("/api/admin/questions", params={"refused": "true", "since": "7d", "text": "年假"}, headers=ADMIN)
        assert found.status_code == 200
        body = found.json()
        assert body["total"] >= 1 and all(q["refused"] and "年假" in q["question"] for q in body["questions"])
        assert body["summary"]["asked"] == body["total"] and body["summary"]["refusal_rate"] == 1.0
        nothing = c.get("/api/admin/questions", params={"since": "2001-01-01", "until": "2001-01-02"}, headers=ADMIN)
        assert nothing.json()["total"] == 0


@pytest.mark.parametrize("params, says", [
    ({"limit": "100000"}, "limit"),
    ({"limit": "ten"}, "limit"),
    ({"since": "yesterday"}, "neither a date"),
    ({"since": "2026-02-30"}, "not a real date"),
    ({"text": "字" * 5000}, "text"),
    ({"slow_ms": "-5"}, "slow_ms"),
    ({"refused": "maybe"}, "refused"),
    ({"collection": "a/b"}, "collection"),
    ({"colour": "red"}, "unknown field"),
    ({"text": "a\x00b"}, "control character"),
])
def test_malformed_or_huge_filters_are_422_with_a_message(server, params, says):
    with server.client() as c:
        response = c.get("/api/admin/questions", params=params, headers=ADMIN)
    assert response.status_code == 422 and says in response.json()["detail"]


def test_insights_group_rewordings_and_list_both_queues(server):
    with server.client() as c:
        for question in (ANSWERED, "2023年中国汽车出口了多少辆", ANSWERED):
            ask(c, question)
        flushed(server)
        data = c.get("/api/admin/insights", headers=ADMIN).json()
    top = data["top_questions"][0]
    assert top["question"] == ANSWERED and top["count"] >= 4 and "2023年中国汽车出口了多少辆" in top["variants"]
    assert all("年假" not in v for v in top["variants"])  # another question is not a rewording
    unanswered = [q for q in data["unanswered"] if q["question"] == UNANSWERED]
    assert unanswered and unanswered[0]["closest"][0]["title"]  # with the closest articles found
    assert any(q["comment"] == "想知道新能源车的数字" for q in data["disliked"])
    day = data["summary"]["per_day"][-1]
    assert day["asked"] >= 5 and day["p95_ms"] >= day["p50_ms"] > 0


def test_the_content_gaps_csv_lists_each_unanswered_question_once(server):
    with server.client() as c:
        ask(c, "=HYPERLINK(\"http://evil\")年假怎么请？")
        for _ in range(2):  # asked twice here, whichever tests ran before
            ask(c, UNANSWERED)
        flushed(server)
        response = c.get("/api/admin/gaps.csv", headers=ADMIN)
    assert response.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))
    questions = [r["question"] for r in table]
    assert questions.count(UNANSWERED) == 1 and int(table[questions.index(UNANSWERED)]["times_asked"]) >= 2
    assert "'=HYPERLINK(\"http://evil\")年假怎么请？" in questions  # a spreadsheet shows it, never runs it


def test_a_logged_question_becomes_a_test_case_zhiku_eval_reads(server):
    with server.client() as c:
        flushed(server)
        listed = c.get("/api/admin/questions", params={"text": "汽车出口多少辆"}, headers=ADMIN).json()["questions"]
        row = next(q for q in listed if q["refused"] is False)
        passage = row["hits"][0]
        span = passage["text"][5:17]
        bad = c.post("/api/admin/testcases", headers=ADMIN, json={
            "log_id": row["id"], "testset": "staff", "keywords": ["491万辆"], "evidence": ["这句话不在段落里"],
            "evidence_chunk_id": passage["chunk_id"]})
        assert bad.status_code == 400 and "not in the chosen passage" in bad.json()["detail"]
        assert c.post("/api/admin/testcases", headers=ADMIN, json={"log_id": row["id"], "testset": "../etc"}).status_code == 400
        made = c.post("/api/admin/testcases", headers=ADMIN, json={
            "log_id": row["id"], "testset": "staff", "answer": "491万辆", "keywords": ["491万辆"], "evidence": [span],
            "evidence_chunk_id": passage["chunk_id"]})
        assert made.status_code == 200, made.text
        again = c.post("/api/admin/testcases", headers=ADMIN, json={"log_id": row["id"], "testset": "staff",
                                                                     "unanswerable": True})
        assert again.status_code == 400 and "already holds" in again.json()["detail"]
        gap = c.get("/api/admin/questions", params={"refused": "true"}, headers=ADMIN).json()["questions"][0]
        assert c.post("/api/admin/testcases", headers=ADMIN, json={"log_id": gap["id"], "testset": "staff",
                                                                   "unanswerable": True}).status_code == 200
        flushed(server)
        assert c.get(f"/api/admin/questions/{row['id']}", headers=ADMIN).json()["test_case"] == f"staff#log-{row['id']}"
    items = load_testset(server.settings.data_dir / "testsets" / "staff.jsonl")
    assert [(i.id, i.type) for i in items] == [(f"log-{row['id']}", "factoid"), (f"log-{gap['id']}", "unanswerable")]
    assert items[0].evidence == (span,) and items[0].answer_keywords == ("491万辆",)
    assert items[0].sources == (passage["source"],)


def test_own_history_shows_only_the_callers_questions(server):
    with server.client() as c:
        ask(c, "图书馆周一开放吗？", headers={"X-User": "carol"})
        flushed(server)
        mine = c.get("/api/history", headers={"X-User": "carol"}).json()
        anonymous = c.get("/api/history")  # a proxy sign-in is configured: no user, no entry at all
    assert mine["user"] == "carol" and [q["question"] for q in mine["questions"]] == ["图书馆周一开放吗？"]
    assert anonymous.status_code == 401


def test_fifty_concurrent_clients_lose_no_row(server):
    path = server.settings.data_dir / "questions.sqlite3"
    flushed(server)
    before = len(rows(path))
    with ThreadPoolExecutor(50) as pool:
        def one(n: int) -> int:
            with server.client() as c:
                return c.post("/api/ask", json={"question": f"图书馆周{'一二三四五六日'[n % 7]}开放吗？（{n}）"},
                              headers={"X-User": f"user{n}"}).status_code
        codes = list(pool.map(one, range(50)))
    assert codes == [200] * 50
    flushed(server)
    logged = rows(path)[before:]
    assert sorted(r["user"] for r in logged) == sorted(f"user{n}" for n in range(50))


def test_fifty_threads_writing_at_once_lose_no_row(tmp_path):
    from rag.records import Answer
    from ui.question_log import QuestionLog

    log = QuestionLog(tmp_path / "q.sqlite3")
    with ThreadPoolExecutor(50) as pool:
        list(pool.map(lambda n: [log.record(Answer(question=f"q{n}-{i}", text="a"), user=f"u{n}") for i in range(40)],
                      range(50)))
    assert log.flush(30)
    log.close()
    assert len({r["question"] for r in rows(tmp_path / "q.sqlite3")}) == 2000


def test_retention_drops_old_rows_and_keeps_the_newest_within_the_cap(tmp_path):
    from rag.records import Answer
    from ui.question_log import QuestionLog

    path = tmp_path / "q.sqlite3"
    log = QuestionLog(path, days=30, max_rows=100)
    for n in range(150):
        log.record(Answer(question=f"q{n}", text="a"))
    log.flush()
    log.close()
    db = sqlite3.connect(path)
    with db:
        db.execute("UPDATE questions SET created_at = '2000-01-01T00:00:00+00:00' WHERE question = 'q149'")
    db.close()
    QuestionLog(path, days=30, max_rows=100).close()  # retention runs as the log opens
    kept = [r["question"] for r in rows(path)]
    assert kept == [f"q{n}" for n in range(49, 149)]  # the 100 newest of what the age left


def test_the_log_off_writes_nothing_and_the_admin_api_says_so(tmp_path, fixture_index, embedder):
    settings = server_settings(tmp_path, fixture_index, question_log=False)
    with live_server(settings, embedder) as live, live.client() as c:
        ask(c, ANSWERED)
        response = c.get("/api/admin/questions")
    assert response.status_code == 404 and "ZHIKU_QUESTION_LOG=off" in response.json()["detail"]
    assert not (tmp_path / "questions.sqlite3").exists()


def test_the_token_is_never_stored_and_token_holders_are_admins(tmp_path, fixture_index, embedder):
    token = "qlog-token-9f2"
    settings = server_settings(tmp_path, fixture_index, token=token)
    with live_server(settings, embedder) as live, live.client() as c:
        bearer = {"Authorization": f"Bearer {token}"}
        c.post(f"/api/ask?token={token}", json={"question": ANSWERED}).raise_for_status()
        flushed(live)
        assert c.get("/api/admin/questions", headers=bearer).json()["total"] == 1
        assert c.get("/api/admin/questions").status_code == 401
    for name in ("questions.sqlite3", "questions.sqlite3-wal"):
        path = tmp_path / name
        assert not path.exists() or token.encode() not in path.read_bytes()


def test_zhiku_log_export_writes_refused_questions_as_eval_drafts(server, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from ui.cli import app

    flushed(server)
    monkeypatch.setenv("ZHIKU_DATA_DIR", str(server.settings.data_dir))
    out = tmp_path / "q.jsonl"
    result = CliRunner().invoke(app, ["log", "export", "--refused", "--since", "7d", "--out", str(out)])
    assert result.exit_code == 0, result.output
    items = load_testset(out)
    assert items and all(i.type == "unanswerable" and i.id.startswith("log-") for i in items)
    assert UNANSWERED in [i.question for i in items]
    bad = CliRunner().invoke(app, ["log", "export", "--since", "last week", "--out", str(out)])
    assert bad.exit_code != 0 and "neither a date" in str(bad.exception)  # main() prints it as one line
    gaps = tmp_path / "gaps.csv"
    assert CliRunner().invoke(app, ["log", "gaps", "--out", str(gaps)]).exit_code == 0
    assert UNANSWERED in gaps.read_text(encoding="utf-8")


SERVE = """
import sys
from ui.cli import main
sys.argv = ["zhiku", "serve", "--port", sys.argv[1]]
main()
"""


def test_a_kill_9_of_the_server_loses_no_committed_row(tmp_path, fixture_index):
    settings = server_settings(tmp_path, fixture_index)
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "ZHIKU_DATA_DIR": str(tmp_path), "ZHIKU_CORPUS_DIR": str(settings.corpus_dir),
           "ZHIKU_INDEX_DIR": str(settings.index_dir), "ZHIKU_CACHE_DIR": str(MODEL_CACHE.parent),
           "ZHIKU_ANSWERER": "extractive", "HF_HUB_OFFLINE": "1"}
    server = subprocess.Popen([sys.executable, "-c", SERVE, str(port)], env=env, cwd=Path(__file__).parent.parent,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    path = tmp_path / "questions.sqlite3"
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline and server.poll() is None, "the server did not start"
            time.sleep(0.2)
        with httpx.Client(base_url=url, timeout=60) as c:
            for n in range(5):
                c.post("/api/ask", json={"question": f"图书馆周一开放吗？{n}"}).raise_for_status()
        deadline = time.monotonic() + 30
        while not path.exists() or len(rows(path)) < 5:  # committed: visible to another connection
            assert time.monotonic() < deadline, "the log did not write the answered questions"
            time.sleep(0.05)
        os.kill(server.pid, signal.SIGKILL)
        server.wait(10)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(10)
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()
    assert [r["question"] for r in rows(path)] == [f"图书馆周一开放吗？{n}" for n in range(5)]
    from rag.records import Answer
    from ui.question_log import QuestionLog

    reopened = QuestionLog(path)  # and the log goes on where it stopped
    reopened.record(Answer(question="重启之后", text="a"))
    reopened.flush()
    reopened.close()
    assert rows(path)[-1]["question"] == "重启之后" and rows(path)[-1]["id"] == 6


def test_a_notice_quoting_credentials_is_blanked_before_it_is_logged():
    from rag.grounding import NOTICE_MODEL_DECLINED
    from rag.records import Answer
    from ui.question_row import refusal_reason, scrub

    cleaned = scrub("生成模型出错（ConnectError: http://admin:pw@llm.intra/v1?api_key=sk-123&x=1）")
    assert "admin:pw" not in cleaned and "sk-123" not in cleaned and "http://llm.intra/v1?api_key=***&x=1" in cleaned
    assert refusal_reason(Answer(question="q", text="", refused=True, notice=NOTICE_MODEL_DECLINED)) == "model_declined"
    assert refusal_reason(Answer(question="q", text="a", missing="2023年全年")) == "near_miss"
    from rag.asked_kind import NOTICE_NOT_GIVEN
    assert refusal_reason(Answer(question="q", text="", refused=True, notice=NOTICE_NOT_GIVEN)) == "kind_not_given"
