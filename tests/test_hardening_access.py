"""Access and resource limits not already covered by tests/test_access.py and tests/test_api.py:
every route the server has (the Gradio app's own included, found by walking the app, so a new
route cannot slip through), origins on the OpenAI and upload routes, upload names and contents,
and the bounds on the LLM: its context and memory, and the time one answer may take.
(A server over a hash-embedder index: no model needed.)
"""

from __future__ import annotations

import io
import json
import re
import shutil
import socket
import sys
import threading
import time
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ui.access import OPEN_PATHS

from index.builder import IndexBuilder
from index.errors import ZhikuError
from index.knowledge_base import MAX_NAME_BYTES, safe_filename
from index.pipeline import ChunkingConfig
from rag.settings import Settings
from tests.conftest import FIXTURE_ARTICLES
from tests.fakes import HashEmbedder
from tests.test_api import Live, live_server

pytestmark = pytest.mark.timeout(120)
TOKEN = "tok-hardening-51c0"
ALLOWED = "http://intranet.example"
EVIL = "http://evil.example"
QUESTION = "2023年中国汽车出口多少辆？"


def hash_settings(root: Path, **overrides) -> Settings:
    corpus = root / "articles"
    shutil.copytree(FIXTURE_ARTICLES, corpus)
    IndexBuilder(root / "index", HashEmbedder(), ChunkingConfig()).build(corpus)
    values = dict(data_dir=root, corpus_dir=corpus, index_dir=root / "index", answerer="extractive",
                  retrieval_mode="bm25", upload_max_mb=1)  # bm25: the evidence check is calibrated for e5
    return Settings(**{**values, **overrides})


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Live]:
    settings = hash_settings(tmp_path_factory.mktemp("locked"), token=TOKEN, allowed_origins=[ALLOWED])
    with live_server(settings, HashEmbedder()) as live:
        yield live


@pytest.fixture()
def http(server) -> Iterator[httpx.Client]:
    with server.client() as client:
        yield client


# --- the token on every route ------------------------------------------------------------------------


def all_routes(routes, prefix: str = "") -> Iterator[tuple[str, str]]:
    """(method, path) of every route, through included routers and mounts (the Gradio app)."""
    for route in routes:
        inner = getattr(route, "original_router", None) or getattr(route, "router", None)
        if inner is not None and not hasattr(route, "endpoint"):
            yield from all_routes(inner.routes, prefix + (getattr(route, "prefix", "") or ""))
        elif hasattr(route, "routes") and not hasattr(route, "endpoint"):  # a Mount
            yield from all_routes(route.routes, prefix + route.path)
        else:
            for method in sorted(getattr(route, "methods", None) or {"GET"}):
                yield method, prefix + route.path


def concrete(path: str) -> str:
    path = re.sub(r"\{[^}]+:path\}", "a/b.txt", path)
    return re.sub(r"\{[^}]+\}", "x", path) or "/"


def test_every_route_of_the_app_and_the_mounted_chat_refuses_requests_without_the_token(server, http):
    routes = sorted(set(all_routes(server.app.routes)))
    paths = {path for _, path in routes}
    # the walk found the API, the widget and the Gradio app's own routes
    assert {"/api/ask", "/v1/chat/completions", "/api/kb/upload", "/widget.js", "/embed", "/config",
            "/gradio_api/queue/join", "/gradio_api/upload", "/gradio_api/file={path_or_url:path}"} <= paths
    assert len(routes) > 60
    let_in = []
    for method, path in routes:
        if path in OPEN_PATHS:  # probes and the widget's origin check: open by design, tested on their own
            continue
        for kwargs in ({}, {"params": {"token": "wrong"}, "headers": {"Authorization": "Bearer wrong"}}):
            response = http.request(method, concrete(path), **kwargs)
            if response.status_code != 401:
                let_in.append(f"{method} {path} {kwargs}: {response.status_code}")
    assert not let_in, "\n".join(let_in)


