"""PDFs and images as pages of text: a page's text layer where it has one, OCR where it has not.

A PDF may mix typed pages and scanned ones; each page is read the way it can be. Without the
OCR extra, scanned pages are left out (the file is skipped, with the extra named, when nothing
else is left).

    pages = read_pages(raw, "pdf", sha256, "报告.pdf", OcrReader())
    pages.texts, pages.ocr        # ["…", "…"], (2,): page 2 was read by OCR
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from index.errors import LoadError
from index.extract import pdf_pages
from index.ocr import EXTRA, ocr_installed
from index.ocr_reader import OcrReader

log = logging.getLogger(__name__)

PAGED_KINDS = {"pdf", "image"}
# fewer letters and digits than this on a page's text layer: a scan (perhaps with a stamped page number)
_MIN_LAYER_CHARS = 5


@dataclass(frozen=True)
class Pages:
    texts: list[str]  # page 1, 2, … ("" for a page without text)
    ocr: tuple[int, ...]  # the pages OCR read text from


def read_pages(raw: bytes, kind: str, sha256: str, source: str, ocr: OcrReader) -> Pages:
    if kind == "image":
        texts = ocr.image_pages(raw, sha256, label=source)
        if not any(text.strip() for text in texts):
            raise LoadError("no text: OCR found none in the image")
        return Pages(texts, tuple(n for n, text in enumerate(texts, 1) if text.strip()))
    texts = pdf_pages(raw)
    scanned = [n for n, text in enumerate(texts, 1) if sum(ch.isalnum() for ch in text) < _MIN_LAYER_CHARS]
    if not scanned:
        return Pages(texts, ())
    if not ocr_installed():
        if len(scanned) == len(texts):
            raise LoadError(f"no text layer (scanned PDF?): reading it needs OCR, which is not installed: {EXTRA}")
        log.warning("%s: pages %s have no text layer and are left out: OCR is not installed (%s)", source, scanned, EXTRA)
        return Pages(texts, ())
    for n, text in ocr.pdf_pages(raw, sha256, scanned, label=source).items():
        if text.strip():
            texts[n - 1] = text
    read = tuple(n for n in scanned if texts[n - 1].strip())
    if not any(sum(ch.isalnum() for ch in text) for text in texts):
        raise LoadError(f"no text layer (scanned PDF?), and OCR found no text on its {len(texts)} page(s)")
    return Pages(texts, read)
