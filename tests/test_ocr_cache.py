"""The OCR cache beside the index: what a build no longer needs goes, what another build is reading stays."""

from __future__ import annotations

import json
import os
import time

import pytest

import index.ocr
from index.builder import IndexBuilder
from index.errors import ZhikuError
from index.ocr import OcrLine
from index.ocr_cache import IDLE_DAYS, OcrCache, OcrPage
from index.ocr_reader import ocr_cache_dir
from index.pipeline import ChunkingConfig
from index.versions import index_lock
from tests.fakes import HashEmbedder
from tests.scans import png, render_text
from tests.test_ocr_word import SHOT, word_file

PAGE = OcrPage(1, 800, 200, (OcrLine("区图书馆暑期开放时间调整。", 0.99, 10, 10, 400, 40),))


def sha(n: int) -> str:
    return f"{n:02d}" * 32


def entries(cache: OcrCache) -> set[str]:
    return {p.name for p in cache.folder.rglob("*") if p.is_file()}


def test_pages_read_by_an_older_reading_are_read_again(tmp_path):
    cache = OcrCache(tmp_path)
    cache.add(sha(1), PAGE)
    assert cache.pages(sha(1)) == {1: PAGE}
    path = tmp_path / sha(1)[:2] / f"{sha(1)}.jsonl"
    row = json.loads(path.read_text())
    del row["v"]  # as the first reading wrote it (its angle classifier lost lines)
    path.write_text(json.dumps(row) + "\n")
    assert cache.pages(sha(1)) == {}


def test_prune_keeps_what_indexed_files_need_and_removes_what_they_no_longer_do(tmp_path):
    cache = OcrCache(tmp_path)
    for n in range(1, 8):
        cache.add(sha(n), PAGE)
    cache.link(sha(1), [sha(2), sha(3)])  # a Word file (1) and its pictures (2, 3)
    cache.link(sha(4), [sha(3), sha(5)])  # an older version of another one, sharing picture 3
    idle = time.time() - (IDLE_DAYS + 1) * 86400
    os.utime(tmp_path / sha(7)[:2] / f"{sha(7)}.jsonl", (idle, idle))
    removed = cache.prune(indexed={sha(1)}, before={sha(1), sha(4)})
    # 4 and its own picture 5 went with it; 6 was never indexed (a build still reading): it stays,
    # until nothing has used it for IDLE_DAYS, as 7
    assert entries(cache) == {f"{sha(1)}.refs.json", *(f"{sha(n)}.jsonl" for n in (1, 2, 3, 6))}
    assert removed == 4


def test_using_an_entry_keeps_it_from_going_idle(tmp_path):
    cache = OcrCache(tmp_path)
    cache.add(sha(1), PAGE)
    path = tmp_path / sha(1)[:2] / f"{sha(1)}.jsonl"
    idle = time.time() - (IDLE_DAYS + 1) * 86400
    os.utime(path, (idle, idle))
    cache.pages(sha(1))  # a build that ran out of its OCR budget reads it again next time
    assert cache.prune(indexed=set()) == 0 and path.exists()


@pytest.mark.slow
def test_a_build_prunes_the_ocr_of_changed_and_removed_files_but_not_what_a_refused_build_read(tmp_path,
                                                                                              monkeypatch):
    real = index.ocr.OcrEngine.read
    calls: list[int] = []
    monkeypatch.setattr(index.ocr.OcrEngine, "read", lambda self, image: calls.append(1) or real(self, image))
    corpus, index_dir = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    (corpus / "shot.png").write_bytes(png(render_text(["区图书馆通知", "暑期每天上午九点开馆，周一闭馆。"])))
    word_file(corpus / "纪要.docx", [png(render_text(SHOT, width=900, heading=False))])
    builder = IndexBuilder(index_dir, HashEmbedder(), ChunkingConfig())
    cache = OcrCache(ocr_cache_dir(index_dir))
    builder.build(corpus)
    first = entries(cache)
    assert len(first) == 3 and len(calls) == 2  # the image, the picture, the Word file's references

    (corpus / "shot.png").write_bytes(png(render_text(["区图书馆通知", "寒假每天上午十点开馆。"])))
    (corpus / "纪要.docx").unlink()
    report = builder.build(corpus)
    assert report.updated == ["shot.png"] and report.removed == ["纪要.docx"]
    now = entries(cache)
    assert len(now) == 1 and not now & first

    # another build reads a new scan while this index is being written: it is refused the lock...
    (corpus / "scan.png").write_bytes(png(render_text(["区体育馆通知", "游泳池七月起对外开放。"])))
    with index_lock(index_dir), pytest.raises(ZhikuError, match="being updated"):
        builder.build(corpus)
    # ...a build of the rest goes through and prunes; what the refused one read stays
    (tmp_path / "rest").mkdir()
    (tmp_path / "rest" / "shot.png").write_bytes((corpus / "shot.png").read_bytes())
    builder.build(tmp_path / "rest")
    assert len(entries(cache)) == 2
    calls.clear()
    assert builder.build(corpus).added == ["scan.png"] and calls == []  # not read a second time
