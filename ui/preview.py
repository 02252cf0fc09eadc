"""A cited passage shown in its document: a PDF page (or an image) with the quoted span marked, or
the article's text with the span highlighted and scrolled into view.

    GET /preview?source=年报.pdf&start=120&end=460&quote=…   an HTML page (the link in each citation)
    GET /preview/page.png?source=年报.pdf&page=3&quote=…      the page as an image, the span marked

Behind the app's access layer like every page (ui/access.py). Only a file the current index holds,
inside the corpus folder, is ever opened: a source naming anything else is a 404.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import html
import io
import secrets
from pathlib import Path
from urllib.parse import quote as percent, urlencode

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response

from index.articles import split_articles
from index.errors import LoadError
from index.loaders import KINDS, load_file
from index.ocr_locate import ocr_boxes
from index.ocr_reader import OcrReader, ocr_cache_dir, open_image
from index.paged import PAGED_KINDS
from index.pdf_render import PdfPages
from index.records import Document
from index.records import DEFAULT_COLLECTION
from index.store import index_summary
from ui.identity import reader_of
from ui.i18n import UIText
from ui.render import escape_text

router = APIRouter(tags=["pages"])
LONG_SIDE = 1600  # pixels of the page image's longer side: a page stays legible on a laptop screen
_NEAR = 200  # characters around the cited chunk where its quote is looked for first
_HIGHLIGHT = (250, 204, 21, 96)  # translucent yellow over the page

Source = Query(max_length=1000, description="the file, as the citation's `source` names it")


@router.get("/preview", response_class=HTMLResponse, summary="A cited passage in its document")
def preview(request: Request, source: str = Source, start: int = Query(0, ge=0), end: int = Query(0, ge=0),
            quote: str = Query("", max_length=20_000)) -> HTMLResponse:
    settings = request.app.state.settings
    t = UIText(settings.language)
    doc = _document(request, source)
    first, last = _span(doc.text, quote, start, end)
    if doc.kind in PAGED_KINDS:
        body = _page_view(request, doc, (first, last), (min(start, first), max(end, last)), t)
    else:
        body = _text_view(doc, first, last)
    if quote.strip() and doc.text[first:last] != quote.strip():
        body = f'<p class="muted">{escape_text(t("quote_not_found"))}</p>{body}'
    nonce = secrets.token_urlsafe(16)
    page = _PAGE.format(lang=settings.language, title=escape_text(source), nonce=nonce, body=body)
    csp = f"default-src 'none'; img-src 'self'; style-src 'nonce-{nonce}'; script-src 'nonce-{nonce}'; base-uri 'none'"
    return HTMLResponse(page, headers={"Content-Security-Policy": csp, "Cache-Control": "no-store"})


@router.get("/preview/page.png", response_class=Response, summary="A page of a PDF or an image, the quoted span marked")
def page_image(request: Request, source: str = Source, page: int = Query(1, ge=1),
               quote: str = Query("", max_length=20_000)) -> Response:
    settings = request.app.state.settings
    path = _indexed_path(request, source)
    raw = _read(path)
    sha256 = hashlib.sha256(raw).hexdigest()
    ocr = OcrReader(ocr_cache_dir(settings.index_dir))
    try:
        if KINDS.get(path.suffix.lower()) == "pdf":
            image, boxes = _pdf_page(raw, page, quote)
        else:
            image, boxes = _image_frame(raw, page), []
    except LoadError as exc:
        raise HTTPException(404, f"{source}: {exc}") from None
    if not boxes and quote:
        read = ocr.lines(sha256, page)  # a scanned page: where OCR found the quoted lines
        if read is not None:
            scale = image.width / read.width
            boxes = [tuple(v * scale for v in box) for box in ocr_boxes(list(read.lines), quote)]
    out = io.BytesIO()
    _marked(image, boxes).save(out, format="PNG", optimize=False)
    return Response(out.getvalue(), media_type="image/png", headers={"Cache-Control": "no-store"})


# --- finding the file and the span --------------------------------------------------------------


def _indexed_path(request: Request, source: str) -> Path:
    """The file behind `source`, when the current index holds it, the reader may read its
    knowledge base, and it lies inside that knowledge base's folder. Anything else is the same
    404, so a guessed name tells nothing."""
    state = request.app.state
    manifest = index_summary(state.kbs.builder.store) if hasattr(state, "kbs") else None
    info = (manifest or {"files": {}})["files"].get(source)
    collection = (info or {}).get("collection", DEFAULT_COLLECTION)
    if info is None or not reader_of(request).may_read(collection) or collection not in state.registry.all():
        raise HTTPException(404, "no such document in the index")
    path = state.registry.get(collection).file_path(source)
    if path is None:
        raise HTTPException(404, "the document is no longer in the corpus folder")
    return path


def _document(request: Request, source: str) -> Document:
    settings = request.app.state.settings
    path = _indexed_path(request, source)
    stat = path.stat()
    try:
        return _load(str(path), stat.st_mtime_ns, stat.st_size, str(path.parent), str(settings.index_dir),
                     settings.max_file_mb * 1024 * 1024)
    except LoadError as exc:
        raise HTTPException(404, f"{source} cannot be read: {exc}") from None


@functools.lru_cache(maxsize=8)
def _load(path: str, mtime_ns: int, size: int, root: str, index_dir: str, max_bytes: int) -> Document:
    # a reader clicks through several citations of one document: read it once (OCR from the cache)
    return load_file(Path(path), Path(root), max_bytes, OcrReader(ocr_cache_dir(Path(index_dir))))


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise HTTPException(404, f"cannot read the document ({exc.strerror or exc})") from None


def _span(text: str, quote: str, start: int, end: int) -> tuple[int, int]:
    """Offsets of the quote in the document (looked for in the cited chunk first), else the chunk's."""
    quote = quote.strip()
    if quote:
        at = text.find(quote, max(0, start - _NEAR), min(len(text), max(end, start) + _NEAR))
        at = at if at >= 0 else text.find(quote)
        if at >= 0:
            return at, at + len(quote)
    if start < end <= len(text):
        return start, end
    return 0, 0


