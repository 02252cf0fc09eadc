"""Load against the real server on loopback: uvicorn on a free port, a real index over
tests/data/articles, the packaged embedder and the extractive answerer (so it measures zhiku, not
an LLM). Plus what happens past the LLM's capacity, and indexing while serving.

The figures (p50/p95, requests/s) are printed (`pytest -s`) and written to test-artifacts/load.json.
ZHIKU_LOAD_SECONDS shortens the 60 s run for a quick local check.
"""

from __future__ import annotations

import itertools
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from tests.test_api import QUESTION, Live, live_server, server_settings

pytestmark = [pytest.mark.slow, pytest.mark.model, pytest.mark.timeout(300)]

ARTIFACTS = Path(__file__).parent.parent / "test-artifacts"
CLIENTS = 50
SECONDS = float(os.environ.get("ZHIKU_LOAD_SECONDS", "60"))
MAX_REQUESTS = 200_000  # a bound even if the server answered in microseconds
QUESTIONS = [  # answered, answered after a follow-up, and refused: every path of the extractive answerer
    {"question": QUESTION},
    {"question": "3月制造业PMI是多少？"},
    {"question": "区图书馆周一开放吗？"},
    {"question": "其中新能源汽车呢？", "history": [{"question": QUESTION, "answer": "2023年，中国汽车出口491万辆[1]。"}]},
    {"question": "火星基地的氧气储量是多少？"},
]


# The clients run in their own process, as real users would: in the server's process they would
# compete with it for the GIL, slowing both and measuring neither.
# argv: url clients seconds max_requests questions-json; prints {"latencies": [...], "errors": [...], "statuses": {...}}
CLIENTS_PROCESS = r"""
import asyncio, itertools, json, sys, time
import httpx

url, clients, seconds, max_requests = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
questions = json.loads(sys.argv[5])
latencies, errors, statuses = [], [], {}

async def main():
    deadline = time.monotonic() + seconds
    sent = itertools.count()
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as http:
        async def client(n):
            for i in itertools.count(n):
                if time.monotonic() >= deadline or next(sent) >= max_requests:
                    return
                started = time.perf_counter()
                try:
                    response = await http.post("/api/ask", json=questions[i % len(questions)])
                    statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                    if response.status_code != 200 or not response.json()["answer"]:
                        errors.append(f"{response.status_code}: {response.text[:200]}")
                except Exception as exc:  # a refused or dropped connection counts as an error
                    errors.append(f"{type(exc).__name__}: {exc}")
                latencies.append(time.perf_counter() - started)
        started = time.perf_counter()
        await asyncio.gather(*(client(n) for n in range(clients)))
        return time.perf_counter() - started

elapsed = asyncio.run(main())
print(json.dumps({"seconds": elapsed, "latencies": latencies, "errors": errors, "statuses": statuses}))
"""


def percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def hammer(url: str, clients: int, seconds: float) -> dict:
    """`clients` concurrent clients asking in a loop until `seconds` have passed (another process)."""
    done = subprocess.run([sys.executable, "-c", CLIENTS_PROCESS, url, str(clients), str(seconds), str(MAX_REQUESTS),
                           json.dumps(QUESTIONS, ensure_ascii=False)],
                          capture_output=True, text=True, timeout=seconds + 120, check=True)
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def server(tmp_path_factory, fixture_index, embedder) -> Iterator[Live]:
    settings = server_settings(tmp_path_factory.mktemp("load"), fixture_index)
    with live_server(settings, embedder) as live:
        yield live


def test_fifty_clients_for_a_minute_get_answers_and_no_errors(server):
    with server.client() as http:  # warm: the first query loads what the model loads lazily
        assert http.post("/api/ask", json={"question": QUESTION}).status_code == 200
    result = hammer(server.url, CLIENTS, SECONDS)
    latencies, errors, seconds = result["latencies"], result["errors"], result["seconds"]
    n = len(latencies)
    figures = {
        "clients": CLIENTS,
        "seconds": round(seconds, 1),
        "requests": n,
        "errors": len(errors),
        "statuses": result["statuses"],
        "requests_per_s": round(n / seconds, 1),
        "p50_ms": round(percentile(latencies, 50) * 1000),
        "p95_ms": round(percentile(latencies, 95) * 1000),
        "max_ms": round(max(latencies) * 1000),
        "answerer": "extractive",
        "cpus": os.cpu_count(),
    }
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "load.json").write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")
    print(f"\nload: {CLIENTS} clients for {seconds:.0f} s: {n} requests, {len(errors)} errors, "
          f"p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms, {figures['requests_per_s']} requests/s")
    assert not errors, errors[:5]
    assert n >= CLIENTS and seconds < SECONDS + 60  # every client got answers, and the run stopped by itself
    with server.client() as http:  # and the server is still well afterwards
        assert http.get("/healthz").json()["status"] == "ok"


# --- past the LLM's capacity: a bounded wait, then a clear "busy" ---------------------------------------


class SlowModel(GenericFakeChatModel):
    """Takes `seconds` to answer, like a CPU-bound LLM."""

    seconds: float = 4.0

    def _generate(self, *args: Any, **kwargs: Any):
        time.sleep(self.seconds)
        return super()._generate(*args, **kwargs)


