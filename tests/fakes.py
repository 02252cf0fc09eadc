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
