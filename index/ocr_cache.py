"""What OCR read on each page, kept by the file's content hash, so a file is recognised once.

Every index build reads every file again (the hash is what tells a changed file); OCR takes
seconds a page, so without this a folder of scans would be recognised on every build. Each page
is appended as soon as it is read: a build killed on page 150 of 200 resumes at page 151. The raw
lines are kept (not the text), so a better layout step needs no new OCR.

    cache = OcrCache(index_dir / "ocr")
    cache.pages(sha256)                     # {page: OcrPage} read before
    cache.add(sha256, OcrPage(3, 1654, 2339, lines))
    cache.link(docx_sha256, [picture_sha256, …])   # a Word file's pictures are kept by their own hash
    cache.prune(indexed={…}, before={…})   # after a build: what no indexed file needs goes

Pruning runs inside an index build's write lock (one writer at a time). What a build that is still
reading, was refused the lock, or ran out of its OCR budget has read is in no index yet: it is kept
until it has not been used for IDLE_DAYS, so that build finds it when it runs again.
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

from index.ocr import OcrLine

log = logging.getLogger(__name__)

# what a row was read with: rows of another reading (v1 let the angle classifier drop lines) are
# read again
READING = 2
IDLE_DAYS = 7  # what no index refers to and no build has used for this long is pruned
_REFS = ".refs.json"


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
        _touch(path)  # in use: pruning goes by when an entry was last used
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

    def link(self, sha256: str, keys: list[str]) -> None:
        """The file `sha256` holds pictures whose OCR is kept under `keys`: they live as long as it."""
        path = self._path(sha256, _REFS)
        wanted = sorted(set(keys))
        if path is None or not wanted:
            return
        if self.refs(sha256) == wanted:
            _touch(path)
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            temporary.write_text(json.dumps(wanted), encoding="utf-8")
            os.replace(temporary, path)
        except OSError as exc:
            log.warning("cannot keep OCR references in %s: %s", path, exc)

    def refs(self, sha256: str) -> list[str]:
        path = self._path(sha256, _REFS)
        try:
            found = json.loads(path.read_text(encoding="utf-8")) if path is not None else []
        except (OSError, ValueError):
            return []
        return [str(key) for key in found] if isinstance(found, list) else []

    def prune(self, indexed: set[str], before: set[str] = frozenset(), idle_days: float = IDLE_DAYS) -> int:
        """Remove entries no file in `indexed` (content hashes) needs: at once those of files the
        index held `before` (changed or gone since), else once unused for `idle_days`. Returns how
        many files were removed."""
        if self.folder is None or not self.folder.is_dir():
            return 0
        keep = set(indexed) | {key for sha in indexed for key in self.refs(sha)}
        gone = (set(before) | {key for sha in before for key in self.refs(sha)}) - keep
        oldest = time.time() - idle_days * 86400
        removed = 0
        for path in sorted(self.folder.glob("??/*")):
            key = path.name.lstrip(".").split(".")[0]
            if key in keep:
                continue
            try:
                if key in gone or path.stat().st_mtime < oldest:
                    path.unlink()
                    removed += 1
            except FileNotFoundError:
                continue  # removed by the reader that was using it
            except OSError as exc:
                log.warning("cannot prune OCR results %s: %s", path, exc)
        # the empty ??/ folders stay: a reader may be about to write into one
        if removed:
            log.info("pruned %d OCR result files no indexed file needs", removed)
        return removed

    def _path(self, sha256: str, suffix: str = ".jsonl") -> Path | None:
        return None if self.folder is None else self.folder / sha256[:2] / f"{sha256}{suffix}"


def _touch(path: Path) -> None:
    try:
        os.utime(path)
    except OSError:
        pass


def _page(row: dict) -> OcrPage:
    lines = tuple(OcrLine(str(t), float(s), float(l), float(tp), float(r), float(b)) for t, s, l, tp, r, b in row["lines"])
    return OcrPage(int(row["page"]), float(row["width"]), float(row["height"]), lines)
