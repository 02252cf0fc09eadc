"""Crash safety: index builds and uploads SIGKILLed at random and at chosen moments.

Every build or upload runs in its own process, forked from a warm `python -c` child (the hash
embedder: no torch), and is SIGKILLed after a random delay within one build's duration, or kills
itself at a chosen moment. After every kill the index must load as exactly the old or the new
state (chunk ids, file hashes, vectors), and the next build must succeed and leave only finished
versions behind."""

from __future__ import annotations

import errno
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from index.builder import IndexBuilder
from index.loaders import load_paths
from index.pipeline import ChunkingConfig, chunk_document, indexed_text
from index.snapshot import load_snapshot
from index.tokenizer import Tokenizer
from index.versions import POINTER, current_version
from tests.conftest import FIXTURE_ARTICLES
from tests.fakes import HashEmbedder

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

ROOT = Path(__file__).parent.parent
CONFIG = ChunkingConfig()
RANDOM_TRIALS = 30
SEED = 20240611

# The child: imports everything and loads jieba once, then for each JSON line on stdin forks a
# grandchild that runs one job (a build or an upload, optionally dying at a chosen moment) while
# the child kills it with SIGKILL after `kill_after` s; one JSON line back per job. Forking a warm
# process makes a trial cost milliseconds instead of the second an import takes.
ZYGOTE = r"""
import json, os, signal, sys, time
from pathlib import Path
import index.builder, index.embedded_store, index.segment_writer, index.segments, index.snapshot, index.versions
from index.builder import IndexBuilder
from index.knowledge_base import KnowledgeBase
from index.pipeline import ChunkingConfig
from index.tokenizer import Tokenizer
from rag.components import make_builder
from rag.settings import Settings
from tests.fakes import HashEmbedder
from tests.forking import serve

tokenizer = Tokenizer()
tokenizer("预热")  # jieba's dictionary loads before any kill window opens

def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

def after(owner, name, then=die):
    real = getattr(owner, name)
    def wrapped(*args, **kwargs):
        result = real(*args, **kwargs)
        then()
        return result
    setattr(owner, name, wrapped)

def build(job):
    point, published = job.get("point", ""), []
    if point == "loading files":
        index.builder.load_paths = die
    elif point == "embedding":
        HashEmbedder.embed_passages = die
    elif point == "half the old segments linked":
        real_link, linked = index.segment_writer.link_segment, []
        def link(*args):
            real_link(*args)
            linked.append(1)
            if len(linked) > 1:
                die()
        index.segment_writer.link_segment = link
    elif point == "chunks written, vectors not":
        index.segments.np.save = die
    elif point == "new segment written, tombstones not":
        after(index.segment_writer, "write_segment")
    elif point == "everything written but the manifest":
        after(index.segment_writer, "write_layout")
    elif point == "written, not yet flushed":
        index.embedded_store.fsync_tree = die
    elif point == "pointer file written, not renamed":
        index.versions.os.replace = die
    elif point == "published, old versions not pruned":
        after(index.embedded_store, "publish")
    elif point == "midway through pruning":
        after(index.embedded_store, "publish", then=lambda: published.append(1))
        real_rmtree = index.versions.shutil.rmtree
        def rmtree(path, ignore_errors=False):
            if published:  # delete half of an old version's files, then die
                files = [f for f in sorted(Path(path).rglob("*")) if f.is_file()]
                for f in files[: len(files) // 2]:
                    f.unlink()
                die()
            real_rmtree(path, ignore_errors=ignore_errors)
        index.versions.shutil.rmtree = rmtree
    IndexBuilder(Path(job["index"]), HashEmbedder(), ChunkingConfig(), tokenizer=tokenizer).build(Path(job["corpus"]))

def upload(job):
    root, point = Path(job["root"]), job.get("point", "")
    settings = Settings(data_dir=root, corpus_dir=root / "corpus", index_dir=root / "index", answerer="extractive")
    real_fdopen = os.fdopen
    if point == "mid-write":
        class HalfWriter:
            def __init__(self, fh): self.fh = fh
            def __enter__(self): return self
            def __exit__(self, *exc): return False
            def write(self, b):
                self.fh.write(b[: len(b) // 2]); self.fh.flush(); die()
        os.fdopen = lambda fd, mode: HalfWriter(real_fdopen(fd, mode))
    elif point == "written, not renamed":
        os.replace = die
    elif point == "renamed, while indexing":
        HashEmbedder.embed_passages = die
    KnowledgeBase(make_builder(settings, HashEmbedder()), settings.corpus_dir).upload(job["name"], Path(job["payload"]).read_bytes())

serve(lambda job: (build if job["kind"] == "build" else upload)(job))
"""


