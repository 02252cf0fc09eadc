"""Each chunk's words as term ids and counts, kept on disk beside its vector, so an edit tokenises
only the chunks it changes and BM25 is computed from these arrays with numpy (bm25_store.py).

One row per chunk (CSR): `terms[indptr[i]:indptr[i+1]]` are the distinct word ids of chunk i,
`counts[...]` how often each occurs. Word ids index a `Vocabulary`, which only ever grows between
full rebuilds, so the ids stored in older segments stay valid.
Usage: `TermRows.from_token_ids([vocab.ids(tokenizer(text)) for text in texts])`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

FILES = ("tf_indptr.npy", "tf_terms.npy", "tf_counts.npy")


class Vocabulary:
    """Words to ids, first seen first; `added` are the words this session introduced."""

    def __init__(self, words: Iterable[str] = ()):
        self.words: list[str] = list(words)
        self._ids = {w: i for i, w in enumerate(self.words)}
        self.known = len(self.words)

    def ids(self, tokens: Sequence[str]) -> np.ndarray:
        out = np.empty(len(tokens), dtype=np.int64)
        for i, token in enumerate(tokens):
            tid = self._ids.get(token)
            if tid is None:
                tid = self._ids[token] = len(self.words)
                self.words.append(token)
            out[i] = tid
        return out

    def get(self, token: str) -> int | None:
        return self._ids.get(token)

    @property
    def added(self) -> list[str]:
        return self.words[self.known :]

    def __len__(self) -> int:
        return len(self.words)


class TermRows:
    """Term ids and counts per chunk, in row order."""

    def __init__(self, indptr: np.ndarray, terms: np.ndarray, counts: np.ndarray):
        self.indptr, self.terms, self.counts = indptr, terms, counts

    @classmethod
    def empty(cls) -> TermRows:
        return cls(np.zeros(1, np.int64), np.zeros(0, np.int32), np.zeros(0, np.int32))

    @classmethod
    def from_token_ids(cls, docs: Sequence[np.ndarray]) -> TermRows:
        return cls.from_pairs([np.unique(ids, return_counts=True) for ids in docs])

    @classmethod
    def from_pairs(cls, rows: Sequence[tuple[np.ndarray, np.ndarray]]) -> TermRows:
        """From (distinct term ids, counts) per row."""
        indptr = np.concatenate([[0], np.cumsum([len(t) for t, _ in rows], dtype=np.int64)]).astype(np.int64)
        return cls(indptr, _cat([t for t, _ in rows], np.int32), _cat([c for _, c in rows], np.int32))

    def row(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = int(self.indptr[i]), int(self.indptr[i + 1])
        return np.asarray(self.terms[lo:hi]), np.asarray(self.counts[lo:hi])

    @classmethod
    def concat(cls, parts: Sequence[TermRows]) -> TermRows:
        parts = [p for p in parts if len(p)]
        if not parts:
            return cls.empty()
        if len(parts) == 1:
            return parts[0]
        offsets = np.cumsum([0] + [int(p.indptr[-1]) for p in parts[:-1]])
        indptr = np.concatenate([[0]] + [p.indptr[1:] + off for p, off in zip(parts, offsets)])
        return cls(indptr.astype(np.int64), _cat([p.terms for p in parts], np.int32),
                   _cat([p.counts for p in parts], np.int32))

    def take(self, rows: np.ndarray) -> TermRows:
        """These rows, in this order (vectorised: no Python loop over chunks)."""
        rows = np.asarray(rows, dtype=np.int64)
        lengths = self.indptr[rows + 1] - self.indptr[rows]
        indptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        # position of every kept posting: its row's start plus its place within the row
        starts = np.repeat(self.indptr[rows] - indptr[:-1], lengths)
        where = starts + np.arange(int(indptr[-1]), dtype=np.int64)
        return TermRows(indptr, np.asarray(self.terms)[where], np.asarray(self.counts)[where])

    def doc_lengths(self) -> np.ndarray:
        """Tokens per chunk (at least 1: an empty chunk counts as one empty word, as bm25s did)."""
        rows = np.repeat(np.arange(len(self), dtype=np.int64), np.diff(self.indptr))
        totals = np.bincount(rows, weights=np.asarray(self.counts, dtype=np.float64), minlength=len(self))
        return np.maximum(totals, 1).astype(np.float32)

    def remap(self, mapping: np.ndarray) -> TermRows:
        """The same rows with term ids renumbered (old id -> mapping[old id]); rows stay sorted by id
        only if the mapping keeps order, which compaction's mappings do."""
        return TermRows(self.indptr, mapping[np.asarray(self.terms)].astype(np.int32), self.counts)

    def __len__(self) -> int:
        return len(self.indptr) - 1

    def save(self, folder: Path) -> None:
        for name, array in zip(FILES, (self.indptr, self.terms, self.counts)):
            np.save(folder / name, np.ascontiguousarray(array), allow_pickle=False)

    @classmethod
    def load(cls, folder: Path) -> TermRows:
        return cls(*(np.load(folder / name, mmap_mode="r", allow_pickle=False) for name in FILES))


def _cat(parts: list[np.ndarray], dtype) -> np.ndarray:
    return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype)
