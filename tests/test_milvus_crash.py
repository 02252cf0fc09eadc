"""Crash safety on Milvus (embedded Milvus Lite): builds SIGKILLed at random moments while the
corpus flips between two versions (a file edited, one removed, one added). After every kill the
store opens, answers a search, and holds only chunks of one version or the other; killed builds
pile up on each other, and one finished build then leaves exactly the corpus.

Full rebuilds (the chunk size flips, so every build starts over) SIGKILLed at random moments and
on both sides of the switch to the new collections: the store holds exactly the old build or
exactly the new one, never nothing, and the next build leaves no stray collections behind."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from index.loaders import load_paths
from index.pipeline import ChunkingConfig, chunk_document
from tests.conftest import FIXTURE_ARTICLES
from tests.fakes import HashEmbedder

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

ROOT = Path(__file__).parent.parent
TRIALS = 10
SEED = 20261204

# Imports everything once, then per job forks a child that builds the store and is SIGKILLed after
# `kill_after` s (tests/forking.py). Nothing here opens Milvus: each child starts its own Milvus
# Lite, as a `zhiku index build` would.
ZYGOTE = r"""
from pathlib import Path
import os, signal
import jieba, pymilvus, milvus_lite.server_manager
from index.builder import IndexBuilder
from index.milvus_store import MilvusStore
from index.pipeline import ChunkingConfig
from tests.fakes import HashEmbedder
from tests.forking import serve

jieba.initialize()  # the dictionary loads before any kill window opens

def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

def build(job):
    store = MilvusStore(job["db"])
    point = job.get("point", "")
    if point == "rebuilt, pointer not moved":
        MilvusStore._switch = die
    elif point == "pointer moved, old collections not dropped":
        real = MilvusStore._switch
        def switch(self):
            self.client.drop_collection = die
            real(self)
        MilvusStore._switch = switch
    config = ChunkingConfig(chunk_size=job.get("chunk_size", 350))
    IndexBuilder(Path(job["db"]).parent, HashEmbedder(), config, store=store).build(Path(job["corpus"]))

