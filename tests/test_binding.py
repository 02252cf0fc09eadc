"""Class 2 of #22: a figure bound, in its cited sentence, to another subject or metric than the
asked one, on short fictional passages (never the demo corpus's questions)."""

from __future__ import annotations

from rag.binding import bound_elsewhere, figure_scopes, stated_figures
from rag.constraints import question_constraints
from rag.grounding import ground
from rag.answer_edits import NOTICE_REBOUND
from tests.test_near_miss import prepared

INDICES = ("9月份，青川省工业景气指数为49.2%，比上月下降0.3个百分点；服务业景气指数为52.6%；"
           "综合景气产出指数为50.8%，比上月上升0.1个百分点。")
SHARES = "在北岛的储能市场，星海科技份额为31%，蓝湾电子为18%，其余厂商合计51%。"
RESULTS = "2025年，星河电池营收52亿元，净利润3亿元。"


def test_a_figure_of_the_neighbouring_index_is_replaced_by_the_asked_ones_clause() -> None:
    grounded = ground("9月份青川省工业景气指数为50.8%[1]。", prepared("9月份青川省工业景气指数是多少？", INDICES))
    assert grounded.text.startswith("资料中与问题对应的是：9月份，青川省工业景气指数为49.2%[1]。")
    assert "综合景气产出指数为50.8%" in grounded.text and grounded.notice == NOTICE_REBOUND
    assert grounded.missing == "" and not grounded.refused  # the asked figure is given: not declining
    assert [c.n for c in grounded.citations] == [1] and grounded.citations[0].quote in INDICES


def test_a_market_share_taken_from_the_neighbouring_company_is_caught() -> None:
    grounded = ground("星海科技在北岛储能市场的份额为18%[1]。", prepared("星海科技在北岛储能市场的份额是多少？", SHARES))
    assert "星海科技份额为31%" in grounded.text and grounded.notice == NOTICE_REBOUND


def test_figures_bound_to_the_asked_subject_are_left_alone() -> None:
    right = ground("9月份青川省工业景气指数为49.2%[1]。", prepared("9月份青川省工业景气指数是多少？", INDICES))
    assert right.text == "9月份青川省工业景气指数为49.2%[1]。" and right.notice == ""
    # the subject named once heads the sentence; the 净利润's own clause names the asked metric
    profit = ground("星河电池2025年净利润为3亿元[1]。", prepared("星河电池2025年净利润是多少？", RESULTS))
    assert profit.text == "星河电池2025年净利润为3亿元[1]。"


def test_a_clause_going_on_about_the_same_subject_binds_the_change_asked_for() -> None:
    """"比上月下降0.3个百分点" goes on about the 工业景气指数: asked for the change, 0.3 stands
    and the level 49.2 is bound to the level, not the change."""
    asked = question_constraints("9月份工业景气指数比上月下降了多少？")
    assert bound_elsewhere(asked, INDICES, "0.3") is None
    level = bound_elsewhere(asked, INDICES, "49.2")
    assert level is not None and level.given.endswith("比上月下降0.3个百分点")


def test_a_subject_carried_by_a_clause_opening_with_its_verb_is_not_another_subject() -> None:
    asked = question_constraints("2024年南港区数字经济增加值是多少？")
    sentence = "近年来，南港区数字经济增加值由2020年的410.5亿元，增长到2024年的702.3亿元，年均增速14.4%。"
    assert bound_elsewhere(asked, sentence, "702.3") is None


def test_a_date_carries_the_subject_on_and_is_not_a_figure() -> None:
    scopes = figure_scopes("9月份，工业景气指数为49.2%，服务业为52.6%。")
    assert [(f, s) for f, s, _ in scopes] == [("49.2", "9月份，工业景气指数为49.2%，"), ("52.6", "服务业为52.6%。")]


def test_a_ratio_or_a_time_is_one_clause_not_three() -> None:
    """"按4：3：3比例" is one ratio: split at its colons, a clause "3比例分配" read as another
    subject's figure, and the rebound answer was cut at "按4"."""
    scopes = figure_scopes("三类企业补贴按4：3：3比例分配，会议9:30开始。")
    assert {s for _, s, _ in scopes} == {"三类企业补贴按4：3：3比例分配，", "会议9:30开始。"}
    # a colon after a label still ends its clause
    assert [s for _, s, _ in figure_scopes("营收：52亿元；净利润：3亿元。")] == ["营收：52亿元；", "净利润：3亿元。"]


