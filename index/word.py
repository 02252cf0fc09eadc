"""A Word file as blocks in reading order: paragraphs, table rows, and what its pictures say.

A report pasted together from screenshots (a chart, a scanned notice, a table someone
photographed) holds much of its text in pictures. Each picture is read by OCR where it stands,
between the paragraph before it and the one after; a picture without text (a logo, a photo)
adds nothing, and one that cannot be decoded is reported while the rest of the file is kept.

    content = docx_content(raw, read_image=lambda data, label: reader.embedded_image(data, label))
    content.blocks          # [Block("# 标题"), Block("第一段"), Block("图中的文字", ocr=True), …]
    content.problems        # ["image 2 (word/media/image2.png): corrupt or unreadable image (…)"]
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from lxml import etree

from index.errors import LoadError
from index.tables import cells_row

log = logging.getLogger(__name__)

# pictures OCR can read; vector drawings (EMF, WMF, SVG) are left out: Pillow cannot draw them
_RASTER = {"image/png", "image/jpeg", "image/jpg", "image/gif", "image/bmp", "image/x-ms-bmp", "image/tiff"}
_NS = {
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "v": "urn:schemas-microsoft-com:vml",
}
_PICTURES = ".//a:blip/@r:embed | .//v:imagedata/@r:id"  # a drawing's picture, an old (VML) one's

# (image bytes, label for logs) -> the picture's text ("" for none); LoadError when it is no image
ReadImage = Callable[[bytes, str], str]


@dataclass(frozen=True)
class Block:
    """A paragraph, a table row or a picture's text; `ocr` when OCR read it from a picture."""

    text: str
    ocr: bool = False


@dataclass
class DocxContent:
    blocks: list[Block] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # pictures that could not be read, one line each
    unread: int = 0  # pictures left unread because no OCR was given


def docx_content(raw: bytes, read_image: ReadImage | None = None) -> DocxContent:
    """Paragraphs and tables in document order, headings marked as in Markdown; with `read_image`,
    the text of each picture where it stands."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(raw))
    except Exception as exc:
        raise LoadError(f"corrupt Word file ({type(exc).__name__})") from exc
    pictures = _Pictures(document.part, read_image)
    for child in document.element.body.iterchildren():
        if child.tag.endswith("}p"):
            _paragraph(Paragraph(child, document), pictures)
        elif child.tag.endswith("}tbl"):
            pictures.content.blocks.extend(Block(row) for row in _table_rows(Table(child, document)))
            pictures.add(child)  # a picture in a cell: read after the table's rows
    content = pictures.content
    content.blocks = [block for block in content.blocks if block.text.strip()]
    return content


def docx_text(raw: bytes) -> str:
    """The paragraphs and tables of a Word file, pictures left out."""
    return "\n\n".join(block.text for block in docx_content(raw).blocks)


def _paragraph(paragraph, pictures: _Pictures) -> None:
    """The paragraph's text, with each picture's text at the run where the picture sits."""
    if not _has_pictures(paragraph._p):
        pictures.content.blocks.append(Block(_styled(paragraph, paragraph.text)))
        return
    from docx.text.run import Run

    text = ""
    for item in paragraph.iter_inner_content():
        for run in [item] if isinstance(item, Run) else item.runs:
            text += run.text
            if _has_pictures(run._r):
                pictures.content.blocks.append(Block(_styled(paragraph, text)))
                text = ""
                pictures.add(run._r)
    pictures.content.blocks.append(Block(_styled(paragraph, text)))


# python-docx's own xpath() knows no VML prefix: lxml's, with the prefixes given
_FIND_PICTURES = etree.XPath(_PICTURES, namespaces=_NS)


def _picture_ids(element) -> list[str]:
    return [str(rid) for rid in _FIND_PICTURES(element)]


def _has_pictures(element) -> bool:
    return bool(_picture_ids(element))


def _styled(paragraph, text: str) -> str:
    text = text.strip()
    style = (paragraph.style.name if paragraph.style is not None else "") or ""
    level = re.match(r"Heading (\d)", style)
    if text and (level or style == "Title"):
        return "#" * (int(level.group(1)) if level else 1) + " " + text
    return text


def _table_rows(table) -> list[str]:
    """One tab-separated line a row, as text tables are (index/tables.py)."""
    rows = []
    for row in table.rows:
        cells: list[str] = []
        for cell in row.cells:
            value = " ".join(cell.text.split())
            if not cells or value != cells[-1]:  # a merged cell repeats in every column it spans
                cells.append(value)
        if any(cells):
            rows.append(cells_row(cells))
    return rows


class _Pictures:
    """Reads the pictures an element holds into blocks, each distinct picture once per file."""

    def __init__(self, part, read_image: ReadImage | None):
        self.part = part
        self.read_image = read_image
        self.content = DocxContent()
        self.seen = 0
        self.read: dict[str, str] = {}  # part name -> its text: a logo repeated on every page is read once

    def add(self, element) -> None:
        # a picture drawn twice (a modern drawing and its fallback for old Word) is one picture
        for rid in dict.fromkeys(_picture_ids(element)):
            image = self.part.related_parts.get(rid)
            if image is None or getattr(image, "content_type", "") not in _RASTER:
                continue  # a linked file outside the document, or a vector drawing
            self.seen += 1
            name = str(image.partname).lstrip("/")
            if self.read_image is None:
                self.content.unread += 1
                continue
            if name not in self.read:
                try:
                    self.read[name] = self.read_image(image.blob, name)
                except LoadError as exc:
                    self.read[name] = ""
                    self.content.problems.append(f"image {self.seen} ({name}): {exc}")
            if self.read[name].strip():
                self.content.blocks.append(Block(self.read[name], ocr=True))
