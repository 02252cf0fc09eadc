"""Answer latency on the dev set's questions: time to first token and to the whole answer for the
extractive answerer and the embedded LLM (Assistant.stream, as the chat and the API call it),
p50/p95, with the prompt's token count (llama.cpp's own tokenizer on the chat-templated prompt);
and what the context budget (settings.context_chars) buys in latency against keyword accuracy.

Keyword accuracy: the answer holds every answer_keyword (NFKC, case- and whitespace-insensitive);
for an unanswerable question, the answer is a refusal. Each context size has its own llama.cpp
server (its prompt cache would otherwise reuse a question's passages across sizes); every
question goes to the three in a rotated order until the time budget is spent. In the full run
two fresh servers, llm_threads=2 (the default) and 1, then answer the same questions alternately.

Usage: python -m bench.answer_latency [--quick]
"""

from __future__ import annotations

import shutil
import tempfile
import time
import unicodedata
from pathlib import Path

from bench.common import (DEV_SET, demo_index, loadavg, machine, parse_args, percentile, quiet_logs, read_jsonl,
                          save, settings_for, summary_ms, table)
from rag.records import Answer

CONTEXTS = [600, 1200, 2000]
LLM_BUDGET_S = 240  # full run, all context sizes together
THREADS_BUDGET_S = 100  # full run, llm_threads 1 against 2
QUICK_LLM_BUDGET_S = 20
# not a dev question: warms each server without favouring one
WARM_UP = {"id": "warm-up", "question": "2023年中国汽车出口了多少辆？", "answer_keywords": []}


def normalise(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).lower().split())


def correct(answer, item: dict) -> bool:
    keywords = item.get("answer_keywords") or []
    if not keywords:
        return bool(answer.refused)
    text = normalise(answer.text)
    return not answer.refused and all(normalise(k) in text for k in keywords)


def timed_answer(assistant, question: str, answerer: str) -> dict:
    started = time.perf_counter()
    first = None
    answer = None
    for event in assistant.stream(question, answerer=answerer):
        if first is None and isinstance(event, str):  # the first text, not the evidence before it
            first = time.perf_counter() - started
        if isinstance(event, Answer):
            answer = event
    return {"ttft_s": first, "total_s": time.perf_counter() - started, "answer": answer}


class PromptCounter:
    """Tokens of the prompt the LLM saw, counted by the llama.cpp server itself."""

    def __init__(self, assistant):
        import httpx

        server = assistant._runtime.local_server if assistant._runtime else None
        self.url = server.base_url.removesuffix("/v1") if server else ""
        self.headers = {"Authorization": f"Bearer {server.api_key}"} if server else {}
        self.client = httpx.Client(trust_env=False, timeout=30)

    def __call__(self, answer, context_chars: int) -> int | None:
        from rag.context import format_passages, select_passages
        from rag.chain import answer_prompt

        passages = select_passages(answer.hits, context_chars)
        messages = answer_prompt().format_messages(passages=format_passages(passages),
                                                   question=answer.standalone_question, history=[])
        roles = {"system": "system", "human": "user", "ai": "assistant"}
        chat = [{"role": roles[m.type], "content": m.content} for m in messages]
        if not self.url:
            return None
        try:
            prompt = self.client.post(self.url + "/apply-template", json={"messages": chat},
                                      headers=self.headers).json()["prompt"]
        except Exception:  # an older server: the contents alone, without the template's few tokens
            prompt = "\n".join(m["content"] for m in chat)
        try:
            tokens = self.client.post(self.url + "/tokenize", json={"content": prompt}, headers=self.headers).json()
            return len(tokens["tokens"])
        except Exception:
            return None


def row_stats(runs: list[dict]) -> dict:
    ok = [r for r in runs if r["answerable"]]
    refusals = [r for r in runs if not r["answerable"]]
    tokens = [r["prompt_tokens"] for r in runs if r.get("prompt_tokens")]
    return {
        "n": len(runs),
        "ttft_ms": summary_ms([r["ttft_s"] for r in runs]),
        "total_ms": summary_ms([r["total_s"] for r in runs]),
        "keyword_accuracy": sum(r["correct"] for r in ok) / len(ok) if ok else None,
        "answerable_n": len(ok),
        "refusal_correct": sum(r["correct"] for r in refusals) / len(refusals) if refusals else None,
        "prompt_tokens_p50": percentile(tokens, 50) if tokens else None,
        "prompt_tokens_p95": percentile(tokens, 95) if tokens else None,
        "fell_back_to_extractive": sum(1 for r in runs if r["mode"] != r["answerer"]),
    }


def run_one(assistant, item: dict, answerer: str, ctx: int, counter=None) -> dict:
    assistant.settings.context_chars = ctx  # read per question by the prepare chain
    r = timed_answer(assistant, item["question"], answerer)
    answer = r.pop("answer")
    r.update(id=item["id"], answerer=answerer, context_chars=ctx, mode=answer.answerer, refused=answer.refused,
             answerable=bool(item.get("answer_keywords")), correct=correct(answer, item), load1=loadavg()[0],
             chars=len(answer.text))
    if counter is not None and not answer.refused and answer.answerer == "llm":
        r["prompt_tokens"] = counter(answer, ctx)
    return r


