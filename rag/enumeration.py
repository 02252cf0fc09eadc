"""How an article numbers its points, so a list can be read whichever way it is written: by
markers (一是…二是…, （一）…（二）…, 第一，…, 1. …), by numbered subsections (2.1 …, 2.2 …), by
dashes opening paragraphs (——…), or by
short headings its count announces ("将实现5个方面的蝶变。" then five paragraphs, each opening with
a sentence of a few words: "塑造空间发展新格局。面积从…"). A family finds item n of its list in a
text; rag.points and rag.read_on read lists only through it.

Usage:
    family, items = longest_enumeration("\\n措施有：一是降本；二是增效。")
    family.find(text, 3, at=items[-1][1])   # (marker start, words start) of item 3, or None
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

ORDINALS = "一二三四五六七八九十"


class Family(Protocol):
    def find(self, text: str, n: int, at: int = 0) -> tuple[int, int] | None:
        """Where item `n` starts in `text` from `at`, and where its words start; None when not there."""


@dataclass(frozen=True)
class Marked:
    """Items opened by a marker written for their number: "三是", "（三）", "\\n3."."""

    write: Callable[[int], str]

    def find(self, text: str, n: int, at: int = 0) -> tuple[int, int] | None:
        if n > len(ORDINALS):  # 十是 is the last marker written for
            return None
        marker = self.write(n)
        i = text.find(marker, at)
        return None if i < 0 else (i, i + len(marker))


MARKED = (
    Marked(lambda n: f"{ORDINALS[n - 1]}是"),
    Marked(lambda n: f"（{ORDINALS[n - 1]}）"),
    Marked(lambda n: f"第{ORDINALS[n - 1]}，"),
    Marked(lambda n: "首先，" if n == 1 else f"第{ORDINALS[n - 1]}，"),  # "首先，…第二，…第三，…"
    Marked(lambda n: f"\n{ORDINALS[n - 1]}、"),
    Marked(lambda n: f"\n{n}."),
    Marked(lambda n: f"\n{n}、"),
)


@dataclass(frozen=True)
class Sectioned:
    """Numbered subsections of one section: "2.1 持续加大研发投入", "2.2 推动区域协同创新"."""

    section: str

    def find(self, text: str, n: int, at: int = 0) -> tuple[int, int] | None:
        found = re.compile(rf"\n{self.section}\.{n}(?![\d.])\s*").search(text, at)
        return (found.start(), found.end()) if found else None


_FIRST_SUBSECTION = re.compile(r"\n(\d{1,2})\.1(?![\d.])")

# a sentence ending its paragraph on a count of what follows: "将实现 5个方面的蝶变。", "做到以下三点："
_ANNOUNCED = re.compile(r"(\d{1,2}|[两二三四五六七八九十])\s*(?:个|项|条|点|大|类|种|件)"
                        r"[^\n。！？：:，,；;]{0,12}[。：:]\s*(?=\n)")
# a paragraph opening with a sentence of a few words, or a heading line of its own (not a dash's item)
_HEAD = re.compile(r"\n\s*([^\s。！？：:，,、；;—][^\n。！？：:，,、；;]{1,15})(?:[。！：:]|[ \t]*\n)")
_PARAGRAPH = re.compile(r"\n\s*")
_CHINESE = re.compile(r"[\u4e00-\u9fff]")
MAX_BODY_PARAGRAPHS = 3  # an item's paragraphs: past them, the headings have ended


@dataclass(frozen=True)
class Headed:
    """Items written as short headings, `count` of them, as the sentence before the first says."""

    count: int

    def find(self, text: str, n: int, at: int = 0) -> tuple[int, int] | None:
        if n > self.count:
            return None
        if n == 1:
            start = next((a.end() for a in _ANNOUNCED.finditer(text, at) if announced_count(a.group(1)) == self.count), -1)
            head = _HEAD.match(text, start) if start >= 0 else None
        else:
            head = _HEAD.search(text, at)
            if head and len(_PARAGRAPH.findall(text, at, head.start())) >= MAX_BODY_PARAGRAPHS:
                head = None
        if head and not _CHINESE.search(head.group(1)):  # a link's "https:" heads nothing
            head = None
        return (head.start(), head.start(1)) if head else None

    def ended_short(self, text: str, items: list[tuple[int, int]]) -> bool:
        """Whether the headings found stop short of the count announced while the text goes on past
        an item's paragraphs: then they are paragraphs that happen to open briefly, not the list
        ("明确了3方面9项重点任务。" then "其中包括：…", "——建立…。", "https:…")."""
        return len(items) < self.count and len(_PARAGRAPH.findall(text, items[-1][1])) > MAX_BODY_PARAGRAPHS


# a dash opening a paragraph, or the first one right after the colon announcing the list
# ("…修改任务：——积极推动…", as cleaning joins a list's lead-in to its first line)
_BULLET = re.compile(r"(?:\n\s*|[：:]\s*)——\s*")


@dataclass(frozen=True)
class Bulleted:
    """Paragraphs each opened by a dash ("——积极推动政府采购法修改…", "——建立…标准体系。"): a list
    government texts write without numbers. Item n is the next dash paragraph, no further off than
    an item's own paragraphs."""

    def find(self, text: str, n: int, at: int = 0) -> tuple[int, int] | None:
        found = _BULLET.search(text, at)
        if found is None or (n > 1 and len(_PARAGRAPH.findall(text, at, found.start())) > MAX_BODY_PARAGRAPHS):
            return None
        return found.start(), found.end()


BULLETED = Bulleted()


def announced_count(count: str) -> int:
    return int(count) if count.isdigit() else "两三四五六七八九十".index(count.replace("二", "两")) + 2


def families(text: str) -> list[Family]:
    """The families a list in `text` may be written in: the markers, and the headings each count
    announced there promises."""
    counts = {announced_count(a.group(1)) for a in _ANNOUNCED.finditer(text)}
    sections = dict.fromkeys(m.group(1) for m in _FIRST_SUBSECTION.finditer(text))
    return [*MARKED, *(Sectioned(s) for s in sections), BULLETED,
            *(Headed(c) for c in sorted(counts) if 2 <= c <= len(ORDINALS))]


def longest_enumeration(text: str) -> tuple[Family, list[tuple[int, int]]]:
    """The family of the longest run of items 1, 2, … in `text`, with each item's (start, words
    start); no items when `text` has no item 1."""
    best: tuple[Family, list[tuple[int, int]]] = (MARKED[0], [])
    for family in families(text):
        items: list[tuple[int, int]] = []
        at = 0
        while (found := family.find(text, len(items) + 1, at)) is not None and len(items) < len(ORDINALS):
            items.append(found)
            at = found[1]
        if items and isinstance(family, Headed) and family.ended_short(text, items):
            continue
        if len(items) > len(best[1]):
            best = (family, items)
    return best
