"""Evaluation runs, reports and comparisons: fakes for speed, one run through the CLI on the fixture index."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from eval.cli import eval_app
from eval.compare import compare_runs, render_compare_html
from eval.metrics import METRIC_KEYS, contains_any, percentile
from eval.runner import run_eval, select_items
from eval.runs import list_runs
from eval.testset import load_testset
from index.errors import ZhikuError
from index.records import Chunk, Hit
from rag.records import Answer, Citation, Found
from rag.settings import Settings

from tests.conftest import MODEL_CACHE


def _chunk(cid: str, title: str, text: str, source: str) -> Chunk:
    return Chunk(id=cid, source=source, title=title, text=text, start=0, end=len(text))


FIN = _chunk("c-fin", "3月制造业PMI回升", "3月份制造业采购经理指数（PMI）为50.8%。", "finance.txt")
AUTO = _chunk("c-auto", "中国汽车出口跃居全球第一", "2023年，中国汽车出口 491 万辆，同比增长57.9%。", "auto_exports.txt")
LIB = _chunk("c-lib", "图书馆开放时间调整", "自7月1日起，区图书馆周一闭馆。", "culture.md")

QUESTIONS = [
    {"id": "q1", "question": "2023年中国汽车出口多少辆？", "answer": "491万辆", "answer_keywords": ["491万辆"],
     "evidence": ["汽车出口491万辆"], "source": "auto_exports.txt", "type": "numeric", "difficulty": "easy"},
    {"id": "q2", "question": "区图书馆哪天闭馆？", "answer": "周一", "answer_keywords": ["周一"],
     "evidence": ["周一闭馆"], "source": "culture.md", "type": "factoid"},
    {"id": "q3", "question": "图书馆的馆长是谁？", "answer": "资料中没有相关信息", "type": "unanswerable"},
]


class FakeRetriever:
    mode = "hybrid"

    def __init__(self, chunks=(FIN, AUTO, LIB)):
        self.chunks = list(chunks)

    def search(self, query, top_k=None, mode=None):
        return [Hit(chunk=c, score=1.0 / i, retriever="fake", rank=i) for i, c in enumerate(self.chunks[:top_k], 1)]


class FakeAssistant:
    """Answers from a table: question -> (text, refused, cited chunks) or an exception to raise."""

    def __init__(self, answers: dict, delay_s: float = 0.0, think_s: float | None = None):
        """`think_s`: show the evidence first (a Found), then wait that long before the first delta."""
        self.answers = answers
        self.delay_s = delay_s
        self.think_s = think_s

    def stream(self, question, history=None, answerer=None, hits=None):
        entry = self.answers[question]
        if isinstance(entry, BaseException):
            raise entry
        text, refused, cited, *drafted = entry  # drafted: what the model streamed, when grounding changed it
        if self.think_s is not None and not refused:
            yield Found([Citation(n, c, c.text[:4]) for n, c in enumerate(cited, start=1)], text)
            time.sleep(self.think_s)
        streamed = drafted[0] if drafted else text
        yield streamed[:2]
        time.sleep(self.delay_s)
        yield streamed[2:]
        citations = [Citation(n, c, c.text[:4]) for n, c in enumerate(cited, start=1)]
        yield Answer(question=question, text=text, citations=citations, refused=refused, answerer="fake")


GOOD_THEN_REFUSING = {  # run A
    QUESTIONS[0]["question"]: ("2023年中国汽车出口４９１万辆[1]。", False, [AUTO]),
    QUESTIONS[1]["question"]: ("资料中没有找到相关信息。", True, []),
    QUESTIONS[2]["question"]: ("资料中没有找到相关信息。", True, []),
}
REFUSING_THEN_GOOD = {  # run B: q1 gets worse, q2 better, q3 stops refusing
    QUESTIONS[0]["question"]: ("PMI为50.8%[1]。", False, [FIN]),
    QUESTIONS[1]["question"]: ("区图书馆周一闭馆[1]。", False, [LIB]),
    QUESTIONS[2]["question"]: ("馆长是张三[1]。", False, [LIB]),
}


def _testset(tmp_path: Path, items=QUESTIONS) -> Path:
    path = tmp_path / "set.jsonl"
    path.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in items), encoding="utf-8")
    return path


def _results(folder: Path) -> list[dict]:
    return [json.loads(line) for line in (folder / "results.jsonl").read_text(encoding="utf-8").splitlines()]


class TestRun:
    def test_a_run_writes_results_metrics_report_and_run_record(self, tmp_path):
        settings = Settings(data_dir=tmp_path, token="s3cret-token", llm_api_key="s3cret-key")
        out = tmp_path / "run"
        metrics = run_eval(_testset(tmp_path), FakeAssistant(GOOD_THEN_REFUSING), FakeRetriever(), out,
                           answerer="extractive", progress=False, settings=settings)

        assert {p.name for p in out.iterdir()} >= {"results.jsonl", "metrics.json", "report.html", "run.json"}
        assert json.loads((out / "metrics.json").read_text(encoding="utf-8")) == metrics
        assert set(metrics) == {*METRIC_KEYS, "by_type"}
        assert metrics["n"] == 3
        assert metrics["retrieval.hit@1"] == 0.0 and metrics["retrieval.hit@3"] == 1.0
        assert metrics["retrieval.mrr@10"] == pytest.approx((1 / 2 + 1 / 3) / 2)
        assert metrics["answer.keyword_accuracy"] == 0.5  # full-width ４９１ still counts
        assert metrics["answer.citation_precision"] == 1.0
        assert metrics["refusal.accuracy"] == 1.0
        assert metrics["refusal.false_refusal_rate"] == 0.5
        assert metrics["by_type"]["numeric"]["retrieval.hit@3"] == 1.0

        rows = _results(out)
        assert [r["id"] for r in rows] == ["q1", "q2", "q3"]
        q1 = rows[0]
        assert [h["chunk_id"] for h in q1["hits"]] == ["c-fin", "c-auto", "c-lib"]
        assert [h["has_evidence"] for h in q1["hits"]] == [False, True, False]
        assert q1["hits"][1]["title"] == AUTO.title
        assert q1["citations"] == [{"n": 1, "chunk_id": "c-auto", "title": AUTO.title, "source": "auto_exports.txt",
                                    "has_evidence": True}]
        assert q1["refused"] is False and rows[1]["refused"] is True
        assert q1["streamed"] == "2023年中国汽车出口４９１万辆[1]。"  # the deltas, joined
        assert q1["passed"] == {"hit@5": True, "keywords": True, "refusal": True}
        assert {"retrieval", "first_token", "total"} <= set(q1["timings_ms"])
        assert q1["metrics"]["retrieval.hit@3"] == 1.0

        run = json.loads((out / "run.json").read_text(encoding="utf-8"))
        assert run["dataset"].endswith("set.jsonl") and run["created"] and run["finished"]
        assert run["answerer"] == "extractive" and run["k"] == 10 and run["n"] == 3
        assert "s3cret" not in (out / "run.json").read_text(encoding="utf-8")

    def test_latency_runs_to_the_first_delta_and_to_the_end(self, tmp_path):
        run_eval(_testset(tmp_path, QUESTIONS[:1]), FakeAssistant(GOOD_THEN_REFUSING, delay_s=0.05), FakeRetriever(),
                 tmp_path / "run", progress=False)
        timings = _results(tmp_path / "run")[0]["timings_ms"]
        assert timings["first_token"] < 50 <= timings["total"]

    def test_the_wait_for_the_evidence_is_recorded_beside_the_first_token_and_the_total(self, tmp_path):
        out = tmp_path / "run"
        metrics = run_eval(_testset(tmp_path), FakeAssistant(GOOD_THEN_REFUSING, think_s=0.05), FakeRetriever(),
                           out, progress=False)
        timings = [row["timings_ms"] for row in _results(out)]
        answered, refused = timings[0], timings[1]
        # timed at the evidence (shown before the model writes), not at the first delta after it
        assert answered["first_content"] < answered["first_token"] <= answered["total"]
        assert refused["first_content"] == refused["first_token"]  # no evidence: the refusal is the first content
        contents = [t["first_content"] for t in timings]
        assert metrics["latency.first_content_p50_ms"] == pytest.approx(percentile(contents, 50), abs=0.1)
        assert metrics["latency.first_content_p95_ms"] == pytest.approx(percentile(contents, 95), abs=0.1)
        assert json.loads((out / "metrics.json").read_text(encoding="utf-8"))["latency.first_content_p95_ms"] is not None
        page = (out / "report.html").read_text(encoding="utf-8")
        assert "evidence shown p50" in page and "latency.first_content_p95_ms" in page

    def test_a_retrieval_only_run_needs_no_assistant(self, tmp_path):
        metrics = run_eval(_testset(tmp_path), None, FakeRetriever(), tmp_path / "run", k=2, retrieval_only=True, progress=False)
        assert metrics["retrieval.hit@1"] == 0.0
        assert metrics["retrieval.hit@5"] is None  # only 2 passages were retrieved
        assert metrics["answer.keyword_accuracy"] is None and metrics["latency.p50_ms"] is None
        assert all(r["answer"] is None for r in _results(tmp_path / "run"))
        assert "<svg" in (tmp_path / "run" / "report.html").read_text(encoding="utf-8")

    def test_answers_without_an_assistant_are_a_clear_error(self, tmp_path):
        with pytest.raises(ZhikuError, match="retrieval-only"):
            run_eval(_testset(tmp_path), None, FakeRetriever(), tmp_path / "run", progress=False)

    def test_a_failing_question_is_recorded_and_the_run_goes_on(self, tmp_path):
        answers = dict(GOOD_THEN_REFUSING)
        answers[QUESTIONS[1]["question"]] = TimeoutError("LLM timed out")
        metrics = run_eval(_testset(tmp_path), FakeAssistant(answers), FakeRetriever(), tmp_path / "run", progress=False)
        rows = _results(tmp_path / "run")
        assert "LLM timed out" in rows[1]["error"] and rows[1]["passed"]["keywords"] is False
        assert metrics["n"] == 3 and metrics["answer.keyword_accuracy"] == 0.5
        assert json.loads((tmp_path / "run" / "run.json").read_text(encoding="utf-8"))["errors"] == 1

    def test_a_broken_assistant_stops_the_run_early(self, tmp_path):
        answers = {q["question"]: ConnectionError("refused") for q in QUESTIONS}
        with pytest.raises(ZhikuError, match="first 3 questions"):
            run_eval(_testset(tmp_path), FakeAssistant(answers), FakeRetriever(), tmp_path / "run", progress=False)

    def test_an_interrupted_run_still_writes_a_report_of_what_was_done(self, tmp_path):
        answers = dict(GOOD_THEN_REFUSING)
        answers[QUESTIONS[1]["question"]] = KeyboardInterrupt()
        with pytest.raises(ZhikuError, match="interrupted after 1 of 3"):
            run_eval(_testset(tmp_path), FakeAssistant(answers), FakeRetriever(), tmp_path / "run", progress=False)
        assert json.loads((tmp_path / "run" / "metrics.json").read_text(encoding="utf-8"))["n"] == 1
        assert "interrupted" in (tmp_path / "run" / "report.html").read_text(encoding="utf-8")

    def test_limit_and_type_pick_the_questions(self, tmp_path):
        items = load_testset(_testset(tmp_path))
        assert [i.id for i in select_items(items, limit=2)] == ["q1", "q2"]
        assert [i.id for i in select_items(items, type_filter="factoid,unanswerable")] == ["q2", "q3"]
        with pytest.raises(ZhikuError, match="no question of type summary"):
            select_items(items, type_filter="summary")


class TestReportAndCompare:
    def test_compare_lists_metric_changes_and_the_questions_that_flipped(self, tmp_path):
        dataset = _testset(tmp_path)
        run_eval(dataset, FakeAssistant(GOOD_THEN_REFUSING), FakeRetriever(), tmp_path / "a", progress=False)
        run_eval(dataset, FakeAssistant(REFUSING_THEN_GOOD), FakeRetriever(), tmp_path / "b", progress=False)
        c = compare_runs(tmp_path / "a", tmp_path / "b")

        assert c.same_dataset
        deltas = {d.key: d for d in c.metrics}
        assert set(deltas) == set(METRIC_KEYS)
        assert deltas["refusal.accuracy"].delta == -1.0 and deltas["refusal.accuracy"].improved is False
        assert deltas["refusal.false_refusal_rate"].delta == -0.5 and deltas["refusal.false_refusal_rate"].improved is True
        assert deltas["answer.keyword_accuracy"].delta == 0.0 and deltas["answer.keyword_accuracy"].improved is None
        flips = {(f.id, f.check, f.now_passes) for f in c.flips}
        assert flips == {("q1", "keywords", False), ("q2", "keywords", True), ("q2", "refusal", True), ("q3", "refusal", False)}
        html = render_compare_html(c)
        assert "pass → fail" in html and "fail → pass" in html

    def test_runs_over_different_questions_are_compared_on_the_shared_ones(self, tmp_path):
        dataset = _testset(tmp_path)
        run_eval(dataset, FakeAssistant(GOOD_THEN_REFUSING), FakeRetriever(), tmp_path / "a", progress=False)
        run_eval(dataset, FakeAssistant(REFUSING_THEN_GOOD), FakeRetriever(), tmp_path / "b", limit=1, progress=False)
        c = compare_runs(tmp_path / "a", tmp_path / "b")
        deltas = {d.key: d for d in c.metrics}
        assert deltas["n"].a == deltas["n"].b == 1
        assert deltas["answer.keyword_accuracy"].a == 1.0 and deltas["answer.keyword_accuracy"].b == 0.0
        assert c.only_in_a == ["q2", "q3"] and "only in A: 2" in c.scope_note

    def test_reports_escape_every_untrusted_text(self, tmp_path):
        payloads = ['<script>alert("q")</script>', "<img src=x onerror=alert(1)>"]
        evil_chunk = _chunk("c-evil", "<img src=x onerror=alert(2)>", "<script>alert(3)</script> 491万辆", "<b>.txt")
        items = [{"id": "<i>x</i>", "question": f"{payloads[0]}汽车出口？", "answer": payloads[1],
                  "answer_keywords": ["<script>"], "evidence": ["491万辆"], "type": "<svg onload=alert(4)>"}]
        answers = {f"{payloads[0]}汽车出口？": ('<img src=x onerror=alert(5)>', False, [evil_chunk])}
        dataset = _testset(tmp_path, items)
        run_eval(dataset, FakeAssistant(answers), FakeRetriever([evil_chunk]), tmp_path / "a", progress=False)
        run_eval(dataset, FakeAssistant({k: ("资料中没有找到相关信息。", True, []) for k in answers}),
                 FakeRetriever([evil_chunk]), tmp_path / "b", progress=False)
        pages = [(tmp_path / "a" / "report.html").read_text(encoding="utf-8"),
                 render_compare_html(compare_runs(tmp_path / "a", tmp_path / "b"))]
        for page in pages:
            assert '<meta charset="utf-8">' in page
            lowered = page.lower()
            assert "<script" not in lowered and "<img" not in lowered and "<svg onload" not in lowered
            assert "<i>x</i>" not in page and "<b>.txt" not in page
        assert "&lt;script&gt;alert(&quot;q&quot;)&lt;/script&gt;汽车出口" in pages[0]
        assert "&lt;img src=x onerror=alert(5)&gt;" in pages[0]

    def test_the_report_shows_headline_figures_charts_and_failures(self, tmp_path):
        run_eval(_testset(tmp_path), FakeAssistant(GOOD_THEN_REFUSING), FakeRetriever(), tmp_path / "run", progress=False)
        page = (tmp_path / "run" / "report.html").read_text(encoding="utf-8")
        assert page.count("<svg") == 3  # by type, latency, hit rank
        assert "区图书馆哪天闭馆？" in page and "refused an answerable question" in page
        assert "2023年中国汽车出口多少辆？" not in page.split("Failures")[1]  # q1 passed every check
        assert "the model wrote" not in page  # every answer is the model's text as it streamed

    def test_a_failure_shows_what_the_model_wrote_when_grounding_changed_it(self, tmp_path):
        corrected = {**REFUSING_THEN_GOOD, QUESTIONS[0]["question"]: ("PMI为50.8%[1]。", False, [FIN], "PMI为50.5%[1]。")}
        run_eval(_testset(tmp_path), FakeAssistant(corrected), FakeRetriever(), tmp_path / "run", progress=False)
        rows = _results(tmp_path / "run")
        assert [r["streamed"] for r in rows] == ["PMI为50.5%[1]。", "区图书馆周一闭馆[1]。", "馆长是张三[1]。"]
        failures = (tmp_path / "run" / "report.html").read_text(encoding="utf-8").split("Failures")[1]
        assert "the model wrote: PMI为50.5%[1]。" in failures
        assert failures.count("the model wrote") == 1  # q3 failed as the model wrote it; q2 passed

    def test_past_runs_are_listed_newest_first(self, tmp_path):
        root = tmp_path / "eval"
        dataset = _testset(tmp_path)
        run_eval(dataset, None, FakeRetriever(), root / "first", retrieval_only=True, progress=False)
        run_eval(dataset, FakeAssistant(GOOD_THEN_REFUSING), FakeRetriever(), root / "second", progress=False)
        first = root / "first" / "run.json"  # times have one-second resolution: make "first" older
        first.write_text(first.read_text(encoding="utf-8").replace('"created": "2', '"created": "1'), encoding="utf-8")
        (root / "not-a-run").mkdir()
        runs = list_runs(root)
        assert [r.path.name for r in runs] == ["second", "first"]
        assert runs[1].answerer == "" and runs[0].headline["answer.keyword_accuracy"] == 0.5


class TestCli:
    def test_compare_and_list_commands(self, tmp_path):
        dataset = _testset(tmp_path)
        run_eval(dataset, FakeAssistant(GOOD_THEN_REFUSING), FakeRetriever(), tmp_path / "eval" / "a", progress=False)
        run_eval(dataset, FakeAssistant(REFUSING_THEN_GOOD), FakeRetriever(), tmp_path / "eval" / "b", progress=False)
        runner = CliRunner()
        result = runner.invoke(eval_app, ["compare", str(tmp_path / "eval" / "a"), str(tmp_path / "eval" / "b")])
        assert result.exit_code == 0, result.output
        assert "4 flipped" in result.output and (tmp_path / "eval" / "b" / "compare.html").is_file()
        result = runner.invoke(eval_app, ["list", "--root", str(tmp_path / "eval")])
        assert result.exit_code == 0, result.output
        assert "a" in result.output and "b" in result.output

    @pytest.mark.model
    @pytest.mark.slow
    def test_run_command_on_the_fixture_index(self, tmp_path, fixture_index, embedder, monkeypatch):
        monkeypatch.setattr("rag.components.make_embedder", lambda settings: embedder)  # loaded once per session
        monkeypatch.setenv("ZHIKU_INDEX_DIR", str(fixture_index))
        monkeypatch.setenv("ZHIKU_DATA_DIR", str(tmp_path))
        monkeypatch.setenv("ZHIKU_CACHE_DIR", str(MODEL_CACHE.parent))
        out = tmp_path / "run"
        result = CliRunner().invoke(
            eval_app, ["run", "--dataset", str(_testset(tmp_path)), "--out", str(out), "--answerer", "extractive", "--k", "5"]
        )
        assert result.exit_code == 0, result.output
        assert "retrieval.hit@5" in result.output
        metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
        assert metrics["n"] == 3 and set(metrics) == {*METRIC_KEYS, "by_type"}
        rows = _results(out)
        for row in rows:  # flags agree with the retrieved text, answers came from the real assistant
            assert row["hits"] and all(set(h) >= {"chunk_id", "title", "has_evidence"} for h in row["hits"])
            assert row["answer"] is not None and row["timings_ms"]["total"] > 0
        evidence_hits = [h["has_evidence"] for h in rows[0]["hits"]]
        assert rows[0]["hit_rank"] == (evidence_hits.index(True) + 1 if True in evidence_hits else None)
        assert contains_any("2023年，中国汽车出口491万辆", rows[0]["evidence"])
        assert (out / "report.html").stat().st_size > 1000
