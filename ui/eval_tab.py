"""The evaluation tab: past runs under `<data_dir>/eval/`, their headline metrics, and links to
their reports, which the server serves at `/eval-reports/<run folder>/<report file>`."""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from urllib.parse import quote

import gradio as gr

from eval.runs import RunInfo, list_runs
from rag.settings import Settings
from ui.eval_collected import CollectedRuns
from ui.i18n import UIText
from ui.render import escape_text

REPORTS_URL = "/eval-reports"


def build_eval_tab(settings: Settings, t: UIText, assistant=None) -> gr.Tab:
    """The tab, inside the current Blocks context; the list is read again each time it is opened.
    With the assistant, collected test sets can be run from here (ui/eval_collected.py)."""
    root = settings.data_dir / "eval"
    with gr.Tab(t("tab_eval"), id="eval") as tab:
        runs = gr.HTML(elem_id="zk-eval-runs")
        refresh = gr.Button(t("kb_refresh"), size="sm")
        if assistant is not None:
            CollectedRuns(settings, assistant).build()
    refresh.click(lambda: runs_html(root, t), outputs=[runs], api_name=False)
    tab.select(lambda: runs_html(root, t), outputs=[runs], api_name="eval_runs")
    return tab


def runs_html(root: Path, t: UIText) -> str:
    runs = [r for r in list_runs(root) if r.path != root]  # each run is a folder of its own
    heading = f"<h3>{escape_text(t('eval_heading'))}</h3>"
    if not runs:
        return f'{heading}<p class="zk-muted">{escape_text(t("eval_none", folder=str(root)))}</p>'
    keys = ("eval_col_run", "eval_col_created", "eval_col_dataset", "eval_col_answerer", "eval_col_n")
    head = "".join(f"<th>{escape_text(t(k))}</th>" for k in keys) + f"<th>{escape_text(t('eval_col_metrics'))}</th>" + f"<th>{escape_text(t('eval_col_report'))}</th>"
    rows = "".join(_run_row(run, root, t) for run in runs)
    return f'{heading}<table class="zk-eval-table"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'


def report_url(run: RunInfo, root: Path) -> str:
    folder = PurePosixPath(run.path.relative_to(root).as_posix())
    return f"{REPORTS_URL}/{quote(str(folder / run.report.name))}"


def _run_row(run: RunInfo, root: Path, t: UIText) -> str:
    answerer = run.answerer or t("eval_retrieval_only")
    metrics = "<br>".join(
        f"{escape_text(name)}: <strong>{escape_text(_format(name, value))}</strong>" for name, value in run.headline.items()
    )
    link = (
        f'<a href="{escape_text(report_url(run, root))}" target="_blank" rel="noopener">{escape_text(t("eval_open_report"))}</a>'
        if run.report.is_file()
        else "—"
    )
    cells = (run.path.name, run.created.replace("T", " "), Path(run.dataset).name or run.kind, answerer, str(run.n))
    return "<tr>" + "".join(f"<td>{escape_text(c)}</td>" for c in cells) + f"<td>{metrics}</td><td>{link}</td></tr>"


def _format(name: str, value) -> str:
    if value is None:
        return "—"
    if not isinstance(value, (int, float)):
        return str(value)
    if name.endswith("_ms"):
        return f"{value:.0f} ms"
    return f"{value:.3f}" if isinstance(value, float) else str(value)
