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
from ui.render import escape_text


class CollectedRuns:
    def __init__(self, settings: Settings, assistant):
        self.settings = settings
        self.assistant = assistant

    def build(self) -> None:
        gr.Markdown("#### 从真实提问收集的测试集")
        with gr.Row():
            chosen = gr.Dropdown(choices=self.names(), label="测试集（data/testsets/）", scale=3,
                                 allow_custom_value=False, elem_id="zk-collected-set")
            reload = gr.Button("刷新列表", size="sm", scale=0, min_width=90)
            run = gr.Button("运行评测", variant="primary", scale=0, min_width=100, elem_id="zk-collected-run")
        result = gr.HTML(elem_id="zk-collected-result")
        reload.click(lambda: gr.Dropdown(choices=self.names()), outputs=[chosen], api_name=False)
        run.click(self.run, inputs=[chosen], outputs=[result], api_name=False, concurrency_limit=1)

    def names(self) -> list[str]:
        return [p.stem for p in list_testsets(self.settings.data_dir)]

    def run(self, name: str, request: gr.Request = None) -> str:
        from eval.runner import run_eval

        if not is_admin(request, self.settings):
            raise gr.Error("仅管理员可以运行评测。")
        path = next((p for p in list_testsets(self.settings.data_dir) if p.stem == name), None)
        if path is None:
            return f"<p>{escape_text('请选择一个测试集。')}</p>"
        root = self.settings.data_dir / "eval"
        previous = _previous_run(root, path)
        out_dir = root / f"{time.strftime('%Y%m%d-%H%M%S')}-{path.stem}"
        try:
            run_eval(path, self.assistant, self.assistant.retriever, out_dir, progress=False, settings=self.settings)
        except ZhikuError as exc:
            return f"<p>❌ {escape_text(str(exc))}</p>"
        return results_html(case_results(out_dir), case_results(previous) if previous else [], out_dir.name)


def _previous_run(root: Path, dataset: Path) -> Path | None:
    wanted = str(dataset.resolve())
    return next((r.path for r in list_runs(root) if r.kind == "run" and r.dataset == wanted), None)


def results_html(now: list[dict], before: list[dict], run_name: str) -> str:
    """One line per case: passes now or not, and whether that changed since the previous run."""
    earlier = {r["id"]: r["passed"] for r in before}
    passed = sum(r["passed"] for r in now)
    lines = []
    for r in now:
        mark = "✅ 通过" if r["passed"] else "❌ 未通过"
        change = ""
        if r["id"] in earlier and earlier[r["id"]] != r["passed"]:
            change = " <strong>（新通过）</strong>" if r["passed"] else " <strong>（新失败）</strong>"
        lines.append(f'<tr class="zk-case-{"pass" if r["passed"] else "fail"}"><td>{escape_text(r["id"])}</td>'
                     f'<td>{escape_text(r["question"])}</td><td>{mark}{change}</td></tr>')
    head = f"<p>运行 {escape_text(run_name)}：{passed} / {len(now)} 个用例通过。</p>"
    return head + f'<table class="zk-eval-table"><tbody>{"".join(lines)}</tbody></table>'
