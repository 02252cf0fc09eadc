"""Lists read on past their passage. Asked for an article's points, retrieval finds where a list
starts, rarely its tail: the tail repeats none of the question's words ("四是专门的信息系统…").
So the model is shown the one or two chunks that carry on the best-ranked list of the asked
article (`read_on`), and the list is read to its end across the article's chunks, item by item
(`article_lists`), for the answer to be completed from (rag.points).

Usage:
    passages = read_on(passages, retriever.next_chunk)
    lists = article_lists(passages, retriever.next_chunk)   # [[(chunk, "坚持企业主体"), …], …], best-ranked first
"""

from __future__ import annotations

from collections.abc import Callable

from index.records import Chunk, Hit
from rag.points import article_of, item_head, list_family, runs_on
from rag.records import Passage

MAX_READ_ON = 2  # chunks shown after a passage: its list's next items, not the whole article
MAX_ITEMS = 10  # 一是 … 十是
MAX_GAP = 2  # chunks read past an item without finding the next: the list has ended
MAX_WALK = 15  # chunks read to follow one list


def read_on(passages: list[Passage], next_chunk: Callable[[Chunk], Chunk | None]) -> list[Passage]:
    """`passages` with, after the best-ranked one of the first passage's article whose list runs
    on, the chunks that carry that list on; renumbered [1]..[n]. Other lists are not read on:
    they answer another question, and lengthen the prompt."""
    if not passages:
        return passages
    asked = article_of(passages[0].chunk)
    shown = {p.chunk.id for p in passages}
    for i, passage in enumerate(passages):
        tail = _list_tail(passage.chunk, next_chunk, shown) if article_of(passage.chunk) == asked else []
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
        if after is None or after.id in shown or article_of(after) != article_of(chunk):
            break
        new_text = text_after(chunk, after)
        if not runs_on(text, new_text):
            break
        tail.append(after)
        chunk, text = after, text + new_text
    return tail


def text_after(chunk: Chunk, after: Chunk) -> str:
    """What `after`, the next chunk of an article, adds to `chunk`: neighbours share a sentence."""
    return after.text[max(chunk.end - after.start, 0):]


def article_lists(passages: list[Passage], next_chunk: Callable[[Chunk], Chunk | None]) -> list[list[tuple[Chunk, str]]]:
    """Each list a passage of the asked article starts, best-ranked first, read to its end across
    the article's chunks: each item's first clause with the chunk it is in. An article's points
    often run a chunk or more each ("一是坚持企业主体…" … "六是重视场景驱动…"), further than the model
    can be shown; the answer is completed from these (rag.points). An article may set two lists
    alike side by side ("“六专”管理机制" and "“六保”服务体系", 一是…六是 each), and which one the answer
    gives, only its words tell. [] when no passage of that article starts a list."""
    if not passages:
        return []
    asked = article_of(passages[0].chunk)
    lists: list[list[tuple[Chunk, str]]] = []
    for passage in passages:
        found = _items_from(passage.chunk, next_chunk) if article_of(passage.chunk) == asked else []
        if len(found) >= 2 and found[0] not in (other[0] for other in lists):
            lists.append(found)
    return lists


def _items_from(chunk: Chunk, next_chunk: Callable[[Chunk], Chunk | None]) -> list[tuple[Chunk, str]]:
    """The items of the list `chunk` starts, followed into the next chunks while the next item
    comes within MAX_GAP of them."""
    family = list_family(chunk.text)
    if family is None:
        return []
    found: list[tuple[Chunk, str]] = []
    text = "\n" + chunk.text  # what is left to read of `chunk`
    gap = read = 0
    while len(found) < MAX_ITEMS:
        item = item_head(text, family, len(found) + 1)
        if item is not None:
            end, head = item
            found.append((chunk, head))
            text, gap = text[end:], 0
            continue
        after = next_chunk(chunk) if gap < MAX_GAP and read < MAX_WALK else None
        if after is None or article_of(after) != article_of(chunk):
            break
        text = text_after(chunk, after)
        chunk, gap, read = after, gap + 1, read + 1
    return found