def main(argv=None) -> dict:
    args = parse_args(__doc__.splitlines()[0], argv)
    quiet_logs()
    from rag.assistant import Assistant

    info = machine()
    items = read_jsonl(DEV_SET)
    if args.quick:  # five questions with keywords, spread over the set
        answerable = [q for q in items if q.get("answer_keywords")]
        items = answerable[:: max(1, len(answerable) // 5)][:5]
    contexts = [1200] if args.quick else CONTEXTS
    work = Path(tempfile.mkdtemp(prefix="zhiku-bench-answer-"))
    runs: list[dict] = []
    results: dict = {"dev_set": str(DEV_SET), "questions": len(items)}
    assistants = []
    try:
        results["index"] = demo_index(work / "index")
        settings = settings_for(work / "index")
        assistant = Assistant(settings)
        assistants.append(assistant)
        started = time.perf_counter()
        assistant.retriever.embedder.dim  # noqa: B018 - model loaded before any timing
        results["embedder_load_s"] = time.perf_counter() - started
        run_one(assistant, items[0], "extractive", 1200)  # warm-up
        for i, item in enumerate(items):  # context sizes interleaved per question: load drift hits all alike
            for ctx in contexts[i % len(contexts):] + contexts[: i % len(contexts)]:
                runs.append(run_one(assistant, item, "extractive", ctx))

        from rag.settings import Settings

        def llm_assistant(**overrides) -> Assistant:
            a = Assistant(Settings(**{**settings.model_dump(), **overrides}), retriever=assistant.retriever)
            assistants.append(a)
            began = time.perf_counter()
            a._chat()  # starts its own llama.cpp server
            results.setdefault("llm_server_start_s", []).append(round(time.perf_counter() - began, 2))
            run_one(a, WARM_UP, "llm", a.settings.context_chars)  # the system prompt enters its cache
            return a

        # one server per context size: llama.cpp keeps old prompts (cache_ram) and would reuse one
        # question's passages across sizes; this way each server sees each question once
        by_ctx = {ctx: llm_assistant(context_chars=ctx) for ctx in contexts}
        counter = PromptCounter(by_ctx[contexts[0]])
        budget = QUICK_LLM_BUDGET_S if args.quick else LLM_BUDGET_S
        started = time.perf_counter()
        llm_items = 0
        for i, item in enumerate(items):
            if time.perf_counter() - started > budget:
                break
            for ctx in contexts[i % len(contexts):] + contexts[: i % len(contexts)]:
                runs.append(run_one(by_ctx[ctx], item, "llm", ctx, counter))
            llm_items += 1
        results["llm_questions"] = llm_items
        for a in by_ctx.values():
            a.close()  # their memory back before two more servers start

        threads_runs: list[dict] = []
        if not args.quick:  # two fresh servers: neither has seen a question before
            two, one = llm_assistant(llm_threads=2), llm_assistant(llm_threads=1)
            started = time.perf_counter()
            for i, item in enumerate(items):
                if time.perf_counter() - started > THREADS_BUDGET_S:
                    break
                pair = [(two, 2), (one, 1)] if i % 2 == 0 else [(one, 1), (two, 2)]
                for a, threads in pair:
                    r = run_one(a, item, "llm", a.settings.context_chars)
                    r["llm_threads"] = threads
                    threads_runs.append(r)
    finally:
        for a in assistants:
            a.close()  # idempotent
        shutil.rmtree(work, ignore_errors=True)

    results["runs"] = runs
    rows, stats = [], {}
    for answerer in ("extractive", "llm"):
        for ctx in contexts:
            sel = [r for r in runs if r["answerer"] == answerer and r["context_chars"] == ctx]
            if not sel:
                continue
            s = stats[f"{answerer} {ctx}"] = row_stats(sel)
            acc = f"{s['keyword_accuracy']:.0%} of {s['answerable_n']}" if s["keyword_accuracy"] is not None else ""
            ref = f"{s['refusal_correct']:.0%} of {s['n'] - s['answerable_n']}" if s["refusal_correct"] is not None else ""
            toks = f"{s['prompt_tokens_p50']:.0f} / {s['prompt_tokens_p95']:.0f}" if s["prompt_tokens_p50"] else ""
            rows.append([answerer, ctx, s["n"], f"{s['ttft_ms']['p50']:,.0f} / {s['ttft_ms']['p95']:,.0f}",
                         f"{s['total_ms']['p50']:,.0f} / {s['total_ms']['p95']:,.0f}", toks, acc, ref,
                         s["fell_back_to_extractive"]])
    results["stats"] = stats
    tables = {"answer latency and context size": table(
        ["answerer", "context chars", "n", "first token p50 / p95 ms", "full answer p50 / p95 ms",
         "prompt tokens p50 / p95", "keyword accuracy", "refusals right", "LLM fell back"], rows)}
    notes = [f"embedded LLM server starts {', '.join(f'{x:.1f}' for x in results['llm_server_start_s'])} s; embedder load "
             f"{results['embedder_load_s']:.1f} s (both before timing)",
             f"LLM questions answered within the budget: {results['llm_questions']} of {len(items)}"]
    if threads_runs:
        results["threads_runs"] = threads_runs
        t_rows = []
        for threads in (2, 1):
            sel = [r for r in threads_runs if r["llm_threads"] == threads]
            s = row_stats(sel)
            stats[f"llm threads {threads}"] = s
            t_rows.append([threads, s["n"], f"{s['ttft_ms']['p50']:,.0f} / {s['ttft_ms']['p95']:,.0f}",
                           f"{s['total_ms']['p50']:,.0f} / {s['total_ms']['p95']:,.0f}"])
        two = [r["total_s"] for r in threads_runs if r["llm_threads"] == 2]
        one_t = [r["total_s"] for r in threads_runs if r["llm_threads"] == 1]
        if two and one_t:
            notes.append(f"llm_threads 1 / 2, summed full-answer time over the same questions: "
                         f"{sum(one_t) / sum(two):.2f}×")
        tables["llm_threads (context 1200, alternating per question)"] = table(
            ["llm_threads", "n", "first token p50 / p95 ms", "full answer p50 / p95 ms"], t_rows)
    save("answer_latency", args.quick, info, results, tables, notes)
    return results


if __name__ == "__main__":
    main()
