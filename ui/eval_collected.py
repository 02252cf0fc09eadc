"""The 评测 tab's collected test sets: run `data/testsets/<name>.jsonl` (the cases made from real
questions in the 洞察 tab) and show which cases pass now, beside the set's previous run.

Starting a run is for admins (it keeps the LLM busy); the run is the same as
`zhiku eval run --dataset data/testsets/<name>.jsonl` and lands in the run list above.

Usage (inside the 评测 tab): `CollectedRuns(settings, assistant).build()`.
"""

from __future__ import annotations

import time
from pathlib import Path

import gradio as gr

from eval.collect import case_results, list_testsets
from eval.runs import list_runs
from index.errors import ZhikuError
from rag.settings import Settings
from ui.admin import is_admin
from ui.i18n import UIText
from ui.render import escape_text


class CollectedRuns:
    def __init__(self, settings: Settings, assistant):
        self.settings = settings
        self.assistant = assistant
        self.t = UIText(settings.language)

    def build(self) -> None:
        gr.Markdown(f"#### {self.t('collected_heading')}")
        with gr.Row():
            chosen = gr.Dropdown(choices=self.names(), label=self.t("collected_set"), scale=3,
                                 allow_custom_value=False, elem_id="zk-collected-set")
            reload = gr.Button(self.t("collected_reload"), size="sm", scale=0, min_width=90)
            run = gr.Button(self.t("collected_run"), variant="primary", scale=0, min_width=100, elem_id="zk-collected-run")
        result = gr.HTML(elem_id="zk-collected-result")
        reload.click(lambda: gr.Dropdown(choices=self.names()), outputs=[chosen], api_name=False)
        run.click(self.run, inputs=[chosen], outputs=[result], api_name=False, concurrency_limit=1)

    def names(self) -> list[str]:
        return [p.stem for p in list_testsets(self.settings.data_dir)]

    def run(self, name: str, request: gr.Request = None) -> str:
        from eval.runner import run_eval

        if not is_admin(request, self.settings):
            raise gr.Error(self.t("collected_admins_only"))
        path = next((p for p in list_testsets(self.settings.data_dir) if p.stem == name), None)
        if path is None:
            return f"<p>{escape_text(self.t('collected_choose'))}</p>"
        root = self.settings.data_dir / "eval"
        previous = _previous_run(root, path)
        out_dir = root / f"{time.strftime('%Y%m%d-%H%M%S')}-{path.stem}"
        try:
            run_eval(path, self.assistant, self.assistant.retriever, out_dir, progress=False, settings=self.settings)
        except ZhikuError as exc:
            return f"<p>❌ {escape_text(str(exc))}</p>"
        return results_html(case_results(out_dir), case_results(previous) if previous else [], out_dir.name,
                            self.t)


def _previous_run(root: Path, dataset: Path) -> Path | None:
    wanted = str(dataset.resolve())
    return next((r.path for r in list_runs(root) if r.kind == "run" and r.dataset == wanted), None)


def results_html(now: list[dict], before: list[dict], run_name: str, t: UIText | None = None) -> str:
    """One line per case: passes now or not, and whether that changed since the previous run."""
    t = t or UIText("zh")
    earlier = {r["id"]: r["passed"] for r in before}
    passed = sum(r["passed"] for r in now)
    lines = []
    for r in now:
        mark = "✅ " + t("collected_pass") if r["passed"] else "❌ " + t("collected_fail")
        change = ""
        if r["id"] in earlier and earlier[r["id"]] != r["passed"]:
            change = f' <strong>{escape_text(t("collected_now_passes" if r["passed"] else "collected_now_fails"))}</strong>'
        lines.append(f'<tr class="zk-case-{"pass" if r["passed"] else "fail"}"><td>{escape_text(r["id"])}</td>'
                     f'<td>{escape_text(r["question"])}</td><td>{mark}{change}</td></tr>')
    head = f"<p>{escape_text(t('collected_summary', run=run_name, passed=passed, total=len(now)))}</p>"
    return head + f'<table class="zk-eval-table"><tbody>{"".join(lines)}</tbody></table>'
