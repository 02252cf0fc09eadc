"""Two runs side by side: every metric's change and the questions that flipped.

Usage:
    c = compare_runs(Path("data/eval/before"), Path("data/eval/after"))
    Path("compare.html").write_text(render_compare_html(c), encoding="utf-8")
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from eval.htmlkit import esc, fmt, fmt_delta, page
from eval.metrics import LOWER_IS_BETTER, METRIC_KEYS, ItemScore, aggregate
from eval.runs import LoadedRun, load_run

CHECKS = ("keywords", "hit@5", "refusal")


@dataclass(frozen=True)
class MetricDelta:
    key: str
    a: float | None
    b: float | None

    @property
    def delta(self) -> float | None:
        return None if self.a is None or self.b is None else self.b - self.a

    @property
    def improved(self) -> bool | None:
        """True when B is better than A, False when worse, None when equal or not comparable."""
        if not self.delta or self.key == "n":
            return None
        return (self.delta < 0) if self.key in LOWER_IS_BETTER else (self.delta > 0)


@dataclass(frozen=True)
class Flip:
    id: str
    question: str
    check: str  # keywords, hit@5 or refusal
    now_passes: bool  # True: fail -> pass; False: pass -> fail
    answer_a: str | None = None
    answer_b: str | None = None


@dataclass(frozen=True)
class Comparison:
    a: LoadedRun
    b: LoadedRun
    metrics: list[MetricDelta]
    by_type: dict[str, list[MetricDelta]]
    flips: list[Flip]
    only_in_a: list[str] = field(default_factory=list)
    only_in_b: list[str] = field(default_factory=list)

    @property
    def scope_note(self) -> str:
        """Empty when both runs hold the same questions."""
        if not (self.only_in_a or self.only_in_b):
            return ""
        return (f"metrics over the {len(self.common_ids)} questions in both runs "
                f"(only in A: {len(self.only_in_a)}, only in B: {len(self.only_in_b)})")

    @property
    def common_ids(self) -> list[str]:
        ids_b = {r["id"] for r in self.b.results}
        return [r["id"] for r in self.a.results if r["id"] in ids_b]

    @property
    def same_dataset(self) -> bool:
        return self.a.run.get("dataset_sha256") == self.b.run.get("dataset_sha256")


def compare_runs(dir_a: Path, dir_b: Path) -> Comparison:
    """Run B measured against run A (A is the baseline)."""
    a, b = load_run(Path(dir_a)), load_run(Path(dir_b))
    rows_a = {r["id"]: r for r in a.results}
    rows_b = {r["id"]: r for r in b.results}
    ma, mb = a.metrics, b.metrics
    if rows_a.keys() != rows_b.keys():  # e.g. a --limit run: compare like with like
        common = rows_a.keys() & rows_b.keys()
        ma = aggregate([ItemScore(**rows_a[i]["score"]) for i in rows_a if i in common])
        mb = aggregate([ItemScore(**rows_b[i]["score"]) for i in rows_b if i in common])
    metrics = _deltas(ma, mb)
    types = list(dict.fromkeys([*ma.get("by_type", {}), *mb.get("by_type", {})]))
    by_type = {t: _deltas(ma.get("by_type", {}).get(t, {}), mb.get("by_type", {}).get(t, {})) for t in types}
    flips = []
    for item_id, rb in rows_b.items():
        ra = rows_a.get(item_id)
        if ra is None:
            continue
        for check in CHECKS:
            before, after = ra.get("passed", {}).get(check), rb.get("passed", {}).get(check)
            if before is not None and after is not None and before != after:
                flips.append(Flip(item_id, rb.get("question", ""), check, bool(after), ra.get("answer"), rb.get("answer")))
    return Comparison(
        a=a,
        b=b,
        metrics=metrics,
        by_type=by_type,
        flips=flips,
        only_in_a=[i for i in rows_a if i not in rows_b],
        only_in_b=[i for i in rows_b if i not in rows_a],
    )


def _deltas(ma: dict, mb: dict) -> list[MetricDelta]:
    return [MetricDelta(k, ma.get(k), mb.get(k)) for k in METRIC_KEYS]


def describe(run: LoadedRun) -> str:
    r = run.run
    answerer = "retrieval only" if r.get("retrieval_only") else r.get("answerer", "")
    return f"{run.path.name} ({answerer}, {r.get('retrieval_mode', '')}, {r.get('created', '')})"


def render_compare_html(c: Comparison) -> str:
    title = f"zhiku comparison — {c.a.path.name} → {c.b.path.name}"
    body = [f"<h1>{esc(title)}</h1>", f'<p class="meta">A: {esc(describe(c.a))}<br>B: {esc(describe(c.b))}</p>']
    if not c.same_dataset:
        body.append('<p class="bad">The runs used different test sets (or different versions of one): compare with care.</p>')
    if c.only_in_a or c.only_in_b:
        body.append(f'<p class="meta">{esc(c.scope_note)}</p>')
    body.append("<h2>Metrics</h2>" + _delta_table(c.metrics))
    if c.by_type:
        body.append("<h2>Change by question type (B − A)</h2>" + _by_type_table(c.by_type))
    body.append(_flips_table(c.flips))
    return page(title, "\n".join(body))


def _delta_table(deltas: list[MetricDelta]) -> str:
    lines = ['<table><tr><th>metric</th><th class="num">A</th><th class="num">B</th><th class="num">change</th></tr>']
    for d in deltas:
        cls = {True: "good", False: "bad"}.get(d.improved, "")
        lines.append(
            f'<tr><td>{esc(d.key)}</td><td class="num">{esc(fmt(d.key, d.a))}</td><td class="num">{esc(fmt(d.key, d.b))}</td>'
            f'<td class="num {cls}">{esc(fmt_delta(d.key, d.delta))}</td></tr>'
        )
    lines.append("</table>")
    return "\n".join(lines)


def _by_type_table(by_type: dict[str, list[MetricDelta]]) -> str:
    types = list(by_type)
    head = "".join(f'<th class="num">{esc(t)}</th>' for t in types)
    lines = [f"<table><tr><th>metric</th>{head}</tr>"]
    for i, key in enumerate(METRIC_KEYS):
        cells = []
        for t in types:
            d = by_type[t][i]
            cls = {True: "good", False: "bad"}.get(d.improved, "")
            cells.append(f'<td class="num {cls}" title="{esc(fmt(key, d.a))} → {esc(fmt(key, d.b))}">'
                         f"{esc(fmt_delta(key, d.delta))}</td>")
        lines.append(f"<tr><td>{esc(key)}</td>{''.join(cells)}</tr>")
    lines.append("</table>")
    return "\n".join(lines)


def _flips_table(flips: list[Flip]) -> str:
    head = f"<h2>Questions that flipped ({len(flips)})</h2>"
    if not flips:
        return head + "<p>No question changed its pass/fail on keywords, hit@5 or refusal.</p>"
    lines = [head, "<table><tr><th>id</th><th>check</th><th>change</th><th>question</th><th>answer A</th><th>answer B</th></tr>"]
    for f in sorted(flips, key=lambda f: (f.now_passes, f.check, f.id)):
        change = '<span class="good">fail → pass</span>' if f.now_passes else '<span class="bad">pass → fail</span>'
        lines.append(
            f"<tr><td>{esc(f.id)}</td><td>{esc(f.check)}</td><td>{change}</td><td>{esc(f.question)}</td>"
            f"<td class=answer>{esc(f.answer_a)}</td><td class=answer>{esc(f.answer_b)}</td></tr>"
        )
    lines.append("</table>")
    return "\n".join(lines)
