"""Sparse index: BM25 (bm25s) over the Tokenizer's words, built at index time and saved as numpy
arrays + JSON (bm25s saves and loads with allow_pickle=False)."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from index.tokenizer import Tokenizer

log = logging.getLogger(__name__)


class BM25Store:
    """Usage: `BM25Store.build(texts, tok).save(dir)`; `BM25Store.load(dir, tok).search(q, k)`."""

    def __init__(self, model, tokenizer: Tokenizer):
        self._model = model
        self._tokenizer = tokenizer

    @classmethod
    def build(cls, texts: list[str], tokenizer: Tokenizer) -> BM25Store:
        bm25s = _bm25s()
        model = bm25s.BM25()
        # an empty document still needs one token, or bm25s cannot place it in its matrix
        corpus = [tokenizer(t) or [""] for t in texts]
        if corpus:
            model.index(corpus, show_progress=False)
        return cls(model, tokenizer)

    @classmethod
    def load(cls, folder: Path, tokenizer: Tokenizer) -> BM25Store:
        bm25s = _bm25s()
        if not (folder / "params.index.json").exists():
            return cls(bm25s.BM25(), tokenizer)  # an empty index was saved as nothing
        model = bm25s.BM25.load(str(folder), mmap=False, allow_pickle=False, show_progress=False)
        return cls(model, tokenizer)

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        if getattr(self._model, "scores", None) is not None:
            self._model.save(str(folder), allow_pickle=False, show_progress=False)

    def __len__(self) -> int:
        scores = getattr(self._model, "scores", None)
        return 0 if scores is None else int(scores["num_docs"])

    def search(self, query: str, k: int, rows: np.ndarray | None = None) -> list[tuple[int, float]]:
        """(row, score) pairs, best first; rows with no query word are left out. `rows` (sorted)
        limits the ranking to those rows: the top k are taken among them."""
        if len(self) == 0 or (rows is not None and len(rows) == 0):
            return []
        vocab = self._model.vocab_dict
        tokens = [t for t in self._tokenizer(query) if t in vocab]
        if not tokens:
            return []
        scores = self._model.get_scores(tokens)
        ids = np.arange(len(scores)) if rows is None else rows
        scores = scores if rows is None else scores[rows]
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(int(ids[i]), float(scores[i])) for i in top if scores[i] > 0]


def _bm25s():
    import bm25s

    # bm25s sets its own logger to DEBUG on import, so every build would print "Building index
    # from tokens" under any CLI; its warnings still show
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    return bm25s
