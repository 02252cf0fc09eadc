"""The context budget (settings.context_chars): accuracy and latency side by side per budget, on
the dev set, the repo's sample set (both over the demo index) and RGB's Chinese noise-0.4 items
(answered from their own five passages, ranked by the question as eval.rgb does).

Each budget has its own llama.cpp server (one server's prompt cache would otherwise carry a
question's passages from one budget to the next); every question goes to all budgets in a
rotated order, so load drift on the shared machine hits every budget alike. Dev and sample
questions come first (interleaved), then RGB's, until the time budget is spent.
Scored with zhiku eval's own functions: keyword accuracy, refusal accuracy and false refusals
(eval.metrics / eval.runner.declined) for dev and sample, RGB's accuracy and rejections
(eval.rgb); dangling markers are `[n]` in the final answer that cite nothing. The model's raw
answer is counted in tokens (llama.cpp's tokenizer) to size llm_max_tokens.

Usage: python -m bench.context_budget [--quick] [--budgets 600,900,1200] [--rgb 100] [--minutes 55]
       python -m bench.context_budget --drop d007,s03 --reason "..."   # re-table a saved run without them
"""

from __future__ import annotations

import argparse
import re
import shutil
import tempfile
import time
from pathlib import Path

from bench.common import (DEV_SET, REPO, RESULTS, demo_index, loadavg, machine, percentile, quiet_logs, read_jsonl, save,
                          settings_for, summary_ms, table)

BUDGETS = [600, 900, 1200]
SAMPLE_SET = REPO / "eval" / "testsets" / "sample.jsonl"
RGB_DIR = Path("/work/shared/bench/rgb_zh")
RGB_NOISE = "0.4"
MARKER = re.compile(r"\[(\d+)\]")
WARM_UP = "2023年中国汽车出口了多少辆？"  # not a test question: puts the system prompt in each server's cache


def interleave(*lists: list) -> list:
    """a1 b1 c1 a2 b2 c2 …, the shorter lists simply ending."""
    out = []
    for i in range(max(map(len, lists), default=0)):
        out += [xs[i] for xs in lists if i < len(xs)]
    return out


def dangling(answer) -> int:
    """Markers in the final text that point at no citation."""
    cited = {c.n for c in answer.citations}
    return sum(1 for m in MARKER.finditer(answer.text or "") if int(m.group(1)) not in cited)


class TokenCounter:
    """Tokens of a text by the llama.cpp server's own tokenizer."""

    def __init__(self, assistant):
        import httpx

        server = assistant._runtime.local_server
        self.url = server.base_url.removesuffix("/v1") + "/tokenize"
        self.headers = {"Authorization": f"Bearer {server.api_key}"}
        self.http = httpx.Client(trust_env=False, timeout=30)

    def __call__(self, text: str) -> int | None:
        try:
            return len(self.http.post(self.url, json={"content": text}, headers=self.headers).json()["tokens"])
        except Exception:  # noqa: BLE001 - a count is a nice-to-have; the answer is scored anyway
            return None


def answer_one(assistant, item: dict) -> dict:
    """Stream one answer as the chat does: seconds to the first text delta and to the end, the raw text."""
    from rag.records import Answer

    hits = None
    if item["set"] == "rgb":
        from eval.rgb import passage_hits

        hits = passage_hits(item["docs"], item["question"])
    started = time.perf_counter()
    first, raw, answer = None, [], None
    for event in assistant.stream(item["question"], hits=hits, answerer="llm"):
        if isinstance(event, Answer):
            answer = event
        elif isinstance(event, str) and event:
            first = first or time.perf_counter() - started
            raw.append(event)
    total = time.perf_counter() - started
    return {"answer": answer, "raw": "".join(raw), "ttft_s": first or total, "total_s": total}


def score(item: dict, answer) -> dict:
    from eval.metrics import contains_all
    from eval.rgb import is_rejection, rgb_correct
    from eval.runner import declined

    text = answer.text or ""
    if item["set"] == "rgb":
        refused = is_rejection(text, bool(answer.refused or answer.missing))
        return {"answerable": True, "correct": rgb_correct(text, item["answer_groups"]), "refused": refused}
    keywords = item.get("answer_keywords") or []
    refused = declined(answer)
    return {"answerable": bool(keywords), "refused": refused,
            "correct": (not refused and contains_all(text, keywords)) if keywords else refused}


