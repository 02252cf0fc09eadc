"""One logged question as a row: what the question log keeps of an Answer, and back.

An allow-list: the question, the answer and its sources, who asked, timings, why it was refused.
URL credentials and `token=`/`key=` values in a notice (an LLM error may quote a URL) are blanked.
Usage: `db.execute(INSERT, build_row(answer, meta))`; `decode(sqlite_row)` for JSON.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from datetime import datetime

from rag.asked_kind import NOTICE_NOT_GIVEN
from rag.grounding import NOTICE_INVENTED, NOTICE_MODEL_DECLINED
from rag.records import Answer

HITS_KEPT = 10
HIT_TEXT = 600  # characters of each retrieved passage kept (the reviewer picks evidence in it)
LIMITS = {"question": 4000, "standalone": 4000, "answer": 20000, "notice": 1000, "missing": 1000,
          "user": 200, "channel": 20, "conversation_id": 100}
_SECRETS = re.compile(r"(//)[^/@\s]*@|((?:token|key|password)=)[^&\s\"']+", re.IGNORECASE)


def qa_key(question: str, answer: str) -> str:
    """The same question and answer text give the same key, whitespace aside (the API's feedback
    sends the question as typed; the log holds it as cleaned for the retriever)."""
    joined = "".join(question.split())[:2000] + "\x00" + "".join(answer.split())[:20000]
    return hashlib.sha1(joined.encode("utf-8")).hexdigest()


def refusal_reason(answer: Answer) -> str:
    """Why the assistant declined, from what the Answer says ('' when it answered)."""
    if answer.missing and not answer.refused:
        return "near_miss"
    if not answer.refused:
        return ""
    if answer.notice == NOTICE_MODEL_DECLINED:
        return "model_declined"
    if answer.notice == NOTICE_INVENTED:
        return "invented_figures"
    if answer.notice == NOTICE_NOT_GIVEN:
        return "kind_not_given"
    return "evidence"


def scrub(text: str) -> str:
    """URL credentials and `token=`/`key=` values blanked (an LLM error's reason may quote a URL)."""
    return _SECRETS.sub(lambda m: (m.group(1) or m.group(2)) + ("" if m.group(1) else "***"), text or "")


INSERT = (
    "INSERT INTO questions (created_at, day, user, channel, conversation_id, collections, question, standalone,"
    " answer, refused, refusal_reason, missing, answerer, notice, cited, hits, timings, total_ms, qa_key)"
    " VALUES (:created_at, :day, :user, :channel, :conversation_id, :collections, :question, :standalone,"
    " :answer, :refused, :refusal_reason, :missing, :answerer, :notice, :cited, :hits, :timings, :total_ms, :qa_key)"
)


def build_row(answer: Answer, meta: dict) -> dict:
    at: datetime = meta["at"]
    text = {
        "question": answer.question, "standalone": answer.standalone_question or answer.question,
        "answer": answer.text, "notice": scrub(answer.notice), "missing": answer.missing,
        "user": meta["user"], "channel": meta["channel"], "conversation_id": meta["conversation_id"],
    }
    text = {k: (v or "")[: LIMITS[k]] for k, v in text.items()}
    hits = [{"rank": h.rank, "chunk_id": h.chunk.id, "score": round(float(h.score), 6), "title": h.chunk.title,
             "source": h.chunk.source, "text": h.chunk.text[:HIT_TEXT]} for h in answer.hits[:HITS_KEPT]]
    timings = {k: float(v) for k, v in (answer.timings_ms or {}).items()}
    return {
        **text,
        "created_at": at.isoformat(timespec="seconds"),
        "day": at.date().isoformat(),
        "collections": json.dumps([str(c)[:100] for c in meta["collections"]][:20], ensure_ascii=False),
        "refused": int(bool(answer.refused)),
        "refusal_reason": refusal_reason(answer),
        "answerer": answer.answerer,
        "cited": json.dumps([c.chunk.id for c in answer.citations], ensure_ascii=False),
        "hits": json.dumps(hits, ensure_ascii=False),
        "timings": json.dumps(timings),
        "total_ms": timings.get("total_ms", 0.0),
        "qa_key": qa_key(answer.question, answer.text),
    }


def decode(row: sqlite3.Row) -> dict:
    """A row as JSON-ready data (lists and dicts decoded, `refused` a bool)."""
    item = dict(row)
    for key in ("collections", "cited", "hits", "timings"):
        if key in item:
            item[key] = json.loads(item[key] or "null")
    if "refused" in item:
        item["refused"] = bool(item["refused"])
    item.pop("qa_key", None)
    return item
