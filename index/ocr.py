"""Recognise the text lines of a page image with RapidOCR.

The `rapidocr-onnxruntime` wheel (the optional extra `ocr`) carries the Chinese PP-OCRv4 detection
and recognition models, so nothing is downloaded when it runs. The engine loads on first use.

    lines = OcrEngine().read(image)   # a PIL image -> [OcrLine], in no particular order
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from index.errors import LoadError

log = logging.getLogger(__name__)

EXTRA = "pip install 'zhiku[ocr]'"  # the optional extra (make setup installs it)


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
        with self._lock:
            result, _ = self._load()(image.convert("RGB"))
        lines = []
        for box, text, score in result or ():
            xs, ys = [p[0] for p in box], [p[1] for p in box]
            lines.append(OcrLine(str(text).strip(), float(score), min(xs), min(ys), max(xs), max(ys)))
        return [line for line in lines if line.text]

    def _load(self):
        if self._engine is None:
            try:
                from rapidocr_onnxruntime import RapidOCR
            except ImportError as exc:
                raise LoadError(f"needs OCR, which is not installed: {EXTRA}") from exc
            log.info("loading the OCR models")
            self._engine = RapidOCR()
        return self._engine
