"""The JSON/SSE API over real HTTP: a uvicorn on a free loopback port, a real index, the
extractive answerer (plus a fake chat model where the LLM path's streaming matters).

`live_server` and `server_settings` are shared with the other server tests.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import FIXTURE_ARTICLES, MODEL_CACHE

pytestmark = [pytest.mark.model, pytest.mark.timeout(180)]

QUESTION = "2023年中国汽车出口多少辆？"


# --- shared helpers: a real server on loopback ---------------------------------------------------


@dataclass
class Live:
    url: str
    settings: object
    app: object

    def client(self, **kwargs) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=60, **kwargs)


def server_settings(root: Path, fixture_index: Path, **overrides):
    """Settings over a private copy of the fixture articles and of their (session-built) index."""
    from rag.settings import Settings

    corpus = root / "articles"
    shutil.copytree(FIXTURE_ARTICLES, corpus)
    shutil.copytree(fixture_index, root / "index")
    values = dict(data_dir=root, corpus_dir=corpus, index_dir=root / "index", cache_dir=MODEL_CACHE.parent,
                  answerer="extractive")
    return Settings(**{**values, **overrides})


@contextlib.contextmanager
def live_server(settings, embedder, chat_model=None) -> Iterator[Live]:
    """create_app(settings) served by uvicorn in a thread on a free port of 127.0.0.1."""
    import uvicorn

    from rag.assistant import Assistant
    from rag.components import open_retriever
    from ui.server import create_app

    assistant = Assistant(settings, retriever=open_retriever(settings, embedder), chat_model=chat_model)
    app = create_app(settings, assistant)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))  # bound before the thread starts: no race for the port
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=2))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield Live(f"http://127.0.0.1:{sock.getsockname()[1]}", settings, app)
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
        assistant.close()


def sse_events(text: str) -> list[tuple[str, dict]]:
    events = []
    for block in text.split("\n\n"):
        if not block.strip():
            continue
        fields = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((fields["event"], json.loads(fields["data"])))
    return events


def fake_llm():
    """A chat model that streams word by word and cites passage 1."""
    from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
    from langchain_core.messages import AIMessage

    return GenericFakeChatModel(messages=itertools.cycle([AIMessage("2023年， 中国汽车 出口 491万辆， 首次 超过 日本 [1]。")]))


@pytest.fixture(scope="module")
def server(tmp_path_factory, fixture_index, embedder) -> Iterator[Live]:
    settings = server_settings(tmp_path_factory.mktemp("api"), fixture_index, upload_max_mb=1)
    with live_server(settings, embedder) as live:
        yield live


@pytest.fixture(scope="module")
def llm_server(tmp_path_factory, fixture_index, embedder) -> Iterator[Live]:
    """answerer=llm with a fake chat model that streams word by word."""
    settings = server_settings(tmp_path_factory.mktemp("api-llm"), fixture_index, answerer="llm")
    with live_server(settings, embedder, chat_model=fake_llm()) as live:
        yield live


@pytest.fixture()
def client(server) -> Iterator[httpx.Client]:
    with server.client() as c:
        yield c


# --- ask ---------------------------------------------------------------------------------------------


def test_healthz_says_ok_and_that_an_index_exists(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    # the extractive answerer needs no LLM; the embedder built the fixture index, so it is loaded
    assert response.json() == {"status": "ok", "index": True, "llm": "off", "embedder": True}


def test_ask_answers_with_citations_the_markers_point_at(client):
    response = client.post("/api/ask", json={"question": QUESTION})
    assert response.status_code == 200, response.text
    body = response.json()
    assert "491万" in body["answer"]
    assert body["refused"] is False and body["answerer"] == "extractive"
    assert body["citations"], body
    for citation in body["citations"]:
        assert f"[{citation['n']}]" in body["answer"]
        assert set(citation) == {"n", "title", "source", "section", "quote", "chunk_id", "text",
                                 "page", "last_page", "ocr", "preview"}
        assert citation["page"] is None and citation["ocr"] is False  # a text file: no pages
        assert citation["quote"] in citation["text"]
    assert body["citations"][0]["source"] == "auto_exports.txt"
    assert body["hits"] and {"rank", "score", "title", "source", "chunk_id", "text"} <= set(body["hits"][0])
    assert body["timings_ms"]["total_ms"] > 0


def test_ask_refuses_when_the_articles_are_silent(client):
    body = client.post("/api/ask", json={"question": "火星基地的氧气储量是多少？"}).json()
    assert body["refused"] is True
    assert body["citations"] == []


def test_ask_takes_history_and_a_conversation_id(client):
    history = [{"question": QUESTION, "answer": "2023年，中国汽车出口491万辆[1]。"}]
    response = client.post("/api/ask", json={"question": "其中新能源汽车呢？", "history": history,
                                             "conversation_id": "c-1"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert "新能源" in body["standalone_question"]
    assert "120.3万" in body["answer"]


def test_ask_with_the_llm_answerer_uses_the_chat_model(llm_server):
    with llm_server.client() as client:
        body = client.post("/api/ask", json={"question": QUESTION}).json()
        assert body["answerer"] == "llm"
        assert "491万" in body["answer"] and body["citations"]
        assert client.post("/api/ask", json={"question": QUESTION, "answerer": "extractive"}).json()["answerer"] == "extractive"


def test_a_client_cannot_start_an_llm_the_server_runs_without(client):
    response = client.post("/api/ask", json={"question": QUESTION, "answerer": "llm"})
    assert response.status_code == 400
    assert "without a language model" in response.json()["detail"]


# --- stream --------------------------------------------------------------------------------------


def test_stream_sends_the_passages_and_extract_then_tokens_then_exactly_one_answer(llm_server):
    with llm_server.client() as client:
        response = client.post("/api/ask/stream", json={"question": QUESTION})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    events = sse_events(response.text)
    kinds = [kind for kind, _ in events]
    assert kinds[:2] == ["passages", "extract"]
    assert kinds[-1] == "answer" and kinds.count("answer") == 1
    assert set(kinds[2:-1]) == {"token"} and len(kinds) > 5  # the fake model streams word by word
    passages, extract = events[0][1]["passages"], events[1][1]["text"]
    assert [p["n"] for p in passages] == list(range(1, len(passages) + 1))
    assert all(p["quote"] and p["quote"] in p["text"] and p["title"] and p["source"] for p in passages)
    assert "491万" in extract and "491万" in next(p["quote"] for p in passages if f"[{p['n']}]" in extract)
    streamed = "".join(data["text"] for kind, data in events if kind == "token")
    assert "491万" in streamed
    final = events[-1][1]
    assert "491万" in final["answer"] and final["citations"]


def test_stream_of_the_extractive_answer_ends_with_the_answer(client):
    events = sse_events(client.post("/api/ask/stream", json={"question": QUESTION}).text)
    assert [kind for kind, _ in events] == ["passages", "extract", "token", "answer"]
    assert events[3][1]["citations"]


def test_stream_refuses_a_bad_question_with_a_4xx_not_an_event(client):
    response = client.post("/api/ask/stream", json={"question": "  "})
    assert response.status_code == 422
    assert "question" in response.json()["detail"]


def test_the_server_keeps_answering_while_a_stream_is_open(server):
    """The blocking work runs in the threadpool: a second request is not stuck behind the first."""
    with server.client() as a, server.client() as b:
        with a.stream("POST", "/api/ask/stream", json={"question": QUESTION}) as stream:
            assert b.get("/healthz").status_code == 200
            assert "event: answer" in stream.read().decode()


# --- bad input: always a 4xx with a message ----------------------------------------------------------

LONG = "汽" * 100_000
BAD_BODIES = {
    "invalid JSON": (b'{"question": "abc"', 400),
    "not an object": (b'["question"]', 422),
    "empty body": (b"", 422),
    "question is a number": (b'{"question": 123}', 422),
    "question is null": (b'{"question": null}', 422),
    "unknown field": (b'{"question": "abc", "temperature": 2}', 422),
    "empty question": (b'{"question": ""}', 422),
    "whitespace question": (b'{"question": " \\n\\t \\u3000"}', 422),
    "100k characters": (json.dumps({"question": LONG}).encode(), 422),
    "NUL character": (b'{"question": "abc\\u0000def"}', 422),
    "escape character": (b'{"question": "abc\\u001b[31m"}', 422),
    "lone surrogate": (b'{"question": "abc\\ud800"}', 422),
    "21 turns of history": (json.dumps({"question": "abc", "history": [{"question": "q", "answer": "a"}] * 21}).encode(), 422),
    "history of the wrong shape": (b'{"question": "abc", "history": [{"q": "x"}]}', 422),
    "history is a string": (b'{"question": "abc", "history": "earlier"}', 422),
    "huge history": (json.dumps({"question": "abc", "history": [{"question": LONG, "answer": LONG}] * 20}).encode(), 413),
    "unknown answerer": (b'{"question": "abc", "answerer": "gpt-5"}', 422),
    "bad conversation id": (b'{"question": "abc", "conversation_id": "<script>"}', 422),
}


@pytest.mark.parametrize("path", ["/api/ask", "/api/ask/stream"])
@pytest.mark.parametrize("case", list(BAD_BODIES))
def test_bad_input_gets_a_4xx_with_a_message(client, path, case):
    body, status = BAD_BODIES[case]
    response = client.post(path, content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == status, response.text
    detail = response.json()["detail"]
    assert isinstance(detail, str) and len(detail) > 5


def test_validation_messages_say_what_is_wrong(client):
    def detail(body: dict) -> str:
        return client.post("/api/ask", json=body).json()["detail"]

    assert "temperature: unknown field" in detail({"question": "abc", "temperature": 2})
    assert "limit is 4000" in detail({"question": LONG})
    assert "U+0000" in detail({"question": "a\x00b"})
    assert "empty" in detail({"question": "   "})
    assert "JSON" in client.post("/api/ask", content=b"{", headers={"Content-Type": "application/json"}).json()["detail"]


def test_a_question_with_newlines_and_tabs_is_fine(client):
    assert client.post("/api/ask", json={"question": f"\t{QUESTION}\n（汽车）\n"}).status_code == 200


def test_a_non_json_content_type_is_refused(client):
    response = client.post("/api/ask", content=b'{"question": "abc"}', headers={"Content-Type": "text/plain"})
    assert 400 <= response.status_code < 500 and response.json()["detail"]


def test_unknown_routes_and_methods_are_json_4xx(client):
    assert client.get("/api/nope").status_code == 404
    response = client.get("/api/ask")  # 404 when the chat is mounted at `/` (the mount takes unmatched methods)
    assert response.status_code in (404, 405) and response.json()["detail"]


# --- knowledge base ---------------------------------------------------------------------------------


def test_kb_stats_list_the_indexed_files(client):
    body = client.get("/api/kb").json()
    assert body["documents"] == 3 and body["chunks"] > 0
    assert "auto_exports.txt" in body["files"]
    assert body["upload_max_mb"] == 1 and ".pdf" in body["allowed_types"]
    assert ".png" in body["allowed_types"] and ".jpg" in body["allowed_types"]  # scans are read by OCR


def test_upload_over_the_size_limit_is_413(client):
    big = ("汽车出口。" * 80_000).encode()  # 1.2 MB > 1 MB
    response = client.post("/api/kb/upload", files={"file": ("big.txt", big, "text/plain")})
    assert response.status_code == 413
    assert "1 MB" in response.json()["detail"]


def test_upload_of_an_unaccepted_type_is_415(client):
    response = client.post("/api/kb/upload", files={"file": ("tool.exe", b"MZ\x90\x00", "application/octet-stream")})
    assert response.status_code == 415
    assert ".txt" in response.json()["detail"]


def test_upload_without_a_file_is_a_4xx(client):
    response = client.post("/api/kb/upload", data={"nothing": "here"})
    assert response.status_code == 422 and response.json()["detail"]


def test_empty_upload_is_400(client):
    response = client.post("/api/kb/upload", files={"file": ("empty.txt", b"", "text/plain")})
    assert response.status_code == 400 and "empty" in response.json()["detail"]


def test_uploaded_file_is_answerable_at_once_and_stays_inside_uploads(server, client):
    article = "安全\n\n食堂菜单调整通知\n\n自下周一起，职工食堂午餐增加三种素食套餐，价格为每份12元。\n"
    response = client.post("/api/kb/upload", files={"file": ("../../evil.txt", article.encode(), "text/plain")})
    assert response.status_code == 200, response.text
    assert response.json()["source"] == "uploads/evil.txt"
    corpus = server.settings.corpus_dir
    assert (corpus / "uploads" / "evil.txt").is_file()
    assert not (corpus.parent / "evil.txt").exists() and not (corpus.parent.parent / "evil.txt").exists()

    body = client.post("/api/ask", json={"question": "食堂素食套餐每份多少钱？"}).json()  # no restart needed
    assert "12元" in body["answer"]
    assert body["citations"][0]["source"] == "uploads/evil.txt"

    removed = client.delete("/api/kb/uploads/evil.txt")
    assert removed.status_code == 200 and removed.json()["removed"] == ["uploads/evil.txt"]
    assert not (corpus / "uploads" / "evil.txt").exists()
    assert "uploads/evil.txt" not in client.get("/api/kb").json()["files"]


def test_upload_keeps_a_chinese_name_with_spaces(server, client):
    article = "通知\n\n年报发布\n\n本单位2023年年报已于三月发布，共印刷五百册。\n"
    response = client.post("/api/kb/upload", files={"file": ("年报 2023.txt", article.encode(), "text/plain")})
    assert response.status_code == 200, response.text
    assert response.json()["added"] == ["uploads/年报 2023.txt"]
    assert (server.settings.corpus_dir / "uploads" / "年报 2023.txt").is_file()
    assert client.delete("/api/kb/uploads/年报 2023.txt").status_code == 200


def test_a_chunked_body_without_length_is_cut_off_at_the_limit(client):
    def body():
        for _ in range(40):
            yield b"x" * (1 << 20)

    response = client.post("/api/ask", content=body(), headers={"Content-Type": "application/json"})
    assert response.status_code == 413 and "2 MB" in response.json()["detail"]


def test_removing_a_file_that_is_not_indexed_is_404(client):
    response = client.delete("/api/kb/../../etc/passwd")
    assert response.status_code == 404 and response.json()["detail"]


# --- the schema ------------------------------------------------------------------------------------


def test_openapi_documents_every_route(client):
    paths = client.get("/openapi.json").json()["paths"]
    for path in ["/api/ask", "/api/ask/stream", "/api/feedback", "/api/kb", "/api/kb/upload", "/api/kb/{source}",
                 "/v1/chat/completions", "/v1/models", "/healthz", "/widget.js", "/embed", "/widget-demo"]:
        assert path in paths, path
    ask = paths["/api/ask"]["post"]
    assert "AnswerOut" in json.dumps(ask["responses"]["200"])
    events = paths["/api/ask/stream"]["post"]["responses"]["200"]["description"]
    order = [events.index(f"`event: {kind}`") for kind in ("passages", "extract", "token", "answer")]
    assert order == sorted(order)  # /docs tells the events in the order they come


def test_a_failure_midway_ends_the_stream_with_an_error_event():
    from index.errors import ZhikuError
    from ui.api import sse_events as to_sse

    def events():
        yield "2023年"
        raise ZhikuError("the index changed under the answer; ask again")

    parsed = sse_events("".join(to_sse(events())))
    assert parsed == [("token", {"text": "2023年"}), ("error", {"message": "the index changed under the answer; ask again"})]


def test_eval_reports_are_served_for_the_evaluation_tab(server, client):
    run = server.settings.data_dir / "eval" / "run-1"
    run.mkdir(parents=True)
    (run / "report.html").write_text("<h1>评测报告</h1>", encoding="utf-8")
    response = client.get("/eval-reports/run-1/report.html")
    assert response.status_code == 200 and "评测报告" in response.text
    assert client.get("/eval-reports/../index/CURRENT").status_code == 404
