"""Asked who said something, a passage ending inside the quotation is read on to the chunk naming
its speaker. Fictional articles only."""

from __future__ import annotations

from index.records import Chunk, Hit
from rag.quotes import ends_inside_quotation, with_quotes_closed
from rag.records import Passage

TEXT = ("北岛证监局就新规答记者问。\n\n“新规强化了信息披露监管，加强了中介机构监管；"
        "强化了市场监管。”南港大学金融研究院院长林晓舟对本报记者解读道。\n\n展望未来，林晓舟认为市场将更加规范。")
CUT = TEXT.index("强化了市场监管")
QUOTE = Chunk("q1", "rules.txt", "北岛证监局答记者问", TEXT[:CUT], 0, CUT)
SPEAKER = Chunk("q2", "rules.txt", "北岛证监局答记者问", TEXT[CUT:], CUT, len(TEXT))
OTHER = Chunk("o1", "other.txt", "南港新闻", "南港新闻。", 0, 5)


def _following(chunk: Chunk) -> Chunk | None:
    return SPEAKER if chunk.id == QUOTE.id else None


def _shown(*chunks: Chunk) -> list[Passage]:
    return [Passage(n, Hit(chunk=c, score=1.0, retriever="hybrid", rank=n)) for n, c in enumerate(chunks, start=1)]


def test_asked_who_a_passage_ending_inside_a_quotation_is_read_on_to_its_speaker() -> None:
    assert ends_inside_quotation(QUOTE.text) and not ends_inside_quotation(TEXT)
    passages = with_quotes_closed(_shown(QUOTE, OTHER), _following, "解读新规的是哪位专家？")
    assert [(p.n, p.chunk.id) for p in passages] == [(1, "q1"), (2, "q2"), (3, "o1")]
    assert "林晓舟" in passages[1].chunk.text and passages[1].hit.retriever == "read-on"


def test_not_asked_who_or_with_the_quotation_closed_nothing_is_added() -> None:
    assert [p.chunk.id for p in with_quotes_closed(_shown(QUOTE), _following, "新规强化了哪些监管？")] == ["q1"]
    closed = Chunk("c1", "rules.txt", "北岛证监局答记者问", TEXT, 0, len(TEXT))
    assert [p.chunk.id for p in with_quotes_closed(_shown(closed), _following, "解读新规的是谁？")] == ["c1"]
