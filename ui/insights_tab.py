"""The 洞察 (insights) tab, for admins only: what staff ask, what goes unanswered or disliked, and
one click from a logged question to a test case.

The tab is hidden until the page's load event finds an admin (ui/admin.py), and every handler
checks again, so a non-admin neither sees it nor can call it. Data comes from ui/insights.py
(the same functions as /api/admin/*).

Usage (inside the Blocks): `InsightsTab(question_log, settings, assistant).build(demo)`.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import gradio as gr
import pandas as pd

from index.errors import ZhikuError
from rag.settings import Settings
from ui import insights
from ui.admin import is_admin
from ui.api_admin import build_case, report
from ui.question_log import QuestionLog
from eval.collect import append_case, case_id, testset_path

QUEUE_COLUMNS = ["编号", "时间", "问题", "原因或评论", "最接近的文章"]
DEFAULT_SET = "staff-questions"


class InsightsTab:
    def __init__(self, question_log: QuestionLog, settings: Settings, assistant):
        self.question_log = question_log
        self.settings = settings
        self.assistant = assistant  # for the embedder that groups near-duplicate questions
        self.state = _State(assistant)
        self.exports = Path(tempfile.mkdtemp(prefix="zhiku-gaps-"))  # one file, rewritten on each refresh

    def build(self, demo: gr.Blocks) -> gr.Tab:
        with gr.Tab("洞察", id="insights", visible=False, elem_id="zk-insights") as tab:
            with gr.Row():
                since = gr.Textbox("30d", label="时间范围（7d、2w 或 2026-01-31 起）", max_lines=1, scale=1)
                text = gr.Textbox("", label="问题或回答包含", max_lines=1, scale=2)
                refresh = gr.Button("刷新", variant="primary", scale=0, min_width=80, elem_id="zk-insights-refresh")
            figures = gr.Markdown(elem_id="zk-insights-figures")
            with gr.Row():
                counts = gr.BarPlot(x="day", y="count", color="series", title="每天的提问（已回答 + 未回答）", height=260)
                rates = gr.LinePlot(x="day", y="rate", color="series", title="未回答率与差评率", height=260,
                                    y_lim=[0, 1])
                rates_today = gr.BarPlot(x="series", y="rate", color="series", title="未回答率与差评率（仅一天的数据）",
                                         height=260, visible=False, y_lim=[0, 1])
            latency = gr.LinePlot(x="day", y="ms", color="series", title="回答耗时（p50 / p95，毫秒）", height=260)
            latency_today = gr.BarPlot(x="series", y="ms", color="series", title="回答耗时（p50 / p95，毫秒；仅一天的数据）",
                                       height=260, visible=False)
            top = gr.HTML(elem_id="zk-top-questions")
            gr.Markdown("#### 未回答（点一行，转为测试用例）")
            unanswered = gr.Dataframe(headers=QUEUE_COLUMNS, interactive=False, wrap=True, elem_id="zk-unanswered")
            gaps = gr.DownloadButton("导出内容缺口 CSV", elem_id="zk-gaps-csv")
            gr.Markdown("#### 差评（点一行，转为测试用例）")
            disliked = gr.Dataframe(headers=QUEUE_COLUMNS, interactive=False, wrap=True, elem_id="zk-disliked")
            with gr.Group(elem_id="zk-case"):
                gr.Markdown("#### 转为测试用例")
                with gr.Row():
                    log_id = gr.Number(None, label="日志编号", precision=0, elem_id="zk-case-id", scale=1)
                    load = gr.Button("载入", scale=0, min_width=80, elem_id="zk-case-load")
                    testset = gr.Textbox(DEFAULT_SET, label="测试集名称（data/testsets/<名称>.jsonl）", scale=2,
                                         elem_id="zk-case-set")
                asked = gr.Textbox(label="问题", elem_id="zk-case-question")
                logged_answer = gr.Textbox(label="当时的回答", interactive=False, lines=2)
                expected = gr.Textbox(label="期望答案", lines=2, elem_id="zk-case-answer")
                keywords = gr.Textbox(label="关键词（用、或逗号分隔：正确答案必须包含每一个）", elem_id="zk-case-keywords")
                passage = gr.Dropdown(label="证据所在的检索段落", choices=[], elem_id="zk-case-passage")
                passage_text = gr.Textbox(label="段落原文（选中一段文字即填入证据）", interactive=False, lines=4,
                                          elem_id="zk-case-passage-text")
                evidence = gr.Textbox(label="证据（段落中的原文片段）", elem_id="zk-case-evidence")
                unanswerable = gr.Checkbox(label="资料中没有答案（内容缺口：期望拒答）", elem_id="zk-case-unanswerable")
                save = gr.Button("加入测试集", variant="primary", elem_id="zk-case-save")
                status = gr.Markdown(elem_id="zk-case-status")

        filters = [since, text]
        outputs = [figures, counts, rates, rates_today, latency, latency_today, top, unanswered, disliked, gaps]
        refresh.click(self.refresh, inputs=filters, outputs=outputs, api_name=False)
        tab.select(self.refresh, inputs=filters, outputs=outputs, api_name=False)
        form = [log_id, asked, logged_answer, expected, keywords, passage, passage_text, evidence, unanswerable, status]
        for queue in (unanswered, disliked):
            queue.select(self.pick, inputs=[queue], outputs=form, api_name=False)
        load.click(self.load, inputs=[log_id], outputs=form, api_name=False)
        passage.change(self.show_passage, inputs=[log_id, passage], outputs=[passage_text], api_name=False)
        passage_text.select(_selected_text, outputs=[evidence], api_name=False)
        save.click(self.save, inputs=[log_id, testset, asked, expected, keywords, passage, evidence, unanswerable],
                   outputs=[status], api_name=False)
        demo.load(self.visibility, outputs=[tab], api_name=False, queue=False)
        return tab

    # --- handlers (each checks the caller) -------------------------------------------------------

    def visibility(self, request: gr.Request = None):
        return gr.Tab(visible=is_admin(request, self.settings))

    def refresh(self, since: str, text: str, request: gr.Request = None):
        self._check(request)
        try:
            f = insights.Filters(since=insights.parse_since(since) if since.strip() else None,
                                 text=text.strip()[:200] or None, limit=100)
        except ZhikuError as exc:
            raise gr.Error(str(exc)) from None
        self.question_log.flush(2.0)
        data = report(self.state, self.question_log, f)
        s = data["summary"]
        figures = (f"**提问** {s['asked']} · **未回答率** {_pct(s['refusal_rate'])} · **差评率** "
                   f"{_pct(s['thumbs_down_rate'])}（{s['thumbs_down']} / {s['rated']} 条评价）· **耗时** p50 "
                   f"{_ms(s['p50_ms'])}，p95 {_ms(s['p95_ms'])}")
        days = s["per_day"]
        # stacked bars: the two parts add up to the questions asked (thumbs down is a rate, beside)
        counts = _long([{**d, "answered": d["asked"] - d["refused"]} for d in days],
                       {"answered": "已回答", "refused": "未回答"}, "count")
        rates = _over_time(_long(days, {"refusal_rate": "未回答率", "thumbs_down_rate": "差评率"}, "rate"), len(days))
        latency = _over_time(_long(days, {"p50_ms": "p50", "p95_ms": "p95"}, "ms"), len(days))
        gaps_file = self.exports / "content-gaps.csv"
        gaps_file.write_text("\ufeff" + insights.gaps_csv(self.question_log, f), encoding="utf-8")
        return (figures, counts, *rates, *latency, _top_html(data["top_questions"]),
                _queue(data["unanswered"], "unanswered"), _queue(data["disliked"], "disliked"), str(gaps_file))

    def pick(self, table, data: gr.SelectData, request: gr.Request = None):
        self._check(request)
        row = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
        try:
            log_id = int(pd.DataFrame(table).iloc[int(row), 0])
        except (ValueError, IndexError, TypeError):
            return (gr.skip(),) * 9 + ("",)
        return self.load(log_id, request)

    def load(self, log_id, request: gr.Request = None):
        self._check(request)
        row = insights.get(self.question_log, int(log_id or 0))
        if row is None:
            return (gr.skip(),) * 9 + (f"没有编号为 {log_id} 的记录。",)
        choices = [(f"[{h['rank']}] {h['title']} · {h['source']}", h["chunk_id"]) for h in row["hits"]]
        first = choices[0][1] if choices else None
        notes = [f"已转为测试用例：{row['test_case']}" if row["test_case"] else "",
                 f"结合上文理解为：{row['standalone']}" if row["standalone"] != row["question"] else ""]
        note = "；".join(n for n in notes if n)
        return (row["id"], row["question"], row["answer"], "" if row["refused"] else row["answer"],
                "", gr.Dropdown(choices=choices, value=first), _hit_text(row, first), "", bool(row["refused"]), note)

    def show_passage(self, log_id, chunk_id: str, request: gr.Request = None) -> str:
        self._check(request)
        row = insights.get(self.question_log, int(log_id or 0))
        return _hit_text(row, chunk_id) if row else ""

    def save(self, log_id, name: str, question: str, answer: str, keywords: str, chunk_id: str, evidence: str,
             unanswerable: bool, request: gr.Request = None) -> str:
        self._check(request)
        row = insights.get(self.question_log, int(log_id or 0))
        if row is None:
            return "请先选择一条记录。"
        try:
            path = testset_path(self.settings.data_dir, name)
            case = build_case(row, question, answer, _split(keywords), _split(evidence, keep_commas=True),
                              chunk_id or "", unanswerable, "factoid")
            append_case(path, case)
        except ZhikuError as exc:
            return f"❌ {exc}"
        self.question_log.mark_test_case(row["id"], f"{path.stem}#{case_id(row['id'])}")
        return f"✅ 已加入 {path}（{case['id']}，{'期望拒答' if unanswerable else '期望回答'}）"

    def _check(self, request) -> None:
        if not is_admin(request, self.settings):
            raise gr.Error("仅管理员可用。")


class _State:
    """What `report` reads from an app's state: the assistant, and the grouper it keeps."""

    def __init__(self, assistant):
        self.assistant = assistant
        self.question_grouper = None


