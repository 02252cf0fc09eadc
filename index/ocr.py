"""Recognise the text lines of a page image with RapidOCR.

The `rapidocr-onnxruntime` wheel (the optional extra `ocr`) carries the Chinese PP-OCRv4 detection
and recognition models, so nothing is downloaded when it runs. The engine loads on first use.

    lines = OcrEngine().read(image)   # a PIL image -> [OcrLine], in no particular order
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, replace

from index.errors import LoadError

log = logging.getLogger(__name__)

EXTRA = "pip install 'zhiku[ocr]'"  # the optional extra (make setup installs it)
RETRY_BELOW = 0.8  # a line read with less confidence is read again, turned if the classifier says so


@dataclass(frozen=True)
class OcrLine:
    """One recognised line: its text, the recogniser's confidence and its box in image pixels."""

    text: str
    score: float
    left: float
    top: float
    right: float
    bottom: float

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2


def ocr_installed() -> bool:
    try:
        import rapidocr_onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


class OcrEngine:
    """One RapidOCR instance, shared by the pages of a run; calls are serialised (ONNX sessions
    already use every core, and a second page at once would only halve each one's speed)."""

    def __init__(self) -> None:
        self._engine = None
        self._lock = threading.Lock()

    def read(self, image) -> list[OcrLine]:
        image = image.convert("RGB")
        with self._lock:
            engine = self._load()
            # RapidOCR's angle classifier turns some long upright lines upside down, and they come
            # back empty (4 of 56 lines on a plain article page): read as printed, and ask it only
            # about the lines that fail so (an upside-down page, a rotated stamp)
            result, _ = engine(image, use_cls=False)
            lines = [_retried(engine, image, _line(box, text, score)) for box, text, score in result or ()]
        return [line for line in lines if line.text]

    def _load(self):
        if self._engine is None:
            try:
                from rapidocr_onnxruntime import RapidOCR
            except ImportError as exc:
                raise LoadError(f"needs OCR, which is not installed: {EXTRA}") from exc
            log.info("loading the OCR models")
            # every line comes back, with its score: index/ocr_layout.py decides what to keep
            self._engine = RapidOCR(text_score=0.0)
        return self._engine


def _line(box, text, score) -> OcrLine:
    xs, ys = [p[0] for p in box], [p[1] for p in box]
    return OcrLine(str(text).strip(), float(score), min(xs), min(ys), max(xs), max(ys))


def _retried(engine, image, line: OcrLine) -> OcrLine:
    """A line read badly as printed, read again with the angle classifier; the better read wins."""
    if line.score >= RETRY_BELOW:
        return line
    crop = image.crop((int(line.left), int(line.top), int(line.right + 1), int(line.bottom + 1)))
    result, _ = engine(crop, use_det=False, use_cls=True)
    if not result:
        return line
    text, score = result[0]
    text = str(text).strip()
    return replace(line, text=text, score=float(score)) if text and float(score) > line.score else line
