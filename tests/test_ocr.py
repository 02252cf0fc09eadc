"""Scans and images read by the real OCR engine (RapidOCR, its packaged models), on pages drawn here."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter

import index.ocr
from index.builder import IndexBuilder
from index.errors import LoadError
from index.loaders import load_file, load_paths
from index.ocr_reader import OcrReader, ocr_cache_dir
from index.pipeline import ChunkingConfig, chunk_document
from index.snapshot import load_snapshot
from tests.fakes import HashEmbedder
from tests.scans import image_pdf, png, render_columns, render_text
from tests.test_loaders import make_pdf

pytestmark = pytest.mark.slow
SCANS = Path(__file__).parent / "data" / "scans"

EXPORTS = [
    "汽车出口创新高",
    "2023年中国汽车出口491万辆，同比增长57.9%，首次超过日本成为全球第一大汽车出口国。",
    "其中新能源汽车出口120.3万辆，同比增长77.6%，占出口总量的四分之一。",
]
LIBRARY = ["区图书馆通知", "区图书馆暑期开放时间调整为每天上午九点至晚上八点，周一闭馆。读者凭身份证可免费办理借阅证。"]


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.fixture(scope="module")
def exports_page() -> Image.Image:
    return render_text(EXPORTS)


def test_an_image_of_chinese_text_is_read_into_its_paragraphs(tmp_path, exports_page):
    doc = load_file(write(tmp_path / "截图.png", png(exports_page)))
    assert doc.kind == "image" and doc.ocr_pages == (1,) and doc.page_starts == ()
    # OCR can misread a character; the figures and the paragraphs must come through
    paragraphs = doc.text.split("\n\n")
    assert len(paragraphs) == 3, doc.text
    assert "491万辆" in paragraphs[1] and "57.9%" in paragraphs[1] and "120.3万辆" in paragraphs[2]
    _, chunks = chunk_document(doc, ChunkingConfig())
    assert chunks and all(c.ocr and c.page is None for c in chunks)


def test_a_scanned_pdf_is_read_by_ocr_and_its_chunks_carry_the_page(tmp_path, exports_page):
    raw = image_pdf([render_text(LIBRARY), exports_page])
    assert not "".join(page.extract_text() for page in PdfReader(io.BytesIO(raw)).pages).strip()  # no text layer
    doc = load_file(write(tmp_path / "scan.pdf", raw))
    assert doc.ocr_pages == (1, 2)
    _, chunks = chunk_document(doc, ChunkingConfig(chunk_size=60))
    pages = {c.page for c in chunks if "周一闭馆" in c.text} | {c.page for c in chunks if "491万辆" in c.text}
    assert pages == {1, 2}
    assert all(c.ocr for c in chunks)
    assert next(c for c in chunks if "491万辆" in c.text).page == 2


def test_two_columns_are_read_column_by_column(tmp_path):
    left = ["左栏讲图书馆：暑期每天上午九点开门，晚上八点闭馆，周一全天闭馆休息。",
            "读者凭身份证可免费办理借阅证，每次可借图书五册。"]
    right = ["右栏讲汽车：二〇二三年中国汽车出口四百九十一万辆，创历史新高。",
             "新能源汽车出口增长最快，占出口总量的四分之一。"]
    doc = load_file(write(tmp_path / "两栏.png", png(render_columns("本期要闻", left, right))))
    text = doc.text.replace("\n", "")
    # each column's sentences in order, and the whole left column before the right one
    assert text.index("晚上八点闭馆") < text.index("每次可借图书五册") < text.index("创历史新高") < text.index("占出口总量")
    assert "本期要闻" in doc.text.split("\n\n")[0]


def test_a_pdf_mixing_text_pages_and_scanned_pages_reads_each_its_way(tmp_path):
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(make_pdf(["Typed page: exports grew 5.4% in 2023, a record."]))))
    writer.append(PdfReader(io.BytesIO(image_pdf([render_text(LIBRARY)]))))
    out = io.BytesIO()
    writer.write(out)
    doc = load_file(write(tmp_path / "mixed.pdf", out.getvalue()))
    assert doc.ocr_pages == (2,)
    _, chunks = chunk_document(doc, ChunkingConfig(chunk_size=40))
    typed = next(c for c in chunks if "exports grew" in c.text)
    scanned = next(c for c in chunks if "周一闭馆" in c.text)
    assert (typed.page, typed.ocr) == (1, False)
    assert (scanned.page, scanned.ocr) == (2, True)


def test_a_long_line_the_angle_classifier_would_turn_upside_down_is_read_as_printed():
    """Three lines cut from a scanned article page: RapidOCR's angle classifier turned the middle
    one over and it came back empty (one of the causes of a scan's lower hit@5 in bench.ocr)."""
    lines = index.ocr.OcrEngine().read(Image.open(SCANS / "flipped_line.png"))
    assert len(lines) == 3
    assert "邮储银行方案明确要对民营企业和国有企业一视同仁" in lines[1].text and lines[1].score > 0.9


def test_a_page_scanned_upside_down_is_still_read(tmp_path, exports_page):
    doc = load_file(write(tmp_path / "倒置.png", png(exports_page.rotate(180))))
    assert "491万辆" in doc.text and "120.3万辆" in doc.text


def test_a_long_screenshot_is_read_in_strips_without_losing_or_repeating_a_line(tmp_path):
    numbered = [f"第{n}条：这一行是长截图里的第{n}行文字。" for n in range(1, 41)]
    image = render_text(numbered, width=700, heading=False)
    assert image.height > 3 * image.width
    doc = load_file(write(tmp_path / "长截图.png", png(image)))
    for n in range(1, 41):
        assert doc.text.count(f"长截图里的第{n}行") == 1, (n, doc.text)


def test_ocr_runs_once_per_file_content_and_a_stopped_run_resumes(tmp_path, monkeypatch):
    raw = image_pdf([render_text(LIBRARY), render_text(EXPORTS[:2])])
    (tmp_path / "corpus").mkdir()
    path = write(tmp_path / "corpus" / "scan.pdf", raw)
    cache = tmp_path / "ocr"
    real = index.ocr.OcrEngine.read
    calls: list[int] = []

    def stops_on_the_second_page(self, image):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("killed")
        return real(self, image)

    monkeypatch.setattr(index.ocr.OcrEngine, "read", stops_on_the_second_page)
    report = load_paths([path.parent], ocr=OcrReader(cache))
    assert report.skipped and "killed" in report.skipped[0].reason
    # the next run reads only the page the first one did not finish
    monkeypatch.setattr(index.ocr.OcrEngine, "read", lambda self, image: calls.append(1) or real(self, image))
    calls.clear()
    first = load_file(path, ocr=OcrReader(cache))
    assert len(calls) == 1 and "周一闭馆" in first.text and "491万辆" in first.text
    # and nothing at all when the same content is read again
    calls.clear()
    assert load_file(path, ocr=OcrReader(cache)).text == first.text
    assert calls == []


def test_a_scan_past_its_time_budget_is_skipped_with_a_reason_and_the_next_build_goes_on(tmp_path, monkeypatch):
    """A long scan does not hold the build: past the budget it is skipped, its pages read so far kept."""
    raw = image_pdf([render_text(LIBRARY), render_text(EXPORTS[:2]), render_text(EXPORTS[::2])])
    path = write(tmp_path / "scan.pdf", raw)
    cache = tmp_path / "ocr"
    real = index.ocr.OcrEngine.read
    calls: list[int] = []
    monkeypatch.setattr(index.ocr.OcrEngine, "read", lambda self, image: calls.append(1) or real(self, image))
    report = load_paths([path], ocr=OcrReader(cache, file_budget_s=1e-9))  # spent after the first page
    assert not report.documents and len(calls) == 1
    assert "1 of 3 pages" in report.skipped[0].reason and "ZHIKU_OCR_FILE_BUDGET_S" in report.skipped[0].reason
    report = load_paths([path], ocr=OcrReader(cache, file_budget_s=1e-9))
    assert "2 of 3 pages" in report.skipped[0].reason and len(calls) == 2
    doc = load_file(path, ocr=OcrReader(cache, file_budget_s=1e-9))  # one page left: read, then done
    assert len(calls) == 3 and "周一闭馆" in doc.text and "491万辆" in doc.text


def test_an_index_build_keeps_ocr_beside_the_index_and_cites_the_page(tmp_path, exports_page):
    corpus, index_dir = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    write(corpus / "scan.pdf", image_pdf([render_text(LIBRARY), exports_page]))
    write(corpus / "shot.png", png(exports_page))
    report = IndexBuilder(index_dir, HashEmbedder(), ChunkingConfig()).build(corpus)
    assert sorted(report.added) == ["scan.pdf", "shot.png"] and not report.skipped
    assert len(list(ocr_cache_dir(index_dir).rglob("*.jsonl"))) == 2
    chunks = load_snapshot(index_dir).chunks  # the pages travel through the index on disk
    scan = [c for c in chunks if c.source == "scan.pdf"]
    assert all(c.ocr for c in chunks)
    assert {(c.page, c.last_page) for c in scan} == {(1, 2)}  # the two short pages make one chunk
    assert all(c.page is None for c in chunks if c.source == "shot.png")


# --- bad input ---------------------------------------------------------------------------------


def test_without_the_ocr_extra_a_scan_is_skipped_with_a_reason_naming_the_extra(tmp_path, monkeypatch, exports_page):
    monkeypatch.setitem(sys.modules, "rapidocr_onnxruntime", None)  # as if the extra were not installed
    write(tmp_path / "scan.pdf", image_pdf([exports_page]))
    write(tmp_path / "shot.png", png(exports_page))
    report = load_paths([tmp_path])
    reasons = {s.source: s.reason for s in report.skipped}
    assert set(reasons) == {"scan.pdf", "shot.png"}
    assert all("pip install 'zhiku[ocr]'" in reason for reason in reasons.values()), reasons
    assert reasons["scan.pdf"].startswith("no text layer (scanned PDF?)")


@pytest.mark.parametrize("name, data, reason", [
    ("truncated.png", lambda: png(render_text(LIBRARY))[:400], "corrupt or unreadable image"),
    ("noise.jpg", lambda: b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8, "corrupt or unreadable image"),
    ("blank.png", lambda: png(Image.new("RGB", (600, 300), "white")), "no text: OCR found none in the image"),
    ("poster.png", lambda: png(Image.new("1", (9000, 6000), 1)), "image too large (9000×6000 pixels"),
])
def test_a_bad_image_is_skipped_with_a_reason_and_the_rest_is_read(tmp_path, name, data, reason):
    write(tmp_path / name, data())
    write(tmp_path / "note.txt", "区图书馆通知\n\n区图书馆暑期开放时间调整为每天上午九点至晚上八点。\n".encode())
    report = load_paths([tmp_path])
    assert [d.source for d in report.documents] == ["note.txt"]
    assert [s.source for s in report.skipped] == [name]
    assert report.skipped[0].reason.startswith(reason), report.skipped[0].reason


def test_an_image_file_is_not_read_unless_it_is_one(tmp_path):
    with pytest.raises(LoadError, match="corrupt or unreadable image"):
        load_file(write(tmp_path / "notes.png", "这其实是一个文本文件。".encode()))
