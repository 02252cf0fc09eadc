"""RGB scoring on hand-made lines in RGB's format (the real benchmark is never copied here)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.rgb import (
    doc_ranking,
    generation_benchmark,
    is_rejection,
    passage_hits,
    retrieval_scores,
    rgb_correct,
    run_rgb,
    visible_text,
)
from eval.rgb_report import generation_rows, render_rgb_report
from index.records import Chunk, Hit
from rag.records import Answer
from rag.settings import Settings

from tests.conftest import MODEL_CACHE

# invented documents and questions, shaped like rgb_zh's files
DOCS = [
    {"doc_id": "t_001", "text": "示例市图书馆将于下月扩建，新馆面积达到2万平方米，预计明年开放。"},
    {"doc_id": "t_002", "text": "示例市地铁三号线全长42公里，设车站28座，年底通车。"},
    {"doc_id": "t_003", "text": "示例市今年新建公园15座，绿化覆盖率提高到45%。"},
    {"doc_id": "t_004", "text": "示例大学今年招收本科生8000人，其中外省学生占六成。"},
    {"doc_id": "t_005", "text": "示例市动物园新来了两只大熊猫，名叫圆圆和满满。"},
    {"doc_id": "t_006", "text": "示例市马拉松报名人数突破3万人，比赛将在十月举行。"},
]
QUESTIONS = [
    {"id": "t0", "question": "示例市地铁三号线有多长？", "answers": ["42公里"], "answer_groups": [["42公里", "四十二公里"]],
     "positive_doc_ids": ["t_002"], "negative_doc_ids": ["t_001", "t_003"]},
    {"id": "t1", "question": "示例市动物园的大熊猫叫什么名字？", "answers": ["圆圆", "满满"],
     "answer_groups": [["圆圆"], ["满满"]], "positive_doc_ids": ["t_005"], "negative_doc_ids": ["t_004", "t_006"]},
]


def _gen_line(q: dict, noise: float, doc_ids: list[str]) -> dict:
    docs = [{**d, "label": "positive" if d["doc_id"] in q["positive_doc_ids"] else "negative"}
            for d in DOCS if d["doc_id"] in doc_ids]
    return {"id": q["id"], "question": q["question"], "answer_groups": q["answer_groups"], "noise_rate": noise, "docs": docs}


@pytest.fixture()
def bench(tmp_path) -> Path:
    folder = tmp_path / "rgb_zh"
    (folder / "gen").mkdir(parents=True)
    _jsonl(folder / "corpus.jsonl", DOCS)
    _jsonl(folder / "questions.jsonl", QUESTIONS)
    _jsonl(folder / "gen" / "noise_0.0.jsonl", [_gen_line(QUESTIONS[0], 0.0, ["t_002"]), _gen_line(QUESTIONS[1], 0.0, ["t_005"])])
    _jsonl(folder / "gen" / "noise_1.0.jsonl", [_gen_line(QUESTIONS[0], 1.0, ["t_001", "t_003"]),
                                                _gen_line(QUESTIONS[1], 1.0, ["t_004", "t_006"])])
    (folder / "bm25_jieba_results.json").write_text(json.dumps({"R@1": 0.5, "R@5": 0.9, "R@10": 1.0, "MRR@10": 0.7}))
    return folder


def _jsonl(path: Path, records: list[dict]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")


class FakeAssistant:
    """Answers from the passages it is given: the first sentence of the first passage, or a refusal."""

    def __init__(self):
        self.seen: list[list[Hit]] = []

    def ask(self, question, history=None, answerer=None, hits=None):
        self.seen.append(hits)
        text = hits[0].chunk.text
        if "大熊猫" in question and "圆圆" not in text:
            return Answer(question=question, text="文档信息不足，因此我无法基于提供的文档回答该问题。")
        if "地铁" in question and "地铁" not in text:
            return Answer(question=question, text="资料中没有找到相关信息。", refused=True)
        return Answer(question=question, text=text.split("，")[0] + "。")


class TestScoring:
    def test_correct_when_every_group_has_one_string_normalised(self):
        assert rgb_correct("三号线全长 ４２ 公里", [["42公里", "四十二公里"]])
        assert rgb_correct("叫圆圆和满满", [["圆圆"], ["满满"]])
        assert not rgb_correct("叫圆圆", [["圆圆"], ["满满"]])
        assert not rgb_correct("", [["圆圆"]])
        assert not rgb_correct("任何回答", [])

    def test_rejections_are_the_flag_rgbs_phrase_or_a_model_refusal(self):
        assert is_rejection("文档信息不足，因此我无法基于提供的文档回答该问题。")
        assert is_rejection("资料中没有找到相关信息。")
        assert is_rejection("任何文本", refused=True)
        assert is_rejection("   ")
        assert not is_rejection("三号线全长42公里。")

    def test_retrieval_scores_by_first_positive_document(self):
        scores = retrieval_scores([["a", "p"], ["p"], ["x"] * 10 + ["p"]], [["p"], ["p", "q"], ["p"]])
        assert scores == {"R@1": pytest.approx(1 / 3), "R@5": pytest.approx(2 / 3), "R@10": pytest.approx(2 / 3),
                          "MRR@10": pytest.approx((0.5 + 1) / 3)}

    def test_documents_are_ranked_once_by_their_best_chunk(self):
        def hit(source, rank):
            chunk = Chunk(id=f"{source}{rank}", source=source, title="", text="x", start=0, end=1)
            return Hit(chunk=chunk, score=1.0, retriever="bm25", rank=rank)

        hits = [hit("t_002.txt", 1), hit("t_001.txt", 2), hit("t_002.txt", 3), hit("t_005.txt", 4)]
        assert doc_ranking(hits) == ["t_002", "t_001", "t_005"]
        assert doc_ranking(hits, n=2) == ["t_002", "t_001"]

    def test_invisible_characters_are_dropped_before_indexing(self):
        assert visible_text("流浪\u200d地球\ue65f 2\r\n第二行\t") == "流浪地球 2\n第二行\t"

    def test_passages_become_hits_in_the_benchmarks_order(self):
        hits = passage_hits(DOCS[:5])
        assert [h.chunk.id for h in hits] == [d["doc_id"] for d in DOCS[:5]]
        assert [h.rank for h in hits] == [1, 2, 3, 4, 5] and hits[0].chunk.text == DOCS[0]["text"]

    def test_passages_are_ranked_by_the_question_as_a_search_would(self):
        """RGB's files put the passage holding the answer last at high noise: in file order a
        context budget would cut it, whatever the model can do."""
        docs = [{"doc_id": "a", "text": "北岛市的天气晴朗。"}, {"doc_id": "b", "text": "北岛地铁九号线今年开工。"},
                {"doc_id": "c", "text": "北岛地铁三号线全长42公里，设站20座。"}]
        hits = passage_hits(docs, "北岛地铁三号线全长多少公里？")
        assert [h.chunk.id for h in hits] == ["c", "b", "a"] and [h.rank for h in hits] == [1, 2, 3]


class TestBenchmarks:
    def test_generation_scores_accuracy_and_rejections_without_copying_the_data(self, bench, tmp_path):
        assistant = FakeAssistant()
        sink_path = tmp_path / "answers.jsonl"
        with open(sink_path, "w", encoding="utf-8") as sink:
            result = generation_benchmark(bench, assistant, ["0.0", "1.0"], progress=False, sink=sink)
        # t0 answers "示例市地铁三号线全长42公里。" (correct); t1 answers with only the first name (wrong)
        assert result["0.0"]["n"] == 2 and result["0.0"]["accuracy"] == 0.5
        assert result["1.0"]["rejection_rate"] == 1.0 and result["1.0"]["accuracy"] == 0.0
        assert [len(h) for h in assistant.seen] == [1, 1, 2, 2]
        written = sink_path.read_text(encoding="utf-8")
        assert "t0" in written and QUESTIONS[0]["question"] not in written

    def test_generation_rows_sit_beside_the_papers_figures(self):
        result = {"generation": {"0.0": {"n": 2, "accuracy": 0.5}, "1.0": {"n": 2, "accuracy": 0.0, "rejection_rate": 1.0}},
                  "paper": {"accuracy": {"0.0": 0.9567}, "rejection_rate": 0.4333}}
        assert generation_rows(result) == [["accuracy, noise 0.0", "2", "50.00", "95.67"],
                                           ["rejection rate, noise 1.0", "2", "100.00", "43.33"]]
        assert "95.67" in render_rgb_report(result)

    @pytest.mark.model
    def test_run_rgb_indexes_the_corpus_and_writes_its_report(self, bench, tmp_path, embedder):
        settings = Settings(data_dir=tmp_path, index_dir=tmp_path / "unused", cache_dir=MODEL_CACHE.parent)
        out = tmp_path / "out"
        result = run_rgb(bench, out, settings, FakeAssistant(), embedder, noise_levels=["0.0", "1.0"], progress=False,
                         index_dir=tmp_path / "rgb-index")

        assert set(result["retrieval"]["modes"]) == {"hybrid", "dense", "bm25"}
        for scores in result["retrieval"]["modes"].values():
            assert set(scores) == {"R@1", "R@5", "R@10", "MRR@10"}
            assert scores["R@10"] == 1.0  # six documents: every positive is in the top 10
        assert result["retrieval"]["modes"]["bm25"]["R@1"] == 1.0
        assert result["retrieval"]["reference_bm25_jieba"]["R@1"] == 0.5
        assert result["retrieval"]["n_docs"] == 6 and result["retrieval"]["full_corpus"]
        assert result["generation"]["0.0"]["accuracy"] == 0.5
        assert json.loads((out / "rgb.json").read_text(encoding="utf-8"))["generation"] == result["generation"]
        assert json.loads((out / "run.json").read_text(encoding="utf-8"))["kind"] == "rgb"
        assert "paper ChatGPT" in (out / "rgb.html").read_text(encoding="utf-8")
        assert not (tmp_path / "unused").exists()  # the benchmark never touches the assistant's index
        assert any((tmp_path / "rgb-index").iterdir())  # kept for the next run

    @pytest.mark.model
    def test_rgb_on_milvus_indexes_beside_the_organisations_collection(self, bench, tmp_path, embedder):
        from index.milvus_store import MilvusStore
        from rag.components import make_builder
        from tests.conftest import FIXTURE_ARTICLES

        settings = Settings(data_dir=tmp_path, index_dir=tmp_path / "unused", cache_dir=MODEL_CACHE.parent,
                            store="milvus", milvus_uri=str(tmp_path / "milvus.db"))
        make_builder(settings, embedder).build(FIXTURE_ARTICLES)
        before = MilvusStore(settings.milvus_uri).manifest()
        result = run_rgb(bench, tmp_path / "out", settings, None, embedder, retrieval_only=True, modes=["hybrid"],
                         progress=False)
        assert result["retrieval"]["modes"]["hybrid"]["R@10"] == 1.0
        assert MilvusStore(settings.milvus_uri).manifest() == before

    def test_generation_alone_skips_the_long_indexing(self, bench, tmp_path):
        settings = Settings(data_dir=tmp_path, index_dir=tmp_path / "unused")
        result = run_rgb(bench, tmp_path / "out", settings, FakeAssistant(), noise_levels=["0.0"], modes=[], progress=False)
        assert result["retrieval"] == {} and result["generation"]["0.0"]["accuracy"] == 0.5
        assert "Retrieval" not in (tmp_path / "out" / "rgb.html").read_text(encoding="utf-8")