def _long(days: list[dict], series: dict[str, str], value: str) -> pd.DataFrame:
    rows = [{"day": pd.Timestamp(d["day"]), "series": label, value: d[key]}
            for d in days for key, label in series.items() if d[key] is not None]
    return pd.DataFrame(rows, columns=["day", "series", value])


def _over_time(frame: pd.DataFrame, days: int) -> tuple:
    """(line, bars): a line needs two days to be drawn; one day's figures show as bars instead."""
    if days >= 2:
        return gr.LinePlot(value=frame, visible=True), gr.BarPlot(visible=False)
    return gr.LinePlot(visible=False), gr.BarPlot(value=frame, visible=True)


def _queue(items: list[dict], kind: str) -> pd.DataFrame:
    rows = []
    for item in items:
        why = item.get("comment") or "（无评论）" if kind == "disliked" else _REASONS.get(item["refusal_reason"], item["refusal_reason"])
        closest = "；".join(c["title"] for c in item["closest"]) or "—"
        rows.append([item["id"], item["created_at"][:16].replace("T", " "), item["question"],
                     why, closest])
    return pd.DataFrame(rows, columns=QUEUE_COLUMNS)


_REASONS = {"evidence": "检索到的资料不足", "model_declined": "模型判断资料不足", "invented_figures": "回答含资料中没有的数字",
            "near_miss": "资料只有相近的内容"}