def run_item(assistant, counter, item: dict, budget: int) -> dict:
    r = answer_one(assistant, item)
    answer = r.pop("answer")
    raw = r.pop("raw")
    r.update(set=item["set"], id=item["id"], budget=budget, answerer=answer.answerer, load1=loadavg()[0],
             dangling=dangling(answer), chars=len(answer.text or ""), asked_model="queue_ms" in answer.timings_ms,
             **score(item, answer))
    if answer.answerer == "llm" and raw:
        r["answer_tokens"] = counter(raw)
    return r


def summarise(runs: list[dict]) -> dict:
    ok = [r for r in runs if r["answerable"]]
    unanswerable = [r for r in runs if not r["answerable"]]
    llm = [r for r in runs if r["asked_model"]]  # refusals decided before the model take milliseconds
    tokens = [r["answer_tokens"] for r in runs if r.get("answer_tokens") and r["correct"] and r["answerable"]]
    return {
        "n": len(runs),
        "answerable": len(ok),
        "correct": sum(r["correct"] for r in ok),
        "refusals_right": sum(r["correct"] for r in unanswerable),
        "unanswerable": len(unanswerable),
        "false_refusals": sum(r["refused"] for r in ok),
        "dangling": sum(r["dangling"] for r in runs),
        "fell_back": sum(1 for r in runs if r["answerer"] != "llm"),
        "ttft_ms": summary_ms([r["ttft_s"] for r in llm]),
        "total_ms": summary_ms([r["total_s"] for r in llm]),
        "longest_correct_tokens": max(tokens, default=None),
        "longest_tokens": max((r["answer_tokens"] for r in runs if r.get("answer_tokens") and r["asked_model"]),
                              default=None),
        "correct_tokens_p95": round(percentile(tokens, 95)) if tokens else None,
    }


def report(runs: list[dict], budgets: list[int], planned: int) -> tuple[dict, dict, list[str]]:
    """Per budget and set: accuracy, refusals, dangling markers, latency; the tables and notes."""
    stats: dict = {}
    rows = []
    base = f"{max(budgets)} all"
    for budget in budgets:
        for name in ("dev", "sample", "rgb", "all"):
            sel = [r for r in runs if r["budget"] == budget and (name == "all" or r["set"] == name)]
            if not sel:
                continue
            s = stats[f"{budget} {name}"] = summarise(sel)
            refusals = f"{s['refusals_right']} of {s['unanswerable']}" if s["unanswerable"] else ""
            rows.append([budget, name, s["n"], f"{s['correct']} of {s['answerable']}", refusals, s["false_refusals"],
                         s["dangling"], s["fell_back"],
                         f"{s['ttft_ms'].get('p50', 0):,.0f} / {s['ttft_ms'].get('p95', 0):,.0f}",
                         f"{s['total_ms'].get('p50', 0):,.0f} / {s['total_ms'].get('p95', 0):,.0f}",
                         s["longest_correct_tokens"] or "", s["longest_tokens"] or ""])
    ratio_rows = []
    for budget in budgets:
        s, b = stats.get(f"{budget} all"), stats.get(base)
        if s and b and s["ttft_ms"].get("p50") and b["ttft_ms"].get("p50"):
            ratio_rows.append([budget, f"{s['ttft_ms']['p50'] / b['ttft_ms']['p50']:.2f}",
                               f"{s['total_ms']['p50'] / b['total_ms']['p50']:.2f}",
                               f"{sum(r['total_s'] for r in runs if r['budget'] == budget) / max(1e-9, sum(r['total_s'] for r in runs if r['budget'] == max(budgets))):.2f}",
                               s["correct"] - b["correct"]])
    answered = {(r["set"], r["id"]) for r in runs}
    by_set = {name: sum(1 for k in answered if k[0] == name) for name in ("dev", "sample", "rgb")}
    notes = [f"questions answered at every budget: {len(answered)} of {planned} planned "
             f"(dev {by_set['dev']}, sample {by_set['sample']}, rgb {by_set['rgb']})",
             "latency over the questions that reached the model (refusals decided before it take milliseconds)",
             f"load1 over the run: {min((r['load1'] for r in runs), default=0):.2f}–{max((r['load1'] for r in runs), default=0):.2f}"]
    tables = {"context budget": table(
        ["context chars", "set", "n", "correct (keywords / RGB)", "refusals right", "false refusals", "dangling markers",
         "fell back", "first token p50 / p95 ms", "full answer p50 / p95 ms", "longest correct answer, tokens",
         "longest answer, tokens"], rows),
        f"against {max(budgets)} characters, same questions": table(
        ["context chars", "first token p50 ×", "full answer p50 ×", "summed answer time ×", "correct, difference"],
        ratio_rows)}
    return stats, tables, notes


