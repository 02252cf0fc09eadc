"""A table's asked row shown past the context budget, on a short fictional table split over chunks
(never the demo corpus's)."""

from __future__ import annotations

from index.records import Chunk, Hit
from rag.context import select_passages
from rag.table_context import with_asked_rows

HEADER = "年份\t北岛指数\t南港指数"
TITLE = "北岛十年指数涨跌幅"
PROSE = "北岛交易所回顾了十年来的市场表现，认为制度建设是稳定预期的关键。" * 4
PROSE_ON = "南港投资者更看重分红回报，机构持股比例逐年上升，长期资金入市步伐加快。" * 4
TOP = f"{HEADER}\n\n2025年\t-3.7\t-11.38\n\n2024年\t-15.13\t-21.63"
OLD = f"{HEADER}\n\n2019年\t22.3\t35.9\n\n2018年\t-24.59\t-33.25"
MIDDLE = f"{HEADER}\n\n2021年\t4.8\t-5.2\n\n2020年\t13.87\t38.73"


def hit(rank: int, text: str, title: str = TITLE, source: str = "digest.txt") -> Hit:
    chunk = Chunk(id=f"c{rank}", source=source, title=title, text=text, start=rank * 1000, end=rank * 1000 + len(text))
    return Hit(chunk=chunk, score=1.0 / rank, retriever="hybrid", rank=rank)


def shown(hits: list[Hit], question: str) -> list[str]:
    """The passages' chunk ids, the budget fitting the first two hits."""
    passages = select_passages(hits, budget_chars=sum(len(h.chunk.text) for h in hits[:2]) + 5)
    return [p.chunk.id for p in with_asked_rows(passages, hits, question)]


def test_the_chunk_holding_the_asked_row_is_shown_past_the_budget() -> None:
    hits = [hit(1, PROSE + "\n\n" + TOP), hit(2, OLD), hit(3, MIDDLE), hit(4, PROSE)]
    assert shown(hits, "2020年北岛指数和南港指数哪个涨得多？") == ["c1", "c2", "c3"]
    passages = with_asked_rows(select_passages(hits, budget_chars=10), hits, "2020年北岛指数涨了多少？")
    assert [p.n for p in passages] == [1, 2]  # numbered on after the others


def test_the_asked_row_is_added_once_and_only_when_named() -> None:
    hits = [hit(1, TOP), hit(2, OLD), hit(3, MIDDLE)]
    assert shown(hits, "2025年北岛指数涨了多少？") == ["c1", "c2"]  # shown already
    assert shown(hits, "北岛指数十年里哪年涨得最多？") == ["c1", "c2"]  # no row named
    # the shown passages may be the article's prose: its table's asked row is shown after them
    assert shown([hit(1, PROSE), hit(2, PROSE_ON), hit(3, MIDDLE)], "2020年北岛指数涨了多少？") == ["c1", "c2", "c3"]


def test_only_the_shown_tables_article_is_read_on_and_each_row_once() -> None:
    other = hit(3, MIDDLE, title="南港年报")
    assert shown([hit(1, TOP), hit(2, OLD), other], "2020年北岛指数涨了多少？") == ["c1", "c2"]
    twice = [hit(1, TOP), hit(2, OLD), hit(3, MIDDLE), hit(4, MIDDLE + "\n\n2022年\t1.1\t2.2")]
    assert shown(twice, "2020年和2022年北岛指数各涨了多少？") == ["c1", "c2", "c3", "c4"]
    assert shown(twice, "2020年和2021年北岛指数各涨了多少？") == ["c1", "c2", "c3"]


class Searcher:
    def __init__(self, hits: list[Hit]):
        self.hits = hits

    def search(self, query: str) -> list[Hit]:
        return self.hits

    def next_chunk(self, chunk: Chunk) -> Chunk | None:
        return None


def test_the_model_is_shown_the_asked_row() -> None:
    from rag.prepare import prepare
    from rag.settings import Settings

    hits = [hit(1, PROSE + "\n\n" + TOP), hit(2, OLD), hit(3, MIDDLE)]
    settings = Settings(context_chars=len(PROSE) + len(TOP) + len(OLD) + 10)
    prepared = prepare("2020年北岛指数涨了多少？", None, settings, Searcher(hits))
    assert [p.chunk.id for p in prepared.passages] == ["c1", "c2", "c3"]
