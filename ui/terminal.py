"""Answers and index builds in a terminal: what `zhiku ask`, `chat` and `index build` draw.

An answer is shown once. On a terminal the extract (摘录, the passages' own sentences) shows at
once, dimmed, in a live region; the model's text replaces it as it streams, and the checked answer
replaces that when checking changed it (citations repaired, an invented figure dropped); elsewhere
(a pipe, a script) only the checked answer is printed.
Usage: `answer = show_answer(assistant.stream(question), out, err, stream=out.is_terminal)`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.live import Live
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.text import Text

from rag.records import Answer, Found

BUILD_STAGES = {"reading": "reading files", "embedding": "embedding chunks"}


def show_answer(events: Iterable[Found | str | Answer], out: Console, err: Console, stream: bool) -> Answer:
    """Print the answer text once, then its notice and sources; returns the Answer."""
    if stream:
        answer = _stream(events, out)
    else:
        answer = _last(events)
        out.print(answer.text, markup=False, highlight=False, soft_wrap=True)  # a script gets whole lines
    _print_after(answer, out, err)
    return answer


def _stream(events: Iterable[Found | str | Answer], out: Console) -> Answer:
    streamed = ""
    extract_shown = False
    # whole-answer redraws, not appends: only a redraw can take back text that checking removed
    with Live(Text(), console=out, auto_refresh=False, vertical_overflow="visible") as live:
        for event in events:
            if isinstance(event, Answer):
                if event.text.strip() != streamed.strip() or (extract_shown and not streamed):
                    live.update(Text(event.text), refresh=True)
                return event
            if isinstance(event, Found):
                if event.extract:
                    live.update(Text(f"摘录：{event.extract}", style="dim"), refresh=True)
                    extract_shown = True
                continue
            streamed += event
            live.update(Text(streamed), refresh=True)
    raise RuntimeError("the answer stream ended without an Answer")


def _last(events: Iterable[Found | str | Answer]) -> Answer:
    answers = [event for event in events if isinstance(event, Answer)]
    if not answers:
        raise RuntimeError("the answer stream ended without an Answer")
    return answers[-1]


def _print_after(answer: Answer, out: Console, err: Console) -> None:
    if answer.standalone_question and answer.standalone_question != answer.question:
        err.print(f"[dim](检索问题：{answer.standalone_question})[/dim]", highlight=False)
    if answer.notice:
        err.print(f"[yellow]{answer.notice}[/yellow]", highlight=False)
    if answer.refused:
        titles = list(dict.fromkeys(h.chunk.title for h in answer.hits))[:5]
        if titles:
            out.print("检索过的文章：" + "；".join(titles), markup=False, highlight=False, soft_wrap=True)
    for c in answer.citations:
        out.print(f"[{c.n}] {c.chunk.title} ({c.chunk.source})", markup=False, highlight=False, soft_wrap=True)
        out.print(f"    “{c.quote}”", markup=False, highlight=False, soft_wrap=True)


@contextmanager
def build_progress(err: Console) -> Iterator:
    """A bar per stage of an index build, fed by IndexBuilder's `on_progress(stage, done, total)`."""
    columns = (TextColumn("{task.description:<16}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err) as bars:
        tasks: dict[str, int] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bars.add_task(BUILD_STAGES.get(stage, stage), total=total)
            bars.update(tasks[stage], completed=done, total=total)

        yield update
