"""One contract both chunk stores keep — the embedded FAISS + BM25 folders and Milvus (embedded
Milvus Lite here: no docker, no network) — on the fixture articles, the real packaged embedding
model and the same queries."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from index.builder import IndexBuilder
from index.embedded_store import EmbeddedStore
from index.errors import ZhikuError
from index.pipeline import ChunkingConfig
from index.records import Chunk
from index.store import StoredChunk, Where
from rag.retrieval import Retriever
from tests.conftest import FIXTURE_ARTICLES

pytestmark = pytest.mark.model

STORES = ["embedded", "milvus"]
MODES = ["hybrid", "dense", "bm25"]


def open_store(kind: str, folder: Path):
    if kind == "milvus":
        from index.milvus_store import MilvusStore

        return MilvusStore(str(folder / "milvus.db"))
    return EmbeddedStore(folder / "index")


def build(store, embedder, corpus: Path, folder: Path):
    return IndexBuilder(folder / "index", embedder, ChunkingConfig(), store=store).build(corpus)


@pytest.fixture(scope="module", params=STORES)
def built(request, tmp_path_factory, embedder):
    """A store holding the fixture articles, built once per store kind (read-only in tests)."""
    folder = tmp_path_factory.mktemp(request.param)
    store = open_store(request.param, folder)
    build(store, embedder, FIXTURE_ARTICLES, folder)
    return store


@pytest.fixture(params=STORES)
def fresh(request, tmp_path):
    """An empty store of each kind that a test may write to."""
    return open_store(request.param, tmp_path)


class TestSearch:
    @pytest.mark.parametrize("mode", MODES)
    def test_finds_the_passage_that_holds_the_answer(self, built, embedder, mode):
        hits = Retriever(built, embedder).search("2023年中国汽车出口了多少万辆？", top_k=3, mode=mode)
        assert "491万辆" in hits[0].chunk.text

    @pytest.mark.parametrize("mode", MODES)
    def test_latin_terms_are_searchable(self, built, embedder, mode):
        hits = Retriever(built, embedder).search("PMI 是多少", top_k=3, mode=mode)
        assert any("PMI" in h.chunk.text for h in hits)

    @pytest.mark.parametrize("mode", MODES)
    def test_hits_are_ranked_best_first_and_capped_at_k(self, built, embedder, mode):
        hits = Retriever(built, embedder).search("北交所 私募股权基金", top_k=2, mode=mode)
        assert 0 < len(hits) <= 2
        assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
        assert all(a.score >= b.score for a, b in zip(hits, hits[1:]))
        assert all(h.retriever == mode and h.score > 0 for h in hits)

    def test_hybrid_hits_carry_the_dense_cosine_the_refusal_gate_reads(self, built, embedder):
        hits = Retriever(built, embedder).search("图书馆周一开放吗？", top_k=3, mode="hybrid")
        assert "闭馆" in hits[0].chunk.text
        assert 0.7 < hits[0].scores["dense"] <= 1.0001

    def test_bm25_finds_nothing_for_words_no_chunk_holds(self, built):
        assert built.search("魑魅魍魉", None, k=3, mode="bm25") == []

    def test_a_filter_keeps_only_matching_files(self, built, embedder):
        hits = Retriever(built, embedder).search("汽车出口", top_k=5, where=Where(sources=("culture.md",)))
        assert hits and {h.chunk.source for h in hits} == {"culture.md"}

    def test_a_filter_on_another_knowledge_base_finds_nothing(self, built, embedder):
        retriever = Retriever(built, embedder)
        assert retriever.search("汽车出口", where=Where(collection="其他知识库")) == []
        assert retriever.search("汽车出口", where=Where(collection="default", groups=("hr",)))

    def test_unknown_mode_is_a_clear_error(self, built, embedder):
        with pytest.raises(ZhikuError, match="unknown search mode"):
            built.search("汽车", embedder.embed_query("汽车"), k=3, mode="magic")

    def test_stats_and_manifest_describe_what_was_built(self, built, embedder):
        manifest = built.manifest()
        assert sorted(manifest.files) == sorted(p.name for p in FIXTURE_ARTICLES.iterdir())
        assert manifest.embedding_model == embedder.model_name and manifest.dim == embedder.dim
        assert built.stats().chunks == sum(f["chunks"] for f in manifest.files.values()) > 0
        assert built.stats().sources == len(manifest.files)

    def test_every_chunk_comes_back_with_the_vector_it_was_embedded_to(self, built, embedder):
        rows = list(built.iter_chunks())
        assert len(rows) == built.stats().chunks
        fresh = embedder.embed_passages([r.text for r in rows[:3]])
        assert np.allclose(np.stack([r.vector for r in rows[:3]]), fresh, atol=1e-5)
        assert built.vectors({rows[0].text_hash}).keys() == {rows[0].text_hash}


class TestNextChunk:
    @staticmethod
    def _in_file_order(store) -> list[Chunk]:
        return sorted((row.chunk for row in store.iter_chunks()), key=lambda c: (c.source, c.start))

    def test_each_chunk_is_followed_by_the_next_one_of_its_file_and_the_last_by_none(self, built):
        chunks = self._in_file_order(built)
        assert any(a.source == b.source for a, b in zip(chunks, chunks[1:]))  # a file of several chunks
        for chunk, after in zip(chunks, [*chunks[1:], None]):
            expected = after.id if after is not None and after.source == chunk.source else None
            found = built.next_chunk(chunk)
            assert (found and found.id) == expected, chunk.id

    def test_the_next_chunk_keeps_to_what_the_asker_may_read(self, built):
        chunk = next(a for a, b in zip(self._in_file_order(built), self._in_file_order(built)[1:]) if a.source == b.source)
        assert built.next_chunk(chunk, Where(collections=("default",))) is not None
        assert built.next_chunk(chunk, Where(collections=())) is None
        assert built.next_chunk(chunk, Where(collection="其他知识库")) is None


class TestWriting:
    def test_an_edit_reembeds_only_changed_chunks_and_drops_the_old_text(self, fresh, embedder, tmp_path, corpus):
        build(fresh, embedder, corpus, tmp_path)
        before = fresh.stats().chunks
        path = corpus / "culture.md"
        path.write_text(path.read_text(encoding="utf-8").replace("周一闭馆", "周三闭馆"), encoding="utf-8")
        report = build(fresh, embedder, corpus, tmp_path)
        assert report.updated == ["culture.md"] and report.embedded == 1
        assert fresh.stats().chunks == before
        texts = [h.chunk.text for h in fresh.search("闭馆", None, k=10, mode="bm25")]
        assert any("周三闭馆" in t for t in texts) and not any("周一闭馆" in t for t in texts)

    def test_a_removed_file_leaves_search_results(self, fresh, embedder, tmp_path, corpus):
        build(fresh, embedder, corpus, tmp_path)
        (corpus / "auto_exports.txt").unlink()
        report = build(fresh, embedder, corpus, tmp_path)
        assert report.removed == ["auto_exports.txt"]
        hits = fresh.search("汽车出口", embedder.embed_query("汽车出口"), k=10)
        assert "auto_exports.txt" not in {h.chunk.source for h in hits}
        assert "auto_exports.txt" not in fresh.manifest().files

    def test_a_second_build_of_an_unchanged_folder_writes_nothing(self, fresh, embedder, tmp_path, corpus):
        build(fresh, embedder, corpus, tmp_path)
        version = fresh.version()
        report = build(fresh, embedder, corpus, tmp_path)
        assert report.embedded == 0 and not report.changed
        assert fresh.version() == version

    def test_upsert_replaces_by_chunk_id_and_delete_keeps_what_it_is_told(self, fresh, embedder, tmp_path, corpus):
        build(fresh, embedder, corpus, tmp_path)
        rows = [r for r in fresh.iter_chunks() if r.chunk.source == "finance.txt"]
        n = fresh.stats().chunks
        with fresh.writing():
            manifest = fresh.manifest()
            fresh.upsert(rows)  # the same ids again: no duplicates
            fresh.delete_sources(["finance.txt"], keep={rows[0].chunk.id})
            fresh.commit(manifest)
        assert fresh.stats().chunks == n - len(rows) + 1
        left = [r.chunk.id for r in fresh.iter_chunks() if r.chunk.source == "finance.txt"]
        assert left == [rows[0].chunk.id]

    def test_a_commit_changes_the_version_readers_watch(self, fresh, embedder, tmp_path, corpus):
        assert fresh.version() == "" and fresh.manifest() is None
        build(fresh, embedder, corpus, tmp_path)
        first = fresh.version()
        (corpus / "culture.md").unlink()
        build(fresh, embedder, corpus, tmp_path)
        assert first and fresh.version() not in ("", first)

    def test_writes_a_killed_build_left_uncommitted_are_redone_by_the_next(self, fresh, embedder, tmp_path, corpus):
        from dataclasses import replace

        build(fresh, embedder, corpus, tmp_path)
        indexed = {r.chunk.id for r in fresh.iter_chunks()}
        old = [r for r in fresh.iter_chunks() if r.chunk.source == "culture.md"]
        edited = [replace(r, chunk=replace(r.chunk, id=f"x{r.chunk.id}", text="改过的文字")) for r in old]
        with fresh.writing():  # a build of an edit, killed before its commit
            fresh.upsert(edited)
            fresh.delete_sources(["culture.md"], keep={r.chunk.id for r in edited})
        (corpus / "notice.txt").write_text("通知\n\n食堂自下周起延长供餐时间。", encoding="utf-8")
        builder = IndexBuilder(tmp_path / "index", embedder, ChunkingConfig(), store=fresh)
        builder.add([corpus / "notice.txt"], root=corpus)  # an upload meanwhile keeps the touched file
        assert "culture.md" in fresh.manifest().files
        (corpus / "notice.txt").unlink()
        report = build(fresh, embedder, corpus, tmp_path)  # the folder holds what was indexed before
        assert {r.chunk.id for r in fresh.iter_chunks()} == indexed
        assert report.embedded == 0

    @pytest.mark.parametrize("bm25_file", ["a.txt", "b.txt"])
    def test_equal_fused_scores_go_to_the_earlier_file(self, fresh, bm25_file):
        from index.snapshot import Manifest

        dense_file = "b.txt" if bm25_file == "a.txt" else "a.txt"

        def row(source: str, text: str, axis: int) -> StoredChunk:
            cid = {"a.txt": "z", "b.txt": "y"}[source] * 16  # ids in the opposite order: no store may tie-break by id
            chunk = Chunk(id=cid, source=source, title="", text=text, start=0, end=len(text))
            return StoredChunk(chunk, text, source, np.eye(8, dtype=np.float32)[axis])

        with fresh.writing():
            fresh.upsert([row(bm25_file, "年假制度规定", 0), row(dense_file, "工资按月发放", 1)])
            fresh.commit(Manifest("test", 8, {}, "flat", files={"a.txt": {}, "b.txt": {}}))
        # one candidate a list: BM25's is one file, the vector's the other; fused, both score 1/61
        hits = fresh.search("年假", np.eye(8, dtype=np.float32)[1], k=1, candidates=1)
        assert [h.chunk.source for h in hits] == ["a.txt"]
        assert hits[0].score == pytest.approx(1 / 61)

    @pytest.mark.parametrize("mode", MODES)
    def test_knowledge_bases_are_filtered_before_ranking_so_a_small_one_is_not_starved(self, fresh, embedder, tmp_path,
                                                                                      corpus, mode):
        hr = tmp_path / "hr"
        hr.mkdir()
        (hr / "leave.md").write_text("# 年假\n\n汽车行业员工的年假为十五天，出口部门另加两天。\n", encoding="utf-8")
        builder = IndexBuilder(tmp_path / "index", embedder, ChunkingConfig(), store=fresh)
        builder.build(corpus)
        report = builder.build(hr, collection="hr")
        assert report.added == ["hr/leave.md"] and builder.build(corpus).removed == []  # each keeps its own
        # two candidates per list: a filter applied after ranking would find nothing of hr here
        retriever = Retriever(fresh, embedder, candidates=2)
        hits = retriever.search("2023年中国汽车出口了多少万辆？", top_k=3, mode=mode, where=Where(collections=("hr",)))
        assert [h.chunk.source for h in hits] == ["hr/leave.md"] and hits[0].chunk.collection == "hr"
        public = retriever.search("汽车 出口 年假", top_k=10, mode=mode, where=Where(collections=("default",)))
        assert public and all(h.chunk.collection == "default" for h in public)
        assert retriever.search("汽车出口", top_k=3, mode=mode, where=Where(collections=())) == []
        builder.remove_collection("hr")
        assert retriever.search("年假", top_k=3, mode=mode, where=Where(collections=("hr",))) == []

    def test_an_empty_store_searches_to_nothing(self, fresh, embedder):
        assert fresh.search("汽车", embedder.embed_query("汽车"), k=3) == []


@pytest.mark.parametrize("mode", MODES)
def test_both_stores_rank_the_same_passages_in_the_same_order(tmp_path, embedder, mode):
    """Ties of fused scores included: both give them to the earlier passage in file order."""
    queries = ["2023年中国汽车出口了多少万辆？", "图书馆周一开放吗？", "3月制造业PMI是多少？", "北交所 私募股权基金"]
    ranked = {}
    for kind in STORES:
        store = open_store(kind, tmp_path / kind)
        build(store, embedder, FIXTURE_ARTICLES, tmp_path / kind)
        retriever = Retriever(store, embedder, candidates=2)  # short lists: fused ties are common
        ranked[kind] = [[h.chunk.id for h in retriever.search(q, top_k=5, mode=mode)] for q in queries]
    assert ranked["embedded"] == ranked["milvus"]


def test_milvus_filters_by_knowledge_base_and_groups(tmp_path, embedder):
    from index.milvus_store import MilvusStore

    store = MilvusStore(str(tmp_path / "kb.db"))

    def row(cid: str, text: str, collection: str, groups: tuple[str, ...]) -> StoredChunk:
        chunk = Chunk(id=cid, source=f"{cid}.txt", title="制度", text=text, start=0, end=len(text))
        return StoredChunk(chunk, text, cid, embedder.embed_passages([text])[0], collection, groups)

    store.upsert([
        row("pub", "年假制度：员工每年享有带薪年假。", "hr", ()),
        row("sec", "年假制度：高管年假另行规定。", "hr", ("managers",)),
        row("fin", "年假期间的工资照常发放。", "finance", ()),
    ])
    ids = lambda where: {h.chunk.id for h in store.search("年假", embedder.embed_query("年假"), k=10, where=where)}  # noqa: E731
    assert ids(None) == {"pub", "sec", "fin"}
    assert ids(Where(collection="hr")) == {"pub", "sec"}
    assert ids(Where(collection="hr", groups=("staff",))) == {"pub"}
    assert ids(Where(groups=("managers", "staff"))) == {"pub", "sec", "fin"}


def test_a_milvus_lite_address_that_is_not_a_db_file_is_a_clear_error(tmp_path):
    from index.milvus_store import MilvusStore

    with pytest.raises(ZhikuError, match=r"must end in \.db"):
        MilvusStore(str(tmp_path / "milvus")).manifest()


def test_source_names_with_quotes_are_filtered_safely(tmp_path, embedder):
    from index.milvus_store import MilvusStore

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(FIXTURE_ARTICLES / "culture.md", corpus / 'a "quoted" \\ name.md')
    store = MilvusStore(str(tmp_path / "q.db"))
    build(store, embedder, corpus, tmp_path)
    hits = store.search("图书馆", embedder.embed_query("图书馆"), k=3, where=Where(sources=('a "quoted" \\ name.md',)))
    assert hits and hits[0].chunk.source == 'a "quoted" \\ name.md'
    (corpus / 'a "quoted" \\ name.md').unlink()
    build(store, embedder, corpus, tmp_path)
    assert store.stats().chunks == 0


def test_migrate_copies_an_embedded_index_into_milvus_without_reembedding(tmp_path, fixture_index, embedder, monkeypatch):
    from typer.testing import CliRunner

    from index.milvus_store import MilvusStore
    from tests.conftest import MODEL_CACHE
    from ui.cli import app

    monkeypatch.setenv("ZHIKU_INDEX_DIR", str(fixture_index))
    monkeypatch.setenv("ZHIKU_MILVUS_URI", str(tmp_path / "migrated.db"))
    monkeypatch.setenv("ZHIKU_CACHE_DIR", str(MODEL_CACHE.parent))
    result = CliRunner().invoke(app, ["index", "migrate", "--to", "milvus"])
    assert result.exit_code == 0, result.output
    embedded, milvus = EmbeddedStore(fixture_index), MilvusStore(str(tmp_path / "migrated.db"))
    assert f"copied {embedded.stats().chunks} chunks" in result.output
    before = {r.chunk.id: r for r in embedded.iter_chunks()}
    after = {r.chunk.id: r for r in milvus.iter_chunks()}
    assert after.keys() == before.keys()
    assert all(np.allclose(after[i].vector, before[i].vector, atol=1e-7) and after[i].chunk == before[i].chunk for i in before)
    assert milvus.manifest() == embedded.manifest()
    query = "2023年中国汽车出口了多少万辆？"
    assert [h.chunk.id for h in Retriever(milvus, embedder).search(query, top_k=1)] == [
        h.chunk.id for h in Retriever(embedded, embedder).search(query, top_k=1)]
    milvus.close()


def test_migrating_an_empty_store_is_a_clear_error(tmp_path):
    from index.migrate import copy_store
    from index.milvus_store import MilvusStore

    with pytest.raises(ZhikuError, match="nothing to copy"):
        copy_store(EmbeddedStore(tmp_path / "none"), MilvusStore(str(tmp_path / "m.db")))


def test_a_milvus_lite_file_open_in_another_process_is_a_clear_error(tmp_path):
    import subprocess
    import sys

    from index.milvus_store import MilvusStore

    db = str(tmp_path / "busy.db")
    holder = MilvusStore(db)
    holder.manifest()  # this process now runs Milvus Lite on the file
    try:
        child = subprocess.run(
            [sys.executable, "-c", "import sys; from index.milvus_store import MilvusStore; MilvusStore(sys.argv[1]).manifest()", db],
            capture_output=True, text=True, cwd=Path(__file__).parent.parent, timeout=120,
        )
    finally:
        holder.close()
    assert child.returncode != 0
    assert "ZhikuError" in child.stderr and "one process at a time" in child.stderr
