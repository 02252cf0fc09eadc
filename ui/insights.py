"""What the question log says: filtered rows, per-day figures, and the two review queues.

Everything reads the log through its own read-only connection (WAL: never waits for the writer).
The insights tab, `/api/admin/questions` and `zhiku log` all call these functions.

Usage:
    f = Filters(refused=True, since=parse_since("7d"))
    rows = find(log, f); figures = summary(log, f); csv_text = gaps_csv(log, f)
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone

from index.errors import ZhikuError
from ui.question_log import QuestionLog
from ui.question_row import decode

MAX_LIMIT = 500
_RELATIVE = re.compile(r"^(\d{1,4})([dhw])$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Filters:
    refused: bool | None = None  # True: refused only; False: answered only
    disliked: bool | None = None  # True: thumbs-down only
    slow_ms: float | None = None  # total time at least this
    since: str | None = None  # ISO UTC time (parse_since turns "7d" or a date into one)
    until: str | None = None  # exclusive
    collection: str | None = None
    text: str | None = None  # in the question or the answer, case-insensitive
    user: str | None = None
    limit: int = 50
    offset: int = 0


def parse_since(value: str, now: datetime | None = None, end: bool = False) -> str:
    """"7d", "12h", "2w" back from now, or a date "2026-01-31" (its end, for `until`), as ISO UTC."""
    value = (value or "").strip()
    now = now or datetime.now(timezone.utc)
    if m := _RELATIVE.match(value):
        amount, unit = int(m.group(1)), m.group(2)
        delta = {"d": timedelta(days=amount), "h": timedelta(hours=amount), "w": timedelta(weeks=amount)}[unit]
        return (now - delta).isoformat(timespec="seconds")
    if _DATE.match(value):
        try:
            day = datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=timezone.utc)
        except ValueError:
            raise ZhikuError(f"{value!r} is not a real date") from None
        return (day + timedelta(days=1) if end else day).isoformat(timespec="seconds")
    raise ZhikuError(f"{value!r} is neither a date (2026-01-31) nor a span back from now (7d, 12h, 2w)")


def _where(f: Filters) -> tuple[str, list]:
    clauses, args = [], []
    if f.refused is not None:
        clauses.append("refused = ?")
        args.append(int(f.refused))
    if f.disliked is not None:
        clauses.append("rating = 'down'" if f.disliked else "rating != 'down'")
    if f.slow_ms is not None:
        clauses.append("total_ms >= ?")
        args.append(float(f.slow_ms))
    if f.since:
        clauses.append("created_at >= ?")
        args.append(f.since)
    if f.until:
        clauses.append("created_at < ?")
        args.append(f.until)
    if f.collection:
        clauses.append("EXISTS (SELECT 1 FROM json_each(collections) WHERE value = ?)")
        args.append(f.collection)
    if f.text:
        clauses.append("(instr(lower(question), ?) > 0 OR instr(lower(standalone), ?) > 0 OR instr(lower(answer), ?) > 0)")
        args += [f.text.lower()] * 3
    if f.user is not None:
        clauses.append("user = ?")
        args.append(f.user)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", args


def find(question_log: QuestionLog, f: Filters) -> tuple[int, list[dict]]:
    """(how many rows match, the page of them newest first)."""
    where, args = _where(f)
    limit = max(0, min(f.limit, MAX_LIMIT))
    with question_log.reader() as db:
        total = db.execute(f"SELECT count(*) FROM questions{where}", args).fetchone()[0]
        rows = db.execute(f"SELECT * FROM questions{where} ORDER BY id DESC LIMIT ? OFFSET ?",
                          [*args, limit, max(0, f.offset)]).fetchall()
    return int(total), [decode(r) for r in rows]


def get(question_log: QuestionLog, row_id: int) -> dict | None:
    with question_log.reader() as db:
        row = db.execute("SELECT * FROM questions WHERE id = ?", (row_id,)).fetchone()
    return decode(row) if row is not None else None


def summary(question_log: QuestionLog, f: Filters) -> dict:
    """Totals, rates and one entry per day: asked, refused, thumbs down, p50/p95 latency.

    refusal_rate = refused / asked; thumbs_down_rate = thumbs down / answers rated (None: none rated)."""
    where, args = _where(f)
    with question_log.reader() as db:
        rows = db.execute(f"SELECT day, refused, rating, total_ms FROM questions{where} ORDER BY day", args).fetchall()
    days: dict[str, dict] = {}
    for row in rows:
        d = days.setdefault(row["day"], {"day": row["day"], "asked": 0, "refused": 0, "rated": 0, "thumbs_down": 0,
                                         "_ms": []})
        d["asked"] += 1
        d["refused"] += row["refused"]
        d["rated"] += row["rating"] != ""
        d["thumbs_down"] += row["rating"] == "down"
        d["_ms"].append(row["total_ms"])
    per_day = []
    for d in days.values():
        ms = sorted(d.pop("_ms"))
        per_day.append({**d, "refusal_rate": _rate(d["refused"], d["asked"]),
                        "thumbs_down_rate": _rate(d["thumbs_down"], d["rated"]),
                        "p50_ms": _quantile(ms, 0.5), "p95_ms": _quantile(ms, 0.95)})
    asked = len(rows)
    refused = sum(d["refused"] for d in per_day)
    rated = sum(d["rated"] for d in per_day)
    down = sum(d["thumbs_down"] for d in per_day)
    all_ms = sorted(r["total_ms"] for r in rows)
    return {"asked": asked, "refused": refused, "refusal_rate": _rate(refused, asked), "rated": rated,
            "thumbs_down": down, "thumbs_down_rate": _rate(down, rated), "p50_ms": _quantile(all_ms, 0.5),
            "p95_ms": _quantile(all_ms, 0.95), "per_day": per_day}


def unanswered(question_log: QuestionLog, f: Filters) -> list[dict]:
    """Refused questions, newest first, each with the closest articles retrieval found."""
    _total, rows = find(question_log, replace(f, refused=True))
    return [{**_brief(r), "refusal_reason": r["refusal_reason"], "closest": closest_articles(r)} for r in rows]


def disliked(question_log: QuestionLog, f: Filters) -> list[dict]:
    """Thumbs-down answers, newest first, with the comment."""
    _total, rows = find(question_log, replace(f, disliked=True))
    return [{**_brief(r), "answer": r["answer"], "comment": r["comment"], "closest": closest_articles(r)} for r in rows]


def closest_articles(row: dict, n: int = 3) -> list[dict]:
    """The best-ranked retrieved articles (one entry per article), as the log kept them."""
    seen, result = set(), []
    for hit in row.get("hits") or []:
        key = (hit.get("source"), hit.get("title"))
        if key in seen:
            continue
        seen.add(key)
        result.append({"title": hit.get("title", ""), "source": hit.get("source", ""), "score": hit.get("score")})
        if len(result) == n:
            break
    return result


GAP_COLUMNS = ("question", "times_asked", "last_asked", "users", "refusal_reason", "closest_articles",
               "closest_sources", "log_ids")


def gaps_csv(question_log: QuestionLog, f: Filters) -> str:
    """The unanswered queue for a content team: one line per distinct question, most asked first."""
    groups: dict[str, dict] = {}
    for row in unanswered(question_log, replace(f, limit=MAX_LIMIT, offset=0)):
        key = "".join(row["question"].split()).lower()
        g = groups.setdefault(key, {"question": row["question"], "times_asked": 0, "last_asked": row["created_at"],
                                    "users": set(), "refusal_reason": row["refusal_reason"],
                                    "closest": row["closest"], "log_ids": []})
        g["times_asked"] += 1
        g["users"].add(row["user"])
        g["log_ids"].append(str(row["id"]))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(GAP_COLUMNS)
    for g in sorted(groups.values(), key=lambda g: (-g["times_asked"], g["last_asked"])):
        writer.writerow([_cell(v) for v in (
            g["question"], g["times_asked"], g["last_asked"], len(g["users"] - {""}), g["refusal_reason"],
            " | ".join(c["title"] for c in g["closest"]), " | ".join(c["source"] for c in g["closest"]),
            " ".join(g["log_ids"]))])
    return out.getvalue()


def asked(question_log: QuestionLog, f: Filters, cap: int = 5000) -> list[str]:
    """The questions as asked in the filter's window, newest first (for grouping)."""
    where, args = _where(f)
    with question_log.reader() as db:
        rows = db.execute(f"SELECT question FROM questions{where} ORDER BY id DESC LIMIT ?", [*args, cap]).fetchall()
    return [r[0] for r in rows]


def history(question_log: QuestionLog, user: str, limit: int = 20) -> list[dict]:
    """A user's own latest questions (what the chat's 历史 list shows)."""
    _total, rows = find(question_log, Filters(user=user, limit=limit))
    return [_brief(r) for r in rows]


def _brief(row: dict) -> dict:
    return {k: row.get(k) for k in ("id", "created_at", "user", "question", "standalone", "refused", "rating",
                                     "total_ms", "test_case")}


def _cell(value) -> str:
    """Spreadsheets run a cell starting with = + - @ as a formula: such text is quoted."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _quantile(sorted_values: list[float], q: float) -> float | None:
    if not sorted_values:
        return None
    index = min(len(sorted_values) - 1, max(0, round(q * (len(sorted_values) - 1))))
    return round(float(sorted_values[index]), 1)
