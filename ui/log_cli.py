"""`zhiku log ...`: the question log from a script — export questions as test-case drafts, the
content gaps as CSV, and a one-line summary.

    zhiku log export --refused --since 7d --out q.jsonl
    zhiku log gaps --since 30d --out gaps.csv
    zhiku log stats --since 7d
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from eval.collect import draft_case, write_cases
from index.errors import ZhikuError
from rag.settings import Settings
from ui import insights
from ui.question_log import FILE_NAME, LogFile

log_app = typer.Typer(help="The question log: export questions as test cases, content gaps as CSV.",
                      no_args_is_help=True)
out = Console()
EXPORT_MAX = 100_000


def _open(settings: Settings) -> LogFile:
    path = settings.data_dir / FILE_NAME
    if not path.is_file():
        raise ZhikuError(f"no question log at {path}: it is written while `zhiku serve` answers "
                         "(and ZHIKU_QUESTION_LOG is not off)")
    return LogFile(path)


def _filters(refused: bool, disliked: bool, since: str | None, until: str | None, text: str | None,
             collection: str | None, limit: int) -> insights.Filters:
    return insights.Filters(refused=True if refused else None, disliked=True if disliked else None,
                            since=insights.parse_since(since) if since else None,
                            until=insights.parse_since(until, end=True) if until else None,
                            text=text or None, collection=collection or None, limit=limit)


Since = Annotated[Optional[str], typer.Option(help="a date (2026-01-31) or a span back: 7d, 12h, 2w")]


@log_app.command("export")
def export_command(
    out_file: Annotated[Path, typer.Option("--out", help="JSON Lines file to write (zhiku eval's format)")],
    refused: Annotated[bool, typer.Option("--refused", help="only refused questions")] = False,
    disliked: Annotated[bool, typer.Option("--disliked", help="only thumbs-down answers")] = False,
    since: Since = None,
    until: Since = None,
    text: Annotated[Optional[str], typer.Option(help="only questions or answers containing this")] = None,
    collection: Annotated[Optional[str], typer.Option(help="only this knowledge base")] = None,
    limit: Annotated[int, typer.Option(min=1, max=EXPORT_MAX)] = 1000,
) -> None:
    """Logged questions as test-case drafts (refused ones as unanswerable), newest first."""
    question_log = _open(Settings())
    try:
        f = _filters(refused, disliked, since, until, text, collection, limit)
        rows, offset = [], 0
        while len(rows) < limit:  # find() pages at insights.MAX_LIMIT rows
            _total, page = insights.find(question_log, insights.Filters(**{**f.__dict__, "offset": offset}))
            if not page:
                break
            rows += page
            offset += len(page)
        n = write_cases(out_file, [draft_case(r) for r in rows[:limit]])
    finally:
        question_log.close()
    out.print(f"{n} questions written to {out_file} (drafts: review the answers and add keywords/evidence)")


@log_app.command("gaps")
def gaps_command(
    out_file: Annotated[Path, typer.Option("--out", help="CSV file to write")],
    since: Since = None,
) -> None:
    """The unanswered questions, one line per distinct question, most asked first (CSV)."""
    question_log = _open(Settings())
    try:
        text = insights.gaps_csv(question_log, _filters(False, False, since, None, None, None, insights.MAX_LIMIT))
    finally:
        question_log.close()
    out_file.write_text("\ufeff" + text, encoding="utf-8")
    out.print(f"{max(0, text.count(chr(10)) - 1)} questions written to {out_file}")


@log_app.command("stats")
def stats_command(since: Since = None) -> None:
    """Questions asked, refusal and thumbs-down rates, latency."""
    question_log = _open(Settings())
    try:
        s = insights.summary(question_log, _filters(False, False, since, None, None, None, 1))
    finally:
        question_log.close()
    rate = lambda r: "—" if r is None else f"{r:.1%}"  # noqa: E731
    out.print(f"asked {s['asked']}  refused {s['refused']} ({rate(s['refusal_rate'])})  thumbs down "
              f"{s['thumbs_down']} of {s['rated']} rated ({rate(s['thumbs_down_rate'])})  p50 {s['p50_ms']} ms  "
              f"p95 {s['p95_ms']} ms")
