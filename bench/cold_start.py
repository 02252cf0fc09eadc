"""Cold start: `zhiku serve` (a subprocess on a free port, over a prebuilt copy of the demo index)
to its first answered POST /api/ask, with ZHIKU_ANSWERER=extractive and =llm; then a second
question, to show what the first one paid for (the embedding model and, for llm, the llama.cpp
server load on first use). Model files are already materialised in the cache, as after the
first `make run`.

Usage: python -m bench.cold_start [--quick]
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.common import REPO, demo_index, loadavg, machine, parse_args, quiet_logs, save, table

QUESTIONS = ["2023年中国汽车出口了多少辆？", "HBM现在的均价是普通DRAM的几倍？"]
START_TIMEOUT_S = 300


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post(url: str, body: dict, timeout: float) -> dict:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=timeout) as response:
        return json.load(response)


def healthy(url: str) -> bool:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url + "/healthz", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def serve_once(index_dir: Path, work: Path, answerer: str) -> dict:
    port = free_port()
    env = {**os.environ, "ZHIKU_INDEX_DIR": str(index_dir), "ZHIKU_DATA_DIR": str(work / "data"),
           "ZHIKU_CORPUS_DIR": str(work / "corpus"), "ZHIKU_PORT": str(port), "ZHIKU_HOST": "127.0.0.1",
           "ZHIKU_ANSWERER": answerer, "ZHIKU_TOKEN": "", "HF_HUB_OFFLINE": "1"}
    zhiku = Path(sys.executable).with_name("zhiku")
    cmd = [str(zhiku)] if zhiku.exists() else [sys.executable, "-c", "from ui.cli import main; main()"]
    url = f"http://127.0.0.1:{port}"
    out = {"answerer": answerer, "load1": loadavg()[0]}
    log = open(work / f"serve-{answerer}.log", "w+b")  # noqa: SIM115
    started = time.perf_counter()
    proc = subprocess.Popen(cmd + ["serve"], env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
    try:
        while not healthy(url):
            if proc.poll() is not None or time.perf_counter() - started > START_TIMEOUT_S:
                log.seek(0)
                raise RuntimeError(f"zhiku serve did not come up:\n{log.read()[-3000:].decode(errors='replace')}")
            time.sleep(0.05)
        out["healthz_s"] = time.perf_counter() - started
        for i, question in enumerate(QUESTIONS):
            asked = time.perf_counter()
            answer = post(url + "/api/ask", {"question": question}, timeout=START_TIMEOUT_S)
            seconds = time.perf_counter() - asked
            if i == 0:
                out["first_answer_s"] = time.perf_counter() - started
                out["first_ask_s"] = seconds
            else:
                out["second_ask_s"] = seconds
            out[f"answered_by_{i}"] = answer["answerer"]
            out[f"timings_ms_{i}"] = answer["timings_ms"]
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
    return out


def main(argv=None) -> dict:
    args = parse_args(__doc__.splitlines()[0], argv)
    quiet_logs()
    info = machine()
    work = Path(tempfile.mkdtemp(prefix="zhiku-bench-cold-"))
    results: dict = {}
    try:
        (work / "corpus").mkdir()
        results["index"] = demo_index(work / "index")
        for answerer in ("extractive",) if args.quick else ("extractive", "llm"):
            results[answerer] = serve_once(work / "index", work, answerer)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    rows = [[a, r["healthz_s"], r["first_ask_s"], r["first_answer_s"], r["second_ask_s"], r["answered_by_0"],
             f"{r['load1']:.2f}"] for a, r in results.items() if a != "index"]
    tab = table(["ZHIKU_ANSWERER", "process → /healthz s", "first /api/ask s", "process → first answer s",
                 "second /api/ask s", "first answered by", "load1"], rows)
    notes = ["the first question pays for loading the e5 model (and, for llm, starting llama.cpp): "
             "compare the first and second /api/ask"]
    save("cold_start", args.quick, info, results, {"cold start": tab}, notes)
    return results


if __name__ == "__main__":
    main()