def test_the_sentences_topic_belongs_to_every_clause_after_it() -> None:
    """"南江大桥是沿江高速的控制性工程" heads the sentence: 全桥 and 主桥 are both its, so the
    clause naming 主桥 binds the asked length, not the one the topic happens to share a clause with."""
    bridge = "南江大桥是沿江高速控制性工程，全桥长1630米，主桥为420米钢管混凝土拱桥。"
    grounded = ground("沿江高速南江大桥主桥长1630米[1]。", prepared("沿江高速南江大桥主桥多长？", bridge))
    assert grounded.text.startswith("资料中与问题对应的是：主桥为420米钢管混凝土拱桥[1]。")
    right = ground("沿江高速南江大桥主桥长420米[1]。", prepared("沿江高速南江大桥主桥多长？", bridge))
    assert right.text == "沿江高速南江大桥主桥长420米[1]。"


def test_a_question_asking_no_figure_is_not_answered_with_the_clause_of_one() -> None:
    """Asked how a player did, the answer's score is no figure of the question's: it is not replaced
    by the clause of another score ("在2-6先丢一盘情况下"), which would read as the answer."""
    match = "林晓舟在2-6先丢一盘情况下，连续以6-4和6-4连赢两盘，从而总比分2-1逆转周以宁，首次晋级八强。"
    answer = "林晓舟以2-1逆转周以宁，首次晋级八强[1]。"
    grounded = ground(answer, prepared("林晓舟在星河公开赛的成绩", match))
    assert grounded.text == answer and grounded.notice == ""


EAST = "东湖片区聚集企业960家，其中科技型企业530家，培育高新技术企业140家。"
WEST = "西岭片区入驻创新型企业820家，高新技术企业95家，科技型中小企业210家。"


def test_a_comparisons_other_thing_stands_when_one_figure_is_rebound() -> None:
    grounded = ground("东湖片区高新技术企业有530家，西岭片区高新技术企业有95家。东湖片区比西岭片区多得多。",
                      prepared("东湖片区和西岭片区的高新技术企业各有多少家？", EAST, WEST))
    assert grounded.text.startswith("资料中与问题对应的是：培育高新技术企业140家[1]。")
    # cited to the passage that holds it; the conclusion drawn from the wrong 530 goes
    assert grounded.text.endswith("西岭片区高新技术企业有95家[2]。")
    assert [c.chunk.text for c in grounded.citations] == [EAST, WEST] and grounded.notice == NOTICE_REBOUND
    # what the corrected clause already says is not said twice
    once = ground("东湖片区高新技术企业有530家，培育高新技术企业140家。",
                  prepared("东湖片区和西岭片区的高新技术企业各有多少家？", EAST, WEST))
    assert once.text.count("140家") == 1 and len(once.citations) == 1


def test_things_listed_each_with_its_figure_are_bound_each_to_its_own() -> None:
    listed = "截至目前，南港共有国家级绿色工厂3家、省级绿色工厂6家、南港市近零碳工厂1家，成果斐然。"
    scopes = {f: scope for f, scope, _ in figure_scopes(listed)}
    assert scopes["6"] == "省级绿色工厂6家、" and scopes["1"] == "南港市近零碳工厂1家，"
    grounded = ground("南港近零碳工厂有3家[1]。", prepared("南港近零碳工厂有多少家？", listed))
    assert grounded.text.startswith("资料中与问题对应的是：南港市近零碳工厂1家[1]。")
    # things listed before one figure share it
    joint = "带动住宿、餐饮、零售消费489.6亿元。"
    assert [scope for _, scope, _ in figure_scopes(joint)] == ["带动住宿、餐饮、零售消费489.6亿元。"]


def test_a_number_before_a_latin_unit_is_a_figure_and_a_name_with_a_digit_is_none() -> None:
    assert stated_figures("南港速度可以达到2kg/h，而国外可以达到8kg/h") == ["2", "8"]
    assert stated_figures("装机10GW，储能1.5GWh") == ["10", "1.5"]
    assert stated_figures("建成5G基站，4A景区用上3D打印") == []
    # "上一轮", "下一步" say which one, no count: read as 1, a quoted view was declined as another's figure
    assert stated_figures("今年的融资估值比上一轮融资时还要低，下一步要看退出") == []
    assert stated_figures("第一轮融资1亿元，比上一年多2家") == ["1", "2"]
    assert stated_figures("是最多的国家之一，拥有一批研究机构") == []  # "one of", "a number of"
    assert stated_figures("存储总规模超过1080EB，带宽400Gbps，主频3GHz，时延8ms") == ["1080", "400", "3", "8"]
    # a figure in bytes answers "到多少了"; read as no figure, it was declined as giving none
    passage = "截至2025年6月底，南港在用数据中心机架超76万标准机架，存储总规模超过1080EB。"
    grounded = ground("存储总规模超过1080EB[1]。", prepared("截至2025年6月底南港的存储总规模到多少了？", passage))
    assert grounded.text == "存储总规模超过1080EB[1]。" and grounded.missing == ""


