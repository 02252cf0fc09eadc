"""Clean extracted text (PDF first of all) into paragraphs, one per line, separated by a blank line.

    clean_text("受访专家认为，2024年全国两会有望\\n\\n延续政策基调。\\n\\n12\\n\\n图片来源：视觉中国")
    == "受访专家认为，2024年全国两会有望延续政策基调。"

Removes what the page layout left behind (page numbers, running headers, photo credits, dot
leaders, lone symbols) and rejoins lines the PDF broke mid-sentence.
"""

from __future__ import annotations

import re
from collections import Counter

from index.reflow import reflow
from index.tables import is_table_row, regular_tables, table_row
from index.text import STOPS, has_cjk

# U+3000, NBSP, thin/figure spaces and tabs all become a plain space (tabs between a table's cells stay)
_ODD_SPACE = re.compile("[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_INVISIBLE = re.compile("[\u00ad\u200b-\u200d\u2060\ufeff\ufffc]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_MULTI_SPACE = re.compile(" {2,}")
_DOT_LEADER = re.compile(r"(?:\s?[.．·…]){4,}")

_PAGE_NUMBER = re.compile(
    r"^(?:[-–—]\s*\d{1,3}\s*[-–—]|\d{1,3}|第\s*\d{1,3}\s*页|(?:page|p\.)\s*\d{1,3}|\d{1,3}\s*/\s*\d{1,3})$",
    re.IGNORECASE,
)
# photo credits: 图片来源：视觉中国 / 图/视觉中国 / 视觉中国供图 / 本报资料室/图 / 林立/摄影 / 新华社记者 X 摄
_CAPTION = re.compile(
    r"^[（(]?(?:"
    r"(?:图片|照片|配图|图)(?:来源|来自|提供|作者)?\s*[:：/／|]\s*\S.{0,20}"
    r"|\S.{0,20}(?:供图|[/／]\s*图|[/／]\s*摄影?)"
    r"|(?:摄影|摄)\s*[:：/／]\s*\S.{0,15}"
    r"|\S.{0,15}\s摄"
    r")[）)]?$"
)
_LETTER_SPACED = re.compile(r"^\S(?: \S)+$")  # "A I", "产 业 融 合": letter-spacing in the PDF
# lines that recur in a digest for a reason: they mark where an article ends or who wrote it
_KEEP_WHEN_REPEATED = re.compile(r"来源|记者|报道|作者|编辑")
_RUNNING_HEADER_MIN_COUNT = 5
_DUPLICATE_MIN_CHARS = 40


def clean_text(raw: str) -> str:
    """Return the text as paragraphs separated by "\\n\\n", each on one line."""
    # a form feed separates pages (the PDF loader puts one between them)
    pages = raw.count("\x0c") + 1
    lines = [_normalise_line(line) for line in _normalise_breaks(raw).split("\n")]
    lines = regular_tables(_drop_noise([line for line in lines if line], pages))
    return "\n\n".join(_drop_repeats(reflow(lines)))


def _normalise_breaks(raw: str) -> str:
    text = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\x0c", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n")
    return _CONTROL.sub("", _INVISIBLE.sub("", text))


def _normalise_line(line: str) -> str:
    if is_table_row(line):
        return table_row(line, _normalise_text)
    return _normalise_text(line)


def _normalise_text(line: str) -> str:
    line = _ODD_SPACE.sub(" ", line)
    line = _DOT_LEADER.sub(" ", line)
    line = _MULTI_SPACE.sub(" ", line).strip()
    if _LETTER_SPACED.match(line) and len(line) > 2:
        line = line.replace(" ", "")
    return line


def _drop_noise(lines: list[str], pages: int) -> list[str]:
    headers = _running_headers(lines, pages)
    return _drop_repeats([line for line in lines if not _is_debris(line) and line not in headers])


def _drop_repeats(texts: list[str]) -> list[str]:
    """The same long passage twice is an extraction artefact (a repeated text box), not new content."""
    seen: set[str] = set()
    kept = []
    for text in texts:
        if len(text) >= _DUPLICATE_MIN_CHARS:
            if text in seen:
                continue
            seen.add(text)
        kept.append(text)
    return kept


def _is_debris(line: str) -> bool:
    if not any(ch.isalnum() for ch in line):  # lone symbols: ↗ • — ……
        return True
    if len(line) == 1 and not has_cjk(line):  # a stray letter or digit left by the layout
        return True
    if _PAGE_NUMBER.match(line):
        return True
    return len(line) <= 30 and bool(_CAPTION.match(line))


def _running_headers(lines: list[str], pages: int) -> set[str]:
    """Short lines repeated on many pages: a newspaper's page header, a digest's title."""
    # with known pages, a header is on (nearly) every one of them; else it must recur often
    min_count = max(3, min(_RUNNING_HEADER_MIN_COUNT, pages // 2 + 1)) if pages > 1 else _RUNNING_HEADER_MIN_COUNT
    counts = Counter(line for line in lines if 4 <= len(line) <= 30)
    return {
        line
        for line, n in counts.items()
        if n >= min_count
        and line[-1] not in STOPS
        and not _KEEP_WHEN_REPEATED.search(line)
    }
