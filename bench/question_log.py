"""What the question log costs a request: `/api/ask` latency with the log on against off, side by
side in one run.

Two servers (uvicorn on loopback, in this process) share one assistant over the demo index: one
with the question log on (the default), one with ZHIKU_QUESTION_LOG=off. Requests alternate
between them, the order flipped every round, so load on the shared machine falls on both alike.
The extractive answerer keeps the answer itself short and steady (with the LLM the same fixed
cost would be a far smaller share). Target: p50 ratio ≤ 1.02.

The log writes after the response, in its own thread; in a run of back-to-back requests that
write would land inside the *next* request, which goes to the other server half the time. So
between requests the benchmark waits (untimed) for the writer to finish: the ratio is the cost on
the request path, and the writer's own time per row is reported beside it.

Usage: python -m bench.question_log [--quick]
"""

from __future__ import annotations

import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path

import httpx

from bench.common import DEV_SET, demo_index, fmt_load, loadavg, machine, parse_args, percentile, quiet_logs, \
    read_jsonl, save, settings_for, table

QUESTIONS = ["2023年中国汽车出口多少辆？", "图书馆周一开放吗？", "3月制造业PMI是多少？", "公司的年假制度是怎样规定的？"]
ROUNDS, QUICK_ROUNDS = 60, 15
WARM_UP = 3


def serve(app) -> tuple[str, object, threading.Thread]:
    import uvicorn

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    return f"http://127.0.0.1:{sock.getsockname()[1]}", server, thread


def main() -> None:
    args = parse_args(__doc__.splitlines()[0])
    quiet_logs()
    from rag.assistant import Assistant
    from rag.components import make_embedder, open_retriever
    from ui.server import create_app

    info = machine()
    rounds = QUICK_ROUNDS if args.quick else ROUNDS
    questions = QUESTIONS + ([r["question"] for r in read_jsonl(DEV_SET)][:12] if DEV_SET.exists() else [])
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        demo_index(root / "index")
        base = settings_for(root / "index", root, answerer="extractive")
        assistant = Assistant(base, retriever=open_retriever(base, make_embedder(base)))
        servers = {}
        for label, on in (("log on", True), ("log off", False)):
            settings = base.model_copy(update={"question_log": on, "data_dir": root / label.replace(" ", "-")})
            app = create_app(settings, assistant)
            servers[label] = (app, *serve(app))
        times: dict[str, list[float]] = {label: [] for label in servers}
        order = list(servers)
        with httpx.Client(timeout=120) as client:
            for n in range(WARM_UP + rounds):
                for question in questions:
                    for label in order:
                        url = servers[label][1]
                        started = time.perf_counter()
                        client.post(f"{url}/api/ask", json={"question": question}).raise_for_status()
                        if n >= WARM_UP:
                            times[label].append(time.perf_counter() - started)
                        servers["log on"][0].state.question_log.flush()  # untimed: see the docstring
                order.reverse()
        writer = servers["log on"][0].state.question_log.stats
        writer_ms = writer.write_seconds * 1000 / max(1, writer.written)
        for label, (_app, _url, server, thread) in servers.items():
            server.should_exit = True
            thread.join(10)
        rows_written = _count(root / "log-on" / "questions.sqlite3")
        per_call_us = enqueue_us(root, assistant.ask(questions[0]))
    stats = {label: {"n": len(t), "p50_ms": percentile(t, 50) * 1000, "p95_ms": percentile(t, 95) * 1000,
                     "mean_ms": statistics.fmean(t) * 1000} for label, t in times.items()}
    on, off = stats["log on"], stats["log off"]
    ratios = {k: on[k] / off[k] for k in ("p50_ms", "p95_ms", "mean_ms")}
    rows = [[label, s["n"], round(s["p50_ms"], 1), round(s["p95_ms"], 1), round(s["mean_ms"], 1)]
            for label, s in stats.items()]
    rows.append(["ratio on/off", "", f"{ratios['p50_ms']:.3f}", f"{ratios['p95_ms']:.3f}", f"{ratios['mean_ms']:.3f}"])
    save("question_log", args.quick, info, {"stats": stats, "ratios": ratios, "rows_logged": rows_written,
                                                "writer_ms_per_row": writer_ms, "enqueue_us": per_call_us},
         {"/api/ask latency, question log on vs off (extractive answerer, alternating requests)":
          table(["server", "requests", "p50 ms", "p95 ms", "mean ms"], rows)},
         [f"{len(questions)} questions × {rounds} rounds per server, load {fmt_load(loadavg())} at the end",
          f"rows the log wrote: {rows_written} (= requests + warm-up on that server); the writer thread "
          f"spent {writer_ms:.2f} ms per row, after the response",
          f"the request's own share, `QuestionLog.record` (enqueue): {per_call_us:.1f} µs a call, "
          f"{per_call_us / 10 / on['p50_ms']:.4f}% of the p50 request"])


def enqueue_us(folder: Path, answer, n: int = 5000) -> float:
    """What `record` costs the request itself: microseconds per call (the writer runs meanwhile)."""
    from ui.question_log import QuestionLog

    log = QuestionLog(folder / "enqueue.sqlite3", queue_size=n + 1)
    started = time.perf_counter()
    for _ in range(n):
        log.record(answer, user="bench", channel="api")
    seconds = time.perf_counter() - started
    log.close()
    return seconds / n * 1e6


def _count(path: Path) -> int:
    import sqlite3

    db = sqlite3.connect(path)
    try:
        return int(db.execute("SELECT count(*) FROM questions").fetchone()[0])
    finally:
        db.close()


if __name__ == "__main__":
    main()
