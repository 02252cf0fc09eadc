"""report.html of a test-set run: headline figures, charts, the metrics by type, the failures.

Usage: `html = render_report(run, metrics, rows)` with the contents of run.json, metrics.json
and results.jsonl.
"""

from __future__ import annotations

from eval.htmlkit import bar_chart, column_chart, esc, fmt, histogram_bins, page
from eval.metrics import METRIC_KEYS, contains_all

HEADLINE = (
    ("retrieval.hit@5", "evidence in top 5"),
    ("retrieval.mrr@10", "MRR@10"),
    ("answer.keyword_accuracy", "keyword accuracy"),
    ("answer.citation_precision", "citation precision"),
    ("refusal.accuracy", "refusal accuracy"),
    ("refusal.false_refusal_rate", "false refusals"),
    ("latency.first_content_p50_ms", "evidence shown p50"),
    ("latency.first_content_p95_ms", "evidence shown p95"),
    ("latency.first_token_p50_ms", "first token p50"),
    ("latency.p50_ms", "answer p50"),
    ("latency.p95_ms", "answer p95"),
)
BY_TYPE_SERIES = (
    ("retrieval.hit@5", "hit@5"),
    ("answer.keyword_accuracy", "keywords"),
    ("answer.citation_precision", "citations"),
    ("refusal.accuracy", "refusal"),
)
SHOWN_HITS = 5


def render_report(run: dict, metrics: dict, rows: list[dict]) -> str:
    title = f"zhiku evaluation — {_dataset_name(run)}"
    body = [
        f"<h1>{esc(title)}</h1>",
        _meta(run),
        _cards(metrics),
        "<h2>Charts</h2>",
        _charts(metrics, rows),
        "<h2>Metrics by question type</h2>",
        _metrics_table(metrics),
        _failures(rows),
    ]
    return page(title, "\n".join(body))


def _dataset_name(run: dict) -> str:
    return str(run.get("dataset", "")).replace("\\", "/").rsplit("/", 1)[-1] or "test set"


def _meta(run: dict) -> str:
    answerer = "retrieval only" if run.get("retrieval_only") else run.get("answerer") or "default"
    parts = [
        f"dataset {run.get('dataset', '')}",
        f"run {run.get('created', '')}",
        f"answerer {answerer}",
        f"retrieval {run.get('retrieval_mode') or ''} top {run.get('k', '')}",
        f"{run.get('n', 0)} questions",
    ]
    if run.get("type"):
        parts.append(f"type {run['type']}")
    if run.get("interrupted"):
        parts.append("interrupted: partial results")
    if run.get("errors"):
        parts.append(f"{run['errors']} failed with an error")
    index = run.get("index") or {}
    if index:
        parts.append(f"index built {index.get('built_at', '')} with {index.get('embedding_model', '')}")
    return f'<p class="meta">{esc(" · ".join(parts))}</p>'


def _cards(metrics: dict) -> str:
    cards = [
        f'<div class="card"><b>{esc(fmt(key, metrics.get(key)))}</b><span>{esc(label)}</span></div>'
        for key, label in HEADLINE
        if metrics.get(key) is not None
    ]
    return f'<div class="cards">{"".join(cards)}</div>'


def _charts(metrics: dict, rows: list[dict]) -> str:
    by_type = metrics.get("by_type", {})
    series = [(k, label) for k, label in BY_TYPE_SERIES if any(m.get(k) is not None for m in by_type.values())]
    charts = []
    if series and by_type:
        groups = [(t, [m.get(k) for k, _ in series]) for t, m in by_type.items()]
        charts.append(_figure("Metric by question type", bar_chart(groups, [label for _, label in series], "metric by type")))
    latencies = [r["timings_ms"].get("total") for r in rows if r.get("timings_ms", {}).get("total") is not None]
    what = "answer time"
    if not latencies:
        latencies = [r["timings_ms"].get("retrieval") for r in rows if r.get("timings_ms", {}).get("retrieval") is not None]
        what = "retrieval time"
    if latencies:
        labels, counts = histogram_bins(latencies)
        caption = f"Latency distribution ({what}, ms; bins by lower edge)"
        if what == "answer time":
            caption += f" · p50 {fmt('latency.p50_ms', metrics.get('latency.p50_ms'))}, p95 {fmt('latency.p95_ms', metrics.get('latency.p95_ms'))}"
        charts.append(_figure(caption, column_chart(labels, counts, caption)))
    scored = [r for r in rows if r.get("evidence") and r.get("type") != "unanswerable"]
    if scored:
        k = max((len(r.get("hits", [])) for r in scored), default=0)
        ranks = [r.get("hit_rank") for r in scored]
        labels = [str(i) for i in range(1, k + 1)] + ["miss"]
        counts = [sum(1 for x in ranks if x == i) for i in range(1, k + 1)] + [sum(1 for x in ranks if x is None)]
        caption = "Rank of the first passage holding evidence"
        charts.append(_figure(caption, column_chart(labels, counts, caption, color="#4a9a5b")))
    return f'<div class="charts">{"".join(charts)}</div>' if charts else "<p>No data to chart.</p>"


