"""Tables of contents inside a document: where they are, and which section each title is in.

A contents block is not an article; its headings name the sections of the titles it lists
(热点关注 → 两部门：…), and the titles it lists mark where articles begin.
"""

from __future__ import annotations

import re

from index.layout import HEADING, OTHER, TOC, Paragraph, is_contents_header, is_toc_entry, toc_title

MAX_SECTION_CHARS = 8  # 创业投资, 证券周刊·机构: section names are short
_MIN_PREFIX = 6  # chars of a title key that must agree when a contents line was cut short
_PAGE = re.compile(r"([A-Z]?)(\d{1,3})(?:\s*[~～\-–]\s*[A-Z]?\d{1,3})?$")


def contents_blocks(paras: list[Paragraph]) -> list[tuple[int, int]]:
    """(first, last) paragraph indices of tables of contents: a 目录 header, or entries whose pages go up."""
    blocks = []
    i = 0
    while i < len(paras):
        if paras[i].kind not in (HEADING, TOC, OTHER):
            i += 1
            continue
        j = i
        while j < len(paras) and paras[j].kind in (HEADING, TOC, OTHER):
            j += 1
        entries = [k for k in range(i, j) if paras[k].kind == TOC and not is_contents_header(paras[k].text)]
        header = next((k for k in range(i, j) if is_contents_header(paras[k].text)), None)
        if entries and (header is not None or (len(entries) >= 3 and _pages_ascend(paras, entries))):
            blocks.append((min(entries[0], header if header is not None else entries[0]), entries[-1]))
        i = j
    return blocks


def toc_sections(paras: list[Paragraph], blocks: list[tuple[int, int]]) -> dict[str, str]:
    """Title key -> section name ("" if none), from the contents blocks.

    A short heading names the section of the entries below it. In a newspaper the page
    letter changes with the section (A1~A4, B1~B16): a new letter without a new name
    means the name is not known.
    """
    sections: dict[str, str] = {}
    for first, last in blocks:
        current, wrapped, letter, named = "", "", "", False
        for p in paras[first : last + 1]:
            if p.kind == HEADING:
                if len(p.text) <= MAX_SECTION_CHARS:
                    current, wrapped, named = label(p.text), "", True
                else:
                    wrapped = p.text
            elif p.kind == TOC and is_toc_entry(p.text):
                page_letter = _page(p.text)[0]
                if page_letter != letter and not named:
                    current = ""
                letter, named = page_letter, False
                title = toc_title(p.text)
                if title:
                    sections[title_key(title)] = current
                    if wrapped:  # maybe an entry too long for one line: 美企报告预测…市占率 / 将达 33% 27
                        sections[title_key(wrapped + title)] = current
                wrapped = ""
    sections.pop("", None)
    return sections


def is_listed(title: str, sections: dict[str, str]) -> bool:
    """Does a contents entry name this heading (or the start of it)?"""
    key = title_key(title)
    return key in sections or any(len(entry) >= _MIN_PREFIX and key.startswith(entry) for entry in sections)


def section_of(title: str, sections: dict[str, str]) -> str:
    """Contents lines are often cut short or wrapped: match on a shared beginning."""
    key = title_key(title)
    if key in sections:
        return sections[key]
    for entry, section in sections.items():
        if min(len(entry), len(key)) >= _MIN_PREFIX and (key.startswith(entry) or entry.startswith(key)):
            return section
    return ""


def title_key(title: str) -> str:
    """Letters and digits only: contents lines and titles differ in spaces and colons (: vs ：)."""
    return "".join(ch for ch in title.lower() if ch.isalnum())


def label(text: str) -> str:
    """A section name without the symbols around it (社评 ↗ → 社评)."""
    return re.sub(r"^\W+|\W+$", "", text)


def _pages_ascend(paras: list[Paragraph], entries: list[int]) -> bool:
    """A contents list runs through the pages in order; a table of figures does not."""
    pages = [_page(paras[k].text) for k in entries]
    rising = sum(1 for a, b in zip(pages, pages[1:]) if a <= b)
    return rising >= 0.8 * (len(pages) - 1)


def _page(text: str) -> tuple[str, int]:
    match = _PAGE.search(text)
    return (match.group(1), int(match.group(2))) if match else ("", 0)