def test_a_websocket_without_the_token_is_closed(server):
    """The access check covers websockets too (Gradio may use one); the handshake is refused."""
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(b"GET /gradio_api/queue/join HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
        reply = sock.recv(200)
    assert reply.startswith(b"HTTP/1.1 403"), reply  # the access check closed the handshake (1008)


# --- origins --------------------------------------------------------------------------------------------

AUTH = {"Authorization": f"Bearer {TOKEN}"}
CALLS = [
    ("POST", "/v1/chat/completions", {"json": {"messages": [{"role": "user", "content": QUESTION}]}}),
    ("GET", "/v1/models", {}),
    ("POST", "/api/kb/upload", {"files": {"file": ("a.txt", "通知\n\n标题\n\n正文一句。".encode(), "text/plain")}}),
    ("DELETE", "/api/kb/finance.txt", {}),
    ("POST", "/api/feedback", {"json": {"rating": "up", "question": "q", "answer": "a"}}),
    ("GET", "/api/kb", {}),
]


@pytest.mark.parametrize(("method", "path", "kwargs"), CALLS, ids=[f"{m} {p}" for m, p, _ in CALLS])
def test_calls_from_a_site_not_allowed_are_refused_on_every_api_route_even_with_the_token(http, method, path, kwargs):
    response = http.request(method, path, headers={"Origin": EVIL, **AUTH}, **kwargs)
    assert response.status_code == 403, response.text
    assert "access-control-allow-origin" not in response.headers


def test_the_chats_own_api_gets_no_cors_grant_for_other_sites(http):
    preflight = {"Origin": EVIL, "Access-Control-Request-Method": "POST"}
    for path in ("/gradio_api/queue/join", "/config", "/api/ask"):
        assert "access-control-allow-origin" not in http.options(path, headers=preflight).headers
    allowed = http.options("/v1/chat/completions", headers={**preflight, "Origin": ALLOWED})
    assert allowed.headers["access-control-allow-origin"] == ALLOWED


# --- uploads: names, types, sizes, contents ------------------------------------------------------------

ESCAPES = ["../../evil.txt", "/etc/cron.d/evil.txt", "..\\..\\evil.txt", "C:\\Windows\\evil.txt", "uploads/../../evil.txt",
           "....//....//evil.txt", "evil.txt\x00.exe", "\u202eevil.txt", "./.evil.txt", "%2e%2e%2fevil.txt"]


@pytest.mark.parametrize("name", ESCAPES)
def test_an_upload_name_cannot_leave_the_uploads_folder(tmp_path, name):
    safe = safe_filename(name)
    assert "/" not in safe and "\\" not in safe and "\x00" not in safe and not safe.startswith(".")
    target = (tmp_path / "uploads" / safe).resolve()
    assert target.parent == (tmp_path / "uploads").resolve()


@pytest.mark.parametrize("name", ["", "..", "...", "/", "\\", "\x00\x01", " . "])
def test_an_upload_without_a_usable_name_is_refused(name):
    with pytest.raises(ZhikuError, match="no usable name"):
        safe_filename(name)


def test_an_overlong_name_is_shortened_to_fit_the_file_system_and_keeps_its_type():
    for name in ["汽车出口" * 100 + ".txt", "a" * 400 + ".pdf", "年报 " * 90 + ".docx"]:
        safe = safe_filename(name)
        assert len(safe.encode("utf-8")) <= MAX_NAME_BYTES < 255
        assert Path(safe).suffix == Path(name).suffix


def test_an_overlong_chinese_name_uploads_instead_of_failing(http, server):
    name = "关于二〇二三年度汽车出口情况的通报" * 12 + ".txt"  # 444 characters, 1,300 bytes
    article = "通报\n\n出口情况\n\n二〇二三年度本单位协助汽车出口企业办理报关手续共计八百余次。\n"
    response = http.post("/api/kb/upload", headers=AUTH, files={"file": (name, article.encode(), "text/plain")})
    assert response.status_code == 200, response.text
    source = response.json()["source"]
    assert source.endswith(".txt") and (server.settings.corpus_dir / source).is_file()
    assert http.delete(f"/api/kb/{source}", headers=AUTH).status_code == 200


def test_an_upload_with_an_accepted_type_but_binary_content_is_refused_and_not_kept(http, server):
    response = http.post("/api/kb/upload", headers=AUTH,
                         files={"file": ("report.pdf", b"MZ\x90\x00" + bytes(range(256)) * 50, "application/pdf")})
    assert response.status_code == 400 and "could not be read" in response.json()["detail"]
    assert not (server.settings.corpus_dir / "uploads" / "report.pdf").exists()
    assert "uploads/report.pdf" not in http.get("/api/kb", headers=AUTH).json()["files"]


@pytest.mark.parametrize(("size", "expect"), [(50 * 2**20, "Expect: 100-continue\r\n"), (500 * 2**20, "")],
                         ids=["50 MB announced with 100-continue", "500 MB announced"])
def test_an_upload_announced_as_too_large_is_refused_before_a_byte_is_sent(server, size, expect):
    """What curl does with a big file: headers first, body only when the server agrees. The 413
    comes back at once, without waiting for (or reading) the body."""
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        started = time.perf_counter()
        sock.sendall((f"POST /api/kb/upload HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {TOKEN}\r\n"
                      f"Content-Type: multipart/form-data; boundary=x\r\nContent-Length: {size}\r\n{expect}\r\n").encode())
        reply = b""
        while b"limit" not in reply and (chunk := sock.recv(4096)):  # head and body may come apart
            reply += chunk
        reply = reply.decode("latin-1")
    assert reply.startswith("HTTP/1.1 413"), reply[:200]
    assert "MB limit" in reply and time.perf_counter() - started < 2


def test_the_chats_own_upload_route_has_the_same_size_limit(http):
    big = b"x" * (2 * 2**20)  # 2 MB > upload_max_mb=1
    response = http.post("/gradio_api/upload", params={"token": TOKEN}, files={"files": ("big.txt", big, "text/plain")})
    assert response.status_code == 413, response.text[:300]


# --- the LLM's bounds: context, memory, time ---------------------------------------------------------


def local_server_config(tmp_path: Path, monkeypatch, **overrides) -> tuple[list[str], dict]:
    """The argv and the JSON config LocalLLMServer hands its worker process, for these settings."""
    import rag.llm.server
    from rag.llm.client import local_server_for

    gguf = tmp_path / "model.gguf"
    gguf.write_bytes(b"GGUF")
    (tmp_path / "llm").mkdir(exist_ok=True)
    settings = Settings(cache_dir=tmp_path, llm_gguf_path=str(gguf), **overrides)
    captured: dict[str, Any] = {}

    class FakePopen:
        def __init__(self, args, **kwargs):
            captured["argv"], self.stdin, self.pid = args, io.StringIO(), 1
            captured["stdin"] = self.stdin

    monkeypatch.setattr(rag.llm.server.subprocess, "Popen", FakePopen)
    server = local_server_for(settings)
    try:
        server._launch()
    finally:
        server._log.close()
    return captured["argv"], json.loads(captured["stdin"].getvalue())


def worker_params(config: dict, monkeypatch) -> Any:
    """What the worker sets on llama.cpp's parameters for `config` (a stand-in for xllamacpp)."""
    captured = {}

    class Params:
        def __init__(self):
            self.model, self.cpuparams, self.cpuparams_batch = (types.SimpleNamespace() for _ in range(3))

    class Server:
        def __init__(self, params):
            captured["params"] = params
            raise RuntimeError("stop before serving")

    fake = types.ModuleType("xllamacpp")
    fake.CommonParams, fake.Server = Params, Server
    monkeypatch.setitem(sys.modules, "xllamacpp", fake)
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(config) + "\n"))
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    from rag.llm import llm_worker

    assert llm_worker.main() == 1 and "stop before serving" in sys.stdout.getvalue()
    return captured["params"]


