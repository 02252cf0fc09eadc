"""Names the passages show a question to say, where jieba sees none: a short name an article
introduces, and a product named before a kind it names several of. Fictional articles only."""

from __future__ import annotations

from rag.evidence import Evidence
from rag.figure_sources import figure_sources
from rag.grounding import ground
from rag.passage_names import introduced_after, introduced_names, named_kinds
from rag.prepare import Prepared, asked_of
from tests.fakes import passages

# the sentence before the asked fund's introduction is another fund's
FUNDS = ("为此，北岛资本被协会公开谴责，并暂停受理私募基金产品备案六个月。\n\n"
         "今年5月，南港长风投资管理有限公司（简称“南港长风”）被协会警告。2019年6月，南港长风任执行事务合伙人。")
MODELS = ("据介绍，天穹大模型训练效率提升40%，推理性能提升20倍。"
          "此外，星河科技的云雀大模型则聚焦于多模态，训练稳定性提升15%。")


def _prepared(question: str, *texts: str) -> Prepared:
    shown = passages(*texts)
    evidence = Evidence(True, 1.0, 0.9, "the passages cover the question")
    return Prepared(question, question, [], [p.hit for p in shown], shown, evidence, {}, asked_of(question, shown))


def test_a_short_name_the_article_introduces_is_a_name_the_question_says() -> None:
    assert introduced_names("南港长风被协会处分后暂停备案多久？", [FUNDS]) == {"南港长风"}
    assert introduced_names("北岛资本被暂停备案多久？", [FUNDS]) == frozenset()


def test_a_sentence_before_the_asked_name_is_introduced_is_about_something_else() -> None:
    before = "为此，北岛资本被协会公开谴责，并暂停受理私募基金产品备案六个月。"
    assert introduced_after(frozenset({"南港长风"}), before, FUNDS) == "南港长风"
    after = "2019年6月，南港长风任执行事务合伙人。"
    assert introduced_after(frozenset({"南港长风"}), after, FUNDS) == ""
    # named in a passage that does not introduce it, the name may have come earlier in the article
    later = "为此，北岛资本被协会公开谴责。南港长风也被警告。"
    assert introduced_after(frozenset({"南港长风"}), "为此，北岛资本被协会公开谴责。", later) == ""


def test_a_figure_from_before_the_asked_fund_is_introduced_is_a_near_miss() -> None:
    asked = _prepared("南港长风被协会处分那次，暂停受理它的产品备案多长时间？", FUNDS)
    grounded = ground("南港长风被协会处分时，暂停受理它的产品备案六个月[1]。", asked)
    assert grounded.missing == "资料中没有关于南港长风的这一数字；资料给出的是其他对象的"
    assert "北岛资本" in grounded.text


def test_a_month_of_a_date_is_no_source_of_a_duration() -> None:
    """"六个月" is not stated by "2019年6月": only the sentence stating six months is its source."""
    assert [s.strip() for s in figure_sources(FUNDS, "6", "暂停备案六个月")] == [
        "为此，北岛资本被协会公开谴责，并暂停受理私募基金产品备案六个月。"]


def test_a_word_jieba_barely_knows_before_a_kind_the_passages_name_several_of_is_a_product() -> None:
    assert named_kinds("星河科技云雀大模型的推理性能提升了多少倍？", [MODELS]) == {("云雀", "大模型")}
    # one model named: no sibling to mistake it for; a common noun before the kind names none
    assert named_kinds("云雀大模型的推理性能提升了多少倍？", ["云雀大模型推理性能提升20倍。"]) == frozenset()
    assert named_kinds("基金产品备案要多久？", ["基金产品备案和私募产品备案都要五天。"]) == frozenset()


def test_a_figure_of_the_asked_products_sibling_is_a_near_miss() -> None:
    asked = _prepared("星河科技云雀大模型的推理性能提升了多少倍？", MODELS)
    grounded = ground("云雀大模型的推理性能提升了20倍[1]。", asked)
    assert grounded.missing == "资料中没有关于云雀大模型的这一数字；资料给出的是天穹大模型的"
    right = _prepared("天穹大模型的推理性能提升了多少倍？", MODELS)
    assert ground("天穹大模型的推理性能提升了20倍[1]。", right).missing == ""
