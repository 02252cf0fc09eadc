"""Figures the model invents are caught against the passages it was given."""

from __future__ import annotations

from index.records import Chunk, Hit
from rag.grounding import drop_repeats, drop_unsupported
from rag.records import Passage

SALES = "2023年，瑞幸在中国市场的总销售额为248.6亿元，约合34.5亿美元；全年净新开门店8034家。"


def passages(*texts: str) -> list[Passage]:
    out = []
    for n, text in enumerate(texts, 1):
        chunk = Chunk(id=f"c{n}", source=f"{n}.txt", title="咖啡赛道", text=text, start=0, end=len(text))
        out.append(Passage(n=n, hit=Hit(chunk=chunk, score=1.0, retriever="hybrid", rank=n)))
    return out


def test_a_figure_no_passage_holds_drops_its_sentence():
    kept, dropped = drop_unsupported("瑞幸2023年销售额248.6亿元[1]。净利润为24.86亿元[1]。", passages(SALES), "瑞幸业绩如何？")
    assert kept == "瑞幸2023年销售额248.6亿元[1]。"
    assert dropped == ["净利润为24.86亿元[1]。"]


def test_only_the_invented_clause_goes_when_the_subject_stands_before_it():
    models = "创新奇智发布的工业大模型拥有150亿以上参数。阿里夸克大模型为千亿参数级。"
    answer = "创新奇智的工业大模型拥有150亿以上参数，阿里夸克大模型参数为100亿[1]。另有说明。"
    kept, dropped = drop_unsupported(answer, passages(models), "两个大模型参数规模各多大？")
    assert kept == "创新奇智的工业大模型拥有150亿以上参数[1]。另有说明。"
    assert dropped == ["阿里夸克大模型参数为100亿"]
    # the subject's own clause invented: the rest of the sentence means nothing without it
    kept, dropped = drop_unsupported("夸克大模型参数为100亿，创新奇智为150亿以上[1]。", passages(models), "参数多大？")
    assert kept == "" and dropped == ["夸克大模型参数为100亿，创新奇智为150亿以上[1]。"]


def test_nothing_left_when_every_figure_is_invented():
    kept, dropped = drop_unsupported("瑞幸咖啡2023年的净利润为24.86亿元。", passages(SALES), "瑞幸咖啡2023年的净利润是多少？")
    assert kept == "" and len(dropped) == 1


def test_rounding_years_list_numbers_and_the_questions_own_numbers_pass():
    text = "1. 2023年销售额约249亿元[1]。\n2. 新开门店超8000家[1]。\n3. 目标为2025年开到9000家。"
    kept, dropped = drop_unsupported(text, passages(SALES), "瑞幸计划到2025年开到9000家门店吗？")
    assert kept == text.strip() and dropped == []


def test_sentences_without_figures_are_not_judged_here():
    kept, dropped = drop_unsupported("瑞幸已成为中国最大的咖啡连锁品牌。", passages(SALES), "瑞幸规模如何？")
    assert kept and not dropped


def test_a_figure_the_article_spells_in_chinese_is_held():
    hbm = "目前HBM的均价是普通DRAM的五倍左右。"
    kept, dropped = drop_unsupported("HBM均价约为普通DRAM的5倍[1]。", passages(hbm), "HBM均价是DRAM的几倍？")
    assert kept and not dropped


def test_more_precision_than_the_article_is_not_rounding():
    profit = "星河电池2023年净利润7亿元。"
    assert drop_unsupported("净利润为7.1亿元[1]。", passages(profit), "净利润多少？")[0] == ""
    assert drop_unsupported("净利润约7亿元[1]。", passages("净利润7.1亿元。"), "净利润多少？")[0]


def test_a_sentence_the_model_already_wrote_is_dropped():
    looped = "淘特回归淘宝是为了C2M战略[1]。淘特曾对标拼多多[1]。淘特回归淘宝是为了C2M战略[2]。"
    assert drop_repeats(looped) == "淘特回归淘宝是为了C2M战略[1]。淘特曾对标拼多多[1]。"
    assert drop_repeats("1. 加大信贷支持。\n2. 扩大债券融资。") == "1. 加大信贷支持。\n2. 扩大债券融资。"


def test_a_person_no_passage_names_drops_its_sentence():
    committee = "委员会设主任委员1人，副主任委员若干，委员任期不超过5年。"
    kept, dropped = drop_unsupported("主任委员是王小虎[1]。", passages(committee), "主任委员是谁？")
    assert kept == "" and dropped == ["主任委员是王小虎[1]。"]
    named = "委员会主任委员由张明担任。"
    assert drop_unsupported("主任委员是张明[1]。", passages(named), "主任委员是谁？")[0]
