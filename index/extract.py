"""Raw text out of file bytes, one function per format. Each raises LoadError with the reason.

    text = extract(raw_bytes, "docx")
    pages = pdf_pages(raw_bytes)      # a PDF's text layer, page by page ("" where it has none)
"""

from __future__ import annotations

import codecs
import html
import io
import logging
import re
import unicodedata
from html.parser import HTMLParser

from index.errors import LoadError
from index.tables import pipe_rows_to_cells
from index.word import docx_text

log = logging.getLogger(__name__)

BINARY = "binary or unknown encoding"
_CHINESE_LEGACY = {"gb2312", "gbk", "hz", "gb18030"}
_MIN_PRINTABLE = 0.95  # share of printable characters (or whitespace) in real text


def extract(raw: bytes, kind: str) -> str:
    """Text of a file of `kind` (txt, md, docx, html); PDFs and images go page by page (index/paged.py),
    Word files with their pictures block by block (index/word.py)."""
    if kind == "docx":
        return docx_text(raw)
    if kind == "html":
        return html_text(decode_text(raw))
    return decode_text(raw)


def decode_text(raw: bytes) -> str:
    """Bytes of a text file as str: UTF-8 (with or without BOM), UTF-16 with BOM, GBK/GB18030, ..."""
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if raw.startswith(bom):
            try:
                return _printable_or_raise(raw.decode(encoding))
            except UnicodeDecodeError:
                raise LoadError(f"{BINARY} (bad {encoding} after its byte-order mark)") from None
    if b"\x00" in raw:
        if raw.count(b"\x00") > max(16, len(raw) // 100):
            raise LoadError(BINARY)
        raw = raw.replace(b"\x00", b"")  # a few stray NULs (a bad copy, a crashed editor): the text is fine
    try:
        return _printable_or_raise(raw.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    mixed = _utf8_and_gb18030_lines(raw)
    if mixed is not None:
        return _printable_or_raise(mixed)
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    if best is None:
        raise LoadError(BINARY)
    encoding = best.encoding.replace("_", "")
    # gb18030 is a superset of gbk and gb2312: it also reads the rarer characters they lack
    if encoding in _CHINESE_LEGACY:
        encoding = "gb18030"
    try:
        text = raw.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        text = str(best)
    log.debug("decoded as %s", encoding)
    return _printable_or_raise(text)


def _utf8_and_gb18030_lines(raw: bytes) -> str | None:
    """A file pasted together from UTF-8 and GBK parts, each line in whichever it is; None when
    the file is not such a mix (then the detector decides, for Big5 and the rest)."""
    lines, utf8, legacy = [], 0, 0
    for line in raw.split(b"\n"):
        try:
            lines.append(line.decode("utf-8"))
            utf8 += not line.isascii()
        except UnicodeDecodeError:
            try:
                lines.append(line.decode("gb18030"))
            except UnicodeDecodeError:
                return None
            legacy += 1
    return "\n".join(lines) if utf8 and legacy else None


def _printable_or_raise(text: str) -> str:
    if text:
        # format characters (zero-width space, joiners, BOM) are invisible text, not binary: cleaning drops them
        printable = sum(1 for ch in text if ch.isprintable() or ch.isspace() or unicodedata.category(ch) == "Cf")
        if printable < _MIN_PRINTABLE * len(text):
            raise LoadError(BINARY)
    return text


def pdf_pages(raw: bytes) -> list[str]:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted and not _opens_without_password(reader):
            raise LoadError("encrypted PDF: needs a password")
        return [page.extract_text() or "" for page in reader.pages]
    except LoadError:
        raise
    except Exception as exc:  # pypdf raises many types on damaged files
        raise LoadError(f"corrupt or truncated PDF ({type(exc).__name__})") from exc


def _opens_without_password(reader) -> bool:
    """Many PDFs are encrypted only to restrict printing: the empty password opens them."""
    try:
        return bool(reader.decrypt(""))
    except Exception:  # e.g. AES without the optional crypto library
        return False


def html_text(page: str) -> str:
    """The main text of a web page (trafilatura); every visible text when that finds nothing."""
    import trafilatura

    text = pipe_rows_to_cells(trafilatura.extract(page, include_tables=True, include_formatting=True) or "")
    if not text.strip():
        text = _strip_tags(page)
    title = re.search(r"<title[^>]*>(.*?)</title>", page, re.IGNORECASE | re.DOTALL)
    title_text = " ".join(html.unescape(title.group(1)).split()) if title else ""
    if text.strip() and title_text and not text.lstrip().startswith("#") and title_text not in text[:200]:
        text = f"# {title_text}\n\n{text}"
    return text


class _TextCollector(HTMLParser):
    _SKIP = {"script", "style", "noscript", "template", "head"}
    _BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "table"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self._SKIP:
            self.skipping += 1
        elif tag in self._BLOCK:
            self.parts.append("\n\n")

    def handle_endtag(self, tag):
        if tag in self._SKIP and self.skipping:
            self.skipping -= 1
        elif tag in self._BLOCK:
            self.parts.append("\n\n")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def _strip_tags(page: str) -> str:
    collector = _TextCollector()
    collector.feed(page)
    collector.close()
    return "".join(collector.parts)
