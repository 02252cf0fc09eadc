"""What OCR read on each page, kept by the file's content hash, so a file is recognised once.

Every index build reads every file again (the hash is what tells a changed file); OCR takes
seconds a page, so without this a folder of scans would be recognised on every build. Each page
is appended as soon as it is read: a build killed on page 150 of 200 resumes at page 151. The raw
lines are kept (not the text), so a better layout step needs no new OCR.

    cache = OcrCache(index_dir / "ocr")
    cache.pages(sha256)                     # {page: OcrPage} read before
    cache.add(sha256, OcrPage(3, 1654, 2339, lines))
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from index.ocr import OcrLine

log = logging.getLogger(__name__)

# what a row was read with: rows of another reading (v1 let the angle classifier drop lines) are
# read again
READING = 2


@dataclass(frozen=True)
class OcrPage:
    """The lines recognised on one page (1-based) of an image `width` x `height` pixels."""

    page: int
    width: float
    height: float
    lines: tuple[OcrLine, ...]


class OcrCache:
    """JSON Lines per file hash under `folder`; with folder None it remembers nothing."""

    def __init__(self, folder: Path | None):
        self.folder = Path(folder) if folder is not None else None

    def pages(self, sha256: str) -> dict[int, OcrPage]:
        path = self._path(sha256)
        if path is None or not path.is_file():
            return {}
        found: dict[int, OcrPage] = {}
        with open(path, encoding="utf-8") as fh:
            for row in fh:
                try:
                    data = json.loads(row)
                    if data.get("v") != READING:
                        continue
                    page = _page(data)
                except (ValueError, KeyError, TypeError, AttributeError):
                    continue  # the last line of a build that was killed while writing it
                found[page.page] = page
        return found

    def add(self, sha256: str, page: OcrPage) -> None:
        path = self._path(sha256)
        if path is None:
            return
        row = {
            "v": READING, "page": page.page, "width": page.width, "height": page.height,
            "lines": [[l.text, round(l.score, 4), l.left, l.top, l.right, l.bottom] for l in page.lines],
        }
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "a", encoding="utf-8") as fh:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:  # a full disk costs a second OCR next time, not this build
            log.warning("cannot keep OCR results in %s: %s", path, exc)

    def _path(self, sha256: str) -> Path | None:
        return None if self.folder is None else self.folder / sha256[:2] / f"{sha256}.jsonl"


def _page(row: dict) -> OcrPage:
    lines = tuple(OcrLine(str(t), float(s), float(l), float(tp), float(r), float(b)) for t, s, l, tp, r, b in row["lines"])
    return OcrPage(int(row["page"]), float(row["width"]), float(row["height"]), lines)
