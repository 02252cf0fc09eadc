"""Pictures inside Word files read by the real OCR engine, where they stand in the text."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest
from PIL import Image, ImageDraw

import index.ocr
from index.loaders import load_file, load_paths
from index.ocr_reader import OcrReader
from index.pipeline import ChunkingConfig, chunk_document
from tests.scans import png, render_text

pytestmark = pytest.mark.slow

BEFORE = "上周的出口会议纪要如下，数据见截图。"
SHOT = ["2023年中国汽车出口491万辆，同比增长57.9%。"]
AFTER = "会议认为出口结构仍在优化，新能源车占比提高。"
LAST = "下次会议定于下月召开。"


def logo() -> bytes:
    """A picture with no text in it: two shapes, as a letterhead's logo."""
    image = Image.new("RGB", (240, 120), "white")
    draw = ImageDraw.Draw(image)
    draw.ellipse((20, 10, 120, 110), fill=(200, 30, 30))
    draw.rectangle((140, 30, 220, 90), fill=(30, 60, 200))
    return png(image)


def word_file(path: Path, pictures: list[bytes], broken: int | None = None, first: str = BEFORE) -> Path:
    """A memo: a heading, a paragraph, the pictures (each its own paragraph) and two paragraphs;
    picture number `broken` (1-based) replaced by junk bytes inside the file."""
    document = docx.Document()
    document.add_heading("出口会议纪要", level=1)
    document.add_paragraph(first)
    for picture in pictures:
        document.add_picture(io.BytesIO(picture))
    document.add_paragraph(AFTER)
    document.add_paragraph(LAST)
    out = io.BytesIO()
    document.save(out)
    raw = out.getvalue()
    if broken is not None:
        raw = _replace_member(raw, f"word/media/image{broken}.png", b"\x89PNG\r\n\x1a\n" + b"junk" * 50)
    path.write_bytes(raw)
    return path


def _replace_member(raw: bytes, name: str, data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        assert name in source.namelist(), source.namelist()
        for item in source.infolist():
            target.writestr(item, data if item.filename == name else source.read(item.filename))
    return out.getvalue()


@pytest.fixture(scope="module")
def screenshot() -> bytes:
    return png(render_text(SHOT, width=900, heading=False))


@pytest.fixture
def engine_calls(monkeypatch) -> list[int]:
    real = index.ocr.OcrEngine.read
    calls: list[int] = []
    monkeypatch.setattr(index.ocr.OcrEngine, "read", lambda self, image: calls.append(1) or real(self, image))
    return calls


def test_a_picture_holding_text_is_read_where_it_stands_and_its_chunk_says_ocr(tmp_path, screenshot):
    doc = load_file(word_file(tmp_path / "纪要.docx", [screenshot, logo()]))
    blocks = doc.text.split("\n\n")
    # the logo adds nothing; the screenshot's text sits between the paragraphs around it
    assert blocks[:2] == ["# 出口会议纪要", BEFORE] and blocks[-2:] == [AFTER, LAST], blocks
    assert len(blocks) == 5 and "491万辆" in blocks[2] and "57.9%" in blocks[2]
    _, chunks = chunk_document(doc, ChunkingConfig(chunk_size=30, overlap=0))
    read = [c for c in chunks if "491万辆" in c.text]
    typed = [c for c in chunks if "491万辆" not in c.text and c.text.strip(" 。") in (AFTER + LAST)]
    assert read and all(c.ocr for c in read)
    assert typed and not any(c.ocr for c in typed)
    assert all(c.page is None for c in chunks)  # a Word file has no pages to cite


def test_a_broken_picture_is_reported_and_the_rest_of_the_file_kept(tmp_path, screenshot):
    word_file(tmp_path / "纪要.docx", [logo(), screenshot], broken=1)
    report = load_paths([tmp_path])
    [doc] = report.documents
    assert BEFORE in doc.text and "491万辆" in doc.text and LAST in doc.text
    [line] = report.skipped
    assert line.source == "纪要.docx"
    assert line.reason.startswith("image 1 (word/media/image1.png): corrupt or unreadable image"), line.reason
    assert line.reason.endswith("the rest of the file is indexed")


def test_a_picture_is_read_once_by_its_content_even_when_the_file_around_it_changes(tmp_path, screenshot,
                                                                                  engine_calls):
    cache = tmp_path / "ocr"
    path = word_file(tmp_path / "纪要.docx", [screenshot])
    first = load_file(path, ocr=OcrReader(cache))
    assert len(engine_calls) == 1
    word_file(path, [screenshot], first="改过的第一段：出口会议纪要如下。")  # another file, the same picture
    second = load_file(path, ocr=OcrReader(cache))
    assert second.sha256 != first.sha256 and len(engine_calls) == 1
    assert "491万辆" in second.text


def test_without_the_ocr_extra_a_word_file_is_read_without_its_pictures(tmp_path, monkeypatch, screenshot):
    monkeypatch.setattr("index.loaders.ocr_installed", lambda: False)
    doc = load_file(word_file(tmp_path / "纪要.docx", [screenshot]))
    assert doc.text.split("\n\n") == ["# 出口会议纪要", BEFORE, AFTER, LAST] and not doc.ocr_spans


def test_a_word_file_past_its_ocr_budget_is_skipped_and_the_next_build_goes_on(tmp_path, screenshot, engine_calls):
    """As a long scan: the pictures read so far are kept, at least one new one each run."""
    cache = tmp_path / "ocr"
    other = png(render_text(["区图书馆暑期每天上午九点开馆。"], width=900, heading=False))
    (tmp_path / "docs").mkdir()
    path = word_file(tmp_path / "docs" / "纪要.docx", [screenshot, other])
    report = load_paths([path.parent], ocr=OcrReader(cache, file_budget_s=1e-9))  # spent after one picture
    assert not report.documents and len(engine_calls) == 1
    assert report.skipped[0].reason.startswith("OCR read 1 of 2 pictures") and "ZHIKU_OCR_FILE_BUDGET_S" in report.skipped[0].reason
    doc = load_file(path, ocr=OcrReader(cache, file_budget_s=1e-9))  # the first from the cache, the second read
    assert len(engine_calls) == 2 and "491万辆" in doc.text and "九点开馆" in doc.text
