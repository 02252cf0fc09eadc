"""`zhiku index export` / `import`: a portable folder (JSON Lines + raw float32, no pickle) that
carries an index to another machine or store without re-embedding; bad folders are refused with a
clear message before the target is touched. Real CLI (typer runner), real stores."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
from typer.testing import CliRunner

from index.embedded_store import EmbeddedStore
from rag.retrieval import Retriever
from tests.conftest import MODEL_CACHE
from ui.cli import app

QUERY = "2023年中国汽车出口了多少万辆？"


def zhiku(monkeypatch, *args: str, **env: str) -> tuple[int, str]:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output + (str(result.exception) if result.exception else "")


@pytest.fixture(scope="module")
def exported(fixture_index, tmp_path_factory):
    folder = tmp_path_factory.mktemp("export") / "zhiku-export"
    with pytest.MonkeyPatch.context() as mp:
        code, output = zhiku(mp, "index", "export", str(folder), ZHIKU_INDEX_DIR=str(fixture_index),
                             ZHIKU_CACHE_DIR=str(MODEL_CACHE.parent), ZHIKU_STORE="embedded")
    assert code == 0, output
    return folder, output


def test_an_export_is_plain_files_another_tool_can_read(exported, fixture_index):
    folder, output = exported
    store = EmbeddedStore(fixture_index)
    n = store.stats().chunks
    assert f"exported {n} chunks" in output
    assert sorted(p.name for p in folder.iterdir()) == ["chunks.jsonl", "export.json", "vectors.f32"]
    head = json.loads((folder / "export.json").read_text(encoding="utf-8"))
    assert head["chunks"] == n and head["manifest"]["files"] == store.manifest().files
    vectors = np.fromfile(folder / "vectors.f32", dtype="<f4").reshape(n, head["dim"])
    lines = [json.loads(line) for line in (folder / "chunks.jsonl").read_text(encoding="utf-8").splitlines()]
    by_id = {r.chunk.id: r for r in store.iter_chunks()}
    assert [line["id"] for line in lines] == list(by_id)
    assert all(np.array_equal(vectors[i], by_id[line["id"]].vector) for i, line in enumerate(lines))
    assert not (folder.parent / "zhiku-export.partial").exists()


def test_import_into_a_new_embedded_index_answers_as_the_original(exported, fixture_index, embedder, tmp_path, monkeypatch):
    folder, _ = exported
    target = tmp_path / "index"
    code, output = zhiku(monkeypatch, "index", "import", str(folder), ZHIKU_INDEX_DIR=str(target), ZHIKU_STORE="embedded",
                         ZHIKU_CACHE_DIR=str(MODEL_CACHE.parent))
    assert code == 0, output
    before, after = EmbeddedStore(fixture_index), EmbeddedStore(target)
    assert after.manifest() == before.manifest()
    assert [(r.chunk, r.text_hash) for r in after.iter_chunks()] == [(r.chunk, r.text_hash) for r in before.iter_chunks()]
    for query in (QUERY, "图书馆闭馆时间", "私募股权基金"):
        assert [h.chunk.id for h in Retriever(after, embedder).search(query)] == [
            h.chunk.id for h in Retriever(before, embedder).search(query)]
    # an index is there now: replacing it has to be asked for
    code, output = zhiku(monkeypatch, "index", "import", str(folder))
    assert code != 0 and "--replace" in output
    code, output = zhiku(monkeypatch, "index", "import", str(folder), "--replace")
    assert code == 0, output


def test_import_into_milvus_moves_the_index_across_stores(exported, fixture_index, embedder, tmp_path, monkeypatch):
    from index.milvus_store import MilvusStore

    folder, _ = exported
    db = tmp_path / "m.db"
    code, output = zhiku(monkeypatch, "index", "import", str(folder), ZHIKU_STORE="milvus", ZHIKU_MILVUS_URI=str(db),
                         ZHIKU_INDEX_DIR=str(tmp_path / "unused"), ZHIKU_CACHE_DIR=str(MODEL_CACHE.parent))
    assert code == 0, output
    milvus = MilvusStore(str(db))
    try:
        assert milvus.manifest() == EmbeddedStore(fixture_index).manifest()
        assert [h.chunk.id for h in Retriever(milvus, embedder).search(QUERY, top_k=1)] == [
            h.chunk.id for h in Retriever(EmbeddedStore(fixture_index), embedder).search(QUERY, top_k=1)]
    finally:
        milvus.close()


@pytest.mark.parametrize("damage, message", [
    ("no export.json", "not a zhiku export"),
    ("vectors cut short", "vectors.f32 does not hold"),
    ("a malformed chunk line", "line 2 is malformed"),
    ("a line missing", "lines for"),
])
def test_a_damaged_export_is_refused_and_the_index_is_left_as_it_was(exported, fixture_index, tmp_path, monkeypatch,
                                                                       damage, message):
    folder = tmp_path / "damaged"
    shutil.copytree(exported[0], folder)
    if damage == "no export.json":
        (folder / "export.json").unlink()
    elif damage == "vectors cut short":
        data = (folder / "vectors.f32").read_bytes()
        (folder / "vectors.f32").write_bytes(data[:-4])
    else:
        lines = (folder / "chunks.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
        lines[1] = '{"id": "x", "indexed_text": 3}\n' if damage == "a malformed chunk line" else ""
        (folder / "chunks.jsonl").write_text("".join(lines), encoding="utf-8")
    target = tmp_path / "index"
    shutil.copytree(fixture_index, target)
    version = EmbeddedStore(target).version()
    code, output = zhiku(monkeypatch, "index", "import", str(folder), "--replace", ZHIKU_INDEX_DIR=str(target),
                         ZHIKU_STORE="embedded", ZHIKU_CACHE_DIR=str(MODEL_CACHE.parent))
    assert code != 0 and message in output, output
    assert EmbeddedStore(target).version() == version


def test_export_never_overwrites_a_folder(exported, fixture_index, monkeypatch):
    code, output = zhiku(monkeypatch, "index", "export", str(exported[0]), ZHIKU_INDEX_DIR=str(fixture_index),
                         ZHIKU_STORE="embedded")
    assert code != 0 and "already exists" in output
