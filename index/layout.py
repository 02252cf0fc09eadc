"""What each paragraph of a cleaned document is: body text, a heading, a byline, a contents line...

The article splitter reads a document as a sequence of these kinds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.tables import CELL
from index.text import CJK, ends_sentence

BODY, HEADING, SOURCE, BYLINE, DATELINE, TOC, URL, TABLE, OTHER = (
    "body", "heading", "source", "byline", "dateline", "toc", "url", "table", "other",
)

# 来源：21 世纪经济报道 — closes an article in a digest (数据来源 under a chart does not)
_SOURCE = re.compile(r"^[（(]?(?:文章|信息|稿件|转载)?来源\s*[:：]\s*(?P<name>[^）)]{1,30})[）)]?$")
# 本报记者 谭志娟 北京报道 / 记者 张三 / 文/本报记者 李四 (sometimes split over two lines)
_BYLINE = re.compile(
    rf"^(?:文\s*[/／]\s*)?(?:本报|本刊)?(?:特约|实习|见习|首席)?记者[\s:：]*[{CJK}·]{{2,10}}(?:\s+[{CJK}·]{{2,10}})*$"
)
_BYLINE_TAIL = re.compile(rf"^[{CJK} ]{{0,16}}报道$")
# 新京报 2024-06-19 / 《金融透视》 2024-06-19 — publication and date under a reprinted title
_DATELINE = re.compile(r"^(?P<name>\S.{0,29}?)\s+\d{4}\s*[-./年]\s*\d{1,2}\s*[-./月]\s*\d{1,2}\s*日?$")
_URL = re.compile(r"^<?(?:https?://|www\.)\S+>?$")
# a contents entry ends with its page: "工信部：印发《…》 13", "科技与金融共振 B1", "↗ A3", "A1~A4"
_TOC_ENTRY = re.compile(r"^(?:(?P<title>.{0,60}?)\s*[\s↗])?[A-Z]?\d{1,3}(?:\s*[~～\-–]\s*[A-Z]?\d{1,3})?$")
_CONTENTS = re.compile(r"^(?:目\s*录|contents)\b", re.IGNORECASE)
_QUESTION_END = "？！?!"
_COMMAS = re.compile(r"[，,]")
_CLAUSE_PUNCT = re.compile(r"[，,、；;。！？!?]")
MAX_HEADING = 50  # chars: longer lines are prose


@dataclass(frozen=True)
class Paragraph:
    text: str
    start: int  # offsets in Document.text
    end: int
    kind: str


def paragraphs(text: str) -> list[Paragraph]:
    """One Paragraph per non-blank line of cleaned text, classified."""
    found: list[Paragraph] = []
    for match in re.finditer(r"\S(?:[^\n]*\S)?", text):
        previous = found[-1].kind if found else ""
        found.append(Paragraph(match.group(), match.start(), match.end(), _kind(match.group(), previous)))
    return found


def _kind(text: str, previous: str) -> str:
    if CELL in text:  # cleaning keeps tabs only between a table's cells
        return TABLE
    if _SOURCE.match(text):
        return SOURCE
    if len(text) <= MAX_HEADING and (_BYLINE.match(text) or (previous == BYLINE and _BYLINE_TAIL.match(text))):
        return BYLINE
    if _DATELINE.match(text):
        return DATELINE
    if _URL.match(text):
        return URL
    if _CONTENTS.match(text) or (len(text) <= 70 and _TOC_ENTRY.match(text) and not ends_sentence(text)):
        return TOC
    if is_heading(text):
        return HEADING
    if ends_sentence(text) or _CLAUSE_PUNCT.search(text):
        return BODY
    return OTHER  # long lines without punctuation: table rows, contact details


def is_heading(text: str) -> bool:
    """Short, no full stop inside, at most one comma, not ending mid-clause."""
    if len(text) > MAX_HEADING or "。" in text or text[-1] in "，、；：,;:":
        return False
    commas = len(_COMMAS.findall(text))
    if text[-1] in _QUESTION_END:  # 会员店是新出路吗?
        return len(text) <= 30 and commas <= 1 and "、" not in text
    return commas <= 1 and not ends_sentence(text)


def is_toc_entry(text: str) -> bool:
    return bool(_TOC_ENTRY.match(text))


def toc_title(text: str) -> str:
    match = _TOC_ENTRY.match(text)
    return (match.group("title") or "").strip(" ↗") if match else text


def is_contents_header(text: str) -> bool:
    return bool(_CONTENTS.match(text))


def source_name(text: str) -> str:
    match = _SOURCE.match(text)
    return match.group("name").strip() if match else ""


def dateline_name(text: str) -> str:
    match = _DATELINE.match(text)
    return match.group("name").strip().strip("《》") if match else ""