def retable(path: Path, drop: set[str], reason: str) -> None:
    """Recompute a result file's tables without the questions `drop` names (with the reason noted)."""
    import json

    data = json.loads(path.read_text(encoding="utf-8"))
    results = data["results"]
    runs = [r for r in results["runs"] if r["id"] not in drop]
    results["dropped"] = {"ids": sorted(drop), "reason": reason}
    results["stats"], data["tables"], notes = report(runs, results["budgets"], results["planned"])
    data["notes"] = notes + [f"left out: {', '.join(sorted(drop))} ({reason})"]
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    for title, text in data["tables"].items():
        print(f"### {title}\n\n{text}\n")
    print("\n".join(f"- {n}" for n in data["notes"]))


def load_items(rgb_n: int, quick: bool) -> list[dict]:
    dev = [{**q, "set": "dev"} for q in read_jsonl(DEV_SET)]
    sample = [{**q, "set": "sample"} for q in read_jsonl(SAMPLE_SET)]
    rgb = [{**q, "set": "rgb", "id": str(q["id"])} for q in read_jsonl(RGB_DIR / "gen" / f"noise_{RGB_NOISE}.jsonl")[:rgb_n]]
    if quick:
        dev, sample, rgb = dev[:3], sample[:2], rgb[:2]
    return interleave(dev, sample) + rgb  # dev and sample whole first; RGB gets the rest of the time


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--budgets", default=",".join(map(str, BUDGETS)))
    parser.add_argument("--rgb", type=int, default=100, help="RGB noise-0.4 items (first N)")
    parser.add_argument("--minutes", type=float, default=55, help="stop starting new questions after this")
    parser.add_argument("--drop", help="recompute the saved tables without these question ids (comma-separated)")
    parser.add_argument("--reason", default="", help="why they are left out (noted with the tables)")
    args = parser.parse_args(argv)
    if args.drop:
        retable(RESULTS / f"context_budget{'.quick' if args.quick else ''}.json", set(args.drop.split(",")), args.reason)
        return {}
    quiet_logs()
    from rag.assistant import Assistant
    from rag.settings import Settings

    budgets = [int(b) for b in args.budgets.split(",")]
    info = machine()
    items = load_items(args.rgb, args.quick)
    work = Path(tempfile.mkdtemp(prefix="zhiku-bench-budget-"))
    runs: list[dict] = []
    results: dict = {"budgets": budgets, "rgb_noise": RGB_NOISE, "planned": len(items)}
    assistants: dict[int, Assistant] = {}
    try:
        results["index"] = demo_index(work / "index")
        settings = settings_for(work / "index", answerer="llm")
        base = Assistant(settings)
        base.retriever.embedder.dim  # noqa: B018 - the model loads before any timing
        for budget in budgets:
            a = Assistant(Settings(**{**settings.model_dump(), "context_chars": budget}), retriever=base.retriever)
            a.ask(WARM_UP)
            assistants[budget] = a
        counter = TokenCounter(assistants[budgets[0]])
        deadline = time.monotonic() + args.minutes * 60
        for i, item in enumerate(items):
            if time.monotonic() > deadline:
                break
            for budget in budgets[i % len(budgets):] + budgets[: i % len(budgets)]:
                runs.append(run_item(assistants[budget], counter, item, budget))
            if i % 10 == 9:
                print(f"{i + 1} of {len(items)} questions, load {loadavg()[0]:.2f}", flush=True)
    finally:
        for a in assistants.values():
            a.close()
        shutil.rmtree(work, ignore_errors=True)

    results["runs"] = runs
    results["stats"], tables, notes = report(runs, budgets, len(items))
    save("context_budget", args.quick, info, results, tables, notes)
    return results


if __name__ == "__main__":
    main()
