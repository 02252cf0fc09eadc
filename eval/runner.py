"""One evaluation run: every question of a test set against the retriever and the assistant.

Retrieval is scored on `retriever.search(question, top_k=k)`; the answer comes from
`assistant.stream(question, answerer=...)`, timed to the first content (the evidence shown before
the model answers, or a refusal), to the first text delta and to the end, exactly as a user would
wait for them (the assistant does its own retrieval).
Usage:
    metrics = run_eval(Path("eval/testsets/sample.jsonl"), Assistant(settings), open_retriever(settings),
                       Path("data/eval/run1"), settings=settings)
"""

from __future__ import annotations

import hashlib
import json
import logging
import sys
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from index.errors import ZhikuError
from index.records import Hit
from rag.records import Answer, Found
from eval import runs
from eval.metrics import ItemScore, aggregate, contains_all, contains_any, first_hit_rank, hit_at, item_metrics
from eval.report import render_report
from eval.testset import EvalItem, load_testset

log = logging.getLogger(__name__)

ABORT_AFTER_FAILURES = 3  # the first questions all failing means a broken set-up, not bad answers


def run_eval(
    testset: Path,
    assistant,
    retriever,
    out_dir: Path,
    k: int = 10,
    answerer: str | None = None,
    retrieval_only: bool = False,
    limit: int | None = None,
    type_filter: str | None = None,
    progress: bool = True,
    settings=None,
) -> dict:
    """Run, write out_dir/{run.json,results.jsonl,metrics.json,report.html}; return the metrics.

    `assistant` may be None for a retrieval-only run; `type_filter` takes one type or a comma list;
    `settings` (a rag.settings.Settings) is only recorded in run.json.
    """
    testset = Path(testset)
    if k < 1:
        raise ZhikuError("k must be at least 1")
    if not retrieval_only and assistant is None:
        raise ZhikuError("answers need an assistant: pass one, or run with --retrieval-only")
    items = select_items(load_testset(testset), limit, type_filter)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    run = {
        "kind": "run",
        "created": runs.now_iso(),
        "finished": "",
        "dataset": str(testset.resolve()),
        "dataset_sha256": hashlib.sha256(testset.read_bytes()).hexdigest(),
        "n": len(items),
        "k": k,
        "answerer": answerer or (settings.answerer if settings is not None else ""),
        "retrieval_only": retrieval_only,
        "retrieval_mode": getattr(retriever, "mode", ""),
        "limit": limit,
        "type": type_filter or "",
        "index": _index_record(retriever),
        "settings": runs.settings_record(settings),
    }
    runs.write_json(out_dir / runs.RUN_FILE, run)
    started = time.perf_counter()
    rows, scores = [], []
    interrupted = False
    with open(out_dir / runs.RESULTS_FILE, "w", encoding="utf-8") as sink:
        try:
            for item in _progress(items, progress):
                row, score = evaluate_item(item, retriever, None if retrieval_only else assistant, k, answerer)
                rows.append(row)
                scores.append(score)
                sink.write(json.dumps(row, ensure_ascii=False) + "\n")
                sink.flush()
                if len(rows) == ABORT_AFTER_FAILURES and all(r.get("error") for r in rows):
                    raise ZhikuError(f"answering failed for the first {len(rows)} questions: {rows[0]['error']}")
        except KeyboardInterrupt:  # Ctrl-C on a long run still leaves a report of what was done
            interrupted = True
    metrics = aggregate(scores)
    run.update(
        finished=runs.now_iso(),
        seconds=round(time.perf_counter() - started, 2),
        errors=sum(1 for r in rows if r.get("error")),
        interrupted=interrupted,
        n=len(rows),
    )
    runs.write_json(out_dir / runs.METRICS_FILE, metrics)
    runs.write_json(out_dir / runs.RUN_FILE, run)
    (out_dir / runs.REPORT_FILE).write_text(render_report(run, metrics, rows), encoding="utf-8")
    if interrupted:
        raise ZhikuError(f"interrupted after {len(rows)} of {len(items)} questions; partial report in {out_dir}")
    return metrics


def select_items(items: list[EvalItem], limit: int | None = None, type_filter: str | None = None) -> list[EvalItem]:
    """Items of the wanted types (comma-separated), then the first `limit` of them."""
    if type_filter:
        wanted = {t.strip() for t in type_filter.split(",") if t.strip()}
        present = sorted({i.type for i in items})
        unknown = wanted - set(present)
        if unknown:
            raise ZhikuError(f"no question of type {', '.join(sorted(unknown))}: the test set has {', '.join(present)}")
        items = [i for i in items if i.type in wanted]
    if limit is not None:
        if limit < 1:
            raise ZhikuError("--limit must be at least 1")
        items = items[:limit]
    return items


