"""The model's text held against the passages it was given: invented figures, repeats, refusals,
and the rules in their order."""

from __future__ import annotations

from index.records import Chunk, Hit
from rag.evidence import Evidence
from rag.binding import stated_figures
from rag.grounding import (
    EXTRACT_RULES,
    NOTICE_INVENTED,
    NOTICE_MODEL_DECLINED,
    NOTICE_PARTLY_INVENTED,
    drop_repeats,
    drop_unsupported,
    ground,
)
from rag.prepare import Prepared
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


def test_a_figure_the_size_of_a_year_is_a_figure_when_a_unit_follows():
    kept, dropped = drop_unsupported("瑞幸2023年销售额2000亿元[1]。", passages(SALES), "瑞幸2023年销售额多少？")
    assert kept == "" and dropped == ["瑞幸2023年销售额2000亿元[1]。"]  # 2023年 dates it; 2000亿元 is invented
    held = "2023年，星河集团签约金额2000多亿元，新增客户1900余家。"
    kept, _ = drop_unsupported("星河集团签约2000多亿元，新增客户1900余家[1]。", passages(held), "星河集团签约多少？")
    assert kept == "星河集团签约2000多亿元，新增客户1900余家[1]。"


def test_a_month_or_a_day_holds_no_amount():
    """"相比 10 月份翻了一倍" holds a month 10, not 10倍: the amount is invented; the month itself is held."""
    platform = "星河云接入平台已服务超过 300 个产品，数量相比 10 月份翻了一倍，并于11月5日上线新版本。"
    kept, dropped = drop_unsupported("星河云接入平台，把上线周期缩短了10倍[1]。", passages(platform), "上线周期缩短了多少？")
    assert kept == "星河云接入平台[1]。" and dropped == ["把上线周期缩短了10倍"]
    kept, dropped = drop_unsupported("数量相比10月份翻了一倍，新版本11月5日上线[1]。", passages(platform), "接入了多少产品？")
    assert dropped == []


def test_a_percentage_holds_no_amount_and_a_stock_code_is_no_figure():
    """"同比下降1.09%" holds no "亏损1.1亿元"; the percentage itself, and an amount written so, are held."""
    coal = "2023年长协价格为713.83元/吨，同比下降1.09%。其中，南港煤业(600123.SH)出现上市后首次亏损，亏损额为2.5亿元。"
    kept, dropped = drop_unsupported("南港煤业出现首次亏损，亏损金额为1.1亿元[1]。", passages(coal), "南港煤业亏了多少钱？")
    assert kept == "南港煤业出现首次亏损[1]。" and dropped == ["亏损金额为1.1亿元"]
    kept, dropped = drop_unsupported("长协价格同比下降1.1%，南港煤业亏损2.5亿元[1]。", passages(coal), "南港煤业亏了多少钱？")
    assert dropped == []
    assert stated_figures("南港煤业(600123.SH)出现上市后首次亏损") == []


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


def test_a_place_or_organisation_no_passage_names_drops_its_sentence():
    fighter = "星河-7战斗机由北岛与南港两国联合研发，首架原型机于2025年下线。"
    kept, dropped = drop_unsupported("星河-7战斗机的研发国家是北岛和印度[1]。", passages(fighter), "星河-7战斗机研发国家")
    assert kept == "" and dropped
    held, dropped = drop_unsupported("星河-7战斗机由北岛与南港联合研发[1]。", passages(fighter), "星河-7战斗机研发国家")
    assert held == "星河-7战斗机由北岛与南港联合研发[1]。" and dropped == []


def test_a_day_no_passage_names_drops_its_sentence():
    opening = "第五届星河博览会将于5月20日上午9时在北岛国际会展中心开幕。"
    kept, dropped = drop_unsupported("星河博览会于2025年9月14日开幕[1]。", passages(opening), "星河博览会什么时候开幕？")
    assert kept == "" and dropped
    held, _ = drop_unsupported("星河博览会于05月20号开幕[1]。", passages(opening), "星河博览会什么时候开幕？")
    assert held == "星河博览会于05月20号开幕[1]。"


# --- ground(): the rules in their order ------------------------------------------------------------


def prepared(question: str, *texts: str) -> Prepared:
    shown = passages(*texts)
    evidence = Evidence(True, 1.0, 0.9, "the passages cover the question")
    return Prepared(question, question, [], [p.hit for p in shown], shown, evidence, {})


def test_grounding_drops_repeats_and_inventions_then_checks_the_citations():
    grounded = ground("瑞幸2023年销售额248.6亿元[2]。瑞幸2023年销售额248.6亿元[2]。净利润为24.86亿元[1]。",
                      prepared("瑞幸业绩如何？", SALES))
    assert grounded.text == "瑞幸2023年销售额248.6亿元[1]。"  # [2] pointed at nothing: moved to the passage
    assert [c.chunk.text for c in grounded.citations] == [SALES]
    assert not grounded.refused and grounded.notice == NOTICE_PARTLY_INVENTED


def test_a_rule_that_refuses_stops_the_rules_after_it():
    declined = ground("资料中没有找到相关信息。", prepared("瑞幸的研发投入是多少？", SALES))
    assert declined.refused and declined.notice == NOTICE_MODEL_DECLINED and declined.citations == []
    invented = ground("瑞幸咖啡2023年的净利润为24.86亿元[1]。", prepared("瑞幸咖啡2023年的净利润是多少？", SALES))
    assert invented.refused and invented.notice == NOTICE_INVENTED and invented.text == ""


def test_an_extracted_answer_only_has_its_citations_checked():
    quoted = "公司未披露2023年的净利润。"  # a passage's own sentence that reads like a model declining
    grounded = ground(quoted + "[1]", prepared("瑞幸的利润呢？", quoted), EXTRACT_RULES)
    assert not grounded.refused and grounded.text == "公司未披露2023年的净利润[1]。"
    assert ground(quoted + "[1]", prepared("瑞幸的利润呢？", quoted)).refused