@pytest.fixture(scope="module")
def busy_server(tmp_path_factory, fixture_index, embedder) -> Iterator[Live]:
    settings = server_settings(tmp_path_factory.mktemp("busy"), fixture_index, answerer="llm",
                               llm_concurrency=1, llm_queue_wait_s=0.5)
    model = SlowModel(messages=itertools.cycle([AIMessage("2023年中国汽车出口491万辆[1]。")]))
    with live_server(settings, embedder, chat_model=model) as live:
        yield live


@pytest.mark.parametrize("path", ["/api/ask", "/api/ask/stream", "/v1/chat/completions"])
def test_questions_past_the_llms_capacity_wait_boundedly_then_get_a_clear_busy_503(busy_server, path):
    body = ({"messages": [{"role": "user", "content": QUESTION}]} if path.startswith("/v1") else {"question": QUESTION})
    results: list[tuple[int, float, dict, str]] = []

    def ask() -> None:
        with busy_server.client() as http:
            started = time.perf_counter()
            response = http.post(path, json=body)
            text = response.text
            results.append((response.status_code, time.perf_counter() - started, dict(response.headers), text))

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
        time.sleep(0.05)  # the first one takes the LLM
    for thread in threads:
        thread.join(30)
    statuses = sorted(status for status, *_ in results)
    assert statuses == [200, 503, 503, 503], [(s, t[:200]) for s, _, _, t in results]
    answered = next(seconds for status, seconds, _, _ in results if status == 200)
    assert answered >= 4.0  # the one that got the LLM used it
    for status, seconds, headers, text in results:
        if status == 503:
            # told "busy" while the LLM was still busy: nothing piled up behind it
            assert seconds < answered
            assert headers["retry-after"] == "5"
            assert "busy" in json.loads(text)["detail"]
    with busy_server.client() as http:  # the slot is free again
        assert http.post("/api/ask", json={"question": QUESTION}).status_code == 200


# --- indexing while serving ------------------------------------------------------------------------------

NEW_QUESTION = "职工食堂的素食套餐每份多少钱？"
NEW_ARTICLE = "后勤\n\n职工食堂菜单调整\n\n自下周一起，职工食堂午餐增加三种素食套餐，素食套餐价格为每份12元。\n\n来源：后勤处\n"


class SlowEmbedder:
    """The real embedder, taking an extra second over each batch of passages: a build long enough
    to ask through."""

    def __init__(self, inner):
        self.inner = inner
        self.model_name = inner.model_name

    @property
    def dim(self) -> int:
        return self.inner.dim

    def embed_passages(self, texts, progress=False):
        time.sleep(1.0)
        return self.inner.embed_passages(texts, progress=progress)

    def embed_query(self, text):
        return self.inner.embed_query(text)


def test_answers_come_from_the_old_index_until_the_new_one_switches_in(tmp_path, fixture_index, embedder, monkeypatch):
    import index.embedded_store
    from rag.components import make_builder

    settings = server_settings(tmp_path, fixture_index)
    published: list[float] = []
    real_publish = index.embedded_store.publish

    def publish(*args):
        real_publish(*args)
        published.append(time.perf_counter())

    monkeypatch.setattr(index.embedded_store, "publish", publish)
    log: list[tuple[float, float, str, int, dict]] = []  # started, ended, which, status, body
    stop = threading.Event()

    with live_server(settings, embedder) as live:

        def asker(which: str, question: str) -> None:
            with live.client() as http:
                while not stop.is_set():
                    started = time.perf_counter()
                    response = http.post("/api/ask", json={"question": question})
                    log.append((started, time.perf_counter(), which, response.status_code, response.json()))

        askers = [threading.Thread(target=asker, args=args) for args in
                  [("old", QUESTION), ("new", NEW_QUESTION), ("old", QUESTION), ("new", NEW_QUESTION)]]
        for thread in askers:
            thread.start()
        time.sleep(1.0)
        (settings.corpus_dir / "canteen.txt").write_text(NEW_ARTICLE, encoding="utf-8")
        build_started = time.perf_counter()
        report = make_builder(settings, SlowEmbedder(embedder)).build(settings.corpus_dir)
        build_ended = time.perf_counter()
        time.sleep(1.5)
        stop.set()
        for thread in askers:
            thread.join(30)
        assert report.added == ["canteen.txt"]

    switched = published[0]
    assert all(status == 200 for _, _, _, status, _ in log), [entry for entry in log if entry[3] != 200][:3]
    assert all("491万" in body["answer"] for _, _, which, _, body in log if which == "old")  # never a gap
    during = [entry for entry in log if build_started < entry[0] and entry[1] < switched]
    assert len(during) >= 4, "answers kept coming while the index was being built"

    def knows_new(body: dict) -> bool:
        return "12元" in body["answer"]

    new = [(started, ended, knows_new(body)) for started, ended, which, _, body in log if which == "new"]
    assert not any(knew for _, ended, knew in new if ended < switched)  # the old index until the switch
    after = [knew for started, _, knew in new if started > build_ended]
    assert after and all(after)  # the new one once it is in
    print(f"\nindexing while serving: {len(log)} answers, {len(during)} during the {switched - build_started:.1f} s "
          f"build, 0 errors; switched to the new index at once")
