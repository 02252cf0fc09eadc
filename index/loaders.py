"""Read files and folders into cleaned Documents; what cannot be read is skipped with a reason.

    report = load_paths([Path("data/articles")])
    report.documents, report.skipped
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from index.cleaning import clean_text
from index.errors import LoadError
from index.extract import extract
from index.ocr import EXTRA, ocr_installed
from index.ocr_reader import OcrReader
from index.paged import PAGED_KINDS, read_pages
from index.pages import page_starts
from index.records import Document, Skipped
from index.word import docx_content

log = logging.getLogger(__name__)

KINDS = {
    ".txt": "txt", ".md": "md", ".markdown": "md", ".pdf": "pdf", ".docx": "docx", ".html": "html", ".htm": "html",
    ".png": "image", ".jpg": "image", ".jpeg": "image", ".tif": "image", ".tiff": "image", ".bmp": "image",
}
EMPTY = "empty: no text"
# past this a file is a dump, not an article: embedding 20 MB of text takes a 2-core machine about
# a quarter of an hour (settings.max_file_mb; the upload limit is the same by default)
MAX_FILE_BYTES = 20 * 1024 * 1024
# where a line break is a paragraph break, each block is cleaned on its own: never rejoined
_BLOCK_KINDS = {"md", "docx", "html"}


@dataclass
class LoadReport:
    documents: list[Document] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def load_file(
    path: Path, root: Path | None = None, max_bytes: int = MAX_FILE_BYTES, ocr: OcrReader | None = None
) -> Document:
    """One file as a Document; raises LoadError with a one-line reason. Scans and images are
    read by `ocr` (by default one that keeps nothing between runs)."""
    path = Path(path)
    suffix = path.suffix.lower()
    kind = KINDS.get(suffix)
    if kind is None:
        raise LoadError(f"unsupported type {suffix or '(no extension)'}")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise LoadError(_too_large(size, max_bytes))
        with open(path, "rb") as fh:
            raw = fh.read(max_bytes + 1)  # bounded even when the file grows while it is read
    except OSError as exc:
        raise LoadError(f"cannot read: {exc.strerror or exc}") from exc
    if len(raw) > max_bytes:
        raise LoadError(_too_large(len(raw), max_bytes))
    if not raw.strip():
        raise LoadError(EMPTY)
    source, sha256 = source_name(path, root), hashlib.sha256(raw).hexdigest()
    if kind in PAGED_KINDS:
        return _paged(raw, kind, source, sha256, ocr or OcrReader())
    if kind == "docx":
        return _word(raw, source, sha256, ocr or OcrReader())
    text = _clean(extract(raw, kind), kind)
    if not text:
        raise LoadError(EMPTY)
    return Document(source=source, text=text, sha256=sha256, kind=kind)


def load_paths(
    paths: list[Path],
    root: Path | None = None,
    max_bytes: int = MAX_FILE_BYTES,
    on_file: Callable[[int, int], None] | None = None,
    ocr: OcrReader | None = None,
) -> LoadReport:
    """Every supported file in `paths` (folders walked in sorted order); never stops on a bad file.

    Sources are relative to `root` when given, else to the folder passed in (a file passed
    on its own is named by its file name). Links inside a folder that lead out of it are not
    followed; files over `max_bytes` are skipped unread. `on_file(done, total)` is called after
    each file, for a progress bar: PDFs and web pages can take a while each.
    """
    report = LoadReport()
    ocr = ocr or OcrReader()  # one OCR engine for the run, loaded when the first scan needs it
    seen: set[Path] = set()
    files = list(_files(paths, root, report))
    for done, (path, base) in enumerate(files, start=1):
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            _load_into(report, path, base, max_bytes, ocr)
        if on_file is not None:
            on_file(done, len(files))
    log.info("loaded %d files, skipped %d", len(report.documents), len(report.skipped))
    return report


def _load_into(report: LoadReport, path: Path, base: Path | None, max_bytes: int, ocr: OcrReader) -> None:
    """One file into the report: its Document, or a Skipped with the reason."""
    source = source_name(path, base)
    try:
        doc = load_file(path, base, max_bytes, ocr)
        report.documents.append(doc)
        # a part that could not be read (a broken picture): its own line, the rest is indexed
        report.skipped.extend(Skipped(doc.source, f"{note}; the rest of the file is indexed") for note in doc.notes)
    except LoadError as exc:
        report.skipped.append(Skipped(source, str(exc)))
        log.warning("skipped %s: %s", source, exc)
    except Exception as exc:  # a parser bug on one file must not stop the run
        reason = f"unreadable ({type(exc).__name__}: {_one_line(str(exc))})"
        report.skipped.append(Skipped(source, reason))
        log.warning("skipped %s: %s", source, reason, exc_info=True)


def source_name(path: Path, root: Path | None) -> str:
    """The path relative to `root` in posix style, or the file name."""
    if root is not None:
        try:
            return path.resolve().relative_to(Path(root).resolve()).as_posix()
        except ValueError:
            pass
    return path.name


def _files(paths: list[Path], root: Path | None, report: LoadReport):
    """(file, base for its source name) pairs, folders expanded in sorted order."""
    for path in map(Path, paths):
        if path.is_dir():
            base = root if root is not None else path
            top = path.resolve()
            found = (p for p in path.rglob("*") if (p.is_file() or p.is_symlink()) and not _hidden(p.relative_to(path)))
            for file in sorted(found, key=lambda p: p.relative_to(path).as_posix()):
                if not file.is_symlink():
                    yield file, base
                elif not file.exists():
                    report.skipped.append(Skipped(_link_name(file, base), "broken link: its target does not exist"))
                elif not file.resolve().is_relative_to(top):
                    # a link must not pull /etc/passwd or a colleague's home folder into the index
                    report.skipped.append(Skipped(_link_name(file, base), "link to outside the folder: not followed"))
                elif file.is_file():
                    yield file, base  # a link within the folder: read once, under its target's name
        elif path.is_file():
            yield path, root
        else:
            report.skipped.append(Skipped(source_name(path, root), "not found"))


def _link_name(link: Path, base: Path | None) -> str:
    """The link's own path relative to `base` (source_name would follow it to its target)."""
    if base is not None:
        try:
            return (link.parent.resolve() / link.name).relative_to(Path(base).resolve()).as_posix()
        except ValueError:
            pass
    return link.name


