"""Sparse index: BM25 over the Tokenizer's words, built in numpy from the chunks' stored term
counts (term_counts.py) when an index is loaded: no chunk is re-tokenised, and an edit only adds
the counts of the chunks it changed. The scores are bm25s's (lucene variant, k1 1.5, b 0.75), in
bm25s's own matrix form (one CSC column of (row, score) per word), and bm25s scores the queries.

Index folders from before segments (a bm25/ folder bm25s saved, no pickle) still load: `load`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from index.term_counts import TermRows, Vocabulary

log = logging.getLogger(__name__)

K1, B = 1.5, 0.75


class BM25Store:
    """Usage: `BM25Store.build(texts, tok)` or `BM25Store.from_terms(rows, words, tok)`; `.search(q, k)`."""

    def __init__(self, model, tokenizer: Callable[[str], list[str]]):
        self._model = model
        self._tokenizer = tokenizer

    @classmethod
    def build(cls, texts: Sequence[str], tokenizer: Callable[[str], list[str]]) -> BM25Store:
        vocab = Vocabulary()
        rows = TermRows.from_token_ids([vocab.ids(tokenizer(t)) for t in texts])
        return cls.from_terms(rows, vocab.words, tokenizer)

    @classmethod
    def from_terms(cls, rows: TermRows, words: Sequence[str], tokenizer: Callable[[str], list[str]]) -> BM25Store:
        """BM25 over these rows (row i = search row i); ranks and scores equal bm25s's own index
        of the same tokens (tests/test_incremental_index.py)."""
        bm25s = _bm25s()
        model = bm25s.BM25()
        n = len(rows)
        if n == 0:
            return cls(model, tokenizer)
        # rows -> one column per word (scipy's CSR to CSC: linear, in C; rows ascending per word)
        by_word = sp.csr_matrix((np.asarray(rows.counts, dtype=np.float32), np.asarray(rows.terms),
                                 np.asarray(rows.indptr)), shape=(n, len(words))).tocsc()
        tf, docs, indptr = by_word.data, by_word.indices, by_word.indptr
        df = np.diff(indptr)
        idf = np.log(1 + (n - df + 0.5) / (df + 0.5)).astype(np.float32)
        lengths = rows.doc_lengths()
        norm = (K1 * ((1 - B) + B * lengths / lengths.mean())).astype(np.float32)
        data = np.repeat(idf, df)
        data *= tf
        data /= norm[docs] + tf
        model.scores = {"data": data, "indices": docs, "indptr": indptr.astype(np.int64), "num_docs": n}
        # only words some row still holds: a query word found nowhere scores nothing either way
        model.vocab_dict = {w: i for i, w in enumerate(words) if df[i]}
        model.nonoccurrence_array = None  # lucene BM25 has no non-occurrence term
        return cls(model, tokenizer)

    @classmethod
    def load(cls, folder: Path, tokenizer: Callable[[str], list[str]]) -> BM25Store:
        """An index folder from before segments: bm25s's saved matrices."""
        bm25s = _bm25s()
        if not (folder / "params.index.json").exists():
            return cls(bm25s.BM25(), tokenizer)  # an empty index was saved as nothing
        model = bm25s.BM25.load(str(folder), mmap=False, allow_pickle=False, show_progress=False)
        return cls(model, tokenizer)

    def __len__(self) -> int:
        scores = getattr(self._model, "scores", None)
        return 0 if scores is None else int(scores["num_docs"])

    def search(self, query: str, k: int, rows: np.ndarray | None = None) -> list[tuple[int, float]]:
        """(row, score) pairs, best first, equal scores by row; rows with no query word are left
        out. `rows` (sorted) limits the ranking to those rows: the top k are taken among them."""
        if len(self) == 0 or (rows is not None and len(rows) == 0):
            return []
        vocab = self._model.vocab_dict
        tokens = [t for t in self._tokenizer(query) if t in vocab]
        if not tokens:
            return []
        scores = self._model.get_scores(tokens)
        ids = np.arange(len(scores)) if rows is None else np.asarray(rows)
        scores = scores if rows is None else scores[rows]
        return top_k(ids, scores, k)


def top_k(ids: np.ndarray, scores: np.ndarray, k: int) -> list[tuple[int, float]]:
    """The k best positive scores, ties by lower id: the same order however the rows are stored."""
    k = min(k, len(scores))
    if k <= 0:
        return []
    cut = np.partition(scores, len(scores) - k)[len(scores) - k]
    pick = np.flatnonzero((scores >= cut) & (scores > 0))
    pick = pick[np.lexsort((ids[pick], -scores[pick]))][:k]
    return [(int(ids[i]), float(scores[i])) for i in pick]


def _bm25s():
    import bm25s

    # bm25s sets its own logger to DEBUG on import, so every build would print "Building index
    # from tokens" under any CLI; its warnings still show
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    return bm25s
