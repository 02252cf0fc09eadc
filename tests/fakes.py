"""Test doubles shared by the hardening tests: an embedder that needs no model.

`HashEmbedder` maps character bigrams to buckets of a small vector (crc32, so the same text gives
the same vector in every process), then L2-normalises: deterministic, instant, and similar texts
still land near each other, so hybrid retrieval over it behaves sensibly.
"""

from __future__ import annotations

import zlib

import numpy as np


class HashEmbedder:
    """Usage: `IndexBuilder(index_dir, HashEmbedder(), ChunkingConfig()).build(folder)`."""

    model_name = "test:hash-bigrams-64"
    dim = 64

    def embed_passages(self, texts: list[str], progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._vector(t) for t in texts])

    def embed_query(self, text: str) -> np.ndarray:
        return self._vector(text)

    def _vector(self, text: str) -> np.ndarray:
        vector = np.zeros(self.dim, dtype=np.float32)
        grams = [text[i : i + 2] for i in range(max(len(text) - 1, 1))]
        for gram in grams:
            vector[zlib.crc32(gram.encode("utf-8")) % self.dim] += 1.0
        norm = float(np.linalg.norm(vector))
        if norm == 0.0:
            vector[0] = 1.0  # an empty text still gets a unit vector: inner product == cosine
            return vector
        return vector / norm


def passages(*texts: str) -> list:
    """Numbered passages over hand-made chunks, one per text, as the answering stage receives them."""
    from index.records import Chunk, Hit
    from rag.records import Passage

    out = []
    for n, text in enumerate(texts, 1):
        chunk = Chunk(id=f"c{n}", source=f"{n}.txt", title=f"第{n}篇", text=text, start=0, end=len(text))
        out.append(Passage(n=n, hit=Hit(chunk=chunk, score=1.0, retriever="hybrid", rank=n, scores={"dense": 0.85})))
    return out