def _figure(caption: str, svg: str) -> str:
    return f'<figure class="chart"><figcaption>{esc(caption)}</figcaption>{svg}</figure>'


def _metrics_table(metrics: dict) -> str:
    types = list(metrics.get("by_type", {}))
    head = "".join(f'<th class="num">{esc(t)}</th>' for t in ["all", *types])
    lines = [f"<table><tr><th>metric</th>{head}</tr>"]
    for key in METRIC_KEYS:
        cells = [metrics.get(key)] + [metrics["by_type"][t].get(key) for t in types]
        lines.append(f"<tr><td>{esc(key)}</td>" + "".join(f'<td class="num">{esc(fmt(key, v))}</td>' for v in cells) + "</tr>")
    lines.append("</table>")
    return "\n".join(lines)


def failure_reasons(row: dict) -> list[str]:
    passed = row.get("passed", {})
    reasons = []
    if row.get("error"):
        reasons.append(f"error: {row['error']}")
    if passed.get("hit@5") is False:
        reasons.append("evidence not in the top 5 passages")
    if passed.get("keywords") is False:
        missing = [kw for kw in row.get("answer_keywords", []) if not contains_all(row.get("answer") or "", [kw])]
        reasons.append("answer lacks " + "、".join(missing) if missing else "answer lacks keywords")
    if passed.get("refusal") is False:
        reasons.append("refused an answerable question" if row.get("type") != "unanswerable" else "answered instead of refusing")
    return reasons


def _failures(rows: list[dict]) -> str:
    failed = [(r, failure_reasons(r)) for r in rows]
    failed = [(r, reasons) for r, reasons in failed if reasons]
    head = f"<h2>Failures ({len(failed)} of {len(rows)} questions)</h2>"
    if not failed:
        return head + "<p>Every question passed every check.</p>"
    lines = [
        head,
        "<table><tr><th>question</th><th>expected</th><th>retrieved (✓ holds evidence)</th>"
        "<th>answer</th><th>why it failed</th></tr>",
    ]
    for row, reasons in failed:
        hits = "".join(
            f'<li>{esc(h.get("title") or h.get("source"))}{" <span class=ev>✓</span>" if h.get("has_evidence") else ""}'
            f' <span class="muted">{esc(h.get("source"))}</span></li>'
            for h in row.get("hits", [])[:SHOWN_HITS]
        )
        answer = row.get("answer")
        answer_cell = '<span class="muted">(retrieval only)</span>' if answer is None else esc(answer)
        streamed = row.get("streamed") or ""
        if answer and streamed.strip() and streamed.strip() != answer.strip():  # grounding changed the model's text
            answer_cell += f'<br><span class="muted">the model wrote: {esc(streamed)}</span>'
        expected = esc(row.get("expected"))
        if row.get("answer_keywords"):
            expected += f'<br><span class="muted">keywords: {esc("、".join(row["answer_keywords"]))}</span>'
        lines.append(
            f'<tr><td><span class="muted">{esc(row.get("id"))} · {esc(row.get("type"))}</span><br>{esc(row.get("question"))}</td>'
            f"<td>{expected}</td><td><ol class=hits>{hits}</ol></td><td class=answer>{answer_cell}</td>"
            f'<td class="bad">{"<br>".join(esc(r) for r in reasons)}</td></tr>'
        )
    lines.append("</table>")
    return "\n".join(lines)
