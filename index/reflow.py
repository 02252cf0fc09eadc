"""Rejoin lines that a PDF broke mid-sentence into whole paragraphs.

A PDF gives lines, not paragraphs: a line goes on into the next when it stops mid-sentence.
Blank lines carry no information here (extractors put them between wrapped lines too), so
the decision rests on how each line ends, what it contains and how wide it is.
"""

from __future__ import annotations

import re
import unicodedata

from index.tables import CELL
from index.text import CLOSING_BRACKETS, CLOSING_QUOTES, ends_sentence, has_cjk

# a PDF line may also end on a closed 【】 heading or a [1] reference; ASCII quotes open as often as they close
_CLOSERS = CLOSING_QUOTES + CLOSING_BRACKETS + "】]"
_CLAUSE_PUNCT = re.compile(r"[，、；。！？,;]")
_OPENERS = {"（": "）", "(": ")", "“": "”", "《": "》", "「": "」", "【": "】"}
# a line may not start with these: it must be the tail of the line before
_NO_LINE_START = set("，。、；：！？）》」』”’%,.;:!?)")
# nor with one character and a stop: "示，营业收入约62.64亿元" is the tail of "…业绩报告显" (not "一、", "注：")
_WORD_TAIL = re.compile(r"^[\u4e00-\u9fff](?<![一二三四五六七八九十])[，。、；！？,;!?]")
_CONTINUES_AFTER = set("，、,；;（(“‘《「【—-－/·")
# markdown blocks stand on their own
_BLOCK_START = re.compile(r"^(?:#{1,6}\s|[-*+]\s|>|\||```|\d{1,2}[.)、]\s|[（(]?[一二三四五六七八九十]{1,3}[、）)])")
_BYLINE = r"(?:本报|本刊)?(?:特约|实习|见习)?记者\s"  # 本报记者 张三 北京报道
_DATELINE = r".{2,30}\s\d{4}[-./年]\d{1,2}[-./月]\d{1,2}日?$"  # 新京报 2024-06-19
# lines that begin a paragraph of their own
_STANDALONE = re.compile(
    rf"^(?:(?:文章|信息|稿件)?来源[:：]|{_BYLINE}|{_DATELINE}|<?https?://|www\."
    r"|\d{1,2}(?:\.\d{1,2})*\s[^\s。，、；！？,.]{2,24}$)"  # 1.2 创新产出
)
# a numbered heading or item: "2.1 持续加大…，促进…", "（一）…", "二、…", "3.…"
_NUMBERED_START = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2})+\s|\d{1,2}[.、．]\s?(?=[\u4e00-\u9fff])|[（(][一二三四五六七八九十]{1,3}[）)]|[一二三四五六七八九十]{1,3}、)")
# 2.1 持续加大…，促进…吸收 (but not a figure opening a line: 2.5 亿元，…)
_SECTION_HEADING = re.compile(r"^\d{1,2}(?:\.\d{1,2})+\s(?![亿万千百元年月日个倍点%％])[^。！？]{2,40}$")
_ABOVE_TITLE = re.compile(rf"^(?:{_BYLINE}|{_DATELINE})")
_PAGE_REFERENCE = re.compile(r"\s\d{1,3}$")  # a contents line: 工信部：印发《…》 13
_FULL_LINE = 0.8  # of the wrap width: a line this wide was cut by the margin, not by the author
_WIDE_HEADING = 0.65  # titles are set in a larger font, so they wrap earlier
_MIN_CLAUSE_LINE = 12  # chars; shorter lines with a comma may still be headings


def reflow(lines: list[str]) -> list[str]:
    """Join non-empty, stripped lines into paragraphs."""
    wrap = _wrap_width(lines)
    paragraphs: list[str] = []
    previous = ""
    carried_width = 0  # width of the line that ran on into `previous`; 0 if it began a paragraph
    for i, line in enumerate(lines):
        after = lines[i + 1] if i + 1 < len(lines) else ""
        if _ABOVE_TITLE.match(after):
            # a line right above a byline or dateline is a title: it starts a paragraph
            joined = False
        else:
            joined = bool(paragraphs) and _runs_on(previous, line, paragraphs[-1], wrap, carried_width)
        if joined:
            paragraphs[-1] = join_lines(paragraphs[-1], line)
            carried_width = _width(previous)
        else:
            paragraphs.append(line)
            carried_width = 0
        previous = line
    return paragraphs


def _runs_on(line: str, nxt: str, paragraph: str, wrap: float, carried_width: int) -> bool:
    """Does `line` (the last line of `paragraph`) continue into `nxt`?"""
    if _BLOCK_START.match(nxt) or _STANDALONE.match(nxt) or line.startswith(("#", "|")):
        return False
    if CELL in line or CELL in nxt:  # a table row is a paragraph of its own
        return False
    if _ends_sentence(line):
        return False
    if line[-1] in _CONTINUES_AFTER or nxt[0] in _NO_LINE_START or _WORD_TAIL.match(nxt) or _unclosed(paragraph):
        return True
    width = _width(line)
    if wrap and width >= _FULL_LINE * wrap:
        return True
    if wrap and width >= _WIDE_HEADING * wrap and _width(nxt) < 0.5 * wrap and not _ends_sentence(nxt):
        return True  # a long title wrapped onto a short second line
    if paragraph == line and (_SECTION_HEADING.match(line) or (wrap and _NUMBERED_START.match(line))):
        return False  # a numbered heading the margin did not cut ends where the author ended it
    if not has_cjk(line):
        # English prose: a lower-case word (or a number) goes on after a line without a full stop
        return line[-1].isascii() and (line[-1].isalnum() or line[-1] == ",") and (nxt[0].islower() or nxt[0].isdigit())
    if carried_width and width >= 0.85 * carried_width:  # as wide as the wrapped line above it
        return True
    # a comma inside: a fragment of prose, not a heading (nor a contents line)
    return len(line) >= _MIN_CLAUSE_LINE and bool(_CLAUSE_PUNCT.search(line)) and not _PAGE_REFERENCE.search(line)


def _ends_sentence(line: str) -> bool:
    # 。” ends a quoted sentence; a whole-line (作者系…) credit ends where it closes
    return ends_sentence(line, _CLOSERS) or (line[-1] in _CLOSERS and len(line) > 1 and line[0] in "（(")


def _unclosed(paragraph: str) -> bool:
    """An opened quote or bracket not yet closed: the sentence cannot have ended."""
    tail = paragraph[-200:]
    return any(tail.count(o) > tail.count(c) for o, c in _OPENERS.items())


def join_lines(paragraph: str, line: str) -> str:
    """`line` appended to `paragraph` as a wrapped line: no space in Chinese, one between Latin words."""
    a, b = paragraph[-1], line[0]
    if a == "-" and len(paragraph) > 1 and paragraph[-2].isalpha() and b.islower():
        return paragraph[:-1] + line  # infor-\nmation
    # Latin words and numbers keep their space; CJK text never had one
    space = " " if a.isascii() and b.isascii() and (a.isalnum() or a in ",;:") and b.isalnum() else ""
    return paragraph + space + line


def _wrap_width(lines: list[str]) -> float:
    """The column width when most lines were wrapped by the margin, else 0."""
    widths = sorted(_width(line) for line in lines)
    if len(widths) < 8:  # too few lines to tell a margin from chance
        return 0
    top = widths[int(len(widths) * 0.9)]
    full = sum(1 for w in widths if 0.85 * top <= w <= 1.1 * top)
    return top if full >= 0.35 * len(widths) else 0


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