def test_the_local_llm_runs_with_the_context_memory_and_threads_the_settings_give(tmp_path, monkeypatch):
    argv, config = local_server_config(tmp_path, monkeypatch, llm_ctx=2048, llm_threads=1, llm_cache_mib=64,
                                       llm_slots=1)
    assert argv[0] == sys.executable and argv[1].endswith("llm_worker.py") and len(argv) == 2  # no secret in argv
    assert config["n_ctx"] == 2048 and config["threads"] == 1 and config["cache_ram_mib"] == 64
    params = worker_params(config, monkeypatch)
    assert params.n_ctx == 2048  # the KV cache: the model's memory beyond its weights
    assert params.cache_ram_mib == 64  # llama.cpp's default would keep up to 8 GB of old prompts
    assert params.n_parallel == 1  # one answer at a time gets the whole context
    assert params.cpuparams.n_threads == params.cpuparams_batch.n_threads == 1
    assert params.hostnames == ["127.0.0.1"] and params.cors_origins == ""
    assert params.api_keys == [config["api_key"]] and len(config["api_key"]) >= 24


def test_parallel_slots_each_keep_the_whole_context_the_settings_give(tmp_path, monkeypatch):
    _, config = local_server_config(tmp_path, monkeypatch, llm_ctx=2048, llm_slots=3)
    params = worker_params(config, monkeypatch)
    assert params.n_parallel == 3 and params.cont_batching  # three answers decoded in one batch
    assert params.n_ctx == 3 * 2048  # llama.cpp divides n_ctx among the slots: 2048 tokens each


