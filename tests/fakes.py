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


def gated_chat_model(reply: str, wait_s: float = 120.0):
    """A chat model that streams `reply` word by word, but only once its `gate` is set: a test
    holds the model back until it has seen what must come before the model's text. `asked` is set
    when the model is asked. The wait is bounded, so a test that never opens the gate fails."""
    import itertools
    import threading
    from typing import Any

    from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
    from langchain_core.messages import AIMessage

    class GatedChatModel(GenericFakeChatModel):
        gate: Any
        asked: Any

        def _stream(self, *args: Any, **kwargs: Any):
            self.asked.set()
            if not self.gate.wait(wait_s):
                raise TimeoutError("the test never let the gated model answer")
            yield from super()._stream(*args, **kwargs)

    return GatedChatModel(messages=itertools.cycle([AIMessage(reply)]), gate=threading.Event(),
                          asked=threading.Event())
