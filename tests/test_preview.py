"""End to end over real HTTP: a scanned PDF read by OCR answers a question with a page-numbered
citation, and the citation opens the page with the quoted span marked; typed PDFs and text files
open the same way; only the index's own files are served, and only to those allowed in."""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from PIL import Image, ImageChops, ImageDraw

from index.builder import IndexBuilder
from index.pipeline import ChunkingConfig
from tests.conftest import FIXTURE_ARTICLES, MODEL_CACHE
from tests.scans import FONT_SIZE, LINE, MARGIN, font, image_pdf, render_text, wrap
from tests.test_api import Live, client, live_server  # noqa: F401 (client: a fixture, over this module's server)
from tests.test_loaders import make_pdf

pytestmark = [pytest.mark.model, pytest.mark.slow, pytest.mark.timeout(600)]

ARCHIVE = "城东档案馆通知"
ARCHIVE_TEXT = "自下月起，城东档案馆每周六延长开放两小时，至晚上七点闭馆。查阅民国档案须提前三天预约。"
QUESTION = "城东档案馆周六开放到几点？"
TYPED = ["Typed report: exports grew 5.4% in 2023, a record.", "Imports were flat."]
FINANCE_QUOTE = "3月份制造业采购经理指数（PMI）为50.8%"


@pytest.fixture(scope="module")
def corpus_root(tmp_path_factory, embedder) -> Path:
    """The fixture articles, a two-page scan (the archive notice on page 2) and a typed PDF, indexed."""
    root = tmp_path_factory.mktemp("preview")
    corpus = root / "articles"
    shutil.copytree(FIXTURE_ARTICLES, corpus)
    cover = render_text(["扫描件封面", "本文件为城东区公共文化设施通知汇编，共两页，第二页为档案馆通知。"])
    (corpus / "scan.pdf").write_bytes(image_pdf([cover, render_text([ARCHIVE, ARCHIVE_TEXT])]))
    (corpus / "typed.pdf").write_bytes(make_pdf(TYPED))
    report = IndexBuilder(root / "index", embedder, ChunkingConfig()).build(corpus)
    assert not report.skipped, report.skipped
    (root / "secret.txt").write_text("不在资料库里的文件。", encoding="utf-8")
    return root


def settings_for(root: Path, data: Path, **overrides):
    from rag.settings import Settings

    values = dict(data_dir=data, corpus_dir=root / "articles", index_dir=root / "index",
                  cache_dir=MODEL_CACHE.parent, answerer="extractive")
    return Settings(**{**values, **overrides})


@pytest.fixture(scope="module")
def server(corpus_root, tmp_path_factory, embedder) -> Iterator[Live]:
    with live_server(settings_for(corpus_root, tmp_path_factory.mktemp("data")), embedder) as live:
        yield live


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.images: list[str] = []
        self.marks: list[str] = []
        self._in_mark = False

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.images.append(dict(attrs)["src"])
        self._in_mark = tag == "mark"
        if self._in_mark:
            self.marks.append("")

    def handle_endtag(self, tag):
        if tag == "mark":
            self._in_mark = False

    def handle_data(self, data):
        if self._in_mark:
            self.marks[-1] += data


def links(html: str) -> _Links:
    parser = _Links()
    parser.feed(html)
    return parser


def marked_area(client: httpx.Client, image_url: str) -> tuple[Image.Image, tuple[int, int, int, int] | None]:
    """The page image, and the box where it differs from the same page without the quote marked."""
    response = client.get("/" + image_url)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/png"
    marked = Image.open(io.BytesIO(response.content)).convert("RGB")
    query = parse_qs(urlsplit(image_url).query)
    plain = client.get("/preview/page.png", params={"source": query["source"][0], "page": query["page"][0]})
    bare = Image.open(io.BytesIO(plain.content)).convert("RGB")
    return marked, ImageChops.difference(marked, bare).getbbox()


