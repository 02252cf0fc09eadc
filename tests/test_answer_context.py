"""The sentence answering a figure question shown past the context budget, on short fictional
passages (never the demo corpus's)."""

from __future__ import annotations

from index.records import Chunk, Hit
from rag.answer_context import with_answering_sentence
from rag.constraints import constraints_of
from rag.context import select_passages

TITLE = "北岛自贸区金融创新案例评述"
OVERVIEW = ("北岛自贸区自设立以来，在跨境金融、贸易便利化等方面先行先试，形成了一批可复制可推广的经验。"
            "本文梳理的北岛自贸区 8 个金融创新案例，均已向全省复制推广。") * 2
HISTORY = "北岛自贸区的金融开放起步较早，银行、证券、保险机构集聚，服务实体经济的能力持续增强。" * 3
ANSWER = ("截至2025年底，北岛省复制推广了五批共96项自贸区改革试点经验，其中金融创新经验共计12项。"
          "省商务厅公布了四批共60个自贸区最佳实践案例，其中金融创新案例9个，占比为15%。")
QUESTION = "省商务厅公布的自贸区最佳实践案例里，金融创新类的有几个？占多大比例？"


def hit(rank: int, text: str) -> Hit:
    chunk = Chunk(id=f"c{rank}", source="digest.txt", title=TITLE, text=text, start=rank * 1000, end=rank * 1000 + len(text))
    return Hit(chunk=chunk, score=1.0 / rank, retriever="hybrid", rank=rank)


def shown(hits: list[Hit], question: str) -> list[str]:
    """The passages' chunk ids, the budget fitting the first two hits."""
    passages = select_passages(hits, budget_chars=sum(len(h.chunk.text) for h in hits[:2]) + 5)
    return [p.chunk.id for p in with_answering_sentence(passages, hits, question, constraints_of(question))]


def test_the_chunk_whose_sentence_answers_is_shown_past_the_budget() -> None:
    hits = [hit(1, OVERVIEW), hit(2, HISTORY), hit(3, ANSWER)]
    assert shown(hits, QUESTION) == ["c1", "c2", "c3"]
    passages = select_passages(hits, budget_chars=10)
    assert [p.n for p in with_answering_sentence(passages, hits, QUESTION, constraints_of(QUESTION))] == [1, 2]


def test_nothing_is_added_when_a_shown_sentence_answers_as_well_or_nothing_answers() -> None:
    assert shown([hit(1, ANSWER), hit(2, HISTORY), hit(3, OVERVIEW)], QUESTION) == ["c1", "c2"]
    assert shown([hit(1, OVERVIEW), hit(2, HISTORY), hit(3, ANSWER)], "省商务厅最佳实践案例是怎么评选的？") == ["c1", "c2"]
    # another year's sentence does not answer: the question's constraints hold it
    assert shown([hit(1, OVERVIEW), hit(2, HISTORY), hit(3, ANSWER)],
                 "2023年省商务厅公布的自贸区最佳实践案例里，金融创新类的有几个？") == ["c1", "c2"]
