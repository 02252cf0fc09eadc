"""Edits on the embedded store: a version made of the previous segments (hard-linked), tombstones
and one new segment searches exactly as a full rebuild of the same content does (rows, scores,
ties; every mode, with filters), writes only what changed, tokenises only new text, and folders
from before segments still load and upgrade without re-embedding.

The demo corpus with the hash embedder (tests/fakes.py): the real tokenizer, FAISS and BM25."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from index.builder import IndexBuilder
from index.dense_store import DenseStore
from index.embedded_store import EmbeddedStore
from index.pipeline import ChunkingConfig
from index.segment_writer import Compaction
from index.segments import read_layout
from index.snapshot import load_snapshot
from index.store import Where
from index.tokenizer import Tokenizer
from index.versions import current_version, fsync_tree, new_version_dir, publish
from tests.conftest import DEMO_CORPUS
from tests.fakes import HashEmbedder

NEVER = Compaction(max_segments=100, max_dead_share=1.0, max_delta_share=1.0, min_delta_rows=10**9)
QUERIES = [json.loads(line)["question"] for line in
           (Path(__file__).parent.parent / "eval" / "testsets" / "sample.jsonl").read_text(encoding="utf-8").splitlines()]
QUERIES += ["VC/PE 投资退出", "2026年补充说明", "新增的试点通知", "的"]


class CountingTokenizer(Tokenizer):
    def __init__(self):
        self.calls = 0

    def __call__(self, text: str) -> list[str]:
        self.calls += 1
        return super().__call__(text)


def builder(index_dir: Path, tokenizer: Tokenizer, compaction: Compaction = NEVER) -> IndexBuilder:
    store = EmbeddedStore(index_dir, tokenizer, compaction=compaction)
    return IndexBuilder(index_dir, HashEmbedder(), ChunkingConfig(), tokenizer=tokenizer, store=store)


def edit_article(corpus: Path, name_prefix: str, marker: str) -> None:
    """Changes one paragraph in the middle of a digest file (one article of many)."""
    path = next(corpus.glob(f"{name_prefix}_*.txt"))
    text = path.read_text(encoding="utf-8")
    at = text.index("。", len(text) // 2) + 1
    path.write_text(text[:at] + f"（{marker}：2026年补充说明，相关条款同步更新。）" + text[at:], encoding="utf-8")


@pytest.fixture(scope="module")
def tokenizer() -> CountingTokenizer:
    return CountingTokenizer()


@pytest.fixture(scope="module")
def indexes(tmp_path_factory, tokenizer):
    """The same final content built twice: by five edits (never compacted) and from scratch."""
    root = tmp_path_factory.mktemp("incremental")
    corpus = root / "corpus"
    shutil.copytree(DEMO_CORPUS, corpus)
    inc = builder(root / "inc", tokenizer)
    inc.build(corpus)
    steps = []
    edit_article(corpus, "001", "第一次修改")
    steps.append(inc.build(corpus))
    next(corpus.glob("004_*.txt")).unlink()
    steps.append(inc.build(corpus))
    (corpus / "new_notice.txt").write_text("试点通知\n\n新增的试点通知\n\n" + "各单位按季度报送试点进展和资金使用情况。" * 40,
                                           encoding="utf-8")
    steps.append(inc.build(corpus))
    edit_article(corpus, "001", "第二次修改")
    edit_article(corpus, "002", "第一次修改")
    tokenizer.calls = 0
    steps.append(inc.build(corpus))
    tokenized_last = tokenizer.calls
    full_dir = root / "full"
    IndexBuilder(full_dir, HashEmbedder(), ChunkingConfig(), tokenizer=tokenizer).build(corpus)
    return {"inc": inc.store, "full": EmbeddedStore(full_dir, tokenizer), "steps": steps,
            "tokenized_last": tokenized_last, "corpus": corpus, "root": root}


def ranked(store: EmbeddedStore, query: str, mode: str, where: Where | None = None) -> list[tuple[str, float]]:
    hits = store.search(query, HashEmbedder().embed_query(query), k=10, mode=mode, where=where)
    return [(h.chunk.id, round(h.score, 5)) for h in hits]


def test_edits_add_segments_and_tombstones_instead_of_rewriting(indexes):
    store = indexes["inc"]
    assert store.last_commit == "edit"
    names, deleted = read_layout(current_version(store.index_dir))
    assert len(names) == 4 and len(deleted) > 0  # the base, three edit segments (the removal added none)
    assert [s.removed for s in indexes["steps"]][1] == ["004_" + next(
        p.name for p in DEMO_CORPUS.glob("004_*.txt"))[4:]]


def test_an_edited_index_searches_exactly_as_a_full_rebuild(indexes):
    inc, full = indexes["inc"], indexes["full"]
    a, b = inc.snapshot, full.snapshot
    assert [c.id for c in a.chunks] == [c.id for c in b.chunks] and a.text_hashes == b.text_hashes
    assert np.array_equal(np.asarray(a.vectors), np.asarray(b.vectors))
    sources = sorted({c.source for c in b.chunks})
    filters = [None, Where(sources=tuple(sources[1:3])), Where(collections=("default",))]
    compared = 0
    for query in QUERIES:
        for mode in ("hybrid", "dense", "bm25"):
            for where in filters:
                expected = ranked(full, query, mode, where)
                assert ranked(inc, query, mode, where) == expected, (query, mode, where)
                compared += bool(expected)
    assert compared > 100


def test_an_edit_tokenises_only_new_text_and_writes_only_what_changed(indexes):
    last = indexes["steps"][-1]
    assert 0 < last.embedded < 40  # two articles' changed chunks, of ~1,300
    assert indexes["tokenized_last"] == last.embedded  # unchanged chunks reuse their term counts by hash
    folder = current_version(indexes["inc"].index_dir)
    files = [p for p in folder.rglob("*") if p.is_file()]
    fresh = sum(p.stat().st_size for p in files if p.stat().st_nlink == 1)
    linked = sum(p.stat().st_size for p in files if p.stat().st_nlink > 1)
    assert linked > 10 * fresh, (fresh, linked)  # the base segment is shared with the previous version


@pytest.fixture(scope="module")
def one_more_edit(indexes, tokenizer, tmp_path_factory):
    """The final corpus with one more article edited, and its full rebuild."""
    root = tmp_path_factory.mktemp("one-more")
    corpus = root / "corpus"
    shutil.copytree(indexes["corpus"], corpus)
    edit_article(corpus, "003", "第一次修改")
    IndexBuilder(root / "full", HashEmbedder(), ChunkingConfig(), tokenizer=tokenizer).build(corpus)
    return corpus, EmbeddedStore(root / "full", tokenizer)


def test_compaction_rewrites_one_segment_that_still_searches_the_same(indexes, one_more_edit, tokenizer, tmp_path):
    copy = tmp_path / "inc"
    shutil.copytree(indexes["inc"].index_dir, copy)
    corpus, full = one_more_edit
    compacting = builder(copy, tokenizer, Compaction(max_dead_share=0.0))
    compacting.build(corpus)
    assert compacting.store.last_commit == "compaction"
    names, deleted = read_layout(current_version(copy))
    assert len(names) == 1 and len(deleted) == 0
    for query in QUERIES:
        assert ranked(compacting.store, query, "hybrid") == ranked(full, query, "hybrid")


def test_bm25_from_term_counts_scores_as_bm25s_does(indexes, tokenizer):
    import bm25s

    snap = indexes["full"].snapshot
    texts = [row.text for row in indexes["full"].iter_chunks()]
    model = bm25s.BM25()
    model.index([tokenizer(t) or [""] for t in texts], show_progress=False)
    for query in QUERIES:
        tokens = [t for t in tokenizer(query) if t in model.vocab_dict]
        if tokens:
            ours = snap.bm25.search(query, 10)
            theirs = model.get_scores(tokens)
            assert [s for _, s in ours] == pytest.approx(sorted(theirs, reverse=True)[: len(ours)], rel=1e-5)
            assert all(theirs[row] == pytest.approx(score, rel=1e-5) for row, score in ours)


def test_a_folder_from_before_segments_loads_and_the_next_build_upgrades_it_without_re_embedding(
    indexes, one_more_edit, tokenizer, tmp_path
):
    import bm25s

    full = indexes["full"]
    legacy_dir = tmp_path / "legacy"
    write_legacy_version(legacy_dir, full, tokenizer, bm25s)
    old = EmbeddedStore(legacy_dir, tokenizer)
    assert old.stats().chunks == full.stats().chunks
    for query in QUERIES[:8]:
        assert [i for i, _ in ranked(old, query, "dense")] == [i for i, _ in ranked(full, query, "dense")]
        assert [i for i, _ in ranked(old, query, "bm25")][:3] == [i for i, _ in ranked(full, query, "bm25")][:3]
    upgrading = builder(legacy_dir, tokenizer)
    corpus, edited_full = one_more_edit
    report = upgrading.build(corpus)  # one article edited: its new chunks embedded, nothing else
    assert upgrading.store.last_commit == "compaction" and 0 < report.embedded < 20
    assert read_layout(current_version(legacy_dir)) is not None
    for query in QUERIES:
        assert ranked(upgrading.store, query, "hybrid") == ranked(edited_full, query, "hybrid")


def write_legacy_version(index_dir: Path, store: EmbeddedStore, tokenizer, bm25s) -> None:
    """The one-folder layout zhiku wrote before segments, as it wrote it."""
    from dataclasses import asdict

    snap = store.snapshot
    folder = new_version_dir(index_dir)
    with open(folder / "chunks.jsonl", "w", encoding="utf-8") as fh:
        for chunk, text_hash in zip(snap.chunks, snap.text_hashes):
            fh.write(json.dumps({**asdict(chunk), "text_hash": text_hash}, ensure_ascii=False) + "\n")
    vectors = np.asarray(snap.vectors)
    np.save(folder / "vectors.npy", vectors, allow_pickle=False)
    DenseStore.build(vectors, "flat").save(folder)
    model = bm25s.BM25()
    model.index([tokenizer(row.text) or [""] for row in store.iter_chunks()], show_progress=False)
    model.save(str(folder / "bm25"), allow_pickle=False, show_progress=False)
    (folder / "manifest.json").write_text(json.dumps(asdict(snap.manifest)), encoding="utf-8")
    fsync_tree(folder)
    publish(index_dir, folder)
    assert load_snapshot(index_dir, tokenizer).folder == folder


def test_a_merge_grows_the_first_segment_and_keeps_its_tombstones(indexes, one_more_edit, tokenizer, tmp_path):
    copy = tmp_path / "inc"
    shutil.copytree(indexes["inc"].index_dir, copy)
    corpus, full = one_more_edit
    merging = builder(copy, tokenizer, Compaction(max_segments=2, max_dead_share=1.0))
    first = read_layout(current_version(copy))[0][0]
    rows_before = len(DenseStore.load(current_version(copy) / first))
    merging.build(corpus)
    assert merging.store.last_commit == "merge"
    names, deleted = read_layout(current_version(copy))
    assert len(names) == 1 and len(deleted) > 0  # the first segment's tombstones stay
    assert len(DenseStore.load(current_version(copy) / names[0])) > rows_before
    for query in QUERIES:
        for mode in ("hybrid", "dense", "bm25"):
            assert ranked(merging.store, query, mode) == ranked(full, query, mode), (query, mode)


def test_a_merge_adds_to_an_hnsw_graph_instead_of_rebuilding_it(indexes, tokenizer, tmp_path):
    import faiss

    corpus = tmp_path / "corpus"
    shutil.copytree(indexes["corpus"], corpus)
    index_dir = tmp_path / "hnsw"
    store = EmbeddedStore(index_dir, tokenizer, compaction=Compaction(max_segments=1))
    hnsw = IndexBuilder(index_dir, HashEmbedder(), ChunkingConfig(), index_type="hnsw", tokenizer=tokenizer, store=store)
    hnsw.build(corpus)
    [first] = read_layout(current_version(index_dir))[0]
    graph = faiss.read_index(str(current_version(index_dir) / first / "dense.faiss"))
    edit_article(corpus, "000", "量子纠缠实验室")
    hnsw.build(corpus)
    assert store.last_commit == "merge"
    [merged] = read_layout(current_version(index_dir))[0]
    grown = faiss.read_index(str(current_version(index_dir) / merged / "dense.faiss"))
    assert isinstance(grown, faiss.IndexHNSWFlat) and grown.ntotal > graph.ntotal
    # the old nodes are where they were, the new ones after them: added to, not rebuilt (a rebuild
    # orders rows by file, and the edited file is the first)
    assert np.array_equal(grown.reconstruct_n(0, graph.ntotal), graph.reconstruct_n(0, graph.ntotal))
    assert "量子纠缠实验室" in store.search("量子纠缠实验室", None, k=1, mode="bm25")[0].chunk.text
    snap = store.snapshot
    row = next(i for i, c in enumerate(snap.chunks) if "量子纠缠实验室" in c.text)
    assert store.search("", snap.vectors[row], k=1, mode="dense")[0].chunk == snap.chunks[row]  # a node of the graph