KILL_POINTS = [
    "loading files",
    "embedding",
    "half the old segments linked",
    "chunks written, vectors not",
    "new segment written, tombstones not",
    "everything written but the manifest",
    "written, not yet flushed",
    "pointer file written, not renamed",
    "published, old versions not pruned",
    "midway through pruning",
]


@dataclass(frozen=True)
class State:
    """What an index holds: chunk ids in row order and the hash of every file."""

    ids: tuple[str, ...]
    files: tuple[tuple[str, str], ...]


def expected_state(corpus: Path) -> State:
    """What a finished build of `corpus` holds, worked out without building."""
    docs = sorted(load_paths([corpus], root=corpus).documents, key=lambda d: d.source)
    ids = tuple(c.id for doc in docs for c in chunk_document(doc, CONFIG)[1])
    return State(ids, tuple((d.source, d.sha256) for d in docs))


def loaded_state(index_dir: Path, tokenizer: Tokenizer) -> State:
    """The index as a reader sees it, checked to be whole: every part agrees with the chunks."""
    snap = load_snapshot(index_dir, tokenizer)  # raises on anything half-written
    assert snap is not None
    assert (snap.folder / "manifest.json").is_file()
    assert len(snap.chunks) == len(snap.vectors) == len(snap.dense) == len(snap.bm25) == len(snap.text_hashes)
    if snap.chunks:  # the vectors are the embedder's, row for row
        texts = [indexed_text(c, CONFIG) for c in snap.chunks]
        assert np.allclose(snap.vectors, HashEmbedder().embed_passages(texts), atol=1e-6)
    files = tuple(sorted((source, info["sha256"]) for source, info in snap.manifest.files.items()))
    assert sum(info["chunks"] for info in snap.manifest.files.values()) == len(snap.chunks)
    return State(tuple(c.id for c in snap.chunks), files)


def assert_clean(index_dir: Path) -> None:
    """After a finished build: only finished versions (current + one previous), no stray pointer."""
    versions = sorted((index_dir / "versions").iterdir())
    assert current_version(index_dir) in versions and len(versions) <= 2, versions
    assert all((v / "manifest.json").is_file() for v in versions), versions
    assert not list(index_dir.glob(f".{POINTER}.*"))


def make_corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    shutil.copytree(FIXTURE_ARTICLES, corpus)
    for i in range(12):
        write_article(corpus, i, version=0)
    return corpus


def write_article(corpus: Path, i: int, version: int) -> None:
    sentences = "".join(f"第{i}号通知第{version}版第{k}条：各部门按时提交第{k}季度的工作总结和预算。" for k in range(30))
    (corpus / f"notice-{i:02d}.txt").write_text(f"通知\n\n第{i}号通知\n\n{sentences}\n", encoding="utf-8")


def change(corpus: Path, trial: int) -> None:
    """A different kind of change each trial: add, edit, remove."""
    kind = trial % 3
    if kind == 0:
        write_article(corpus, 100 + trial, version=0)
    elif kind == 1:
        write_article(corpus, trial % 12, version=trial)
    else:
        victims = sorted(corpus.glob("notice-*.txt"))
        victims[trial % len(victims)].unlink()


