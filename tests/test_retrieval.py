"""One contract every retrieval mode passes, on a real index of the fixture articles."""

from __future__ import annotations

import pytest

from index.errors import ZhikuError
from index.snapshot import load_snapshot
from rag.retrieval import Retriever, fuse_rrf

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def retriever(fixture_index, embedder):
    return Retriever(load_snapshot(fixture_index), embedder)


@pytest.mark.parametrize("mode", ["dense", "bm25", "hybrid"])
class TestRetrieverContract:
    def test_finds_the_passage_that_holds_the_answer(self, retriever, mode):
        hits = retriever.search("2023年中国汽车出口了多少万辆？", top_k=3, mode=mode)
        assert "491万辆" in hits[0].chunk.text

    def test_latin_terms_are_searchable(self, retriever, mode):
        hits = retriever.search("PMI 是多少", top_k=3, mode=mode)
        assert any("PMI" in h.chunk.text for h in hits)

    def test_hits_are_ranked_best_first_and_capped_at_k(self, retriever, mode):
        hits = retriever.search("北交所 私募股权基金", top_k=2, mode=mode)
        assert 0 < len(hits) <= 2
        assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
        assert all(a.score >= b.score for a, b in zip(hits, hits[1:]))
        assert all(h.retriever == mode for h in hits)

    def test_empty_query_is_a_clear_error(self, retriever, mode):
        with pytest.raises(ZhikuError, match="empty"):
            retriever.search("   \n", mode=mode)

    def test_very_long_query_gives_a_sane_result(self, retriever, mode):
        hits = retriever.search("图书馆开放时间" * 1500, top_k=3, mode=mode)
        assert len(hits) <= 3


def test_rrf_rewards_rows_found_by_both_retrievers():
    fused = fuse_rrf({"dense": [(1, 0.9), (2, 0.8)], "bm25": [(2, 7.0), (3, 5.0)]})
    assert [row for row, _, _ in fused] == [2, 1, 3]
    assert fused[0][2] == {"dense": 0.8, "bm25": 7.0}


def test_unknown_mode_is_a_clear_error(retriever):
    with pytest.raises(ZhikuError, match="unknown search mode"):
        retriever.search("汽车", mode="magic")