def evaluate_item(item: EvalItem, retriever, assistant, k: int, answerer: str | None) -> tuple[dict, ItemScore]:
    """One question: its results.jsonl row and its score. `assistant=None` scores retrieval only."""
    t0 = time.perf_counter()
    hits = retriever.search(item.question, top_k=k)
    retrieval_ms = (time.perf_counter() - t0) * 1000
    flags = [contains_any(h.chunk.text, item.evidence) for h in hits]
    row = {
        "id": item.id,
        "question": item.question,
        "type": item.type,
        "difficulty": item.difficulty,
        "expected": item.answer,
        "answer_keywords": list(item.answer_keywords),
        "evidence": list(item.evidence),
        "sources": list(item.sources),
        "hits": [_hit_record(h, flag) for h, flag in zip(hits, flags)],
        "hit_rank": first_hit_rank(flags) if item.evidence else None,
        "answer": None,
        "citations": [],
        "refused": None,
        "timings_ms": {"retrieval": round(retrieval_ms, 1)},
    }
    score = ItemScore(
        type=item.type,
        answerable=item.answerable,
        has_evidence=bool(item.evidence),
        hit_rank=row["hit_rank"],
        retrieved=k,
    )
    if assistant is not None:
        row, score = _score_answer(item, assistant, answerer, row, score)
    row["score"] = asdict(score)
    row["metrics"] = item_metrics(score)
    row["passed"] = passed_checks(score)
    return row, score


def passed_checks(score: ItemScore) -> dict[str, bool | None]:
    """Pass/fail per check, None where it does not apply: what `compare` looks for flips in."""
    hit5 = None
    if score.answerable and score.has_evidence:
        hit5 = hit_at(score.hit_rank, min(5, score.retrieved)) == 1.0
    refusal = None
    if score.refused is not None:
        refusal = score.refused if not score.answerable else not score.refused
    return {"hit@5": hit5, "keywords": score.keywords_ok, "refusal": refusal}


def _score_answer(item: EvalItem, assistant, answerer, row: dict, score: ItemScore) -> tuple[dict, ItemScore]:
    try:
        answer, times, streamed = timed_answer(assistant, item.question, answerer)
    except Exception as exc:  # one failing question must not end a long run; it is recorded
        log.warning("question %s failed: %s", item.id, exc, exc_info=log.isEnabledFor(logging.DEBUG))
        row.update(answer="", refused=False, error=f"{type(exc).__name__}: {exc}")
        kw = False if item.answer_keywords else None
        return row, replace(score, keywords_ok=kw, refused=False)
    text = answer.text or ""
    citations = [
        {"n": c.n, "chunk_id": c.chunk.id, "title": c.chunk.title, "source": c.chunk.source,
         "has_evidence": contains_any(c.chunk.text, item.evidence)}
        for c in answer.citations
    ]
    timings = dict(row["timings_ms"])
    timings.update(first_content=round(times.first_content_ms, 1), first_token=round(times.first_token_ms, 1),
                   total=round(times.total_ms, 1))
    timings.update({f"assistant.{k}": v for k, v in (answer.timings_ms or {}).items()})
    row.update(
        answer=text,
        streamed=streamed,
        answerer=answer.answerer,
        notice=answer.notice,
        citations=citations,
        refused=declined(answer),
        missing=answer.missing,
        timings_ms=timings,
    )
    score = replace(
        score,
        keywords_ok=contains_all(text, item.answer_keywords) if item.answer_keywords else None,
        cited=len(citations),
        cited_with_evidence=sum(c["has_evidence"] for c in citations),
        refused=declined(answer),
        first_content_ms=times.first_content_ms,
        first_token_ms=times.first_token_ms,
        total_ms=times.total_ms,
    )
    return row, score


@dataclass(frozen=True)
class Waits:
    """How long a user waited, in ms from the question."""

    first_content_ms: float  # the evidence (Found), or the first text when none came (a refusal)
    first_token_ms: float  # the first text delta, or the Answer when none came
    total_ms: float


def timed_answer(assistant, question: str, answerer: str | None) -> tuple[Answer, Waits, str]:
    """The final Answer, the waits for the first content, the first text delta and the end, and
    the text streamed before it: the model's own words, which grounding may have changed (kept so
    that a reader sees what each rule did, and a new rule can be tried on a run's answers)."""
    start = time.perf_counter()
    content = first = None
    answer = None
    deltas: list[str] = []
    for event in assistant.stream(question, answerer=answerer):
        if isinstance(event, Answer):
            answer = event
        elif isinstance(event, Found) or event:
            now = time.perf_counter()
            content = content or now
            if isinstance(event, str):
                deltas.append(event)
                first = first or now
    end = time.perf_counter()
    if answer is None:
        raise ZhikuError("the assistant finished without an answer")
    waits = Waits(((content or end) - start) * 1000, ((first or end) - start) * 1000, (end - start) * 1000)
    return answer, waits, "".join(deltas)


def _hit_record(hit: Hit, has_evidence: bool) -> dict:
    c = hit.chunk
    return {
        "rank": hit.rank,
        "chunk_id": c.id,
        "title": c.title,
        "source": c.source,
        "score": round(float(hit.score), 6),
        "has_evidence": has_evidence,
    }


def _index_record(retriever) -> dict:
    manifest = getattr(getattr(retriever, "snapshot", None), "manifest", None)
    if manifest is None:
        return {}
    return {
        "embedding_model": getattr(manifest, "embedding_model", ""),
        "built_at": getattr(manifest, "built_at", ""),
        "chunking": getattr(manifest, "chunking", {}),
        "files": len(getattr(manifest, "files", {}) or {}),
    }


def _progress(items, enabled: bool):
    from tqdm import tqdm

    return tqdm(items, desc="eval", unit="q", file=sys.stderr, disable=not enabled or len(items) < 2)


def declined(answer) -> bool:
    """A refusal, or a near miss answered as one ("资料中没有…；资料给出的是…"): either way the
    assistant said the articles do not hold what was asked."""
    return bool(answer.refused or answer.missing)