class Zygote:
    """The warm child process; `run(job)` forks one job and returns how it ended."""

    def __init__(self, log: Path):
        env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}  # fork-safe: no thread pools
        self.log = log
        self.proc = subprocess.Popen([sys.executable, "-c", ZYGOTE], cwd=ROOT, env=env, text=True,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=open(log, "w"))
        assert self.proc.stdout.readline().strip() == "ready", self.log.read_text()[-2000:]

    def run(self, kind: str, kill_after: float | None = None, **job) -> dict:
        self.proc.stdin.write(json.dumps({"kind": kind, "kill_after": kill_after, **job}) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        assert line, self.log.read_text()[-2000:]
        return json.loads(line)

    def build(self, index_dir: Path, corpus: Path, kill_after: float | None = None, point: str = "") -> dict:
        return self.run("build", kill_after, index=str(index_dir), corpus=str(corpus), point=point)

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


@pytest.fixture(scope="module")
def zygote(tmp_path_factory) -> Zygote:
    child = Zygote(tmp_path_factory.mktemp("zygote") / "stderr.log")
    yield child
    child.close()


@pytest.fixture(scope="module")
def tokenizer() -> Tokenizer:
    return Tokenizer()


def test_sigkill_at_random_moments_leaves_the_old_or_the_new_index_and_the_next_build_succeeds(
    tmp_path, tokenizer, zygote
):
    corpus, index_dir = make_corpus(tmp_path), tmp_path / "index"
    builder = IndexBuilder(index_dir, HashEmbedder(), CONFIG, tokenizer=tokenizer)
    builder.build(corpus)
    rng = random.Random(SEED)

    # one build run to its end measures the window the kills should fall in
    change(corpus, 0)
    calibration = zygote.build(index_dir, corpus)
    assert calibration["outcome"] == "finished", calibration
    window = calibration["seconds"]
    assert loaded_state(index_dir, tokenizer) == expected_state(corpus)

    outcomes = {"old": 0, "new": 0}
    started = time.perf_counter()
    for trial in range(1, RANDOM_TRIALS + 1):
        old = loaded_state(index_dir, tokenizer)
        change(corpus, trial)
        new = expected_state(corpus)
        assert new != old
        result = zygote.build(index_dir, corpus, kill_after=rng.uniform(0, window * 1.15))
        assert result["outcome"] in ("killed", "finished"), result
        state = loaded_state(index_dir, tokenizer)
        assert state in (old, new), f"trial {trial}: the index is neither the old nor the new state"
        outcomes["new" if state == new else "old"] += 1
        builder.build(corpus)  # the next build succeeds from whatever the kill left
        assert loaded_state(index_dir, tokenizer) == new
        assert_clean(index_dir)
    seconds = time.perf_counter() - started
    print(f"\ncrash trials: {RANDOM_TRIALS} SIGKILLs at random moments of a {window:.2f} s build, in {seconds:.1f} s: "
          f"{outcomes['old']} left the old index, {outcomes['new']} the new one, 0 broken")
    assert outcomes["old"] >= 1  # kills did land mid-build


def test_sigkill_at_each_critical_moment_of_a_build_leaves_the_old_or_the_new_index(tmp_path, tokenizer, zygote):
    corpus, index_dir = make_corpus(tmp_path), tmp_path / "index"
    builder = IndexBuilder(index_dir, HashEmbedder(), CONFIG, tokenizer=tokenizer)
    builder.build(corpus)
    change(corpus, 1)
    builder.build(corpus)  # two versions on disk, so pruning has something to delete
    seen = {}
    for n, point in enumerate(KILL_POINTS):
        old = loaded_state(index_dir, tokenizer)
        change(corpus, 3 + n)
        new = expected_state(corpus)
        result = zygote.build(index_dir, corpus, point=point)
        assert result["outcome"] == "killed" and result["signal"] == signal.SIGKILL, (point, result)
        state = loaded_state(index_dir, tokenizer)
        seen[point] = "new" if state == new else "old" if state == old else "broken"
        builder.build(corpus)
        assert loaded_state(index_dir, tokenizer) == new, point
        assert_clean(index_dir)
    assert "broken" not in seen.values(), seen
    # before the pointer moves readers see the old index, after it the new one
    assert [seen[p] for p in KILL_POINTS] == ["old"] * 8 + ["new"] * 2, seen


def test_a_build_killed_before_publishing_never_displaces_the_previous_version(tmp_path, tokenizer, zygote):
    """The leftover of a killed build is cleared by the next one, which keeps the real previous version
    (a running server may still be reading it)."""
    corpus, index_dir = make_corpus(tmp_path), tmp_path / "index"
    builder = IndexBuilder(index_dir, HashEmbedder(), CONFIG, tokenizer=tokenizer)
    builder.build(corpus)
    change(corpus, 1)
    builder.build(corpus)
    serving = current_version(index_dir)
    change(corpus, 2)
    assert zygote.build(index_dir, corpus, point="written, not yet flushed")["outcome"] == "killed"
    change(corpus, 3)
    builder.build(corpus)
    assert serving.is_dir() and (serving / "manifest.json").is_file()
    assert sorted((index_dir / "versions").iterdir()) == [serving, current_version(index_dir)]


# --- uploads -----------------------------------------------------------------------------------------

UPLOAD_NAME = "季度 报告.txt"


def upload_data() -> bytes:
    body = "".join(f"第{k}项：财务处第三季度报销总额为{k}万元，比上季度增加{k}%。" for k in range(200))
    return f"财务\n\n第三季度报销情况\n\n{body}\n".encode("utf-8")


def kb_settings(tmp_path: Path, tokenizer: Tokenizer):
    from rag.settings import Settings

    corpus = tmp_path / "corpus"
    shutil.copytree(FIXTURE_ARTICLES, corpus)
    settings = Settings(data_dir=tmp_path, corpus_dir=corpus, index_dir=tmp_path / "index", answerer="extractive")
    IndexBuilder(settings.index_dir, HashEmbedder(), CONFIG, tokenizer=tokenizer).build(corpus)
    return settings


@pytest.mark.parametrize("point", ["mid-write", "written, not renamed", "renamed, while indexing"])
def test_an_upload_killed_midway_leaves_no_partial_document(tmp_path, tokenizer, zygote, point):
    from index.knowledge_base import KnowledgeBase
    from rag.components import make_builder

    settings = kb_settings(tmp_path, tokenizer)
    corpus = settings.corpus_dir
    old = loaded_state(settings.index_dir, tokenizer)
    data = upload_data()
    (tmp_path / "payload.bin").write_bytes(data)

    result = zygote.run("upload", root=str(tmp_path), point=point, name=UPLOAD_NAME, payload=str(tmp_path / "payload.bin"))
    assert result["outcome"] == "killed", result

    target = corpus / "uploads" / UPLOAD_NAME
    # the document is absent or whole, never partial; the index is the old one
    assert target.exists() == (point == "renamed, while indexing")
    assert not target.exists() or target.read_bytes() == data
    sources = [d.source for d in load_paths([corpus], root=corpus).documents]
    assert [s for s in sources if s.startswith("uploads/")] == ([f"uploads/{UPLOAD_NAME}"] if target.exists() else [])
    assert loaded_state(settings.index_dir, tokenizer) == old
    leftovers = list((corpus / "uploads").glob(".upload-*.part"))  # dot files: never read as documents
    assert len(leftovers) == (0 if target.exists() else 1)

    # the next upload works, and clears a killed upload's part file once it is stale
    for part in leftovers:
        os.utime(part, (time.time() - 7200, time.time() - 7200))
    report = KnowledgeBase(make_builder(settings, HashEmbedder()), settings.corpus_dir).upload(UPLOAD_NAME, data)
    assert report.added == [f"uploads/{UPLOAD_NAME}"]
    assert not list((corpus / "uploads").glob(".upload-*"))
    assert f"uploads/{UPLOAD_NAME}" in load_snapshot(settings.index_dir).manifest.files


@pytest.mark.parametrize("failure", ["disk full mid-write", "rename fails"])
def test_an_upload_that_fails_midway_leaves_nothing_behind(tmp_path, tokenizer, monkeypatch, failure):
    import index.files as files_module  # where uploads are written whole or not at all
    from index.knowledge_base import KnowledgeBase
    from rag.components import make_builder

    settings = kb_settings(tmp_path, tokenizer)
    old = loaded_state(settings.index_dir, tokenizer)
    real_fdopen = os.fdopen

    class DiskFull:
        def __init__(self, fh):
            self.fh = fh

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()
            return False

        def write(self, data):
            self.fh.write(data[: len(data) // 3])
            raise OSError(errno.ENOSPC, "No space left on device")

    def failing_replace(*args):
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    if failure == "disk full mid-write":
        monkeypatch.setattr(files_module.os, "fdopen", lambda fd, mode: DiskFull(real_fdopen(fd, mode)))
    else:
        monkeypatch.setattr(files_module.os, "replace", failing_replace)
    with pytest.raises(OSError):
        KnowledgeBase(make_builder(settings, HashEmbedder()), settings.corpus_dir).upload(UPLOAD_NAME, upload_data())
    assert list((settings.corpus_dir / "uploads").iterdir()) == []
    assert loaded_state(settings.index_dir, tokenizer) == old
