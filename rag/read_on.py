"""Lists read on past their passage: asked for an article's points, the model is shown the chunk
that follows a passage whose enumeration (一是…二是…, （一）（二）…) runs past its end, so that the
answer can name every item, not the first three of six. Retrieval rarely finds the list's tail
on its own: it repeats none of the question's words ("四是专门的信息系统…").

Usage:
    passages = read_on(passages, retriever.next_chunk)
"""

from __future__ import annotations

from collections.abc import Callable

from index.records import Chunk, Hit
from rag.points import runs_on
from rag.records import Passage

MAX_READ_ON = 2  # chunks added after a passage: a list of ten items spans three at most


def read_on(passages: list[Passage], next_chunk: Callable[[Chunk], Chunk | None]) -> list[Passage]:
    """`passages` with, after the best-ranked one of the first passage's article whose list runs
    on, the chunks that carry that list on; renumbered [1]..[n]. Other lists are not read on:
    they answer another question, and lengthen the prompt."""
    if not passages:
        return passages
    asked = _article(passages[0].chunk)
    shown = {p.chunk.id for p in passages}
    for i, passage in enumerate(passages):
        tail = _list_tail(passage.chunk, next_chunk, shown) if _article(passage.chunk) == asked else []
        if tail:
            read = [Hit(chunk=c, score=0.0, retriever="read-on") for c in tail]
            hits = [p.hit for p in passages[: i + 1]] + read + [p.hit for p in passages[i + 1 :]]
            return [Passage(n=n, hit=hit) for n, hit in enumerate(hits, start=1)]
    return passages


def _list_tail(chunk: Chunk, next_chunk: Callable[[Chunk], Chunk | None], shown: set[str]) -> list[Chunk]:
    """The chunks after `chunk`, none shown yet, that its list runs on into (at most MAX_READ_ON)."""
    tail: list[Chunk] = []
    text = chunk.text  # the list as read so far
    while len(tail) < MAX_READ_ON:
        after = next_chunk(chunk)
        if after is None or after.id in shown or _article(after) != _article(chunk):
            break
        new_text = after.text[max(chunk.end - after.start, 0):]  # neighbours share a sentence
        if not runs_on(text, new_text):
            break
        tail.append(after)
        chunk, text = after, text + new_text
    return tail


def _article(chunk: Chunk) -> tuple[str, str]:
    return chunk.source, chunk.title