# --- the two views --------------------------------------------------------------------------


def _text_view(doc: Document, first: int, last: int) -> str:
    """The article holding the span, the span marked (and scrolled to)."""
    articles = split_articles(doc)
    # the article holding the span (a span between two articles: the next one)
    article = next((a for a in articles if a.start <= first < a.end), None) or next(
        (a for a in articles if first < a.end), None)
    begin, stop = (article.start, article.end) if article else (0, len(doc.text))
    shown = article is not None and not doc.text[begin:stop].startswith(article.title)  # else its first line
    title = f"<h1>{escape_text(article.title)}</h1>" if shown else ""
    return f'{title}<div class="text">{_marked_text(doc.text, begin, stop, first, last, "zk-hit")}</div>'


def _page_view(request: Request, doc: Document, quoted: tuple[int, int], cited: tuple[int, int], t: UIText) -> str:
    """The page the quote begins on as an image, the part of the quote on that page marked; below
    it the cited passage as text."""
    first, last = quoted
    if doc.page_starts:
        page = bisect.bisect_right(doc.page_starts, first) or 1
        page_begin = doc.page_starts[page - 1]
        page_end = doc.page_starts[page] if page < len(doc.page_starts) else len(doc.text)
    else:
        page, page_begin, page_end = 1, 0, len(doc.text)
    query = {"source": doc.source, "page": page, "quote": doc.text[max(first, page_begin) : min(last, page_end)]}
    token = request.query_params.get("token")
    if token:  # the widget sends its token in the address: the image needs it too
        query["token"] = token
    src = html.escape(f"preview/page.png?{urlencode(query, quote_via=percent)}", quote=True)
    label = t("page_of", page=page, pages=max(len(doc.page_starts), 1))
    if page in doc.ocr_pages:
        label += f" · {t('ocr')}"
    passage = _marked_text(doc.text, *cited, first, last, "") if cited[0] < cited[1] else ""
    return (f'<p class="muted">{escape_text(label)}</p><img class="page" src="{src}" alt="{html.escape(label, quote=True)}">'
            f'<div class="text">{passage}</div>')


def _marked_text(text: str, begin: int, stop: int, first: int, last: int, mark_id: str) -> str:
    """text[begin:stop], escaped, with text[first:last] in <mark> when it lies inside."""
    if not begin <= first < last <= stop:
        return escape_text(text[begin:stop])
    mark = f'<mark id="{mark_id}">' if mark_id else "<mark>"
    return f"{escape_text(text[begin:first])}{mark}{escape_text(text[first:last])}</mark>{escape_text(text[last:stop])}"


# --- images ---------------------------------------------------------------------------------


def _pdf_page(raw: bytes, page: int, quote: str):
    with PdfPages(raw) as pdf:
        if page > len(pdf):
            raise LoadError(f"has {len(pdf)} pages, not {page}")
        image = pdf.render(page, LONG_SIDE)
        return image, pdf.find(page, quote, image) if quote else []


def _image_frame(raw: bytes, page: int):
    image = open_image(raw)
    if page > getattr(image, "n_frames", 1):
        raise LoadError(f"has no page {page}")
    image.seek(page - 1)
    image = image.convert("RGB")
    image.thumbnail((LONG_SIDE, LONG_SIDE))
    return image


def _marked(image, boxes: list) -> object:
    if not boxes:
        return image
    from PIL import Image, ImageDraw

    overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    for left, top, right, bottom in boxes:
        # one layer for every box: where boxes overlap the yellow is not doubled
        draw.rectangle((left - 1, top - 1, right + 1, bottom + 1), fill=_HIGHLIGHT)
    return Image.alpha_composite(image.convert("RGBA"), overlay).convert("RGB")


_PAGE = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style nonce="{nonce}">
body {{ margin: 0 auto; max-width: 60rem; padding: 1rem; font: 15px/1.8 -apple-system, "PingFang SC",
  "Microsoft YaHei", "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif; color: #1d2430; }}
h1 {{ font-size: 1.25rem; }}
.file {{ color: #6b7585; font-size: 0.9rem; }}
.muted {{ color: #6b7585; }}
.text {{ white-space: pre-wrap; }}
mark {{ background: #fde68a; padding: 0 1px; }}
img.page {{ display: block; width: 100%; height: auto; border: 1px solid #e3e7ee; margin: 0.5rem 0 1rem; }}
</style></head>
<body><p class="file">{title}</p>{body}
<script nonce="{nonce}">
var hit = document.getElementById('zk-hit');
if (hit) hit.scrollIntoView({{block: 'center'}});
</script></body></html>
"""
