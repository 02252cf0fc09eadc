"""What the verification pass (ZHIKU_VERIFY, rag/verification.py) adds to an answer: on the dev
set's questions with the embedded LLM, each answer's own verify_ms against its llm_ms and its
total, measured in the same answer (so load drift hits both alike); the load average is recorded
with every question. Only answers the check runs on count (not refused before or by the rules).

Usage: python -m bench.verify_cost [--quick]
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from bench.common import DEV_SET, demo_index, loadavg, machine, parse_args, percentile, quiet_logs, read_jsonl, save, settings_for, table

BUDGET_S = 600
QUICK_QUESTIONS = 5
WARM_UP = "2023年中国汽车出口了多少辆？"  # not a dev question


def main(argv=None) -> dict:
    args = parse_args(__doc__.splitlines()[0], argv)
    quiet_logs()
    from rag.assistant import Assistant
    from rag.near_miss import MISSING_DIRECT

    info = machine()
    items = [q for q in read_jsonl(DEV_SET)]
    if args.quick:
        items = items[:: max(1, len(items) // QUICK_QUESTIONS)][:QUICK_QUESTIONS]
    work = Path(tempfile.mkdtemp(prefix="zhiku-bench-verify-"))
    runs: list[dict] = []
    results: dict = {"dev_set": str(DEV_SET)}
    assistant = None
    try:
        results["index"] = demo_index(work / "index")
        assistant = Assistant(settings_for(work / "index", answerer="llm", verify=True))
        assistant._chat()  # starts llama.cpp before any timing
        assistant.ask(WARM_UP)
        started = time.perf_counter()
        for item in items:
            if time.perf_counter() - started > BUDGET_S:
                break
            load1 = loadavg()[0]
            answer = assistant.ask(item["question"])
            t = answer.timings_ms
            if "verify_ms" in t:
                runs.append({"id": item["id"], "load1": load1, "verify_ms": t["verify_ms"], "llm_ms": t.get("llm_ms"),
                             "total_ms": t["total_ms"], "doubted": answer.missing == MISSING_DIRECT})
    finally:
        if assistant is not None:
            assistant.close()
        shutil.rmtree(work, ignore_errors=True)
    results["runs"] = runs
    v = [r["verify_ms"] for r in runs]
    ratio_llm = [r["verify_ms"] / r["llm_ms"] for r in runs if r["llm_ms"]]
    ratio_total = [r["verify_ms"] / r["total_ms"] for r in runs]
    rows = [[len(runs), f"{percentile(v, 50):,.0f} / {percentile(v, 95):,.0f}", f"{percentile(ratio_llm, 50):.3f}",
             f"{percentile(ratio_total, 50):.3f}", f"{min(r['load1'] for r in runs):.2f}–{max(r['load1'] for r in runs):.2f}"]] if runs else []
    tab = table(["answers checked", "verify p50 / p95 ms", "verify / model's answer (p50)", "verify / whole answer (p50)",
                 "load1 during"], rows)
    save("verify_cost", args.quick, info, results, {"the verification pass's cost per answer": tab},
         ["verify_ms and llm_ms come from the same answer's timings (Answer.timings_ms)"])
    return results


if __name__ == "__main__":
    main()
