"""From a loaded document to its articles and chunks: the part of indexing that needs no model."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from index.articles import split_articles
from index.chunking import chunk_article
from index.pages import with_pages
from index.records import Article, Chunk, Document
from index.tables import with_header


# bump when cleaning, article splitting or chunking gives a file different chunks than before:
# an index built by an older pipeline records another number and is rebuilt, not reused
# 2: table rows stay rows; 3: PDF chunks know their pages, table rows carry their header;
# 4: a numbered heading with a comma ("2.1 加大…，促进…") ends its own line; 5: tables side by
# side are stacked, a merged first cell is written into each row it spans; 6: a line opening with one
# character and a stop ("示，…") ends the word the line before broke, and "X/摄影" credits go
PIPELINE_VERSION = 6


@dataclass(frozen=True)
class ChunkingConfig:
    chunk_size: int = 350
    overlap: int = 1
    embed_title: bool = True  # the title goes into the embedded and BM25 text, not the chunk text

    def as_dict(self) -> dict:
        return {
            "chunk_size": self.chunk_size, "overlap": self.overlap, "embed_title": self.embed_title,
            "pipeline": PIPELINE_VERSION,
        }


def chunk_document(doc: Document, config: ChunkingConfig) -> tuple[list[Article], list[Chunk]]:
    articles = split_articles(doc)
    chunks = [
        with_pages(with_header(c, a), doc) for a in articles for c in chunk_article(a, config.chunk_size, config.overlap)
    ]
    return articles, chunks


def indexed_text(chunk: Chunk, config: ChunkingConfig) -> str:
    """What the embedder and BM25 see: the title carries context a passage alone lacks."""
    if config.embed_title and chunk.title and not chunk.text.startswith(chunk.title):
        return f"{chunk.title}\n{chunk.text}"
    return chunk.text


def text_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()
