"""The insights tab (洞察), for admins only: what staff ask, what goes unanswered or disliked, and
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
from ui.insights_words import InsightsWords
from ui.question_log import QuestionLog
from eval.collect import append_case, case_id, testset_path

DEFAULT_SET = "staff-questions"


class InsightsTab:
    def __init__(self, question_log: QuestionLog, settings: Settings, assistant):
        self.question_log = question_log
        self.settings = settings
        self.assistant = assistant  # for the embedder that groups near-duplicate questions
        self.state = _State(assistant)
        self.w = InsightsWords(settings.language)
        self.exports = Path(tempfile.mkdtemp(prefix="zhiku-gaps-"))  # one file, rewritten on each refresh

    def build(self, demo: gr.Blocks) -> gr.Tab:
        w = self.w
        with gr.Tab(w("tab"), id="insights", visible=False, elem_id="zk-insights") as tab:
            with gr.Row():
                since = gr.Textbox("30d", label=w("since"), max_lines=1, scale=1)
                text = gr.Textbox("", label=w("text"), max_lines=1, scale=2)
                refresh = gr.Button(w("refresh"), variant="primary", scale=0, min_width=80, elem_id="zk-insights-refresh")
            figures = gr.Markdown(elem_id="zk-insights-figures")
            with gr.Row():
                counts = gr.BarPlot(x="day", y="count", color="series", title=w("per_day"), height=260)
                rates = gr.LinePlot(x="day", y="rate", color="series", title=w("rates"), height=260,
                                    y_lim=[0, 1])
                rates_today = gr.BarPlot(x="series", y="rate", color="series", title=w("rates_one_day"),
                                         height=260, visible=False, y_lim=[0, 1])
            latency = gr.LinePlot(x="day", y="ms", color="series", title=w("latency"), height=260)
            latency_today = gr.BarPlot(x="series", y="ms", color="series", title=w("latency_one_day"),
                                       height=260, visible=False)
            top = gr.HTML(elem_id="zk-top-questions")
            gr.Markdown(w("unanswered"))
            unanswered = gr.Dataframe(headers=w.columns(), interactive=False, wrap=True, elem_id="zk-unanswered")
            gaps = gr.DownloadButton(w("gaps_csv"), elem_id="zk-gaps-csv")
            gr.Markdown(w("disliked"))
            disliked = gr.Dataframe(headers=w.columns(), interactive=False, wrap=True, elem_id="zk-disliked")
            with gr.Group(elem_id="zk-case"):
                gr.Markdown(w("case"))
                with gr.Row():
                    log_id = gr.Number(None, label=w("log_id"), precision=0, elem_id="zk-case-id", scale=1)
                    load = gr.Button(w("load"), scale=0, min_width=80, elem_id="zk-case-load")
                    testset = gr.Textbox(DEFAULT_SET, label=w("testset"), scale=2,
                                         elem_id="zk-case-set")
                asked = gr.Textbox(label=w("question"), elem_id="zk-case-question")
                logged_answer = gr.Textbox(label=w("answer_then"), interactive=False, lines=2)
                expected = gr.Textbox(label=w("expected"), lines=2, elem_id="zk-case-answer")
                keywords = gr.Textbox(label=w("keywords"), elem_id="zk-case-keywords")
                passage = gr.Dropdown(label=w("passage"), choices=[], elem_id="zk-case-passage")
                passage_text = gr.Textbox(label=w("passage_text"), interactive=False, lines=4,
                                          elem_id="zk-case-passage-text")
                evidence = gr.Textbox(label=w("evidence"), elem_id="zk-case-evidence")
                unanswerable = gr.Checkbox(label=w("unanswerable"), elem_id="zk-case-unanswerable")
                save = gr.Button(w("save"), variant="primary", elem_id="zk-case-save")
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
        w = self.w
        figures = w("figures", asked=s["asked"], refusal=_pct(s["refusal_rate"]), down=_pct(s["thumbs_down_rate"]),
                    thumbs_down=s["thumbs_down"], rated=s["rated"], p50=_ms(s["p50_ms"]), p95=_ms(s["p95_ms"]))
        days = s["per_day"]
        # stacked bars: the two parts add up to the questions asked (thumbs down is a rate, beside)
        counts = _long([{**d, "answered": d["asked"] - d["refused"]} for d in days],
                       {"answered": w("answered_series"), "refused": w("refused_series")}, "count")
        rates = _over_time(_long(days, {"refusal_rate": w("refusal_series"), "thumbs_down_rate": w("down_series")},
                                 "rate"), len(days))
        latency = _over_time(_long(days, {"p50_ms": "p50", "p95_ms": "p95"}, "ms"), len(days))
        gaps_file = self.exports / "content-gaps.csv"
        gaps_file.write_text("\ufeff" + insights.gaps_csv(self.question_log, f), encoding="utf-8")
        return (figures, counts, *rates, *latency, _top_html(data["top_questions"], w),
                _queue(data["unanswered"], "unanswered", w), _queue(data["disliked"], "disliked", w), str(gaps_file))

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
            return (gr.skip(),) * 9 + (self.w("no_row", id=log_id),)
        choices = [(f"[{h['rank']}] {h['title']} · {h['source']}", h["chunk_id"]) for h in row["hits"]]
        first = choices[0][1] if choices else None
        notes = [self.w("already_case", case=row["test_case"]) if row["test_case"] else "",
                 self.w("standalone", text=row["standalone"]) if row["standalone"] != row["question"] else ""]
        note = self.w("note_sep").join(n for n in notes if n)
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
            return self.w("choose_row")
        try:
            path = testset_path(self.settings.data_dir, name)
            case = build_case(row, question, answer, _split(keywords), _split(evidence, keep_commas=True),
                              chunk_id or "", unanswerable, "factoid")
            append_case(path, case)
        except ZhikuError as exc:
            return f"❌ {exc}"
        self.question_log.mark_test_case(row["id"], f"{path.stem}#{case_id(row['id'])}")
        return self.w("saved", path=path, id=case["id"], kind=self.w("expect_refusal" if unanswerable else "expect_answer"))

    def _check(self, request) -> None:
        if not is_admin(request, self.settings):
            raise gr.Error(self.w("admins_only"))


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


def _queue(items: list[dict], kind: str, w: InsightsWords) -> pd.DataFrame:
    rows = []
    for item in items:
        reason = item.get("refusal_reason", "")  # refused rows only
        why = (item.get("comment") or w("no_comment") if kind == "disliked"
               else w(f"reason_{reason}") if f"reason_{reason}" in REASONS else reason)
        closest = w("list_sep").join(c["title"] for c in item["closest"]) or "—"
        rows.append([item["id"], item["created_at"][:16].replace("T", " "), item["question"],
                     why, closest])
    return pd.DataFrame(rows, columns=w.columns())


REASONS = {"reason_evidence", "reason_model_declined", "reason_invented_figures", "reason_kind_not_given",
           "reason_near_miss"}


def _top_html(groups: list[dict], w: InsightsWords) -> str:
    from ui.render import escape_text

    if not groups:
        return f"<p class='zk-muted'>{escape_text(w('no_questions'))}</p>"
    items = "".join(
        f"<li><strong>{escape_text(g['question'])}</strong> × {g['count']}"
        + (f" <span class='zk-muted'>{escape_text(w('also_asked', variants=w('list_sep').join(g['variants'][:3])))}</span>"
           if g["variants"] else "")
        + "</li>" for g in groups)
    return f"<h4>{escape_text(w('top_questions'))}</h4><ol class='zk-top-questions'>{items}</ol>"


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
