"""rgb.html: the RGB tables beside the paper's and the jieba-BM25 reference, with a chart.

The rows are shared with the CLI, which prints the same tables in the terminal.
"""

from __future__ import annotations

from eval.htmlkit import bar_chart, esc, page

RETRIEVAL_COLUMNS = ("R@1", "R@5", "R@10", "MRR@10")


def pct(value) -> str:
    return "—" if value is None else f"{value * 100:.2f}"


def retrieval_rows(result: dict) -> list[list[str]]:
    """[name, R@1, R@5, R@10, MRR@10] for each mode, then the reference."""
    retrieval = result.get("retrieval") or {}
    rows = [[f"zhiku {mode}", *(f"{s.get(c, 0):.3f}" for c in RETRIEVAL_COLUMNS)] for mode, s in retrieval.get("modes", {}).items()]
    ref = retrieval.get("reference_bm25_jieba") or {}
    if ref:
        rows.append(["reference: jieba BM25", *("—" if ref.get(c) is None else f"{ref[c]:.3f}" for c in RETRIEVAL_COLUMNS)])
    return rows


def generation_rows(result: dict) -> list[list[str]]:
    """[noise, n, our accuracy %, paper accuracy %] per level; the last row is the rejection rate."""
    generation = result.get("generation") or {}
    paper = result.get("paper", {})
    rows = []
    for noise, g in generation.items():
        if noise == "1.0":
            continue
        rows.append([f"accuracy, noise {noise}", str(g["n"]), pct(g["accuracy"]), pct(paper.get("accuracy", {}).get(noise))])
    if "1.0" in generation:
        g = generation["1.0"]
        rows.append(["rejection rate, noise 1.0", str(g["n"]), pct(g["rejection_rate"]), pct(paper.get("rejection_rate"))])
    return rows


def render_rgb_report(result: dict) -> str:
    run = result.get("run", {})
    retrieval = result.get("retrieval") or {}
    title = "zhiku on RGB (Chinese)"
    answerer = "retrieval only" if run.get("retrieval_only") else run.get("answerer", "")
    meta = [
        f"data {run.get('dataset', '')}",
        f"run {run.get('created', '')}",
        f"answerer {answerer}",
        f"limit {run.get('limit') or 'none'}",
    ]
    body = [f"<h1>{esc(title)}</h1>", f'<p class="meta">{esc(" · ".join(meta))}</p>']
    if retrieval:
        scope = "the full corpus" if retrieval.get("full_corpus") else "only the selected questions' documents (easier than the full task)"
        body.append(
            f"<h2>Retrieval</h2><p class=meta>{esc(retrieval.get('n_questions'))} questions over "
            f"{esc(retrieval.get('n_docs'))} documents ({esc(retrieval.get('n_skipped', 0))} refused by the loader), "
            f"{esc(scope)}; a hit is a document in positive_doc_ids.</p>"
        )
        body.append(_table(["", *RETRIEVAL_COLUMNS], retrieval_rows(result)))
    rows = generation_rows(result)
    if rows:
        body.append(
            "<h2>Generation</h2><p class=meta>Correct: every answer group has one of its strings in the answer. "
            "Paper: ChatGPT, Chinese (RGB Tables 1 and 3; its rejection rate is judged by ChatGPT, ours is "
            "the assistant's refusal flag or refusal phrases).</p>"
        )
        body.append(_table(["", "n", "zhiku %", "paper ChatGPT %"], rows))
        generation = result.get("generation", {})
        paper = result.get("paper", {}).get("accuracy", {})
        groups = [(f"noise {k}", [v["accuracy"], paper.get(k)]) for k, v in generation.items() if k != "1.0"]
        if groups:
            body.append(bar_chart(groups, ["zhiku", "paper ChatGPT"], "accuracy by noise ratio"))
    return page(title, "\n".join(body))


def _table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f'<th class="num">{esc(h)}</th>' if i else f"<th>{esc(h)}</th>" for i, h in enumerate(header))
    lines = [f"<table><tr>{head}</tr>"]
    for row in rows:
        cells = "".join(f'<td class="num">{esc(c)}</td>' if i else f"<td>{esc(c)}</td>" for i, c in enumerate(row))
        lines.append(f"<tr>{cells}</tr>")
    lines.append("</table>")
    return "\n".join(lines)
