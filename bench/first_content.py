"""Evidence first: how long a user waits for the evidence (the passages and the extract, streamed
before the model is asked) against the first token and the whole answer, for the extractive
answerer and the embedded LLM, on the dev set's questions.

Timed exactly as `zhiku eval` times them (eval.runner.timed_answer over Assistant.stream, as the
chat and the API call it), each question answered by both answerers one after the other, so load
drift hits both alike; the load average is recorded with every question. Ratios are per question
(evidence / total), then their p50: what share of the whole wait the evidence saves.

Usage: python -m bench.first_content [--quick]
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from bench.common import (DEV_SET, demo_index, loadavg, machine, parse_args, percentile, quiet_logs, read_jsonl,
                          save, settings_for, table)

LLM_BUDGET_S = 600  # full run: LLM answers stop here, the extractive ones went first
QUICK_QUESTIONS = 5
QUICK_LLM_BUDGET_S = 90
WARM_UP = "2023年中国汽车出口了多少辆？"  # not a dev question: loads the embedder and fills llama.cpp's prompt cache


def timed(assistant, question: str, answerer: str) -> dict:
    from eval.runner import timed_answer

    load1 = loadavg()[0]
    answer, waits, _ = timed_answer(assistant, question, answerer)
    return {"answerer": answerer, "mode": answer.answerer, "refused": answer.refused, "load1": load1,
            "first_content_ms": waits.first_content_ms, "first_token_ms": waits.first_token_ms,
            "total_ms": waits.total_ms}


def stats(runs: list[dict]) -> dict:
    def p(key: str, q: float) -> float:
        return percentile([r[key] for r in runs], q)

    answered = [r for r in runs if not r["refused"]]  # a refusal's first content is its whole answer
    return {
        "n": len(runs), "answered": len(answered),
        **{f"{key}_{q}": p(key, q) for key in ("first_content_ms", "first_token_ms", "total_ms") for q in (50, 95)},
        "content_over_total_p50": percentile([r["first_content_ms"] / r["total_ms"] for r in answered], 50),
        "token_over_total_p50": percentile([r["first_token_ms"] / r["total_ms"] for r in answered], 50),
        "token_over_content_p50": percentile([r["first_token_ms"] / r["first_content_ms"] for r in answered], 50),
        "load1_min": min(r["load1"] for r in runs), "load1_max": max(r["load1"] for r in runs),
        "fell_back": sum(1 for r in runs if r["mode"] != r["answerer"]),
    }


def main(argv=None) -> dict:
    args = parse_args(__doc__.splitlines()[0], argv)
    quiet_logs()
    from rag.assistant import Assistant

    info = machine()
    items = read_jsonl(DEV_SET)
    if args.quick:  # a few questions with keywords, spread over the set
        answerable = [q for q in items if q.get("answer_keywords")]
        items = answerable[:: max(1, len(answerable) // QUICK_QUESTIONS)][:QUICK_QUESTIONS]
    work = Path(tempfile.mkdtemp(prefix="zhiku-bench-first-content-"))
    runs: list[dict] = []
    results: dict = {"dev_set": str(DEV_SET), "questions": len(items)}
    assistant = None
    try:
        results["index"] = demo_index(work / "index")
        assistant = Assistant(settings_for(work / "index", answerer="llm"))
        began = time.perf_counter()
        assistant._chat()  # starts llama.cpp: before any timing
        results["llm_server_start_s"] = round(time.perf_counter() - began, 2)
        for answerer in ("extractive", "llm"):
            timed(assistant, WARM_UP, answerer)
        budget = QUICK_LLM_BUDGET_S if args.quick else LLM_BUDGET_S
        started = time.perf_counter()
        for i, item in enumerate(items):
            if time.perf_counter() - started > budget:
                break
            for answerer in ("extractive", "llm") if i % 2 == 0 else ("llm", "extractive"):
                runs.append({"id": item["id"], **timed(assistant, item["question"], answerer)})
    finally:
        if assistant is not None:
            assistant.close()
        shutil.rmtree(work, ignore_errors=True)

    results["runs"] = runs
    results["stats"] = {a: stats([r for r in runs if r["answerer"] == a]) for a in ("extractive", "llm")}
    rows = []
    for answerer, s in results["stats"].items():
        rows.append([answerer, f"{s['n']} ({s['answered']} answered)",
                     f"{s['first_content_ms_50']:,.0f} / {s['first_content_ms_95']:,.0f}",
                     f"{s['first_token_ms_50']:,.0f} / {s['first_token_ms_95']:,.0f}",
                     f"{s['total_ms_50']:,.0f} / {s['total_ms_95']:,.0f}",
                     f"{s['content_over_total_p50']:.3f}", f"{s['token_over_total_p50']:.3f}",
                     f"{s['token_over_content_p50']:.1f}×", f"{s['load1_min']:.2f}–{s['load1_max']:.2f}", s["fell_back"]])
    tab = table(["answerer", "questions", "evidence p50 / p95 ms", "first token p50 / p95 ms",
                 "full answer p50 / p95 ms", "evidence / total (p50)", "first token / total (p50)",
                 "first token / evidence (p50)", "load1 during", "LLM fell back"], rows)
    notes = [f"embedded LLM server started in {results['llm_server_start_s']:.1f} s (before timing); "
             f"both answerers answered each question, alternating which went first",
             "evidence: the Found event (passages + extract) of Assistant.stream, sent before the model is asked; "
             "for a question refused before the model it is the refusal itself"]
    save("first_content", args.quick, info, results, {"time to the evidence, the first token and the answer": tab}, notes)
    return results


if __name__ == "__main__":
    main()
