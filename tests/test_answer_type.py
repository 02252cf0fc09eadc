"""A question asking "when" puts a passage holding a date first (no model needed)."""

from __future__ import annotations

from types import SimpleNamespace

from index.records import Chunk, Hit
from rag.prepare import prepare
from rag.questions import WINDOW, date_pattern, prefer_answer_type
from rag.settings import Settings

COMMENTARY = "以Sora为代表的文生视频技术的发展，将有力助推网文IP的视频化。"
OPINION = "业内人士认为，Sora这样的AI大模型有助于降低影视内容的制作成本。"
DATED = "2月16日，OpenAI发布文生视频大模型Sora，可生成长达60秒的视频。"
YEARLY = "上海自贸试验区于2013年9月挂牌成立。"


def hits(*texts: str) -> list[Hit]:
    out = []
    for rank, text in enumerate(texts, start=1):
        chunk = Chunk(id=f"c{rank}", source=f"{rank}.txt", title="Sora", text=text, start=0, end=len(text))
        out.append(Hit(chunk=chunk, score=1.0 / rank, retriever="hybrid", rank=rank))
    return out


def test_the_kind_of_date_asked_for():
    assert date_pattern("Sora是哪天发布的？").search(DATED)
    assert not date_pattern("Sora是哪天发布的？").search(YEARLY)  # a year does not say which day
    assert date_pattern("上海自贸区是哪年设立的？").search(YEARLY)
    assert date_pattern("ChatGPT的发布时间").search(YEARLY)
    assert date_pattern("北京冬奥会开幕日期是什么时候").search(DATED)
    for not_a_date in ("套利空间大概有多少？", "审批用了多长时间？", "淘特为什么回归淘宝？",
                       "说往后要多花时间找早期项目的，是哪家机构的谁？", "说要花时间陪企业成长的是谁？"):
        assert date_pattern(not_a_date) is None


def test_the_best_dated_hit_moves_to_the_front_and_ranks_follow():
    moved = prefer_answer_type("OpenAI的Sora是哪天发布的？", hits(COMMENTARY, OPINION, DATED))
    assert [h.chunk.text for h in moved] == [DATED, COMMENTARY, OPINION]
    assert [h.rank for h in moved] == [1, 2, 3]


def test_order_stands_when_the_top_hit_is_dated_too_far_or_no_date_is_asked():
    dated_first = hits(DATED, COMMENTARY)
    assert prefer_answer_type("Sora是哪天发布的？", dated_first) == dated_first
    far = hits(*[COMMENTARY] * WINDOW, DATED)
    assert prefer_answer_type("Sora是哪天发布的？", far) == far
    plain = hits(COMMENTARY, DATED)
    assert prefer_answer_type("Sora对网文有什么影响？", plain) == plain
    assert prefer_answer_type("Sora是哪天发布的？", []) == []


def test_preparing_shows_the_dated_passage_first():
    retriever = SimpleNamespace(search=lambda q: hits(COMMENTARY, OPINION, DATED), next_chunk=lambda chunk: None)
    prepared = prepare("OpenAI的Sora是哪天发布的？", [], Settings(), retriever)
    assert prepared.passages[0].chunk.text == DATED
