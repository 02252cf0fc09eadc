"""Split a cleaned document into articles.

A digest or a newspaper issue holds many articles. Their edges are found from what such
files carry around each article, not from the exact strings of one file:

- `来源：X` closes an article (digests reprinting from other papers);
- a byline (`本报记者 X 北京报道`) or a dateline (`新京报 2024-06-19`) sits under a title;
- a table of contents is skipped, and its section names are given to the titles it lists.

A document without any of these is one article.
"""

from __future__ import annotations

import bisect
import logging
import re
from pathlib import PurePosixPath

from index.contents import MAX_SECTION_CHARS, contents_blocks, is_listed, label, section_of, title_key, toc_sections
from index.layout import (
    BODY, BYLINE, DATELINE, HEADING, OTHER, SOURCE, TOC, Paragraph, dateline_name, paragraphs, source_name,
)
from index.records import Article, Document

log = logging.getLogger(__name__)

MIN_BODY_CHARS = 50  # less prose than this (and no 来源：…) is a masthead or a leftover, not an article
_MAX_TITLE_PARTS = 3  # a section label, then a title maybe wrapped over two lines
_MAX_TITLE_CHARS = 60
_WRAPPED_TITLE_LINE = 10
_TRAILING_JUNK = {HEADING, TOC, OTHER}
_MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+")


def split_articles(doc: Document) -> list[Article]:
    """Articles of `doc`, in order; their offsets point into doc.text."""
    paras = paragraphs(doc.text)
    if not paras:
        return []
    toc = contents_blocks(paras)
    anchored = any(p.kind in (SOURCE, BYLINE, DATELINE) for p in paras)
    if not toc and not anchored:
        return [_whole_document(doc, paras)]

    in_toc = {i for first, last in toc for i in range(first, last + 1)}
    sections = toc_sections(paras, toc)
    starts = _starts(paras, toc, in_toc, sections)
    articles: list[Article] = []
    carried_section = ""
    for begin, stop in zip(starts, starts[1:] + [len(paras)]):
        # a contents block ends the article before it
        stop = next((i for i in range(begin, stop) if i in in_toc), stop)
        # right after 来源：… (or at the top) every heading before the text belongs to this article
        opens = begin == 0 or paras[begin - 1].kind == SOURCE
        article = _article(doc, paras[begin:stop], carried_section if opens else "", sections, opens)
        if article is not None:
            articles.append(article)
            carried_section = article.section
    if not articles:  # marks of structure, but nothing long enough to be an article on its own
        return [_whole_document(doc, paras)]
    log.debug("%s: %d articles", doc.source, len(articles))
    return articles


def _starts(
    paras: list[Paragraph], toc: list[tuple[int, int]], in_toc: set[int], sections: dict[str, str]
) -> list[int]:
    """Paragraph indices where an article may begin."""
    starts = {0} | {last + 1 for _, last in toc}
    starts |= {i + 1 for i, p in enumerate(paras) if p.kind == SOURCE}
    ordered = sorted(s for s in starts if s < len(paras))
    for title in _titles(paras, in_toc, sections):
        if title in ordered:
            continue
        before = ordered[bisect.bisect_right(ordered, title) - 1]
        # right after 来源：… the next article opens with at most a section label above its title
        if before > 0 and paras[before - 1].kind == SOURCE and title - before <= 2:
            if all(q.kind == HEADING for q in paras[before:title]):
                continue
        bisect.insort(ordered, title)
    return ordered


def _titles(paras: list[Paragraph], in_toc: set[int], sections: dict[str, str]) -> list[int]:
    """Where titles begin: above a byline or dateline, or where a contents entry names them."""
    found: list[int] = []
    listed: set[str] = set()
    for i, p in enumerate(paras):
        if i in in_toc or p.kind != HEADING:
            continue
        if is_listed(p.text, sections) and title_key(p.text) not in listed:
            listed.add(title_key(p.text))  # once: the title may come back as a subheading of its article
            found.append(i)
        elif i + 1 < len(paras) and paras[i + 1].kind in (BYLINE, DATELINE):
            # a title and its subtitle (or a title broken in two) may both sit above the byline
            # (a short line above is more often a slogan or a page label than half a title)
            above = paras[i - 1] if i > 0 else None
            two = (
                above is not None and above.kind == HEADING and len(above.text) > MAX_SECTION_CHARS
                and i - 1 not in in_toc and i - 1 not in found
            )
            found.append(i - 1 if two else i)
    return found


