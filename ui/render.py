"""Answers as HTML for the chat bubble and the sources panel.

Everything that comes from articles, questions or answers goes through `escape_text` before any
markup is added, so an article holding `<script>` shows as text. Besides the HTML characters it
also encodes the characters Markdown, LaTeX and Gradio's HTML templates act on (`[ ] ( ) ! * _ ` $
{ }`): the chatbot renders Markdown, and an article's `![](http://x/pixel.png)` must stay text too.
Each bubble is one line of HTML (newlines become <br>), which Markdown passes through as a block.

Usage: `render_answer(answer, t, anchor="zk3")` and `render_sources(answer, t, anchor="zk3")`
with the same anchor, so the markers `[n]` link to the panel entries `#zk3-s{n}`. Before the
answer, `render_extract(found, t, anchor)` and `render_found(found, t, anchor)` show what retrieval
found, the passages numbered as the model reads them; the answer's own rendering replaces both.
"""

from __future__ import annotations

import html
import re

from index.text import MARKER, marker_numbers
from rag.evidence import close_to_question
from rag.records import Answer, Chunk, Citation, Found, Hit
from ui.i18n import UIText
from ui.notice_words import notice_in
from ui.serialize import preview_url

SEARCHED_TITLES = 5  # titles listed when the articles are silent
SUGGESTED_TITLES = 3  # nearest titles suggested when none is close to the question
_BLANK_LINES = re.compile(r"\n\s*\n")

