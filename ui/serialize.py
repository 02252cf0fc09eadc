"""Answers as plain JSON-ready dicts: the one shape the API, the SSE stream, the OpenAI-compatible
endpoint, the widget and the feedback store all share.

Usage: `json.dumps(answer_to_dict(answer), ensure_ascii=False)`.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from rag.records import Answer, Chunk, Citation, Found, Hit

PREVIEW = "preview"  # the source preview's path (ui/preview.py), relative so it works behind a path prefix


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
        **_location(chunk, citation.quote),
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
        **_location(chunk),
    }


def preview_url(chunk: Chunk, quote_text: str = "") -> str:
    """Where the passage opens in its document, the quoted span marked (relative to the server root)."""
    query = {"source": chunk.source, "start": chunk.start, "end": chunk.end}
    if quote_text:
        query["quote"] = quote_text
    return f"{PREVIEW}?{urlencode(query, quote_via=quote)}"


def _location(chunk: Chunk, quote_text: str = "") -> dict:
    return {"page": chunk.page, "last_page": chunk.last_page, "ocr": chunk.ocr, "preview": preview_url(chunk, quote_text)}


def answer_to_dict(answer: Answer) -> dict:
    return {
        "answer": answer.text,
        "refused": answer.refused,
        "missing": answer.missing,
        "answerer": answer.answerer,
        "notice": answer.notice,
        "standalone_question": answer.standalone_question,
        "citations": [citation_to_dict(c) for c in answer.citations],
        "hits": [hit_to_dict(h) for h in answer.hits],
        "timings_ms": {k: float(v) for k, v in answer.timings_ms.items()},
    }


def found_to_dict(found: Found) -> dict:
    """The evidence streamed before the answer: passages numbered as the model reads them."""
    return {
        "passages": [citation_to_dict(p) for p in found.passages],
        "extract": found.extract,
        "standalone_question": found.standalone_question,
    }
