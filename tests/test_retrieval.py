"""One contract every retrieval mode passes, on a real index of the fixture articles."""

from __future__ import annotations

import pytest

from index.errors import ZhikuError
from index.snapshot import load_snapshot
from index.records import Chunk, Hit
from rag.retrieval import LEADING_ROUTES, Retriever, fuse_rrf, leaders_first

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
        fused = hits[len(LEADING_ROUTES):] if mode == "hybrid" else hits  # each route's best comes first
        assert all(a.score >= b.score for a, b in zip(fused, fused[1:]))
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


def test_each_routes_best_passage_comes_before_the_fused_order():
    def hit(chunk_id: str, score: float) -> Hit:
        return Hit(chunk=Chunk(id=chunk_id, source="a.txt", title="", text=chunk_id, start=0, end=1), score=score,
                   retriever="hybrid")

    fused = [hit("both", 0.032), hit("dense-2", 0.031), hit("bm25-1", 0.016), hit("dense-1", 0.016)]
    ordered = leaders_first(fused, ["bm25-1", "dense-1"])
    assert [h.chunk.id for h in ordered] == ["bm25-1", "dense-1", "both", "dense-2"]
    assert [h.chunk.id for h in leaders_first(fused, ["both", "both"])] == ["both", "dense-2", "bm25-1", "dense-1"]
    assert leaders_first(fused, ["elsewhere"]) == fused  # a leader the fused list lacks is not invented


def test_hybrid_search_leads_with_each_routes_best_passage(retriever):
    question = "北交所 私募股权基金"
    best = {route: retriever.search(question, top_k=1, mode=route)[0].chunk.id for route in LEADING_ROUTES}
    hits = retriever.search(question, top_k=5, mode="hybrid")
    assert [h.chunk.id for h in hits[:len(set(best.values()))]] == list(dict.fromkeys(best[r] for r in LEADING_ROUTES))
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))


def test_unknown_mode_is_a_clear_error(retriever):
    with pytest.raises(ZhikuError, match="unknown search mode"):
        retriever.search("汽车", mode="magic")
