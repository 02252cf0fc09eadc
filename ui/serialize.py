"""Answers as plain JSON-ready dicts: the one shape the API, the SSE stream, the OpenAI-compatible
endpoint, the widget and the feedback store all share.

Usage: `json.dumps(answer_to_dict(answer), ensure_ascii=False)`.
"""

from __future__ import annotations

from rag.records import Answer, Citation, Hit


def citation_to_dict(citation: Citation) -> dict:
    chunk = citation.chunk
    return {
        "n": citation.n,
        "title": chunk.title,
        "source": chunk.source,
        "section": chunk.section,
        "quote": citation.quote,
        "chunk_id": chunk.id,
        "text": chunk.text,
    }


def hit_to_dict(hit: Hit) -> dict:
    chunk = hit.chunk
    return {
        "rank": hit.rank,
        "score": round(float(hit.score), 6),
        "title": chunk.title,
        "source": chunk.source,
        "chunk_id": chunk.id,
        "text": chunk.text,
    }


def answer_to_dict(answer: Answer) -> dict:
    return {
        "answer": answer.text,
        "refused": answer.refused,
        "answerer": answer.answerer,
        "notice": answer.notice,
        "standalone_question": answer.standalone_question,
        "citations": [citation_to_dict(c) for c in answer.citations],
        "hits": [hit_to_dict(h) for h in answer.hits],
        "timings_ms": {k: float(v) for k, v in answer.timings_ms.items()},
    }
