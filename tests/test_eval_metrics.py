"""Metric functions and test-set loading on hand-made cases (no model, no index)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.metrics import (
    METRIC_KEYS,
    ItemScore,
    aggregate,
    contains_all,
    contains_any,
    first_hit_rank,
    hit_at,
    item_metrics,
    looks_like_refusal,
    normalize,
    percentile,
    reciprocal_rank,
)
from eval.testset import TYPES, load_testset
from index.errors import ZhikuError

REPO = Path(__file__).parent.parent
SAMPLE = REPO / "eval" / "testsets" / "sample.jsonl"
DEMO_CORPUS = REPO / "data" / "articles"


class TestMatching:
    def test_full_width_digits_and_letters_match_half_width(self):
        assert normalize("２０２３年ＰＭＩ为５０．８％") == "2023年pmi为50.8%"
        assert contains_all("出口４９１万辆", ["491万辆"])

    def test_whitespace_of_any_kind_is_ignored(self):
        pdf_text = "2023 年 9 月 28 日，中国证券投资基金业协会\n官网发布"
        assert contains_any(pdf_text, ["9月28日，中国证券投资基金业协会官网"])
        assert contains_any("金融\u3000科技\t伦理", ["金融科技伦理"])

    def test_case_is_ignored(self):
        assert contains_all("hbm 芯片", ["HBM"])

    def test_small_chinese_counts_match_digits(self):
        assert contains_all("HBM均价是DRAM的5倍。", ["五倍"])
        assert contains_all("共有十二家机构", ["12家"]) and contains_all("共有12家机构", ["十二家"])
        assert not contains_all("HBM均价是DRAM的5倍。", ["六倍"])
        assert normalize("三千亿元") == "三千亿元"  # large amounts are left as written

    def test_every_keyword_is_needed(self):
        assert contains_all("出口491万辆，同比增长57.9%", ["491万辆", "57.9%"])
        assert not contains_all("出口491万辆", ["491万辆", "57.9%"])

    def test_no_keywords_and_empty_needles_never_match(self):
        assert not contains_all("任何回答", [])
        assert not contains_any("任何文本", ["", "  "])

    def test_an_empty_answer_matches_nothing(self):
        assert not contains_all("", ["491万辆"])
        assert not contains_any("", ["491万辆"])


class TestRanks:
    def test_first_hit_rank_is_one_based(self):
        assert first_hit_rank([False, True, True]) == 2

    def test_no_hits_have_no_rank_and_score_zero(self):
        assert first_hit_rank([]) is None
        assert hit_at(None, 10) == 0.0
        assert reciprocal_rank(None) == 0.0

    def test_hit_and_reciprocal_rank_respect_the_cutoff(self):
        assert hit_at(3, 3) == 1.0 and hit_at(4, 3) == 0.0
        assert reciprocal_rank(4) == 0.25
        assert reciprocal_rank(11, 10) == 0.0


class TestRefusalAndLatency:
    def test_refusal_phrases_and_empty_answers_count_as_refusals(self):
        assert looks_like_refusal("资料中没有找到相关信息。")
        assert looks_like_refusal("")
        assert not looks_like_refusal("2023年中国汽车出口491万辆[1]。")

    def test_percentiles_interpolate_like_numpy(self):
        assert percentile([4, 1, 3, 2], 50) == 2.5
        assert percentile([10], 95) == 10
        assert percentile(list(range(1, 101)), 95) == pytest.approx(95.05)

    def test_percentile_of_nothing_is_none(self):
        assert percentile([], 50) is None
        assert percentile([None, None], 50) is None


def _answered(type_="factoid", **kw) -> ItemScore:
    base = dict(type=type_, answerable=True, has_evidence=True, hit_rank=1, retrieved=10, keywords_ok=True,
                cited=1, cited_with_evidence=1, refused=False, first_token_ms=100.0, total_ms=1000.0)
    base.update(kw)
    return ItemScore(**base)


class TestItemMetrics:
    def test_a_refused_unanswerable_question_scores_refusal_accuracy_only(self):
        m = item_metrics(ItemScore(type="unanswerable", answerable=False, retrieved=10, refused=True))
        assert m["refusal.accuracy"] == 1.0
        assert m["refusal.false_refusal_rate"] is None
        assert m["retrieval.hit@1"] is None and m["answer.keyword_accuracy"] is None

    def test_refusing_an_answerable_question_is_a_false_refusal(self):
        m = item_metrics(_answered(refused=True, keywords_ok=False, cited=0, cited_with_evidence=0))
        assert m["refusal.false_refusal_rate"] == 1.0
        assert m["answer.keyword_accuracy"] == 0.0
        assert m["answer.citation_precision"] is None  # nothing cited: precision is undefined

    def test_no_hits_score_zero_at_every_cutoff(self):
        m = item_metrics(_answered(hit_rank=None))
        assert [m[f"retrieval.hit@{k}"] for k in (1, 3, 5, 10)] == [0.0] * 4
        assert m["retrieval.mrr@10"] == 0.0

    def test_cutoffs_past_k_are_not_measured(self):
        m = item_metrics(_answered(hit_rank=2, retrieved=3))
        assert m["retrieval.hit@3"] == 1.0
        assert m["retrieval.hit@5"] is None and m["retrieval.hit@10"] is None and m["retrieval.mrr@10"] is None

    def test_retrieval_only_items_have_no_answer_metrics(self):
        m = item_metrics(ItemScore(type="numeric", answerable=True, has_evidence=True, hit_rank=4, retrieved=10))
        assert m["retrieval.hit@3"] == 0.0 and m["retrieval.hit@5"] == 1.0
        assert m["answer.keyword_accuracy"] is None and m["refusal.false_refusal_rate"] is None


class TestAggregate:
    def test_keys_are_exactly_the_documented_ones_overall_and_by_type(self):
        metrics = aggregate([_answered(), ItemScore(type="unanswerable", answerable=False, retrieved=10, refused=True)])
        assert set(metrics) == {*METRIC_KEYS, "by_type"}
        assert set(metrics["by_type"]) == {"factoid", "unanswerable"}
        assert all(set(m) == set(METRIC_KEYS) for m in metrics["by_type"].values())
        json.dumps(metrics)  # plain JSON

    def test_rates_average_over_the_items_they_apply_to(self):
        scores = [
            _answered(hit_rank=1, keywords_ok=True),
            _answered(hit_rank=None, keywords_ok=False, refused=True),
            ItemScore(type="unanswerable", answerable=False, retrieved=10, refused=False, total_ms=50.0),
        ]
        m = aggregate(scores)
        assert m["n"] == 3
        assert m["retrieval.hit@1"] == 0.5
        assert m["retrieval.mrr@10"] == 0.5
        assert m["answer.keyword_accuracy"] == 0.5
        assert m["refusal.accuracy"] == 0.0
        assert m["refusal.false_refusal_rate"] == 0.5

    def test_citation_precision_counts_every_cited_passage_once(self):
        m = aggregate([_answered(cited=1, cited_with_evidence=1), _answered(cited=3, cited_with_evidence=0)])
        assert m["answer.citation_precision"] == 0.25

    def test_latency_percentiles_ignore_unmeasured_items(self):
        m = aggregate([_answered(total_ms=100.0, first_token_ms=10.0), _answered(total_ms=300.0, first_token_ms=30.0),
                       ItemScore(type="factoid", answerable=True)])
        assert m["latency.p50_ms"] == 200.0
        assert m["latency.first_token_p50_ms"] == 20.0
        assert m["latency.p95_ms"] == pytest.approx(290.0)

    def test_nothing_measured_is_null_not_zero(self):
        m = aggregate([ItemScore(type="summary", answerable=True, retrieved=10)])
        assert m["retrieval.hit@5"] is None and m["refusal.accuracy"] is None and m["latency.p50_ms"] is None


class TestTestSet:
    def _write(self, tmp_path, *lines: str) -> Path:
        path = tmp_path / "set.jsonl"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    def test_a_malformed_line_names_the_file_and_line(self, tmp_path):
        path = self._write(tmp_path, '{"id": "a", "question": "甲？"}', "", '{"id": "b", "question": "乙？"', "")
        with pytest.raises(ZhikuError, match=r"set\.jsonl, line 3"):
            load_testset(path)

    def test_a_line_without_a_question_names_the_line(self, tmp_path):
        path = self._write(tmp_path, '{"id": "a", "question": "甲？"}', '{"id": "b", "answer": "x"}')
        with pytest.raises(ZhikuError, match="line 2.*question"):
            load_testset(path)

    def test_wrongly_typed_fields_and_duplicate_ids_are_errors(self, tmp_path):
        with pytest.raises(ZhikuError, match="line 1.*answer_keywords"):
            load_testset(self._write(tmp_path, '{"question": "甲？", "answer_keywords": [491]}'))
        with pytest.raises(ZhikuError, match="line 2.*already used on line 1"):
            load_testset(self._write(tmp_path, '{"id": 1, "question": "甲？"}', '{"id": "1", "question": "乙？"}'))

    def test_optional_fields_may_be_missing_and_source_may_be_a_string(self, tmp_path):
        path = self._write(tmp_path, '{"question": "甲？", "source": "a.txt"}', '{"id": "u", "question": "乙？", "type": "unanswerable"}')
        first, second = load_testset(path)
        assert first.id == "line1" and first.sources == ("a.txt",) and first.answer_keywords == ()
        assert first.answerable and not second.answerable

    def test_a_missing_or_empty_file_is_a_clear_error(self, tmp_path):
        with pytest.raises(ZhikuError, match="does not exist"):
            load_testset(tmp_path / "nope.jsonl")
        with pytest.raises(ZhikuError, match="no questions"):
            load_testset(self._write(tmp_path, ""))


class TestSampleTestSet:
    def test_the_sample_covers_every_type_with_about_a_fifth_unanswerable(self):
        items = load_testset(SAMPLE)
        assert len(items) == 32
        assert {i.type for i in items} == set(TYPES)
        unanswerable = [i for i in items if not i.answerable]
        assert 0.15 <= len(unanswerable) / len(items) <= 0.25
        assert all(not i.answer_keywords and not i.evidence for i in unanswerable)
        assert all(i.answer_keywords and i.evidence and i.sources for i in items if i.answerable)

    def test_every_evidence_string_is_in_its_source_file(self):
        texts = {p.name: p.read_text(encoding="utf-8") for p in DEMO_CORPUS.glob("*.txt")}
        for item in load_testset(SAMPLE):
            for evidence in item.evidence:
                assert any(contains_any(texts[s], [evidence]) for s in item.sources), (item.id, evidence)

    def test_every_keyword_is_in_the_reference_answer(self):
        for item in load_testset(SAMPLE):
            assert contains_all(item.answer, item.answer_keywords) or not item.answer_keywords, item.id