def test_a_scanned_page_answers_with_its_page_and_opens_with_the_quote_marked(client):
    body = client.post("/api/ask", json={"question": QUESTION}).json()
    assert "七点" in body["answer"], body
    cited = next(c for c in body["citations"] if c["source"] == "scan.pdf")
    # the two short pages make one passage: it runs from page 1 to page 2
    assert (cited["page"], cited["last_page"], cited["ocr"]) == (1, 2, True)
    # the citation's link opens the page the quote is on: "第 2 页，共 2 页 · OCR 识别", and its image
    page = client.get("/" + cited["preview"])
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "第 2 页，共 2 页 · OCR 识别" in page.text
    [image_url] = links(page.text).images
    assert parse_qs(urlsplit(image_url).query)["page"] == ["2"]
    marked, box = marked_area(client, image_url)
    assert box is not None, "nothing is marked on the page"
    # the mark covers the notice's paragraph where it was drawn, not the title above it
    face = font()
    lines = len(wrap(ImageDraw.Draw(Image.new("L", (10, 10))), ARCHIVE_TEXT, 1000 - 2 * MARGIN, 2 * FONT_SIZE, face))
    scale = marked.width / 1000  # the scan was drawn 1000 pixels wide
    top, bottom = (MARGIN + LINE + LINE // 2) * scale, (MARGIN + LINE + LINE // 2 + lines * LINE) * scale
    assert top - 10 <= box[1] and box[3] <= bottom + 10, (box, top, bottom)
    red, green, blue = marked.getpixel(((box[0] + box[2]) // 2, (box[1] + box[3]) // 2))
    assert red > 200 and green > 150 and blue < 200  # yellow, over white paper or black ink


def test_the_openai_endpoint_cites_the_page_too(client):
    response = client.post("/v1/chat/completions",
                           json={"model": "zhiku", "messages": [{"role": "user", "content": QUESTION}]})
    assert response.status_code == 200, response.text
    cited = next(c for c in response.json()["citations"] if c["source"] == "scan.pdf")
    assert (cited["page"], cited["last_page"], cited["ocr"]) == (1, 2, True)
    assert cited["preview"].startswith("preview?source=scan.pdf")


def test_a_typed_pdf_page_is_marked_where_its_text_layer_holds_the_quote(client):
    page = client.get("/preview", params={"source": "typed.pdf", "start": 0, "end": 20, "quote": "exports grew 5.4%"})
    assert page.status_code == 200 and "第 1 页，共 1 页" in page.text and "OCR" not in page.text
    marked, box = marked_area(client, links(page.text).images[0])
    assert box is not None
    points = marked.width / 612  # make_pdf's page is 612 x 792 points, its first line at 72 pt from the top
    assert 72 * points - 20 <= box[0] <= 200 * points  # "exports" is a few words into the line
    assert (792 - 720 - 14) * points <= box[1] and box[3] <= (792 - 720 + 6) * points, box


def test_a_text_file_opens_at_its_article_with_the_quote_marked_and_scrolled_to(client):
    page = client.get("/preview", params={"source": "finance.txt", "start": 0, "end": 0, "quote": FINANCE_QUOTE})
    assert page.status_code == 200
    found = links(page.text)
    assert found.marks == [FINANCE_QUOTE] and not found.images
    text = page.text[page.text.index('<div class="text">'):]
    assert text.startswith('<div class="text">3月制造业PMI回升至荣枯线以上<br>')  # the article holding it, not the file
    assert "私募股权基金" not in page.text
    assert 'id="zk-hit"' in page.text and "scrollIntoView" in page.text
    assert "script-src 'nonce-" in page.headers["content-security-policy"]


def test_a_quote_the_file_no_longer_holds_is_said_so(client):
    page = client.get("/preview", params={"source": "finance.txt", "quote": "这句话不在文件里"})
    assert page.status_code == 200 and "引用的文字没有在文件中找到" in page.text


@pytest.mark.parametrize("source", ["../secret.txt", "/etc/passwd", "new.txt", "articles/finance.txt", "finance.txt/.."])
def test_only_files_the_index_holds_inside_the_corpus_are_served(client, server, source):
    (server.settings.corpus_dir / "new.txt").write_text("建索引之后才放进来的文件。", encoding="utf-8")
    for path in ("/preview", "/preview/page.png"):
        response = client.get(path, params={"source": source, "quote": "文件"})
        assert response.status_code == 404, (path, source, response.text)
        assert "不在资料库里" not in response.text


def test_a_page_past_the_end_is_a_404(client):
    assert client.get("/preview/page.png", params={"source": "typed.pdf", "page": 9}).status_code == 404


def test_with_a_token_the_preview_needs_it_and_passes_it_to_the_page_image(corpus_root, tmp_path, embedder):
    with live_server(settings_for(corpus_root, tmp_path, token="s3cret-token"), embedder) as live:
        params = {"source": "scan.pdf", "start": 0, "end": 10, "quote": ARCHIVE}
        with live.client() as anonymous:
            assert anonymous.get("/preview", params=params).status_code == 401
            assert anonymous.get("/preview/page.png", params={"source": "scan.pdf"}).status_code == 401
        with live.client() as widget:  # the widget puts its token in the address
            page = widget.get("/preview", params={**params, "token": "s3cret-token"})
            assert page.status_code == 200
            image_url = links(page.text).images[0]
            assert parse_qs(urlsplit(image_url).query)["token"] == ["s3cret-token"]
        with live.client() as browser:
            assert browser.get("/" + image_url).status_code == 200
