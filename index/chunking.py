"""Chinese-aware chunking: split an article at sentence ends, pack sentences to a target size.

Usage: `chunk_article(article, chunk_size=350, overlap=1)`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from index.records import Article, Chunk
from index.text import CLOSERS, SEMICOLONS, STOPS

# A sentence ends at 。！？； (or !?; and a Latin full stop not inside a number), then any closing
# quotes/brackets; a paragraph break ends one too.
_SENTENCE_END = re.compile(rf"(?:[{STOPS}{SEMICOLONS}]+|(?<![0-9])\.(?=\s|$))[{CLOSERS}\]]*|\n\s*\n")
# Where an over-long sentence may be cut: after a comma-like mark.
_SOFT_BREAK = re.compile(r"[，、：,:]")
_PUNCT_START = re.compile(r"^[\s，。、；：！？,.;:!?”’」』）)\]》…·—\-]+")
_WORD_CHAR = re.compile(r"[0-9A-Za-z.%]")


@dataclass(frozen=True)
class Span:
    start: int
    end: int


def split_sentences(text: str) -> list[Span]:
    """Sentence spans of `text`, whitespace-trimmed, never starting with punctuation."""
    spans: list[Span] = []
    pos = 0
    for m in _SENTENCE_END.finditer(text):
        _append_trimmed(spans, text, pos, m.end())
        pos = m.end()
    _append_trimmed(spans, text, pos, len(text))
    return spans


def _append_trimmed(spans: list[Span], text: str, start: int, end: int) -> None:
    piece = text[start:end]
    lead = len(piece) - len(piece.lstrip())
    start, end = start + lead, start + len(piece.rstrip())
    if start >= end:
        return
    head = _PUNCT_START.match(text, start, end)
    if head and spans:
        # punctuation that opens a span belongs to the sentence before it
        spans[-1] = Span(spans[-1].start, head.end() if head.end() < end else end)
        start = head.end()
        while start < end and text[start].isspace():
            start += 1
        if start >= end:
            return
    elif head and head.end() >= end:
        return  # punctuation alone, nothing to keep
    spans.append(Span(start, end))


def _cut_long(text: str, span: Span, limit: int) -> list[Span]:
    """Cut a sentence longer than `limit` after commas, else at a safe character boundary."""
    pieces: list[Span] = []
    start = span.start
    while span.end - start > limit:
        window_end = start + limit
        cut = None
        for m in _SOFT_BREAK.finditer(text, start + limit // 3, window_end):
            cut = m.end()
        if cut is None:
            cut = window_end
            # never cut inside a number or a Latin word
            while cut > start + 1 and _WORD_CHAR.match(text[cut - 1]) and _WORD_CHAR.match(text[cut]):
                cut -= 1
        pieces.append(Span(start, cut))
        start = cut
        while start < span.end and (text[start].isspace() or _PUNCT_START.match(text[start])):
            start += 1
    if start < span.end:
        pieces.append(Span(start, span.end))
    return pieces


def chunk_id(source: str, start: int, text: str) -> str:
    """Stable id: same source, position and text give the same id on every run."""
    digest = hashlib.sha1(f"{source}\x00{start}\x00{text}".encode("utf-8")).hexdigest()
    return digest[:16]


def chunk_article(article: Article, chunk_size: int = 350, overlap: int = 1) -> list[Chunk]:
    """Pack the article's sentences into chunks of about `chunk_size` characters.

    Neighbouring chunks share `overlap` sentences so a fact cut at a boundary is still whole
    in one of them. Offsets are into the document text (article.start + local offset).
    """
    text = article.text
    sentences: list[Span] = []
    for span in split_sentences(text):
        sentences.extend(_cut_long(text, span, chunk_size))
    chunks: list[Chunk] = []
    i = 0
    while i < len(sentences):
        j = i
        while j + 1 < len(sentences) and sentences[j + 1].end - sentences[i].start <= chunk_size:
            j += 1
        start, end = sentences[i].start, sentences[j].end
        body = text[start:end]
        doc_start = article.start + start
        chunks.append(
            Chunk(
                id=chunk_id(article.source, doc_start, body),
                source=article.source,
                title=article.title,
                text=body,
                start=doc_start,
                end=article.start + end,
                section=article.section,
                publication=article.publication,
            )
        )
        if j + 1 >= len(sentences):
            break
        # step back `overlap` sentences, but always move forward
        i = max(i + 1, j + 1 - overlap)
    return chunks