def test_a_figure_of_the_asked_noun_under_another_modifier_is_bound_elsewhere() -> None:
    storage = question_constraints("南港统计局那组数据里，存力总规模这几年年均涨多少？")
    assert ("存力", "总规模") in storage.modified
    sentence = "截至2025年6月底，南港市算力总规模达到19百亿亿次/秒，算力总规模近5年年均增速近30%，存力总规模超过108EB。"
    other = bound_elsewhere(storage, sentence, "30")
    assert other is not None and other.scope == "算力总规模近5年年均增速近30%" and other.given.startswith("存力总规模超过108EB")
    # the asked noun carried on by a clause naming no other modifier is the asked one's
    assert bound_elsewhere(storage, "截至2025年6月底，南港市存力总规模超过108EB，总规模近5年年均增速近30%。", "30") is None
    cars = question_constraints("今年南港新能源汽车销量增长多少？")
    assert bound_elsewhere(cars, "今年汽车销量增长10%，新能源汽车销量达到12万辆。", "10") is None  # no other modifier said
    assert bound_elsewhere(cars, "今年南港汽车销量增长10%，新能源汽车销量达到12万辆。", "10") is not None  # all the city's cars
    assert bound_elsewhere(cars, "今年南港新能源汽车销量达到12万辆，同比增长10%。", "10") is None


def test_a_level_given_where_a_change_is_asked_says_what_is_missing() -> None:
    question = "南港统计局那组数据里，存力总规模这几年年均涨多少？"
    article = "统计局数据显示，截至2025年6月底，南港市算力总规模达到19百亿亿次/秒，算力总规模近5年年均增速近30%，存力总规模超过108EB。"
    grounded = ground("存力总规模近5年年均增速近30%[1]。", prepared(question, article))
    assert grounded.missing == "资料中没有增长幅度的数字；资料给出的是总量的"
    level = question.replace("这几年年均涨多少", "有多大")  # asked its level, the clause naming it answers
    said = ground("存力总规模近5年年均增速近30%[1]。", prepared(level, article))
    assert said.text.startswith("资料中与问题对应的是：存力总规模超过108EB[1]。")
    level_given = ground("存力总规模达到19百亿亿次/秒[1]。", prepared(level, article))
    assert "“统计局数据显示，截至2025年6月底，南港市算力总规模达到19百亿亿次/秒”说的是另一项" in level_given.text  # as written


def test_the_article_yi_states_no_figure_but_a_count_does() -> None:
    assert stated_figures("北交所也是上市的一种选择") == [] and stated_figures("这是一个重要原因") == []
    assert stated_figures("十一个项目") == ["11"] and stated_figures("只有一家企业") == ["1"]


def test_a_view_saying_the_previous_round_states_no_figure_to_hold_to_the_question() -> None:
    # the passage names the firm in an earlier chunk: held to the question, a figure here would be another's
    passage = ("李明提到，二级市场低迷传导到一级市场，项目的估值也有所下降。"
               "他告诉记者，今年很多项目的融资估值跟去年差不多，有些公司的估值甚至比上一轮融资时还要低。")
    question = "星河资本李明提到，现在一级市场项目估值跟前几年比是个什么状况？他觉得这时候该不该出手？"
    answer = ("李明提到，二级市场低迷传导到一级市场，项目的估值也有所下降[1]。"
              "他告诉记者，今年很多项目的融资估值跟去年差不多，有些公司的估值甚至比上一轮融资时还要低[1]。")
    grounded = ground(answer, prepared(question, passage))
    assert grounded.missing == "" and grounded.text == answer
    # "跟前几年比", "近几个月", "这几家" point at a span or a set: no figure asked
    assert not question_constraints("项目估值跟前几年比是个什么状况？").value
    assert not question_constraints("这几家银行是怎么做的？").value
    assert question_constraints("今年新开了几家门店？").value