def _top_html(groups: list[dict]) -> str:
    from ui.render import escape_text

    if not groups:
        return "<p class='zk-muted'>还没有提问。</p>"
    items = "".join(
        f"<li><strong>{escape_text(g['question'])}</strong> × {g['count']}"
        + (f" <span class='zk-muted'>（另有说法：{escape_text('；'.join(g['variants'][:3]))}）</span>" if g["variants"] else "")
        + "</li>" for g in groups)
    return f"<h4>最常问的问题（相近的说法合并计数）</h4><ol class='zk-top-questions'>{items}</ol>"


def _hit_text(row: dict | None, chunk_id: str | None) -> str:
    return next((h.get("text", "") for h in (row or {}).get("hits", []) if h["chunk_id"] == chunk_id), "")


def _selected_text(data: gr.SelectData) -> str:
    return str(data.value or "") if data is not None else gr.skip()


def _split(text: str, keep_commas: bool = False) -> list[str]:
    seps = ("\n", "、", "；", ";") if keep_commas else ("\n", "、", "，", ",", "；", ";")
    for sep in seps[1:]:
        text = (text or "").replace(sep, seps[0])
    return [part.strip() for part in text.split(seps[0]) if part.strip()]


def _pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate:.0%}"


def _ms(ms: float | None) -> str:
    return "—" if ms is None else f"{ms / 1000:.1f} s" if ms >= 1000 else f"{ms:.0f} ms"
