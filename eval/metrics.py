"""Deterministic metrics: pure functions over strings and per-question scores.

Text matching ignores whitespace, case and full/half-width differences, so evidence copied from a
PDF extraction ("2023 年 9 月") still matches a chunk that reads "2023年9月".
Usage:
    score = ItemScore(type="numeric", answerable=True, hit_rank=2, retrieved=10, keywords_ok=True)
    metrics = aggregate([score, ...])   # the flat dict written to metrics.json
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from index.text import compact, digits_for_counts
from rag.evidence import is_model_refusal

CUTOFFS = (1, 3, 5, 10)
MRR_CUTOFF = 10
RATE_KEYS = (
    *(f"retrieval.hit@{k}" for k in CUTOFFS),
    f"retrieval.mrr@{MRR_CUTOFF}",
    "answer.keyword_accuracy",
    "answer.citation_precision",
    "refusal.accuracy",
    "refusal.false_refusal_rate",
)
LATENCY_KEYS = ("latency.first_content_p50_ms", "latency.first_content_p95_ms", "latency.first_token_p50_ms",
                "latency.p50_ms", "latency.p95_ms")
METRIC_KEYS = ("n", *RATE_KEYS, *LATENCY_KEYS)
LOWER_IS_BETTER = frozenset({"refusal.false_refusal_rate", *LATENCY_KEYS})


def normalize(text: str) -> str:
    """`index.text.compact` (full-width to half-width, lower case, no whitespace at all), and small
    Chinese numbers before a measure word written in digits ("五倍" = "5倍", "十二家" = "12家")."""
    return digits_for_counts(compact(text or ""))


def contains_any(text: str, needles: Iterable[str]) -> bool:
    """True when `text` holds one of `needles` (normalised; empty needles never match)."""
    haystack = normalize(text)
    return any(n and n in haystack for n in map(normalize, needles))


def contains_all(text: str, needles: Sequence[str]) -> bool:
    """True when `text` holds every one of `needles` (normalised); False for no needles."""
    haystack = normalize(text)
    wanted = [n for n in map(normalize, needles) if n]
    return bool(wanted) and all(n in haystack for n in wanted)


def first_hit_rank(flags: Sequence[bool]) -> int | None:
    """1-based rank of the first True, None when there is none."""
    return next((i for i, flag in enumerate(flags, start=1) if flag), None)


def hit_at(rank: int | None, k: int) -> float:
    return 1.0 if rank is not None and rank <= k else 0.0


def reciprocal_rank(rank: int | None, k: int = MRR_CUTOFF) -> float:
    return 1.0 / rank if rank is not None and rank <= k else 0.0


def looks_like_refusal(text: str) -> bool:
    """For answers that carry no refused flag: empty, or declining as the assistant reads a
    model's text (one refusal check for answering and evaluation alike)."""
    return not normalize(text) or is_model_refusal(text)


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated percentile (numpy's default), q in 0..100; None for no values."""
    data = sorted(v for v in values if v is not None)
    if not data:
        return None
    pos = (len(data) - 1) * q / 100.0
    low, high = math.floor(pos), math.ceil(pos)
    return data[low] + (data[high] - data[low]) * (pos - low)


@dataclass(frozen=True)
class ItemScore:
    """What one question scored; None means "not measured", never "zero"."""

    type: str
    answerable: bool
    has_evidence: bool = False  # retrieval is scored only for items with evidence strings
    hit_rank: int | None = None  # first retrieved chunk holding evidence
    retrieved: int = 0  # k: how many hits were asked for
    keywords_ok: bool | None = None  # None: no answer, or no keywords to check
    cited: int = 0
    cited_with_evidence: int = 0
    refused: bool | None = None  # None: retrieval-only
    first_content_ms: float | None = None  # the evidence shown before the model answers (or a refusal)
    first_token_ms: float | None = None
    total_ms: float | None = None


def item_metrics(score: ItemScore) -> dict[str, float | None]:
    """The rate metrics of one question: 1.0 / 0.0, a ratio, or None where it does not apply."""
    m: dict[str, float | None] = dict.fromkeys(RATE_KEYS)
    if score.answerable and score.has_evidence:
        for k in CUTOFFS:
            if k <= score.retrieved:  # a cut-off past what was retrieved would be a lower bound
                m[f"retrieval.hit@{k}"] = hit_at(score.hit_rank, k)
        if MRR_CUTOFF <= score.retrieved:
            m[f"retrieval.mrr@{MRR_CUTOFF}"] = reciprocal_rank(score.hit_rank, MRR_CUTOFF)
    if score.answerable and score.keywords_ok is not None:
        m["answer.keyword_accuracy"] = float(score.keywords_ok)
    if score.has_evidence and score.cited:
        m["answer.citation_precision"] = score.cited_with_evidence / score.cited
    if score.refused is not None:
        key = "refusal.false_refusal_rate" if score.answerable else "refusal.accuracy"
        m[key] = float(score.refused)
    return m


def aggregate(scores: Sequence[ItemScore]) -> dict[str, float | int | None]:
    """The metrics.json object: flat dotted keys over all items, plus `by_type`."""
    result = _summarise(scores)
    types = sorted({s.type for s in scores})
    result["by_type"] = {t: _summarise([s for s in scores if s.type == t]) for t in types}
    return result


def _summarise(scores: Sequence[ItemScore]) -> dict[str, float | int | None]:
    per_item = [item_metrics(s) for s in scores]
    out: dict[str, float | int | None] = {"n": len(scores)}
    for key in RATE_KEYS:
        values = [m[key] for m in per_item if m[key] is not None]
        out[key] = sum(values) / len(values) if values else None
    # micro-average: every cited passage counts once, whichever answer cited it
    cited = sum(s.cited for s in scores if s.has_evidence)
    if cited:
        out["answer.citation_precision"] = sum(s.cited_with_evidence for s in scores if s.has_evidence) / cited
    out["latency.first_content_p50_ms"] = percentile([s.first_content_ms for s in scores], 50)
    out["latency.first_content_p95_ms"] = percentile([s.first_content_ms for s in scores], 95)
    out["latency.first_token_p50_ms"] = percentile([s.first_token_ms for s in scores], 50)
    out["latency.p50_ms"] = percentile([s.total_ms for s in scores], 50)
    out["latency.p95_ms"] = percentile([s.total_ms for s in scores], 95)
    return out
