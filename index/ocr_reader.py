"""Scanned PDF pages and images read by OCR, page by page, each page once per file content.

    reader = OcrReader(cache_dir=ocr_cache_dir(index_dir), progress=True)
    reader.pdf_pages(raw, sha256, [2, 5], label="报告.pdf")   # {2: "…", 5: "…"}
    reader.image_pages(raw, sha256, label="截图.png")          # ["…"]: one text per frame
    reader.picture_text(raw, sha256, label="报告.docx: word/media/image1.png")   # a picture inside a file
"""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from index.errors import LoadError
from index.ocr import EXTRA, OcrEngine, OcrLine, ocr_installed
from index.ocr_cache import OcrCache, OcrPage
from index.ocr_layout import MIN_SCORE, page_text
from index.pdf_render import PdfPages

log = logging.getLogger(__name__)

# a page rendered with its longer side at this many pixels: ~170 dpi for A4, what the
# recogniser works at anyway (it shrinks larger images to 2000 pixels)
RENDER_LONG_SIDE = 2000
# past this an image is a poster or a map, not a document, and decoding it takes gigabytes
MAX_PIXELS = 50_000_000
# a long screenshot is read in strips this many times as tall as it is wide: shrunk whole to
# 2000 pixels, its text would be too small to read
_STRIP = 1.5
_STRIP_MARGIN = 100  # pixels each strip reaches into its neighbours, so no line is cut in two

_MIN_PICTURE_SIDE = 16  # pixels: below this a picture holds no line of text OCR could read
_BLANK_CONTRAST = 40  # grey levels between the darkest and the lightest pixel of a page with text


def ocr_cache_dir(index_dir: Path) -> Path:
    """Where OCR results live: beside the index built from them, and gone with it."""
    return Path(index_dir) / "ocr"


class OcrReader:
    def __init__(self, cache_dir: Path | None = None, progress: bool = False, min_score: float = MIN_SCORE,
                 file_budget_s: float | None = None):
        """`file_budget_s`: OCR time one file may take in one run. A 200-page scan must not hold a
        whole folder's build for an hour: past the budget the file is skipped with a reason, the
        pages read so far stay in the cache, and the next build goes on from there."""
        self.cache = OcrCache(cache_dir)
        self.progress = progress
        self.min_score = min_score
        self.file_budget_s = file_budget_s
        self._engine = OcrEngine()

    def pdf_pages(self, raw: bytes, sha256: str, pages: list[int], label: str = "") -> dict[int, str]:
        """The text of the given pages (1-based) of a PDF."""
        with PdfPages(raw) as pdf:
            return self._read(sha256, pages, lambda n: pdf.render(n, RENDER_LONG_SIDE), label)

    def image_pages(self, raw: bytes, sha256: str, label: str = "") -> list[str]:
        """The text of an image, one string per frame (a multi-page TIFF has several)."""
        image = open_image(raw)
        frames = getattr(image, "n_frames", 1)
        texts = self._read(sha256, list(range(1, frames + 1)), lambda n: _frame(image, n), label)
        return [texts[n] for n in range(1, frames + 1)]

    def picture_text(self, raw: bytes, sha256: str, label: str = "") -> str:
        """The text of a picture inside a document, kept by the picture's own hash: the same
        picture in an edited file, or in another one, is not read again. A tiny picture (a bullet,
        an icon) is not read at all."""
        image = open_image(raw)
        if min(image.size) < _MIN_PICTURE_SIDE:
            return ""
        return "\n".join(text for text in self.image_pages(raw, sha256, label) if text.strip())

    def lines(self, sha256: str, page: int) -> OcrPage | None:
        """What was recognised on a page before (for highlighting a passage on it)."""
        found = self.cache.pages(sha256).get(page)
        return found and replace(found, lines=tuple(l for l in found.lines if l.score >= self.min_score))

    def _read(self, sha256: str, pages: list[int], render: Callable, label: str) -> dict[int, str]:
        done = self.cache.pages(sha256)
        todo = [n for n in pages if n not in done]
        if todo and not ocr_installed():
            raise LoadError(f"needs OCR, which is not installed: {EXTRA}")
        from tqdm import tqdm

        started = time.monotonic()
        with tqdm(total=len(todo), desc=f"OCR {label}".strip(), unit="page", disable=not (self.progress and todo)) as bar:
            for i, n in enumerate(todo):
                # at least one page a run, so every build moves a long scan forward
                if i and self.file_budget_s is not None and time.monotonic() - started > self.file_budget_s:
                    raise LoadError(
                        f"OCR read {sum(p in done for p in pages)} of {len(pages)} pages within this file's "
                        f"{self.file_budget_s:g} s budget (ZHIKU_OCR_FILE_BUDGET_S); the pages read are kept "
                        "and the next build goes on from there")
                image = render(n)
                done[n] = OcrPage(n, image.width, image.height, tuple(self._recognise(image)))
                self.cache.add(sha256, done[n])
                log.info("OCR %s page %d: %d lines", label, n, len(done[n].lines))
                bar.update()
        return {n: page_text(list(done[n].lines), done[n].width, self.min_score) for n in pages}

    def _recognise(self, image) -> list[OcrLine]:
        low, high = image.convert("L").getextrema()
        if high - low < _BLANK_CONTRAST:  # a blank page (the back of a scanned sheet): nothing to find
            return []
        width, height = image.size
        step = int(_STRIP * width)
        if height <= 1.25 * step:
            return self._engine.read(image)
        lines = []
        for top in range(0, height, step):
            offset = max(0, top - _STRIP_MARGIN)
            strip = image.crop((0, offset, width, min(height, top + step + _STRIP_MARGIN)))
            for line in self._engine.read(strip):
                moved = replace(line, top=line.top + offset, bottom=line.bottom + offset)
                if top <= moved.middle < top + step:  # each line from the one strip that owns its middle
                    lines.append(moved)
        return lines


def open_image(raw: bytes):
    """A PIL image of the bytes; a LoadError for what is not one, or is too large to decode."""
    from PIL import Image, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(raw))
        width, height = image.size
    except Image.DecompressionBombError as exc:  # Pillow's own limit, far above ours
        raise LoadError(f"image too large (over {MAX_PIXELS // 1_000_000} megapixels)") from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise LoadError(f"corrupt or unreadable image ({type(exc).__name__})") from exc
    if width * height > MAX_PIXELS:
        raise LoadError(f"image too large ({width}×{height} pixels; over {MAX_PIXELS // 1_000_000} megapixels)")
    return image


def _frame(image, n: int):
    try:
        image.seek(n - 1)
        image.load()  # decoding happens here: a truncated file fails now, with a reason
        return image.convert("RGB")
    except (OSError, ValueError, SyntaxError) as exc:
        raise LoadError(f"corrupt or unreadable image ({type(exc).__name__})") from exc