def _too_large(size: int, limit: int) -> str:
    return f"too large ({size / 2**20:.1f} MB; the limit is {limit / 2**20:g} MB)"


def _hidden(relative: Path) -> bool:
    # dot files and folders (.git, .DS_Store, half-written uploads) are not documents
    return any(part.startswith(".") or part.startswith("~$") for part in relative.parts)


def _paged(raw: bytes, kind: str, source: str, sha256: str, ocr: OcrReader) -> Document:
    """A PDF or an image: cleaned as one text (a sentence runs on over a page break), pages kept."""
    pages = read_pages(raw, kind, sha256, source, ocr)
    # form feeds: cleaning counts pages to spot running headers
    text = clean_text("\x0c".join(pages.texts))
    if not text:
        raise LoadError(EMPTY)
    starts = page_starts(pages.texts, text) if kind == "pdf" or len(pages.texts) > 1 else ()
    return Document(source=source, text=text, sha256=sha256, kind=kind, page_starts=starts, ocr_pages=pages.ocr)


def _word(raw: bytes, source: str, sha256: str, ocr: OcrReader) -> Document:
    """A Word file, its pictures' text where they stand (index/word.py), each block cleaned alone."""
    pictures: list[str] = []
    started, fresh, left = time.monotonic(), 0, 0

    def read_picture(data: bytes, name: str) -> str:
        nonlocal fresh, left
        key = hashlib.sha256(data).hexdigest()
        pictures.append(key)
        new = not ocr.cache.pages(key)
        # the file's OCR budget, as a long scan's: at least one new picture a run, the rest next build
        if new and fresh and ocr.file_budget_s is not None and time.monotonic() - started > ocr.file_budget_s:
            left += 1
            return ""
        fresh += new
        return ocr.picture_text(data, key, label=f"{source}: {name}")

    content = docx_content(raw, read_picture if ocr_installed() else None)
    if content.unread:
        log.warning("%s: %d pictures not read: OCR is not installed (%s)", source, content.unread, EXTRA)
    ocr.cache.link(sha256, pictures)  # what the file's OCR results are kept under, for pruning
    if left:
        raise LoadError(
            f"OCR read {len(pictures) - left} of {len(pictures)} pictures within this file's {ocr.file_budget_s:g} s "
            "budget (ZHIKU_OCR_FILE_BUDGET_S); the pictures read are kept and the next build goes on from there")
    parts, spans, at = [], [], 0
    for block in content.blocks:
        cleaned = clean_text(block.text) if block.ocr else _clean(block.text, "docx")
        if not cleaned:
            continue
        at += 2 if parts else 0  # the blank line between blocks
        if block.ocr:
            spans.append((at, at + len(cleaned)))
        parts.append(cleaned)
        at += len(cleaned)
    if not parts:
        raise LoadError(EMPTY)
    return Document(source=source, text="\n\n".join(parts), sha256=sha256, kind="docx", ocr_spans=tuple(spans),
                    notes=tuple(content.problems))


def _clean(text: str, kind: str) -> str:
    if kind not in _BLOCK_KINDS:
        return clean_text(text)
    blocks = (clean_text(block) for block in re.split(r"\n\s*\n", text))
    return "\n\n".join(block for block in blocks if block)


def _one_line(text: str) -> str:
    return " ".join(text.split())[:200]
