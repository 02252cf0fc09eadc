"""bfloat16 embeddings: chosen only where the CPU has them, recorded in the index manifest so a
switch rebuilds the index; and the served index's vectors stay on disk (memory-mapped)."""

from __future__ import annotations

import logging
import shutil

import numpy as np
import pytest
from pydantic import ValidationError

from index.embedding import PACKAGED_E5, Embedder, cpu_flags, resolve_dtype
from index.errors import ZhikuError
from rag.settings import Settings
from tests.conftest import FIXTURE_ARTICLES, MODEL_CACHE


def test_auto_is_bfloat16_only_on_a_cpu_where_it_is_fast(tmp_path):
    amx = tmp_path / "amx"
    amx.write_text("processor\t: 0\nflags\t\t: fpu sse avx512f avx512_bf16 amx_bf16 amx_tile\n")
    zen = tmp_path / "zen"
    zen.write_text("flags\t\t: fpu avx512f avx512_bf16\n")
    assert "amx_bf16" in cpu_flags(amx) and "amx_bf16" not in cpu_flags(zen)
    assert cpu_flags(tmp_path / "no-such-file") == set()  # not Linux: float32
    assert resolve_dtype("auto", cpu_flags(amx)) == "bfloat16"
    assert resolve_dtype("auto", cpu_flags(zen)) == "float32"  # measured no faster without AMX
    assert resolve_dtype("bfloat16", cpu_flags(zen)) == "bfloat16"  # asked for, and computed natively
    assert resolve_dtype("float32", cpu_flags(amx)) == "float32"


def test_bfloat16_asked_for_on_a_cpu_without_it_falls_back_to_float32_and_says_so(caplog):
    with caplog.at_level(logging.WARNING, logger="index.embedding"):
        assert resolve_dtype("bfloat16", {"avx2", "avx512f"}) == "float32"
    assert "no native bfloat16" in caplog.text


def test_an_unknown_dtype_is_refused_with_the_choices(monkeypatch):
    with pytest.raises(ValidationError, match="embedding_dtype"):
        Settings(embedding_dtype="int8")
    monkeypatch.setenv("ZHIKU_EMBEDDING_DTYPE", "bfloat16")
    assert Settings().embedding_dtype == "bfloat16"
    with pytest.raises(ZhikuError, match="float32 or bfloat16"):
        Embedder(PACKAGED_E5, MODEL_CACHE, dtype="float16")


def test_the_manifest_names_the_dtype_and_float32_keeps_the_plain_name():
    assert Embedder(PACKAGED_E5, MODEL_CACHE).model_name == PACKAGED_E5  # indexes built before stay valid
    assert Embedder(PACKAGED_E5, MODEL_CACHE, dtype="bfloat16").model_name == f"{PACKAGED_E5} (bfloat16)"


@pytest.mark.slow
def test_switching_to_bfloat16_rebuilds_the_index_and_the_old_dtype_cannot_search_it(tmp_path, embedder,
                                                                                    fixture_index):
    from index.builder import IndexBuilder
    from index.pipeline import ChunkingConfig
    from index.snapshot import load_snapshot
    from rag.components import open_retriever

    index_dir = tmp_path / "index"
    shutil.copytree(fixture_index, index_dir, ignore=shutil.ignore_patterns(".lock"))  # built in float32
    float32 = load_snapshot(index_dir)
    by_hash = {h: np.array(v) for h, v in zip(float32.text_hashes, float32.vectors)}

    bf16 = Embedder(PACKAGED_E5, MODEL_CACHE, dtype="bfloat16")
    report = IndexBuilder(index_dir, bf16, ChunkingConfig()).build(FIXTURE_ARTICLES)
    assert report.embedded == report.chunks == len(float32.chunks)  # nothing reused across dtypes
    snap = load_snapshot(index_dir)
    assert snap.manifest.embedding_model == f"{PACKAGED_E5} (bfloat16)"
    cosines = [float(np.dot(by_hash[h], v)) for h, v in zip(snap.text_hashes, snap.vectors)]
    assert min(cosines) > 0.99, min(cosines)  # the same meaning, at a lower precision

    settings = Settings(index_dir=index_dir, embedding_dtype="float32")
    with pytest.raises(ZhikuError, match="zhiku index build"):
        open_retriever(settings, embedder)  # float32 queries against bfloat16 vectors: refused
    assert open_retriever(settings, bf16).search("图书馆周一开放吗", top_k=1)


def test_served_vectors_are_mapped_from_disk_read_only(fixture_index):
    from index.snapshot import load_snapshot

    snap = load_snapshot(fixture_index)
    assert isinstance(snap.vectors, np.memmap) and not snap.vectors.flags.writeable
    assert snap.vectors.dtype == np.float32 and len(snap.vectors) == len(snap.chunks)
