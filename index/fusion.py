"""Reciprocal rank fusion: merges ranked lists without calibrating their scores against each other."""

from __future__ import annotations

from collections.abc import Hashable


def fuse_rrf(ranked_lists: dict[str, list[tuple[Hashable, float]]], k: int = 60) -> list[tuple[Hashable, float, dict]]:
    """Sum of 1/(k + rank) over the lists a row appears in; (row, fused score, per-list scores)."""
    fused: dict = {}
    parts: dict = {}
    for name, ranked in ranked_lists.items():
        for rank, (row, score) in enumerate(ranked, start=1):
            fused[row] = fused.get(row, 0.0) + 1.0 / (k + rank)
            parts.setdefault(row, {})[name] = score
    order = sorted(fused, key=lambda r: (-fused[r], r))
    return [(row, fused[row], parts[row]) for row in order]
