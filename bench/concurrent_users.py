"""Several people at once: 1, 2, 4 and 8 simultaneous users asking dev questions over HTTP.

Each configuration is a real `zhiku serve` process on a free loopback port over the demo index
(the settings under test passed as ZHIKU_* variables). Every user sends `/api/ask` requests one
after the other, each a dev question (rotated so users ask different ones), for the time budget;
the figures are answers per minute, p50/p95 of the whole answer, 503s (busy, by design past the
queue) and other errors, with the ratio of answers/minute against one user of the same
configuration, and against the first configuration (today's one slot) at the same number of
users, all in the same run.

Usage: python -m bench.concurrent_users [--quick] [--users 1,4] [--config NAME=VAR=VALUE,VAR=VALUE ...]
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

from bench.common import (DEV_SET, REPO, demo_index, fmt_load, loadavg, machine, percentile, read_jsonl, save,
                          table)

USERS = [1, 2, 4, 8]
SECONDS = 180
QUICK_USERS = [1, 2]
QUICK_SECONDS = 40
# one answer at a time (zhiku before parallel slots) against 2 and 4 slots decoding together;
# one line per configuration, as ZHIKU_* variables (llm_concurrency follows llm_slots)
CONFIGS = {
    "1 slot": {"ZHIKU_LLM_SLOTS": "1"},
    "2 slots": {"ZHIKU_LLM_SLOTS": "2"},
    "4 slots": {"ZHIKU_LLM_SLOTS": "4"},
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`zhiku serve` in a child process with `env` on top of ours; stopped on exit."""

    def __init__(self, env: dict[str, str], index_dir: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, **env, "ZHIKU_PORT": str(self.port), "ZHIKU_INDEX_DIR": str(index_dir),
                    "ZHIKU_ANSWERER": "llm"}

    def __enter__(self) -> Server:
        zhiku = Path(sys.executable).with_name("zhiku")
        self.proc = subprocess.Popen([str(zhiku), "serve"], env=self.env, cwd=REPO,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:  # ready when the model answered its warm-up token
            try:
                health = httpx.get(self.url + "/healthz", timeout=5).json()
                if health.get("llm") == "ready":
                    return self
                if str(health.get("llm", "")).startswith("failed"):
                    raise RuntimeError(f"the LLM did not start: {health['llm']}")
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None:
                raise RuntimeError("zhiku serve exited")
            time.sleep(1)
        raise RuntimeError("zhiku serve was not ready in 300 s")

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def load(url: str, users: int, seconds: float, questions: list[str]) -> dict:
    """`users` threads asking back to back until `seconds` have passed; what came back."""
    lock = threading.Lock()
    latencies: list[float] = []
    counts = {"answered": 0, "busy": 0, "errors": 0, "fallback": 0}
    until = time.monotonic() + seconds

    def user(n: int) -> None:
        with httpx.Client(base_url=url, timeout=300) as http:
            i = n * 7
            while time.monotonic() < until:
                question = questions[i % len(questions)]
                i += 1
                started = time.perf_counter()
                try:
                    response = http.post("/api/ask", json={"question": question})
                except httpx.HTTPError:
                    with lock:
                        counts["errors"] += 1
                    continue
                elapsed = time.perf_counter() - started
                with lock:
                    if response.status_code == 503:
                        counts["busy"] += 1
                    elif response.status_code != 200:
                        counts["errors"] += 1
                    else:
                        counts["answered"] += 1
                        latencies.append(elapsed)
                        if response.json().get("answerer") != "llm" and not response.json().get("refused"):
                            counts["fallback"] += 1
                if response.status_code == 503:
                    time.sleep(1)

    threads = [threading.Thread(target=user, args=(n,)) for n in range(users)]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - began  # answers still in flight at the deadline count too
    return {**counts, "wall_s": round(wall, 1), "per_minute": round(counts["answered"] * 60 / wall, 2),
            "p50_s": round(percentile(latencies, 50), 2), "p95_s": round(percentile(latencies, 95), 2),
            "load_end": loadavg()}


def parse_configs(values: list[str] | None) -> dict[str, dict[str, str]]:
    if not values:
        return CONFIGS
    configs = {}
    for value in values:
        name, _, assignments = value.partition("=")
        configs[name] = dict(pair.split("=", 1) for pair in assignments.split(",") if pair)
    return configs


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--config", action="append", help="NAME=VAR=VALUE,VAR=VALUE (repeatable)")
    parser.add_argument("--seconds", type=float, help="per user count (default 180, quick 40)")
    parser.add_argument("--users", help="user counts, comma-separated (default 1,2,4,8; quick 1,2)")
    args = parser.parse_args(argv)
    users_list = [int(u) for u in args.users.split(",")] if args.users else QUICK_USERS if args.quick else USERS
    seconds = args.seconds or (QUICK_SECONDS if args.quick else SECONDS)
    questions = [item["question"] for item in read_jsonl(DEV_SET)]
    info = machine()
    index_dir = Path(tempfile.mkdtemp(prefix="zhiku-bench-users-")) / "index"
    demo_index(index_dir)
    results: dict[str, dict] = {}
    rows = []
    configs = parse_configs(args.config)
    for name, env in configs.items():
        with Server(env, index_dir) as server:
            for users in users_list:
                print(f"{name}: {users} users for {seconds:g} s (load {fmt_load(loadavg())})", flush=True)
                result = load(server.url, users, seconds, questions)
                results[f"{name} / {users}"] = result
                base = results[f"{name} / {users_list[0]}"]["per_minute"] or float("nan")
                first = results.get(f"{next(iter(configs))} / {users}", {}).get("per_minute") or float("nan")
                rows.append([name, users, result["answered"], result["per_minute"],
                             round(result["per_minute"] / base, 2), round(result["per_minute"] / first, 2),
                             result["p50_s"], result["p95_s"],
                             result["busy"], result["errors"], result["fallback"], fmt_load(result["load_end"])])
    headers = ["configuration", "users", "answers", "answers/min", "× one user", f"× {next(iter(configs))}",
               "p50 s", "p95 s", "503s",
               "errors", "fallbacks", "load at end"]
    save("concurrent_users", args.quick, info, results, {"simultaneous users": table(headers, rows)})


if __name__ == "__main__":
    main()
