"""Quotations read on to their speaker. Chinese news gives a quotation first and its speaker after
it ("“……加强对上市公司监管。”南开大学金融发展研究院院长田利辉对记者解读道"), and a chunk may end
inside the quotation: retrieval finds the quotation's words, and the chunk naming who said them
ranks far below. Asked who said something, the model then names whoever the passage does name.

So, asked who, a shown passage that ends inside a quotation is followed by the next chunk of its
article, the one that closes the quotation and names the speaker. At most one chunk is added.

Usage:
    passages = with_quotes_closed(passages, retriever.next_chunk, question)
"""

from __future__ import annotations

from collections.abc import Callable

from index.records import Chunk, Hit
from rag.asked_kind import asks_who
from rag.points import article_of
from rag.read_on import text_after
from rag.records import Passage

_OPEN, _CLOSE = "“", "”"


def with_quotes_closed(passages: list[Passage], next_chunk: Callable[[Chunk], Chunk | None],
                       question: str) -> list[Passage]:
    """`passages`, and after the first one ending inside a quotation, the chunk that carries it on,
    when `question` asks who (see module); renumbered [1]..[n]."""
    if not asks_who(question):
        return passages
    shown = {p.chunk.id for p in passages}
    for i, passage in enumerate(passages):
        if not ends_inside_quotation(passage.chunk.text):
            continue
        after = next_chunk(passage.chunk)
        if after is None or after.id in shown or article_of(after) != article_of(passage.chunk):
            continue
        if _CLOSE not in text_after(passage.chunk, after):
            continue
        hits = [p.hit for p in passages[: i + 1]] + [Hit(chunk=after, score=0.0, retriever="read-on")]
        hits += [p.hit for p in passages[i + 1 :]]
        return [Passage(n=n, hit=hit) for n, hit in enumerate(hits, start=1)]
    return passages


def ends_inside_quotation(text: str) -> bool:
    """Whether `text` opens a quotation it does not close."""
    return text.rfind(_OPEN) > text.rfind(_CLOSE)
