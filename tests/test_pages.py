"""Page numbers through cleaning: where each page begins in the cleaned text, and a chunk's pages."""

from __future__ import annotations

import io
import json

from pypdf import PdfReader, PdfWriter

from index.cleaning import clean_text
from index.loaders import load_file
from index.pages import page_starts, with_pages
from index.pipeline import ChunkingConfig, chunk_document
from index.records import Chunk, Document
from tests.test_loaders import make_pdf

HEADER = "金融时报周刊"  # a running header on every page: cleaning drops it


def cleaned(pages: list[str]) -> str:
    return clean_text("\x0c".join(pages))


def page_of(text: str, starts: tuple[int, ...], needle: str) -> int:
    at = text.index(needle)
    return sum(1 for start in starts if start <= at)


def test_each_page_begins_where_its_first_kept_line_does():
    pages = [
        f"{HEADER}\n央行决定下调存款准备金率0.25个百分点。\n释放长期资金约5000亿元。\n1",
        f"{HEADER}\n国家统计局公布，3月制造业采购经理指数为50.8%。\n2",
        f"{HEADER}\n2023年中国汽车出口491万辆，同比增长57.9%。\n3",  # begins with digits, after the number "2"
    ]
    text = cleaned(pages)
    assert HEADER not in text and "\n1\n" not in text  # the header and the page numbers are gone
    starts = page_starts(pages, text)
    assert starts == (0, text.index("国家统计局"), text.index("2023年中国"))


def test_a_sentence_running_over_a_page_break_is_split_between_the_pages_where_it_breaks():
    pages = [
        f"{HEADER}\n受访专家认为，2024年全国两会有望延续\n12",
        f"{HEADER}\n积极的财政政策基调，赤字率或保持在3%左右。\n13",
        f"{HEADER}\n专项债发行节奏有望加快。\n14",
    ]
    text = cleaned(pages)
    assert "有望延续积极的财政政策" in text  # one paragraph across the break
    starts = page_starts(pages, text)
    assert starts == (0, text.index("积极的财政政策"), text.index("专项债"))
    assert page_of(text, starts, "赤字率") == 2 and page_of(text, starts, "两会") == 1


def test_a_page_left_empty_by_cleaning_begins_where_the_next_one_does():
    pages = [f"{HEADER}\n第一页的正文，讲的是出口。\n1", f"{HEADER}\n2", f"{HEADER}\n第三页的正文，讲的是消费。\n3"]
    text = cleaned(pages)
    starts = page_starts(pages, text)
    assert starts[1] == starts[2] == text.index("第三页")
    assert page_of(text, starts, "消费") == 3


def test_a_one_page_document_starts_at_zero_and_no_pages_give_nothing():
    assert page_starts(["只有一页。"], "只有一页。") == (0,)
    assert page_starts([], "") == ()


def test_a_chunk_knows_the_pages_it_spans_and_whether_ocr_read_them():
    doc = Document("a.pdf", "甲" * 100, "0", "pdf", page_starts=(0, 40, 80), ocr_pages=(3,))
    chunk = Chunk("c", "a.pdf", "t", "甲" * 30, start=30, end=60)
    assert with_pages(chunk, doc) == Chunk("c", "a.pdf", "t", "甲" * 30, 30, 60, page=1, last_page=2, ocr=False)
    assert with_pages(Chunk("d", "a.pdf", "t", "甲", 85, 86), doc).ocr is True
    not_paged = Document("a.txt", "甲" * 100, "0", "txt")
    assert with_pages(chunk, not_paged) == chunk  # page None: no page to show


def test_a_pdf_with_a_text_layer_gives_every_chunk_its_page(tmp_path):
    writer = PdfWriter()
    for lines in (["First page: exports grew 5.4% in 2023, a record."], ["Second page: imports fell 0.3% in 2023."]):
        writer.append(PdfReader(io.BytesIO(make_pdf(lines))))
    out = io.BytesIO()
    writer.write(out)
    path = tmp_path / "report.pdf"
    path.write_bytes(out.getvalue())
    doc = load_file(path)
    assert doc.ocr_pages == ()
    _, chunks = chunk_document(doc, ChunkingConfig(chunk_size=50))
    assert [(c.page, c.last_page, c.ocr) for c in chunks if "imports" in c.text] == [(2, 2, False)]
    assert [(c.page, c.last_page) for c in chunks if "exports" in c.text] == [(1, 1)]


def test_an_index_built_before_pages_keeps_loading_without_them(tmp_path):
    from index.builder import IndexBuilder
    from index.snapshot import load_snapshot
    from index.versions import current_version
    from tests.fakes import HashEmbedder

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "report.pdf").write_bytes(make_pdf(["Exports grew 5.4% in 2023, a record for the industry."]))
    IndexBuilder(tmp_path / "index", HashEmbedder(), ChunkingConfig()).build(corpus)
    rows = next(current_version(tmp_path / "index").rglob("chunks.jsonl"))  # the one segment's records
    old = [{k: v for k, v in json.loads(line).items() if k not in ("page", "last_page", "ocr")}
           for line in rows.read_text(encoding="utf-8").splitlines()]
    rows.write_text("".join(json.dumps(row) + "\n" for row in old), encoding="utf-8")  # as an older zhiku wrote it
    [chunk] = load_snapshot(tmp_path / "index").chunks
    assert (chunk.page, chunk.last_page, chunk.ocr) == (None, None, False)
    assert "Exports grew" in chunk.text