def _article(
    doc: Document, paras: list[Paragraph], section: str, sections: dict[str, str], opens: bool
) -> Article | None:
    paras = _trim_end(paras)
    first_text = next((i for i, p in enumerate(paras) if p.kind not in _TRAILING_JUNK), None)
    prose = sum(len(p.text) for p in paras if p.kind == BODY)
    credited = any(p.kind == SOURCE for p in paras)
    if first_text is None or prose == 0 or (prose < MIN_BODY_CHARS and not credited):
        return None
    section_line, title_parts = _title_parts(paras[:first_text], opens)
    if section_line is not None:
        section = label(section_line.text)
    if title_parts:
        title = _join_title(title_parts)
        begin = paras.index(title_parts[0])  # the section label is the digest's, not the article's
    else:
        title = _first_clause(next(p.text for p in paras[first_text:] if p.kind == BODY))
        begin = first_text
    paras = paras[begin:]
    return Article(
        source=doc.source,
        title=title,
        text=doc.text[paras[0].start : paras[-1].end],
        start=paras[0].start,
        end=paras[-1].end,
        section=section_of(title, sections) or section,
        publication=_publication(paras),
        byline=_byline(paras),
    )


def _title_parts(lead: list[Paragraph], opens: bool) -> tuple[Paragraph | None, list[Paragraph]]:
    """(section label, title lines) from the headings right above the text.

    `opens`: the lead surely belongs to this article (it follows 来源：…), so its first short
    heading is a section label. Otherwise only the last few headings count: what comes before
    them may be the leftovers of a contents page or a masthead.
    """
    run: list[Paragraph] = []
    for p in reversed(lead):
        if p.kind != HEADING or (run and p.text[-1] in "？！?!"):
            break  # a question ends its own line; it is not the first half of the title below
        run.insert(0, p)
    if not opens:
        run = run[-(_MAX_TITLE_PARTS):]
    section_line = None
    if len(run) >= 2 and len(run[0].text) <= MAX_SECTION_CHARS:
        section_line, run = run[0], run[1:]
    # two lines: a wrapped title or a title and its subtitle; more: a title and its first subheadings
    return section_line, run if len(run) <= 2 else (run[:1] if opens else run[-2:])


def _join_title(parts: list[Paragraph]) -> str:
    title = parts[0].text
    for part in parts[1:]:
        # a short first line is a centred title broken in two: 孵化器在专精特新企业 / 培育中的作用凸显
        title += ("" if len(title) <= _WRAPPED_TITLE_LINE else " ") + part.text
    return title.strip()


def _trim_end(paras: list[Paragraph]) -> list[Paragraph]:
    """Drop headings and layout leftovers after the last line of text (a masthead, the next page's label)."""
    end = len(paras)
    while end and paras[end - 1].kind in _TRAILING_JUNK:
        end -= 1
    return paras[:end]


def _publication(paras: list[Paragraph]) -> str:
    sources = [source_name(p.text) for p in paras if p.kind == SOURCE]
    if sources:
        return sources[-1]
    return next((dateline_name(p.text) for p in paras[:5] if p.kind == DATELINE), "")


def _byline(paras: list[Paragraph]) -> str:
    for i, p in enumerate(paras[:6]):
        if p.kind == BYLINE:
            lines = [p.text]
            if i + 1 < len(paras) and paras[i + 1].kind == BYLINE:  # 本报记者 张三 / 北京报道
                lines.append(paras[i + 1].text)
            return " ".join(lines)
    return ""


def _whole_document(doc: Document, paras: list[Paragraph]) -> Article:
    first = paras[0].text
    if _MARKDOWN_HEADING.match(first) or len(first) <= _MAX_TITLE_CHARS:
        title = _MARKDOWN_HEADING.sub("", first).strip()
    else:
        title = PurePosixPath(doc.source).stem
    return Article(
        source=doc.source, title=title or doc.source, text=doc.text[paras[0].start : paras[-1].end],
        start=paras[0].start, end=paras[-1].end, publication=_publication(paras), byline=_byline(paras),
    )


def _first_clause(text: str) -> str:
    return re.split(r"[。！？!?，,；;]", text, maxsplit=1)[0][:30]
