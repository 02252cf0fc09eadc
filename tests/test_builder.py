"""Incremental, crash-safe index builds with the real packaged model and real FAISS."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from index.builder import IndexBuilder
from index.errors import ZhikuError
from index.pipeline import PIPELINE_VERSION, ChunkingConfig
from index.snapshot import load_snapshot
from index.versions import index_lock

pytestmark = pytest.mark.model


def _builder(index_dir: Path, embedder, **config) -> IndexBuilder:
    return IndexBuilder(index_dir, embedder, ChunkingConfig(**config))


def _ids_by_source(index_dir: Path) -> dict[str, set[str]]:
    snap = load_snapshot(index_dir)
    out: dict[str, set[str]] = {}
    for chunk in snap.chunks:
        out.setdefault(chunk.source, set()).add(chunk.id)
    return out


def test_rebuild_with_nothing_changed_embeds_nothing(tmp_path, corpus, embedder):
    builder = _builder(tmp_path / "index", embedder)
    first = builder.build(corpus)
    assert sorted(first.added) == ["auto_exports.txt", "culture.md", "finance.txt"]
    assert first.embedded == first.chunks > 0
    second = builder.build(corpus)
    assert second.embedded == 0 and not second.changed
    assert second.unchanged == sorted(first.added)


def test_editing_one_file_changes_only_its_chunks(tmp_path, corpus, embedder):
    index_dir = tmp_path / "index"
    builder = _builder(index_dir, embedder)
    builder.build(corpus)
    before = _ids_by_source(index_dir)
    path = corpus / "culture.md"
    path.write_text(path.read_text(encoding="utf-8") + "\n馆内新增自助借还机三台，支持身份证借书。\n", encoding="utf-8")
    report = builder.build(corpus)
    after = _ids_by_source(index_dir)
    assert report.updated == ["culture.md"] and not report.added and not report.removed
    assert after["auto_exports.txt"] == before["auto_exports.txt"]
    assert after["finance.txt"] == before["finance.txt"]
    assert after["culture.md"] != before["culture.md"]
    # only the edited article's new text was embedded; the other files' vectors were reused
    assert 0 < report.embedded <= len(after["culture.md"])


def test_add_and_remove_touch_exactly_the_named_files(tmp_path, corpus, embedder):
    index_dir = tmp_path / "index"
    builder = _builder(index_dir, embedder)
    (corpus / "culture.md").rename(tmp_path / "culture.md")
    builder.build(corpus)
    before = _ids_by_source(index_dir)
    report = builder.add([tmp_path / "culture.md"], root=corpus)
    assert report.added == ["culture.md"]
    added = _ids_by_source(index_dir)
    assert {k: v for k, v in added.items() if k != "culture.md"} == before
    report = builder.remove(["finance.txt"])
    assert report.removed == ["finance.txt"]
    assert set(_ids_by_source(index_dir)) == {"auto_exports.txt", "culture.md"}
    with pytest.raises(ZhikuError, match="not in the index"):
        builder.remove(["nope.txt"])


def test_file_gone_from_folder_is_dropped(tmp_path, corpus, embedder):
    index_dir = tmp_path / "index"
    builder = _builder(index_dir, embedder)
    builder.build(corpus)
    (corpus / "finance.txt").unlink()
    report = builder.build(corpus)
    assert report.removed == ["finance.txt"]
    assert "finance.txt" not in _ids_by_source(index_dir)


def test_changing_chunk_size_rebuilds_everything_and_says_why(tmp_path, corpus, embedder):
    index_dir = tmp_path / "index"
    _builder(index_dir, embedder).build(corpus)
    report = _builder(index_dir, embedder, chunk_size=120).build(corpus)
    assert "chunk settings changed" in report.full_rebuild_reason
    assert report.embedded > 0 and report.embedded + report.reused == report.chunks
    assert load_snapshot(index_dir).manifest.chunking["chunk_size"] == 120


def test_an_index_from_an_older_pipeline_is_rebuilt_with_the_new_one(tmp_path, corpus, embedder, monkeypatch):
    index_dir = tmp_path / "index"
    with monkeypatch.context() as patch:
        patch.setattr("index.pipeline.PIPELINE_VERSION", PIPELINE_VERSION - 1)
        _builder(index_dir, embedder).build(corpus)
    before = _ids_by_source(index_dir)
    report = _builder(index_dir, embedder).build(corpus)
    assert "chunk settings changed" in report.full_rebuild_reason
    assert load_snapshot(index_dir).manifest.chunking["pipeline"] == PIPELINE_VERSION
    # the same chunks come out of this corpus: their vectors are read back, none embedded again
    assert report.embedded == 0 and report.reused == report.chunks
    assert _ids_by_source(index_dir) == before


def test_second_writer_is_refused_with_a_clear_message(tmp_path, corpus, embedder):
    index_dir = tmp_path / "index"
    with index_lock(index_dir):
        with pytest.raises(ZhikuError, match="being updated"):
            _builder(index_dir, embedder).build(corpus)


def test_manifest_records_model_dimension_chunking_and_file_hashes(fixture_index):
    manifest = load_snapshot(fixture_index).manifest
    assert manifest.embedding_model.startswith("packaged:")
    assert manifest.dim == 384
    assert manifest.chunking == {"chunk_size": 350, "overlap": 1, "embed_title": True, "pipeline": PIPELINE_VERSION}
    assert all(len(info["sha256"]) == 64 for info in manifest.files.values())


@pytest.mark.slow
def test_build_killed_midway_leaves_previous_index_loadable(tmp_path, corpus, embedder):
    """SIGKILL a real `zhiku index build` at several moments: the index loads as old or new."""
    index_dir = tmp_path / "index"
    _builder(index_dir, embedder).build(corpus)
    old_ids = _ids_by_source(index_dir)
    (corpus / "extra.txt").write_text("新增文章\n\n" + "区图书馆举办暑期阅读活动。" * 40, encoding="utf-8")
    env = {
        **os.environ,
        "ZHIKU_INDEX_DIR": str(index_dir),
        "ZHIKU_CACHE_DIR": str(embedder._cache_dir.parent),
    }
    outcomes = set()
    for delay in (0.5, 1.5, 3.0, 5.0):
        proc = subprocess.Popen(
            [sys.executable, "-m", "ui.cli", "index", "build", str(corpus)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        ids = _ids_by_source(index_dir)  # must load, whatever moment the kill hit
        assert ids == old_ids or set(ids) == set(old_ids) | {"extra.txt"}
        outcomes.add("new" if "extra.txt" in ids else "old")
    assert "old" in outcomes  # at least one kill hit mid-build
    # and the next build completes from whatever was left behind
    _builder(index_dir, embedder).build(corpus)
    assert "extra.txt" in _ids_by_source(index_dir)


def test_progress_counts_files_read_and_chunks_embedded_in_slices(tmp_path, corpus, monkeypatch):
    """What `zhiku index build` draws its bar from; slicing the encoding changes no vector."""
    from index import builder as builder_module
    from tests.fakes import HashEmbedder

    monkeypatch.setattr(builder_module, "EMBED_SLICE", 2)
    events: list[tuple[str, int, int]] = []
    IndexBuilder(tmp_path / "sliced", HashEmbedder(), ChunkingConfig()).build(
        corpus, on_progress=lambda *event: events.append(event))
    IndexBuilder(tmp_path / "whole", HashEmbedder(), ChunkingConfig()).build(corpus)

    sliced, whole = load_snapshot(tmp_path / "sliced"), load_snapshot(tmp_path / "whole")
    n = len(whole.chunks)
    assert [e for e in events if e[0] == "reading"] == [("reading", i, 3) for i in (1, 2, 3)]
    assert [e for e in events if e[0] == "embedding"] == [("embedding", i, n) for i in (*range(2, n, 2), n)]
    assert [c.id for c in sliced.chunks] == [c.id for c in whole.chunks]
    assert (sliced.vectors == whole.vectors).all()