serve(build)
"""


def chunk_ids(corpus: Path, chunk_size: int = 350) -> set[str]:
    docs = load_paths([corpus], root=corpus).documents
    return {c.id for doc in docs for c in chunk_document(doc, ChunkingConfig(chunk_size=chunk_size))[1]}


def flip(corpus: Path, version: int) -> None:
    """Version 0: the fixture articles. Version 1: culture.md edited, finance.txt gone, a new file."""
    shutil.rmtree(corpus, ignore_errors=True)
    shutil.copytree(FIXTURE_ARTICLES, corpus)
    if version:
        path = corpus / "culture.md"
        path.write_text(path.read_text(encoding="utf-8").replace("周一闭馆", "周三闭馆") + "\n\n新增一段：读者证可在线续期。", encoding="utf-8")
        (corpus / "finance.txt").unlink()
        (corpus / "notice.txt").write_text("通知\n\n食堂自下周起延长供餐时间至晚上八点。", encoding="utf-8")


def test_killed_milvus_builds_leave_a_searchable_store_and_the_next_build_finishes(tmp_path):
    from index.milvus_store import MilvusStore

    db, corpus = str(tmp_path / "milvus.db"), tmp_path / "corpus"
    versions = []
    for v in (0, 1):
        flip(corpus, v)
        versions.append(chunk_ids(corpus))
    zygote = subprocess.Popen(
        [sys.executable, "-c", ZYGOTE], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )

    def run(kill_after: float | None) -> dict:
        zygote.stdin.write(json.dumps({"db": db, "corpus": str(corpus), "kill_after": kill_after}) + "\n")
        zygote.stdin.flush()
        return json.loads(zygote.stdout.readline())

    try:
        assert zygote.stdout.readline().strip() == "ready"
        flip(corpus, 0)
        assert run(None)["outcome"] == "finished"
        flip(corpus, 1)
        window = run(None)["seconds"]  # how long one incremental build takes: kills fall inside it
        rng = random.Random(SEED)
        outcomes = []
        for trial in range(TRIALS):
            flip(corpus, trial % 2)
            outcomes.append(run(rng.uniform(0.0, window))["outcome"])
            store = MilvusStore(db)
            try:
                hits = store.search("图书馆闭馆", HashEmbedder().embed_query("图书馆闭馆"), k=5)
                assert hits and any("闭馆" in h.chunk.text for h in hits), f"trial {trial}: nothing found"
                held = {row.chunk.id for row in store.iter_chunks()}
                assert held <= versions[0] | versions[1], f"trial {trial}: chunks of neither version"
            finally:
                store.close()
        assert "killed" in outcomes, outcomes  # the kills did land inside builds
        flip(corpus, 1)
        assert run(None)["outcome"] == "finished"
    finally:
        zygote.stdin.close()
        zygote.wait(timeout=30)
    store = MilvusStore(db)
    try:
        assert {row.chunk.id for row in store.iter_chunks()} == versions[1]
        assert sorted(store.manifest().files) == sorted(p.name for p in corpus.iterdir())
        assert not [h for h in store.search("私募股权基金", None, k=5, mode="bm25") if h.chunk.source == "finance.txt"]
    finally:
        store.close()


def test_an_index_file_cut_short_by_a_kill_is_rebuilt_when_milvus_lite_reopens(tmp_path, caplog):
    """Milvus Lite 3.2 writes a segment's index file in place: a kill mid-write leaves it short, and
    Lite would fail to load the collection from then on."""
    from index.builder import IndexBuilder
    from index.milvus_store import MilvusStore

    db = tmp_path / "milvus.db"
    store = MilvusStore(str(db))
    IndexBuilder(tmp_path, HashEmbedder(), ChunkingConfig(), store=store).build(FIXTURE_ARTICLES)
    store.close()
    files = sorted(db.glob("collections/zhiku_chunks/partitions/*/indexes/*.*idx"))
    assert files
    for path in files:
        path.write_bytes(path.read_bytes()[:7])
    store = MilvusStore(str(db))
    try:
        hits = store.search("图书馆闭馆", HashEmbedder().embed_query("图书馆闭馆"), k=3)
        assert hits and "闭馆" in hits[0].chunk.text
        assert "rebuilding its" in caplog.text
    finally:
        store.close()


REBUILD_POINTS = {"rebuilt, pointer not moved": "old", "pointer moved, old collections not dropped": "new"}


def test_killed_full_rebuilds_leave_the_old_or_the_new_build_whole_and_searchable(tmp_path):
    from index.milvus_store import MilvusStore

    db, corpus = str(tmp_path / "milvus.db"), tmp_path / "corpus"
    flip(corpus, 0)
    sizes = (350, 80)
    ids = {size: chunk_ids(corpus, size) for size in sizes}
    assert ids[sizes[0]] != ids[sizes[1]]
    zygote = subprocess.Popen(
        [sys.executable, "-c", ZYGOTE], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )

    def run(size: int, kill_after: float | None = None, point: str = "") -> dict:
        job = {"db": db, "corpus": str(corpus), "kill_after": kill_after, "chunk_size": size, "point": point}
        zygote.stdin.write(json.dumps(job) + "\n")
        zygote.stdin.flush()
        return json.loads(zygote.stdout.readline())

    def held() -> tuple[int, set[str], set[str]]:
        """The chunk size the store says it holds, its chunk ids, and every collection in the file."""
        store = MilvusStore(db)
        try:
            hits = store.search("图书馆闭馆", HashEmbedder().embed_query("图书馆闭馆"), k=5)
            assert hits and any("闭馆" in h.chunk.text for h in hits), "nothing found"
            return (store.manifest().chunking["chunk_size"], {r.chunk.id for r in store.iter_chunks()},
                    set(store.client.list_collections()))
        finally:
            store.close()

    try:
        assert zygote.stdout.readline().strip() == "ready"
        assert run(350)["outcome"] == "finished"
        window = run(sizes[1])["seconds"]  # one full rebuild: the kills fall inside it
        rng = random.Random(SEED)
        outcomes = []
        for trial in range(TRIALS):
            size, before, _ = held()
            target = sizes[1 - sizes.index(size)]
            outcomes.append(run(target, kill_after=rng.uniform(0.0, window))["outcome"])
            size, now, _ = held()
            assert now == ids[size], f"trial {trial}: not one whole build"
        assert "killed" in outcomes, outcomes
        for point, expected in REBUILD_POINTS.items():
            old, _, _ = held()
            new = sizes[1 - sizes.index(old)]
            assert run(new, point=point)["outcome"] == "killed", point
            size, now, _ = held()
            assert (size, now) == ((old, ids[old]) if expected == "old" else (new, ids[new])), point
            assert run(sizes[0])["outcome"] == "finished"
            size, now, collections = held()
            assert now == ids[sizes[0]]
            assert len([c for c in collections if not c.endswith(("_meta", "_current"))]) == 1, collections
    finally:
        zygote.stdin.close()
        zygote.wait(timeout=30)
