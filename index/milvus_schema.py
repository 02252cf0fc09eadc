"""The Milvus collections zhiku writes — the chunks (dense vector, texts, metadata, BM25 sparse
field from Milvus's own jieba analyzer) and a small meta collection recording what was indexed —
and rows and filters in their terms."""

from __future__ import annotations

import hashlib
import json

import numpy as np

from index.errors import ZhikuError
from index.records import Chunk
from index.store import DEFAULT_COLLECTION, StoredChunk, Where
from index.tokenizer import _STOP_WORDS

# what a search returns to rebuild a Chunk (the vector is asked for separately)
CHUNK_FIELDS = ["source", "title", "text", "start", "end", "section", "publication", "collection"]
META_KEY = "manifest"
# jieba yields punctuation as words; zhiku's own tokenizer drops them, so Milvus's analyzer does too
PUNCTUATION = list("，。、；：？！“”‘’（）《》〈〉【】「」『』—…·～,.;:?!\"'()[]{}<>-_/\\|%+=*&#@~`^$")
ANALYZER = {
    "tokenizer": {"type": "jieba", "mode": "search"},
    "filter": ["lowercase", {"type": "stop", "stop_words": sorted(_STOP_WORDS) + PUNCTUATION}],
}


def chunk_schema(dim: int):
    from pymilvus import DataType, Function, FunctionType, MilvusClient

    schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("id", DataType.VARCHAR, is_primary=True, max_length=128)
    schema.add_field("vector", DataType.FLOAT_VECTOR, dim=dim)
    schema.add_field("text", DataType.VARCHAR, max_length=65535)  # the passage shown and cited
    # title + passage: what the embedder saw, and what BM25 scores
    schema.add_field("indexed_text", DataType.VARCHAR, max_length=65535, enable_analyzer=True, analyzer_params=ANALYZER)
    schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
    schema.add_field("source", DataType.VARCHAR, max_length=1024)
    schema.add_field("title", DataType.VARCHAR, max_length=2048)
    schema.add_field("section", DataType.VARCHAR, max_length=512)
    schema.add_field("publication", DataType.VARCHAR, max_length=512)
    schema.add_field("start", DataType.INT64)
    schema.add_field("end", DataType.INT64)
    schema.add_field("article_id", DataType.VARCHAR, max_length=64)
    schema.add_field("content_hash", DataType.VARCHAR, max_length=64)  # of indexed_text: vectors are reused by it
    schema.add_field("collection", DataType.VARCHAR, max_length=256)  # the knowledge base
    schema.add_field("groups", DataType.ARRAY, element_type=DataType.VARCHAR, max_capacity=64, max_length=256)
    schema.add_function(Function(
        name="bm25", function_type=FunctionType.BM25, input_field_names=["indexed_text"], output_field_names=["sparse"],
    ))
    return schema


def index_params(client):
    """Inner product on unit vectors (== cosine), BM25 on the sparse field; scalar indexes on what
    builds and filters look rows up by."""
    params = client.prepare_index_params()
    params.add_index("vector", index_type="AUTOINDEX", metric_type="IP")
    params.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25")
    for field in ("source", "content_hash", "collection"):
        params.add_index(field, index_type="INVERTED")
    return params


def meta_schema():
    from pymilvus import DataType, MilvusClient

    schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("key", DataType.VARCHAR, is_primary=True, max_length=1100)
    schema.add_field("value", DataType.VARCHAR, max_length=65535)  # JSON
    schema.add_field("dummy", DataType.FLOAT_VECTOR, dim=2)
    return schema


def meta_index_params(client):
    params = client.prepare_index_params()
    params.add_index("dummy", index_type="FLAT", metric_type="L2")
    return params


def file_key(source: str) -> str:
    return f"file:{source}"


def pending_key(source: str) -> str:
    return f"pending:{source}"


def fit(text: str, max_bytes: int) -> str:
    """Cut to Milvus's VARCHAR limit, which counts UTF-8 bytes, never inside a character."""
    return text.encode("utf-8")[:max_bytes].decode("utf-8", "ignore")


def quote(value: str) -> str:
    """A string literal for a Milvus filter expression (JSON escaping is what Milvus parses)."""
    return json.dumps(value, ensure_ascii=False)


def quoted_list(values) -> str:
    return "[" + ", ".join(quote(v) for v in values) + "]"


def article_id(chunk: Chunk) -> str:
    """Chunks of one article share it: the same file and title."""
    return hashlib.sha1(f"{chunk.source}\x00{chunk.title}".encode("utf-8")).hexdigest()[:16]


def to_entity(row: StoredChunk) -> dict:
    c = row.chunk
    return {
        "id": c.id, "vector": floats(row.vector), "text": fit(c.text, 65535), "indexed_text": fit(row.text, 65535),
        "source": fit(c.source, 1024), "title": fit(c.title, 2048), "section": fit(c.section, 512),
        "publication": fit(c.publication, 512), "start": c.start, "end": c.end, "article_id": article_id(c),
        "content_hash": row.text_hash, "collection": fit(row.collection, 256), "groups": [fit(g, 256) for g in row.groups],
    }


def to_chunk(chunk_id: str, entity: dict) -> Chunk:
    return Chunk(
        id=chunk_id, source=entity["source"], title=entity["title"], text=entity["text"], start=int(entity["start"]),
        end=int(entity["end"]), section=entity["section"], publication=entity["publication"],
        collection=entity.get("collection") or DEFAULT_COLLECTION,
    )


def floats(vector: np.ndarray | None) -> list[float]:
    if vector is None:
        raise ZhikuError("dense and hybrid search need the query's vector")
    return np.asarray(vector, dtype=np.float32).ravel().tolist()


def filter_expr(where: Where | None) -> str:
    """The Milvus boolean expression of a Where ('' when it matches everything)."""
    if where is None:
        return ""
    parts = []
    if where.sources is not None:
        parts.append(f"source in {quoted_list(where.sources)}")
    if where.collection is not None:
        parts.append(f"collection == {quote(where.collection)}")
    if where.collections is not None:  # a pre-filter inside Milvus: top-k is taken among these only
        parts.append(f"collection in {quoted_list(where.collections)}" if where.collections else 'id == ""')
    if where.groups is not None:
        parts.append(f"(array_length(groups) == 0 or array_contains_any(groups, {quoted_list(where.groups)}))")
    return " and ".join(parts)