def test_answers_let_through_at_once_follow_the_slots_unless_set(monkeypatch):
    assert Settings(llm_slots=3).llm_concurrency == 3
    assert Settings(llm_slots=3, llm_concurrency=1).llm_concurrency == 1  # e.g. to keep cores for retrieval
    monkeypatch.setenv("ZHIKU_LLM_SLOTS", "2")
    assert Settings().llm_concurrency == 2
    monkeypatch.setenv("ZHIKU_LLM_CONCURRENCY", "5")  # a remote endpoint serving five at once
    assert (Settings().llm_slots, Settings().llm_concurrency) == (2, 5)


def test_a_context_of_zero_which_llama_cpp_reads_as_the_models_full_32k_is_refused():
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="llm_ctx"):
        Settings(llm_ctx=0)
    with pytest.raises(ValidationError, match="llm_slots"):
        Settings(llm_slots=0)
    with pytest.raises(ValidationError, match="llm_timeout_s"):
        Settings(llm_timeout_s=0)


def test_the_llm_timeout_and_answer_length_reach_the_client():
    from rag.llm.client import make_chat_model

    chat = make_chat_model(Settings(llm_base_url="http://10.0.0.5:8000/v1", llm_timeout_s=7.5, llm_max_tokens=64))
    assert chat.request_timeout == 7.5 and chat.root_client.timeout == 7.5
    assert chat.max_tokens == 64 and chat.max_retries == 1


@pytest.fixture()
def silent_endpoint() -> Iterator[str]:
    """An address that accepts connections and never answers: a hung LLM server."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                pass

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/v1"
    stop.set()
    thread.join(2)
    for conn in held:
        conn.close()
    listener.close()


def assistant_over(tmp_path: Path, chat_model, **overrides):
    from index.snapshot import load_snapshot
    from rag.assistant import Assistant
    from rag.retrieval import Retriever

    settings = hash_settings(tmp_path, answerer="llm", **overrides)
    retriever = Retriever(load_snapshot(settings.index_dir), HashEmbedder(), mode="bm25")
    return Assistant(settings, retriever=retriever, chat_model=chat_model)


def test_a_hung_llm_costs_a_question_at_most_its_timeouts_then_the_extracted_answer(tmp_path, silent_endpoint):
    from rag.assistant import NOTICE_LLM_TIMEOUT
    from rag.llm.client import make_chat_model

    settings = Settings(llm_base_url=silent_endpoint, llm_timeout_s=0.5)
    assistant = assistant_over(tmp_path, make_chat_model(settings), llm_timeout_s=0.5)
    started = time.perf_counter()
    answer = assistant.ask(QUESTION)
    seconds = time.perf_counter() - started
    assert answer.answerer == "extractive" and answer.notice == NOTICE_LLM_TIMEOUT and "491万" in answer.text
    # a hang guard, not a speed test: without the timeouts this would wait forever on the silent endpoint
    assert seconds < 60


def test_a_model_that_never_stops_writing_is_cut_off_at_the_timeout(tmp_path):
    from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
    from langchain_core.messages import AIMessage, AIMessageChunk
    from langchain_core.outputs import ChatGenerationChunk

    from rag.assistant import NOTICE_LLM_TIMEOUT

    class Babbler(GenericFakeChatModel):
        def _stream(self, messages, stop=None, run_manager=None, **kwargs):
            while True:  # a token every 50 ms, for ever: each read is quick, the whole is not
                time.sleep(0.05)
                yield ChatGenerationChunk(message=AIMessageChunk(content="汽车"))

    assistant = assistant_over(tmp_path, Babbler(messages=iter([AIMessage("")])), llm_timeout_s=0.6)
    started = time.perf_counter()
    answer = assistant.ask(QUESTION)
    assert time.perf_counter() - started < 30  # a hang guard: without the deadline this never ends
    assert answer.answerer == "extractive" and answer.notice == NOTICE_LLM_TIMEOUT and "491万" in answer.text
