"""A table's rows run on over several chunks, each under the table's header. Asked about rows by
name ("2020年创业板指和深证成指哪个涨得多", "辽宁和黑龙江…哪个多"), retrieval ranks the table's chunks
nearly alike, and the context budget may keep the chunks holding other rows while the one holding
the asked row waits beyond it: the model then reads a neighbouring row's figure as the answer.

So a retrieved chunk of a shown article that holds a table row the question names, and that no
shown passage holds, is shown too, after the others and past the budget (at most MAX_ADDED). The
shown passages need not hold the table: asked "福建自贸试验区发布了多少个金融创新案例", the article's
prose about all zones may fill the budget while 福建's row waits a rank below.

Usage:
    passages = with_asked_rows(passages, hits, question)
"""

from __future__ import annotations

from index.records import Hit
from index.text import compact
from rag.records import Passage
from rag.table_cells import named_row_labels

MAX_ADDED = 2


def with_asked_rows(passages: list[Passage], hits: list[Hit], question: str) -> list[Passage]:
    """`passages`, and after them the retrieved chunks holding table rows the question names that
    no passage shows (see module)."""
    asked = compact(question)
    articles = {(p.chunk.source, p.chunk.title) for p in passages}
    shown = {p.chunk.id for p in passages}
    named = set().union(*(named_row_labels(p.chunk.text, asked) for p in passages))
    added: list[Hit] = []
    for hit in hits:
        if len(added) >= MAX_ADDED:
            break
        chunk = hit.chunk
        if chunk.id in shown or (chunk.source, chunk.title) not in articles:
            continue
        rows = named_row_labels(chunk.text, asked) - named
        if rows:
            added.append(hit)
            named |= rows
    return passages + [Passage(n=len(passages) + i, hit=hit) for i, hit in enumerate(added, start=1)]