_ENTITIES = {ord(ch): f"&#{ord(ch)};" for ch in "\\`*_{}[]()!#|~$'\""}
_ENTITIES.update({ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;", ord("\r"): "", ord("\n"): "<br>"})


def escape_text(text: str) -> str:
    """Text as inert HTML: no tag, entity, Markdown, LaTeX or template syntax survives."""
    return (text or "").translate(_ENTITIES)


def render_question(question: str) -> str:
    return f'<div class="zk-question">{escape_text(question)}</div>'


def render_streaming(text: str) -> str:
    """The answer while it is being written: plain escaped text and a cursor."""
    return f'<div class="zk-answer zk-streaming">{escape_text(text)}<span class="zk-cursor">▌</span></div>'


def render_extract(found: Found, t: UIText, anchor: str = "zk") -> str:
    """The extracted answer shown while the model writes, labelled so no one takes it for the
    model's answer; still a streaming bubble (the final answer replaces it)."""
    if not found.extract:
        return render_streaming(t("extract_none"))
    return (
        '<div class="zk-answer zk-streaming zk-extract">'
        f'<div class="zk-notice zk-notice-extract"><strong>{escape_text(t("extract_label"))}</strong> '
        f'{escape_text(t("extract_note"))}</div>'
        f'<div class="zk-text">{_linked_text(found.extract, found.passages, anchor)}</div></div>'
    )


def render_found(found: Found, t: UIText, anchor: str = "zk") -> str:
    """The sources panel before the answer: every passage the model reads, its sentence closest
    to the question highlighted."""
    parts = [f'<div class="zk-sources zk-found"><div class="zk-sources-title">{escape_text(t("found_sources"))}</div>',
             '<div class="zk-source-list">']
    parts.extend(_citation_entry(c, t, anchor) for c in found.passages)
    parts.append("</div></div>")
    return "".join(parts)


def render_message(text: str, kind: str = "info") -> str:
    """A system message in the chat (an error, 'type a question')."""
    return f'<div class="zk-answer"><div class="zk-notice zk-notice-{kind}">{escape_text(text)}</div></div>'


def render_answer(answer: Answer, t: UIText, anchor: str = "zk", covers: list[str] | None = None) -> str:
    """The chat bubble: notices, then the text with each `[n]` linked to its source entry.

    `covers`: titles of the knowledge bases the asker may search, suggested on a refusal."""
    parts = ['<div class="zk-answer">']
    if answer.refused:
        parts.append(_refusal_notice(answer, t, covers or []))
    else:
        if answer.notice:
            parts.append(f'<div class="zk-notice zk-notice-extracted">{escape_text(notice_in(t.language, answer.notice))}</div>')
        parts.append(f'<div class="zk-text">{_linked_text(answer.text, answer.citations, anchor)}</div>')
    parts.append("</div>")
    return "".join(parts)


def render_sources(answer: Answer, t: UIText, anchor: str = "zk") -> str:
    """The sources panel: each cited passage with its quote highlighted, then the uncited hits."""
    parts = [f'<div class="zk-sources"><div class="zk-sources-title">{escape_text(t("sources"))}</div>']
    if answer.citations:
        parts.append('<div class="zk-source-list">')
        parts.extend(_citation_entry(c, t, anchor) for c in sorted(answer.citations, key=lambda c: c.n))
        parts.append("</div>")
    else:
        key = "refused" if answer.refused else "no_citations"
        parts.append(f'<p class="zk-muted">{escape_text(t(key))}</p>')
    cited = {c.chunk.id for c in answer.citations}
    others = [h for h in answer.hits if h.chunk.id not in cited]
    if others:
        summary = escape_text(t("other_passages", count=len(others)))
        parts.append(f'<details class="zk-other"><summary>{summary}</summary><div class="zk-source-list">')
        parts.extend(_hit_entry(h, t) for h in others)
        parts.append("</div></details>")
    parts.append("</div>")
    return "".join(parts)


def render_sources_placeholder(t: UIText, message: str | None = None) -> str:
    return (
        f'<div class="zk-sources"><div class="zk-sources-title">{escape_text(t("sources"))}</div>'
        f'<p class="zk-muted">{escape_text(message or t("sources_empty"))}</p></div>'
    )


def searched_titles(hits: list[Hit], limit: int = SEARCHED_TITLES) -> list[str]:
    """The distinct article titles among the hits, best first."""
    titles: list[str] = []
    for hit in hits:
        title = hit.chunk.title or hit.chunk.source
        if title and title not in titles:
            titles.append(title)
    return titles[:limit]


# --- pieces ------------------------------------------------------------------------------------


def _refusal_notice(answer: Answer, t: UIText, covers: list[str]) -> str:
    """What was searched when it came close; otherwise what the knowledge base does hold, never
    called related: a few titles, the nearest among the hits (already limited to what the asker
    may read), and the knowledge bases they may search."""
    titles = searched_titles([hit for hit in answer.hits if close_to_question(hit)])
    if titles:
        searched = _titled_list(t("searched"), titles)
    else:
        searched = f'<div class="zk-searched">{escape_text(t("searched_nothing"))}</div>'
        nearest = searched_titles(answer.hits, SUGGESTED_TITLES)
        if nearest:
            searched += _titled_list(t("suggest_titles"), nearest, "zk-suggest")
        if len(covers) > 1:  # one knowledge base is the whole of it: nothing to choose
            names = "、".join(covers) if t.language == "zh" else " " + ", ".join(covers)
            searched += (f'<div class="zk-searched zk-suggest">{escape_text(t("suggest_collections"))}'
                         f'{escape_text(names)}</div>')
    return f'<div class="zk-notice zk-notice-refused"><strong>{escape_text(t("refused"))}</strong>{searched}</div>'


def _titled_list(heading: str, titles: list[str], kind: str = "") -> str:
    items = "".join(f"<li>{escape_text(title)}</li>" for title in titles)
    return f'<div class="zk-searched {kind}">{escape_text(heading)}<ul>{items}</ul></div>'


def _linked_text(text: str, citations: list[Citation], anchor: str) -> str:
    by_n = {c.n: c for c in citations}
    out: list[str] = []
    last = 0
    for match in MARKER.finditer(text or ""):
        numbers = marker_numbers(match.group())
        if not numbers or any(n not in by_n for n in numbers):
            continue  # verified answers have none; such a marker stays as (escaped) text
        out.append(escape_text(text[last : match.start()]))
        out.extend(_marker_link(by_n[n], anchor) for n in numbers)
        last = match.end()
    out.append(escape_text((text or "")[last:]))
    return "".join(out)


def _marker_link(citation: Citation, anchor: str) -> str:
    title = escape_text(" ".join((citation.chunk.title or citation.chunk.source).split()))
    return f'<a class="zk-cite" href="#{anchor}-s{citation.n}" title="{title}">&#91;{citation.n}&#93;</a>'


def _citation_entry(citation: Citation, t: UIText, anchor: str) -> str:
    chunk = citation.chunk
    return (
        f'<div class="zk-source" id="{anchor}-s{citation.n}">'
        f'<div class="zk-source-head"><span class="zk-n">&#91;{citation.n}&#93;</span> '
        f'<span class="zk-source-title">{escape_text(chunk.title or chunk.source)}</span></div>'
        f"{_meta(chunk, t, citation.quote)}"
        f'<div class="zk-passage">{_highlight(chunk.text, citation.quote)}</div></div>'
    )


def _hit_entry(hit: Hit, t: UIText) -> str:
    chunk = hit.chunk
    return (
        f'<div class="zk-source zk-uncited"><div class="zk-source-head">'
        f'<span class="zk-source-title">{escape_text(chunk.title or chunk.source)}</span></div>'
        f'{_meta(chunk, t)}<div class="zk-passage">{_passage(chunk.text)}</div></div>'
    )


def _meta(chunk: Chunk, t: UIText, quote: str = "") -> str:
    items = [f'{escape_text(t("source_file"))}：<code>{escape_text(chunk.source)}</code>']
    if chunk.page is not None:
        items.append(escape_text(page_label(chunk, t)))
    if chunk.ocr:
        items.append(escape_text(t("ocr")))
    if chunk.section:
        items.append(f'{escape_text(t("section"))}：{escape_text(chunk.section)}')
    if chunk.publication:
        items.append(escape_text(chunk.publication))
    # the address holds percent-encoded parts only; html.escape turns its & into &amp;
    link = html.escape(preview_url(chunk, quote), quote=True)
    items.append(f'<a class="zk-open" href="{link}" target="_blank" rel="noopener">{escape_text(t("open_in_document"))}</a>')
    return f'<div class="zk-meta">{" · ".join(items)}</div>'


def page_label(chunk: Chunk, t: UIText) -> str:
    """第 3 页, or 第 3–4 页 for a passage running over a page break; "" when the file has no pages."""
    if chunk.page is None:
        return ""
    if chunk.last_page is not None and chunk.last_page != chunk.page:
        return t("pages", first=chunk.page, last=chunk.last_page)
    return t("page", page=chunk.page)


def _highlight(text: str, quote: str) -> str:
    """The passage with the quoted span in <mark>; escaped piece by piece, never after marking."""
    quote = (quote or "").strip()
    start = text.find(quote) if quote else -1
    if start < 0:
        return _passage(text)
    end = start + len(quote)
    return f"{_passage(text[:start])}<mark>{_passage(text[start:end])}</mark>{_passage(text[end:])}"


def _passage(text: str) -> str:
    # blank lines between paragraphs would double the panel's height for nothing
    return escape_text(_BLANK_LINES.sub("\n", text))


CSS = """
.zk-answer, .zk-question { line-height: 1.7; }
.zk-cite { font-size: 0.8em; vertical-align: super; text-decoration: none; margin: 0 1px; color: #2563eb; }
.zk-notice { border-radius: 6px; padding: 6px 10px; margin-bottom: 6px; font-size: 0.92em; }
.zk-notice-extracted { background: #eff6ff; border-left: 3px solid #3b82f6; }
.zk-notice-extract { background: #f5f3ff; border-left: 3px solid #8b5cf6; }
.zk-extract .zk-text { color: #4b5563; }
.zk-notice-refused { background: #fff7ed; border-left: 3px solid #f97316; }
.zk-notice-error { background: #fef2f2; border-left: 3px solid #ef4444; }
.zk-notice-info { background: #f3f4f6; border-left: 3px solid #9ca3af; }
.zk-details { margin-top: 8px; color: #555; }
.zk-details summary { cursor: pointer; }
.zk-searched ul { margin: 4px 0 0 1.2em; padding: 0; }
.zk-cursor { opacity: 0.6; }
.zk-sources { font-size: 0.92em; }
.zk-sources-title { font-weight: 600; font-size: 1.05em; margin-bottom: 6px; }
.zk-source-list { margin: 0; }
.zk-source { border: 1px solid #e5e7eb; border-radius: 8px; padding: 8px 10px; margin-bottom: 8px; }
.zk-source:target { border-color: #f59e0b; box-shadow: 0 0 0 2px #fde68a; }
.zk-n { color: #2563eb; font-weight: 600; }
.zk-source-title { font-weight: 600; }
.zk-meta { color: #6b7280; font-size: 0.88em; margin: 2px 0 4px; }
.zk-passage { margin: 0; padding: 4px 8px; line-height: 1.6; border-left: 3px solid #e5e7eb; color: #374151; }
.zk-passage mark { background: #fde68a; padding: 0 1px; }
.zk-open { color: #2563eb; text-decoration: none; white-space: nowrap; }
.zk-muted { color: #6b7280; }
.zk-banner { background: #fef2f2; border: 1px solid #fca5a5; color: #7f1d1d; border-radius: 8px; padding: 8px 12px; }
.zk-other summary { cursor: pointer; color: #4b5563; margin: 6px 0; }
.zk-eval-table td, .zk-eval-table th { padding: 4px 8px; border-bottom: 1px solid #e5e7eb; text-align: left; }
"""
