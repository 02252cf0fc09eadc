"""Records that flow between the ingestion and indexing stages.

Frozen dataclasses: built once, copied with `dataclasses.replace` when a stage adds to them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_COLLECTION = "default"  # the knowledge base a chunk belongs to when none is named


@dataclass(frozen=True)
class Document:
    """One source file, read and cleaned."""

    source: str  # path relative to the corpus folder (or the file name): shown in citations
    text: str  # cleaned text; all offsets below point into it
    sha256: str  # of the raw bytes: what incremental indexing compares
    kind: str  # txt, md, pdf, docx, html, image
    page_starts: tuple[int, ...] = ()  # PDFs: offset in `text` where each page (1, 2, …) begins
    ocr_pages: tuple[int, ...] = ()  # pages read by OCR (an image's is 1)
    ocr_spans: tuple[tuple[int, int], ...] = ()  # Word files: (start, end) in `text` of what OCR read from pictures
    notes: tuple[str, ...] = ()  # parts that could not be read (a broken picture), each a line for the report


@dataclass(frozen=True)
class Skipped:
    """A file that could not be read, with a reason a person can act on."""

    source: str
    reason: str


@dataclass(frozen=True)
class Article:
    """One article inside a document (a digest file holds many)."""

    source: str
    title: str
    text: str
    start: int  # character offsets of `text` in Document.text
    end: int
    section: str = ""  # e.g. 创业投资, 金融
    publication: str = ""  # e.g. 21 世纪经济报道 (from 来源：...)
    byline: str = ""  # e.g. 本报记者 X 北京报道


@dataclass(frozen=True)
class Chunk:
    """A retrievable passage of an article."""

    id: str  # stable: derived from source, position and text hash
    source: str
    title: str
    text: str
    start: int  # character offsets in Document.text
    end: int
    section: str = ""
    publication: str = ""
    page: int | None = None  # PDFs: the page the chunk begins on (1-based); None for other files
    last_page: int | None = None  # the page it ends on
    ocr: bool = False  # its text was read from a scan or an image by OCR
    collection: str = DEFAULT_COLLECTION  # the knowledge base it belongs to: who may read it follows from that


@dataclass(frozen=True)
class Hit:
    """A chunk found for a query, with the score of the retriever that found it."""

    chunk: Chunk
    score: float
    retriever: str  # dense, bm25 or hybrid
    rank: int = 0  # 1-based rank in the list it came from
    scores: dict[str, float] = field(default_factory=dict, compare=False)  # per-retriever, for fused hits
