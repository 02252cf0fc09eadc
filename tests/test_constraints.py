"""Question constraints on short fictional sentences (never the demo corpus's questions)."""

from __future__ import annotations

import pytest

from rag.binding import figure_scopes
from rag.constraints import (
    Constraints,
    Mismatch,
    constraints_of,
    describe_missing,
    find_mismatch,
    is_plan,
    numbered_sibling,
    question_constraints,
)


def test_a_years_figure_asked_implies_the_whole_year() -> None:
    asked = question_constraints("星河电池2025年的营业收入是多少？")
    assert asked.years == {"2025"} and asked.period == (1, 12) and asked.period_implied
    assert asked.unit == "money"


@pytest.mark.parametrize("source, kind, given", [
    ("2025年前三季度，星河电池实现营收52.3亿元。", "period", "前三季度"),
    ("星河电池1-10月营收61亿元。", "period", "1—10月"),
    ("2025年上半年营收30亿元。", "period", "上半年"),
    ("2024年星河电池营收48亿元。", "year", "2024年"),
    ("星河电池成立于2016年，当年营收3亿元。", "year", "2016年"),  # "于2016年" dates, it compares with nothing
    ("2025年星河电池出货量达12万台。", "unit", "数量"),
])
def test_a_near_miss_names_what_differs(source: str, kind: str, given: str) -> None:
    miss = find_mismatch(question_constraints("星河电池2025年全年营业收入是多少？"), source)
    assert miss is not None and (miss.kind, miss.given) == (kind, given)


@pytest.mark.parametrize("question, source", [
    ("星河电池2025年营业收入是多少？", "2025年，星河电池实现营业收入66.1亿元，同比增长12%。"),
    ("星河电池2025年营业收入是多少？", "公司全年营收66.1亿元，较2024年增长12%。"),  # a baseline year does not date it
    ("星河电池2025年营业收入是多少？", "公司全年营收66.1亿元，是 2020 年的 4 倍。"),  # nor does a multiple of one
    ("星河电池2025年营业收入是多少？", "星河电池营收66.1亿元。"),  # names no year: keeps to any
    ("星河电池2025年营业收入是多少？", "星河电池营收66.1亿元，高于2024年的水平。"),
    ("2025年星河节假期旅游收入是多少？", "实现旅游收入28.7亿元，恢复至2019年同期的44.2%。"),
    ("2025年星河杯冠军是谁？", "2025年星河杯，由2006年出生的林小北夺冠。"),  # a birth year dates a person
    ("2025年上半年星河电池营收多少？", "星河电池2025年前6个月营收30亿元。"),  # 前6个月 is 上半年
    ("星河电池前三季度营收多少？", "1-9月星河电池营收45亿元。"),
    ("今年前5个月出口了多少辆电动车？", "1至5月，电动车出口12.5万辆，同比增长8%。"),
    ("今年头5个月出口了多少辆电动车？", "1至5月，电动车出口12.5万辆，同比增长8%。"),  # 头 is 前
    ("星河电池的市场份额是多少？", "星河电池占据全球23.5%的市场份额。"),
    ("星河电池已经建成了多少座工厂？", "星河电池已建成4座工厂，并计划到2027年再建2座。"),
])
def test_an_answer_keeping_to_the_question_passes(question: str, source: str) -> None:
    assert find_mismatch(question_constraints(question), source) is None


def test_a_years_figure_given_as_a_whole_does_not_answer_a_part_of_the_year() -> None:
    half = question_constraints("2025年上半年星河小游戏的市场规模有多大？")
    assert find_mismatch(half, "据星河数据报告，2025年小游戏市场规模可达200亿元，同比增长300%。") == Mismatch("period", "上半年", "全年")
    assert find_mismatch(half, "2025年半年报显示，小游戏市场规模达90亿元。") is None  # a half-year report is the half year's
    assert find_mismatch(half, "2025年6月，小游戏市场规模达90亿元。") is None  # a month of the year: the sentence does not say
    assert find_mismatch(half, "小游戏市场规模较2024年增长3倍，达90亿元。") is None  # a baseline year is no whole year
    assert find_mismatch(question_constraints("今年以来星河小游戏的流水有多少？"), "2025年小游戏流水达90亿元。") is None


def test_a_year_a_sentence_opens_with_dates_every_figure_after_it() -> None:
    half = question_constraints("南港2025年上半年外贸进出口做到多少了？")
    whole_year = "2025年，南港市一般贸易进出口增长16.2%，外贸进出口总额7489.8亿元，居全省第1位。"
    total = figure_scopes(whole_year)[1]
    assert total[0] == "7489.8" and find_mismatch(half, whole_year, "", total[1]) == Mismatch("period", "上半年", "全年")
    half_year = "2025年上半年，南港市一般贸易进出口增长16.2%，外贸进出口总额3489.8亿元。"
    assert find_mismatch(half, half_year, "", figure_scopes(half_year)[1][1]) is None
    own_month = "2025年，南港市外贸进出口增长16.2%，其中6月份外贸进出口总额689.8亿元。"  # a clause dated its own way
    assert find_mismatch(half, own_month, "", figure_scopes(own_month)[1][1]) == Mismatch("period", "上半年", "6月")


def test_a_figure_a_clause_gives_another_company_is_not_the_asked_subjects() -> None:
    """jieba reads a company the question opens with as a person ("鹿鸣"): it is held all the same."""
    asked = question_constraints("鹿鸣去年在南港卖了多少辆车？", subjects={"鹿鸣"})
    assert find_mismatch(asked, "海鸥集团去年在南港市场销量达到33万辆。") == Mismatch("entity", "鹿鸣", "其他对象")
    rivals = "如海鸥集团去年在南港市场销量达到33万辆，而鹿鸣正与南港政府讨论建厂。"  # named, but not with the figure
    assert find_mismatch(asked, rivals, scope="如海鸥集团去年在南港市场销量达到33万辆，") == Mismatch("entity", "鹿鸣", "其他对象")
    assert find_mismatch(asked, "鹿鸣去年在南港卖了1.2万辆，海鸥集团卖了33万辆。", scope="鹿鸣去年在南港卖了1.2万辆，") is None
    # the figure's own clause names no company: a rival named after it does not take the figure
    assert find_mismatch(asked, "去年在南港卖了1.2万辆，超过海鸥集团。", scope="去年在南港卖了1.2万辆，") is None
    assert constraints_of("鹿鸣去年营收多少？").subjects == {"鹿鸣"}
    # a passage that never names the subject gives another's figure, though its sentence names no company
    orders = "该公司此前表示，2025年新增订单金额约83.6亿元。"
    asked = question_constraints("鹿鸣2025年新增订单有多少？", subjects={"鹿鸣"})
    assert find_mismatch(asked, orders, "海鸥集团发布年报。" + orders) == Mismatch("entity", "鹿鸣", "其他对象")
    assert find_mismatch(asked, orders, "鹿鸣发布年报。" + orders) is None


def test_a_figure_whose_own_clause_names_another_organisation_is_not_the_asked_ones() -> None:
    """The sentence names the asked company, but not with the figure; going public (上市) is no place."""
    asked = constraints_of("NovaTel这次上市，首日股价涨了多少？")
    assert asked.names == {"NovaTel"}
    source = "尽管Moonbay上市首日大涨40%，但此后股价回落，NovaTel股价在上市后两周徘徊在发行价附近。"
    assert find_mismatch(asked, source, scope="尽管Moonbay上市首日大涨40%，") == Mismatch("entity", "NovaTel", "其他对象")
    assert find_mismatch(asked, "NovaTel上市首日大涨40%，超过Moonbay。", scope="NovaTel上市首日大涨40%，") is None


def test_a_running_total_does_not_answer_one_years_figure() -> None:
    asked = constraints_of("南港创投周2025年一年办了几场活动？")
    total = "南港创投周品牌截至目前已举办17场活动，累计促成基金签约超100亿元。"
    assert find_mismatch(asked, total) == Mismatch("period", "全年", "累计")
    assert describe_missing(asked, Mismatch("period", "全年", "累计")) == "资料中没有2025年全年的数字；资料给出的是累计的"
    assert find_mismatch(constraints_of("南港创投周至今累计办了几场活动？"), total) is None
    assert find_mismatch(asked, "2025年，南港创投周累计举办6场活动。") is None  # the year's own running total
    assert find_mismatch(asked, "今年以来，南港创投周已举办6场活动。") == Mismatch("period", "全年", "今年以来")
    # up to the asked year's end, a running total is still every year's, not that one's
    as_of = "截至2025年年底，南港创投周开发面积3平方公里，引进企业超200家，累计吸引投资总额超150亿元。"
    assert find_mismatch(constraints_of("南港创投周2025年这一年吸引了多少投资？"), as_of) == Mismatch("period", "全年", "累计")
    assert find_mismatch(asked, "截至2025年年底，南港创投周2025年举办6场活动。") is None  # no running total


def test_a_running_total_does_not_answer_what_a_time_added() -> None:
    """Asked what a quarter or a year added ("新认定", "新推出"), a total up to its end, or since a founding,
    is every year's; the time's own additions, or its total so far ("今年以来"), answer it."""
    quarter = constraints_of("东湖区今年一季度这一个季度，新认定了多少家高新技术企业？")
    as_of = "截至今年一季度，东湖区已累计认定高新技术企业 1432 家，数量居全省第三。"
    miss = find_mismatch(quarter, as_of, scope="东湖区已累计认定高新技术企业 1432 家，")
    assert miss == Mismatch("period", "今年一季度新增", "累计")
    assert describe_missing(quarter, miss) == "资料中没有今年一季度新增的数字；资料给出的是累计的"
    last_year = constraints_of("东湖区去年一年新推出了多少项金融创新举措？")
    since = "东湖区自挂牌以来，在金融创新领域硕果累累，共有金融创新举措超过 170 项，占全区创新案例的三成。"
    assert find_mismatch(last_year, since, scope="共有金融创新举措超过 170 项，") == Mismatch("period", "去年新增", "累计")
    own = "今年一季度，东湖区新认定高新技术企业 132 家，累计达 1432 家。"
    assert find_mismatch(quarter, own, scope="东湖区新认定高新技术企业 132 家，") is None
    so_far = "今年以来，东湖区已累计认定高新技术企业 132 家。"
    assert find_mismatch(constraints_of("东湖区今年新认定了多少家高新技术企业？"), so_far,
                         scope="东湖区已累计认定高新技术企业 132 家。") is None
    assert find_mismatch(constraints_of("东湖区一共认定了多少家高新技术企业？"), as_of,
                         scope="东湖区已累计认定高新技术企业 1432 家，") is None  # no addition asked


def test_one_years_figure_does_not_answer_a_running_total() -> None:
    """The mirror of the rule above: asked what has been done up to now, a figure dated to one year is
    that year's, unless its clause says it runs up to then (累计, 截至…年底)."""
    asked = constraints_of("青禾银行的“芽贷”到现在一共放了多少贷款？")
    assert asked.cumulative
    one_year = "2025年，青禾银行通过“芽贷”为星澜医疗提供了300万元资金支持。"
    assert find_mismatch(asked, one_year) == Mismatch("period", "累计", "2025年")
    assert describe_missing(asked, Mismatch("period", "累计", "2025年")) == "资料中没有累计的数字；资料给出的是2025年的"
    assert find_mismatch(asked, "截至2025年末，青禾银行“芽贷”累计投放贷款12亿元。") is None
    assert find_mismatch(asked, "到2025年底，青禾银行“芽贷”投放贷款12亿元。") is None
    assert find_mismatch(asked, "青禾银行“芽贷”已投放贷款12亿元。") is None  # no year: nothing says it is one year's


def test_a_groups_total_does_not_answer_one_of_its_members() -> None:
    total = "2025年，公司旗下文旅企业合计接待游客4200万人次，同比增长30%。"
    passage = "以云栖乐园为例，该项目上线了智能导览。" + total
    asked = constraints_of("云栖乐园2025年一年接待了多少游客？")
    assert find_mismatch(asked, total, passage) == Mismatch("joint", "云栖乐园", "")
    assert describe_missing(asked, Mismatch("joint", "云栖乐园", "")) == "资料中没有云栖乐园单独的数字；资料给出的是合计的"
    group = constraints_of("青禾文旅旗下文旅企业2025年一共接待了多少游客？")  # the total is asked
    assert find_mismatch(group, total, "青禾文旅发布公告。" + total) is None
    assert find_mismatch(asked, "2025年，云栖乐园合计接待游客900万人次。", passage) is None


def test_a_regions_figure_does_not_answer_the_whole_countrys() -> None:
    asked = constraints_of("现在全国高速公路总里程一共有多少公里？")
    assert asked.national
    assert find_mismatch(asked, "长三角三省一市高速公路总里程达到8120公里。") == Mismatch("entity", "全国", "长三角")
    assert find_mismatch(asked, "江苏高速公路总里程达到5100公里，密度居前。", scope="江苏高速公路总里程达到5100公里，") \
        == Mismatch("entity", "全国", "江苏")
    assert find_mismatch(asked, "全国高速公路总里程达到18万公里，其中江苏5100公里。",
                         scope="全国高速公路总里程达到18万公里，") is None
    assert find_mismatch(asked, "我国高速公路总里程达到18万公里。") is None
    assert not constraints_of("江苏高速公路里程在全国排第几？").national  # a place asked: its figure is no national one


def test_another_name_for_the_same_kind_of_thing_is_a_sibling_not_the_asked_one() -> None:
    asked = constraints_of("南港东湖片区一共集聚了多少位院士？")
    assert ("东湖", "片区") in asked.qualified
    other = "如今，西湖片区创新生态正在形成，培育高新技术企业137家，集聚院士 24 人。"
    around = "南港的片区各有所长。" + other  # the passage names the city: the figure is still another district's
    assert find_mismatch(asked, other, around, scope="集聚院士 24 人。") == Mismatch("entity", "东湖片区", "西湖片区")
    assert describe_missing(asked, Mismatch("entity", "东湖片区", "西湖片区")) == \
        "资料中没有关于东湖片区的这一数字；资料给出的是西湖片区的"
    both = "东湖片区与西湖片区相邻，集聚院士 24 人。"
    assert find_mismatch(asked, both, "南港。" + both, scope="集聚院士 24 人。") is None
    # the longer word for the asked thing is no sibling of it
    smart = "有望促使各类高阶智能化功能下探到15万元左右的车型。"
    assert find_mismatch(constraints_of("高阶智驾功能会下探到多少钱的车型？"), smart) is None


def test_a_sibling_of_a_kind_jieba_splits_or_does_not_know_by_name_is_still_a_sibling() -> None:
    """"灵犀大模型": jieba reads 大 as an adjective and 星图 as a common noun; 灵犀 and 星图 are still
    two models of one kind, and one's figure is not the other's."""
    asked = constraints_of("海川集团那个百亿参数的灵犀大模型，推理速度提升了多少？")
    assert ("灵犀", "大模型") in asked.qualified
    other = "此外，海川云星图大模型通过对底层集群的优化，将推理速度提升了 40%。"
    assert find_mismatch(asked, other, "海川集团。" + other) == Mismatch("entity", "灵犀大模型", "星图大模型")
    own = "海川云灵犀大模型通过对底层集群的优化，将推理速度提升了 40%。"
    assert find_mismatch(asked, own, own) is None
    # a verb or a measure before the kind names no model: "自研的百亿参数级大模型" is the asked one's description
    described = "灵犀大模型是海川集团自研的百亿参数级大模型，推理速度提升了 40%。"
    assert find_mismatch(asked, described, described) is None


def test_a_count_of_the_country_s_own_firms_is_not_answered_by_the_count_of_all() -> None:
    asked = constraints_of("今年的星河博览会上有多少家中国企业参展？")
    assert (asked.subset, asked.subset_words) == ("中国企业", frozenset({"中国"}))
    everyone = "《中国星河报》记者在现场看到，共计有1800家企业出席此次博览会。"  # the country in a title is not the firms'
    assert find_mismatch(asked, everyone, everyone) == Mismatch("subset", "中国企业", "")
    assert find_mismatch(asked, "同时，还有超过260家我国企业参展。") is None  # 我国 is the country too
    assert constraints_of("今年的星河博览会上有多少家企业参展？").subset == ""


def test_a_count_is_of_the_noun_its_measure_word_opens() -> None:
    asked = constraints_of("南港政务大模型平台目前已经在多少个政府部门用起来了？")
    assert asked.thing == ("个", "政府部门")
    scenes = "南港政务大模型平台已在智能客服、数字人等8个细分场景上实现率先落地。"
    assert find_mismatch(asked, scenes) == Mismatch("thing", "政府部门", "细分场景")
    assert describe_missing(asked, Mismatch("thing", "政府部门", "细分场景")) == "资料中没有政府部门的数量；资料给出的是细分场景的数量"
    assert find_mismatch(asked, "南港政务大模型平台已在12个市级部门上线。") is None  # the same noun, qualified
    # which noun of "X的Y" is counted, 的 does not say: a count of either answers
    assert constraints_of("文心大模型接入了多少个百度自家的产品？").thing == ("个", "百度自家产品")


def test_the_whole_sets_figure_does_not_answer_for_a_part_of_it() -> None:
    asked = constraints_of("南港案例集收录的案例里，医疗领域的有多少个？")
    assert asked.subset == "医疗领域" and asked.subset_words == {"医疗", "领域"}
    whole = "南港评选出66个创新应用案例(包括10个优秀案例,56个典型案例),汇编形成案例集。"
    assert find_mismatch(asked, whole) == Mismatch("subset", "医疗领域", "")
    assert describe_missing(asked, Mismatch("subset", "医疗领域", "")) == "资料中没有“医疗领域”单独的数字；资料给出的是"
    assert find_mismatch(asked, "其中医疗领域案例12个。", "南港案例集。其中医疗领域案例12个。") is None
    trained = "这些合作已累计培养优秀人才 7000 余人，其中部分毕业生已成为业务骨干。"
    grads = constraints_of("鹿鸣电子培养的人才里，有多少人已经成了业务骨干？")
    assert find_mismatch(grads, trained, "鹿鸣电子校招负责人介绍。" + trained, scope="这些合作已累计培养优秀人才 7000 余人，") \
        == Mismatch("subset", "已经成了业务骨干", "")
    # a figure asked within a part of its whole
    roads = constraints_of("鹿鸣领航辅助在高速公路上的可用里程有多少？")
    assert roads.subset == "高速公路"
    assert find_mismatch(roads, "截至2025年1月，鹿鸣领航辅助可用里程已经超过101万公里。") == Mismatch("subset", "高速公路", "")
    assert find_mismatch(roads, "鹿鸣领航辅助在高速公路上的可用里程为36万公里。") is None
    # a document is where to look, not a set; and a comparison asks of each thing it names
    assert constraints_of("那篇报道里，南港有多少家企业？").subset == ""
    assert constraints_of("全球电池生产商里，鹿鸣和海鸥的份额分别是多少？").subset == ""


def test_a_count_of_people_may_be_asked_by_who_they_are() -> None:
    staff = question_constraints("北岛金融街现在一共有多少金融从业人员？")
    assert (staff.unit, staff.counted) == ("count", "people")
    shares = "从业人员中三分之二为硕士研究生以上学历，近20%为海外留学归国人员。"
    assert find_mismatch(staff, shares) == Mismatch("unit", "数量", "比例")
    assert find_mismatch(staff, "北岛金融街从业人员达50万人。") is None
    visits = question_constraints("星河文旅2025年一共接待了多少游客？")
    assert find_mismatch(visits, "2025年，星河文旅接待游客9365万人次。") is None  # 人次 counts visits of people


def test_which_points_asks_no_figure_and_a_new_round_counts_nothing() -> None:
    from rag.binding import stated_figures

    assert not question_constraints("那份报告对机器人产业提了哪几条建议？").value  # 哪几条 asks which, not how many
    assert question_constraints("那份报告提了几条建议？").unit == "count"
    assert stated_figures("要顺应新一轮科技革命，另一家企业也在跟进。") == []
    assert stated_figures("北岛只有一家企业入选。") == ["1"]


def test_a_count_of_funds_is_not_answered_by_a_count_of_firms() -> None:
    funds = question_constraints("北岛的私募基金管理人一共管着多少只基金？")
    assert find_mismatch(funds, "北岛私募基金管理人超800家。") == Mismatch("unit", "基金、股票等的只数", "机构或企业的家数")
    assert find_mismatch(funds, "北岛私募基金管理人共管理基金3200支。") is None


def test_an_area_a_length_or_a_weight_is_no_count_of_companies() -> None:
    firms = question_constraints("北岛那个人工智能加速平台现在已经入驻了多少家企业？")
    space = "北岛人工智能加速平台揭牌，将开放17万平方米低成本产业空间。"
    assert find_mismatch(firms, space) == Mismatch("unit", "机构或企业的家数", "面积")
    assert find_mismatch(firms, "平台已入驻企业120余家，开放空间17万平方米。") is None
    assert find_mismatch(question_constraints("北岛港去年吞吐了多少吨货物？"), "北岛港去年接待船舶3000艘。") == Mismatch(
        "unit", "重量", "车辆、设备的台数")


def test_a_count_of_items_is_not_answered_by_a_count_of_companies_written_in_words() -> None:
    items = question_constraints("那份创新排名里，北岛车企一共贡献了多少项量产创新？")
    ranked = "首次有五家北岛汽车制造商同时跻身全球十大最具创新能力的汽车制造商之列。"
    assert find_mismatch(items, ranked) == Mismatch("unit", "项数或件数", "机构或企业的家数")
    assert find_mismatch(items, "北岛车企贡献了40项量产创新，居首位。") is None
    assert find_mismatch(items, "北岛车企中有第五家进入榜单，贡献创新若干。") is None  # an ordinal counts nothing


def test_a_company_is_named_by_the_word_before_its_suffix_not_by_a_piece_of_another_word() -> None:
    from rag.names import company_names

    assert company_names("鹿鸣汽车和海鸥集团") == {"鹿鸣", "海鸥"}
    assert company_names("南港设立的天使母基金") == set()  # no company "使母"
    assert company_names("比亚迪股份有限公司") == {"亚迪"}  # a piece of a name jieba knows stands for it; 有限 names none
    asked = constraints_of("南港设立的天使母基金规模有多大？")
    assert find_mismatch(asked, "北岛市设立100亿元天使母基金。", "北岛市设立100亿元天使母基金。") == Mismatch(
        "entity", "南港", "其他对象")
    # two characters across words name nothing, nor does a kind of business jieba tags as an organisation
    assert company_names("南港省级战略性新兴产业母基金") == set()
    assert constraints_of("南港省级战略性新兴产业母基金的门槛收益率是怎么定的？").organisations == set()


def test_a_name_that_only_says_which_document_to_read_need_not_be_in_the_passage() -> None:
    asked = constraints_of("财政部和工信部支持小微企业的那份通知，首批打算支持多少家企业？")
    assert asked.described == {"财政部"}
    support = "2025年首批先支持1000多家企业，以后年度进一步扩大支持范围。"
    assert find_mismatch(asked, support, "通知提出…" + support) is None
    rival = "北岛市财政局首批先支持1000多家企业。"  # a sentence naming another organisation is still another's
    assert find_mismatch(asked, rival, rival) == Mismatch("entity", "财政部", "其他对象")
    # the same name asked of, not describing a document, is held as before
    assert find_mismatch(constraints_of("财政部首批打算支持多少家企业？"), support, support) == Mismatch("entity", "财政部", "其他对象")


def test_a_day_asked_is_not_answered_by_a_sentence_about_another_day() -> None:
    asked = constraints_of("北岛协会9月27日注销的那批机构里，有几家是主动注销的？")
    assert asked.days == {(9, 27)}
    other = "北岛协会在 28 日注销的 174 家机构中，主动注销的仅有 1家。"
    assert find_mismatch(asked, other) == Mismatch("day", "9月27日", "28日")
    assert describe_missing(asked, find_mismatch(asked, other)) == "资料中没有9月27日的数字；资料给出的是28日的"
    assert find_mismatch(asked, "8月27日，北岛协会注销了28家机构。") == Mismatch("day", "9月27日", "8月27日")
    assert find_mismatch(asked, "27日，北岛协会注销机构28家，其中主动注销1家。") is None
    # neither a span of days nor a seven-day rate dates anything
    assert find_mismatch(asked, "北岛协会注销机构须在30日内公告，7日年化收益率为2%，主动注销1家。") is None


def test_an_ordinal_of_a_series_the_passage_never_names_is_missing_when_it_names_another() -> None:
    asked = constraints_of("南港第三批协同发展项目一共发布了多少个？")
    passage = "今年以来南港已两次发布协同发展项目。3月20日，南港发布首批项目362个。南港近日发布533个协同发展项目。"
    miss = numbered_sibling(asked, passage, "南港近日发布533个协同发展项目。")
    assert miss == Mismatch("numbered", "第三批", "")
    assert describe_missing(asked, miss) == "资料中没有关于“第三批”的内容；资料给出的是"
    assert numbered_sibling(asked, passage.replace("首批", "第三批"), "南港近日发布533个协同发展项目。") is None
    assert numbered_sibling(asked, "南港近日发布533个协同发展项目。", "南港近日发布533个协同发展项目。") is None


def test_one_figure_for_several_listed_things_does_not_answer_for_one_of_them() -> None:
    lodging = constraints_of("北岛运动会期间，光住宿消费就带动了多少钱？")
    total = "北岛接待游客4345.9万人次，带动北岛住宿、餐饮、零售消费489.6亿元。"
    scope = "带动北岛住宿、餐饮、零售消费489.6亿元"
    miss = find_mismatch(lodging, total, total, scope)
    assert miss == Mismatch("joint", "住宿", "住宿、餐饮、零售")
    assert describe_missing(lodging, miss) == "资料中没有住宿单独的数字；资料给出的是住宿、餐饮、零售合计的"
    # asked for all of them, or each given its own: the figure stands
    assert find_mismatch(constraints_of("北岛运动会期间住宿、餐饮、零售消费一共带动了多少钱？"), total, total, scope) is None
    each = "北岛住宿、餐饮消费分别为120亿元、200亿元。"
    assert find_mismatch(lodging, each, each, each) is None
    # several of them named as examples of the group ("这些地方"): the group's figure is asked
    fairs = "2025年以来，南港高新区先后前往陕西、黑龙江、云南、重庆等地的18所高校开展专场招聘，超过1700名学生达成初步就业意向。"
    examples = constraints_of("南港高新区跑到陕西、黑龙江、云南这些地方的高校开专场校招，一共有多少学生有了就业意向？")
    assert examples.examples and find_mismatch(examples, fairs, fairs, fairs) is None
    two = constraints_of("北岛运动会期间住宿和餐饮消费带动了多少钱？")  # named, not as examples: still one figure for more
    assert not two.examples and find_mismatch(two, total, total, scope) is not None


def test_one_years_growth_is_not_the_average_over_several() -> None:
    asked = question_constraints("南港算力核心产业规模比上一年涨了百分之多少？")
    assert ("同比", "年均") in asked.measures  # "比上一年" asks 同比 in other words
    average = "南港算力总规模近5年年均增速近30%，存力总规模超过108EB。"
    assert find_mismatch(asked, average) == Mismatch("measure", "同比", "年均")
    assert find_mismatch(asked, "2025年南港算力核心产业规模达到1.8万亿元，较上年增长10%。") is None
    yearly = question_constraints("南港存力总规模这几年年均涨多少？")
    assert find_mismatch(yearly, "南港存力总规模同比增长10%。") == Mismatch("measure", "年均", "同比")


def test_another_metric_and_another_basis_are_near_misses() -> None:
    count_for_money = find_mismatch(question_constraints("今年1-5月出口到北岛的汽车金额是多少？"),
                                    "1-5月，对北岛出口汽车18.2万辆。")
    assert count_for_money == Mismatch("unit", "金额", "数量")
    basis = find_mismatch(question_constraints("北岛基金二季度净流入环比下降了多少？"),
                          "二季度净流入同比下降14%。")
    assert basis == Mismatch("measure", "环比", "同比")
    year_on_year = find_mismatch(question_constraints("北岛基金二季度净流入环比下降了多少？"),
                                 "二季度净流入170亿美元，较去年同期减少约77%。")
    assert year_on_year == Mismatch("measure", "环比", "同比")
    subscribed = find_mismatch(question_constraints("北岛创投基金的实缴规模是多少？"), "北岛创投基金认缴规模52亿元。")
    assert subscribed == Mismatch("measure", "实缴", "认缴")
    sales = find_mismatch(question_constraints("北岛咖啡2025年的净利润是多少？"), "2025年，北岛咖啡总销售额为248亿元。")
    assert sales == Mismatch("measure", "利润", "销售额")



def test_the_measure_asked_is_the_one_in_the_asking_clause() -> None:
    """A question may describe its set by one side of a contrast and ask the other."""
    picked = question_constraints("北岛高新区今年申报人才计划的那批人，最后有多少人入选？")
    assert picked.measures == (("入选", "申报"),)
    assert find_mismatch(picked, "北岛高新区今年共申报人才计划120人。") == Mismatch("measure", "入选", "申报")
    assert find_mismatch(picked, "北岛高新区今年入选人才计划36人。") is None
    # both in one clause: the one named last, right before the question word, is asked
    valued = question_constraints("北岛出行B轮融资之后估值是多少？")
    assert valued.measures == (("估值", "融资"),)
    assert find_mismatch(valued, "北岛出行宣布完成8.4亿元B轮融资。") == Mismatch("measure", "估值", "融资")
    assert find_mismatch(valued, "B轮融资后，北岛出行估值超过50亿元。") is None
    assert question_constraints("北岛出行B轮融资额和估值分别是多少？").measures == ()  # both asked
    # the applied set describes what is asked of, and the asking clause names neither side
    assert question_constraints("北岛药业完成申报的那8个新产品，后来有几个拿到了批文？").measures == ()


def test_a_plan_is_not_an_outcome() -> None:
    asked = question_constraints("北岛市实际已经改造完成了几个数据中心？")
    assert find_mismatch(asked, "北岛市计划到2026年改造完成10个数据中心。") == Mismatch("plan", "实际完成情况", "计划或目标")
    assert find_mismatch(asked, "北岛市已完成改造6个数据中心。") is None



def test_a_change_set_to_a_target_is_a_plan_and_one_made_is_not() -> None:
    asked = question_constraints("北岛市的技改贴息政策，眼下实际规模已经做到多少亿了？")
    planned = "《方案》提出，将技改贴息政策规模逐步扩大至300亿元。"
    assert find_mismatch(asked, planned) == Mismatch("plan", "实际完成情况", "计划或目标")
    assert find_mismatch(asked, "北岛市已将技改贴息政策规模扩大至120亿元。") is None


def test_a_verb_set_to_come_with_its_figure_is_a_plan() -> None:
    asked = question_constraints("南港加速平台说要开放产业空间，实际已经开放了多少平方米？")
    assert find_mismatch(asked, "南港加速平台将开放117万平方米产业空间。") == Mismatch("plan", "实际完成情况", "计划或目标")
    assert find_mismatch(asked, "南港加速平台已开放42万平方米产业空间。") is None
    assert not is_plan("公司将其中30%用于研发。")  # 将 taking an object plans nothing


def test_copies_received_are_no_count_of_people() -> None:
    asked = question_constraints("南港那场专场招聘会，最后录用了多少人？")
    assert find_mismatch(asked, "活动当天收到简历4236份。") == Mismatch("unit", "人数", "项数或件数")
    assert find_mismatch(asked, "活动当天共录用312人。") is None


def test_when_a_rule_takes_effect_is_not_when_it_was_issued() -> None:
    asked = question_constraints("《南港数据条例》从哪天开始施行？")
    assert find_mismatch(asked, "10月8日，南港市政府印发《南港数据条例》。") == Mismatch("measure", "施行", "印发")
    assert find_mismatch(asked, "《南港数据条例》于10月8日印发，自12月1日起施行。") is None


def test_a_clause_after_a_change_from_one_year_to_another_is_the_later_years() -> None:
    asked = question_constraints("2018年的时候，南港区金融业占全市金融业的比重是多少？")
    sentence = "金融业增加值占南港区GDP的比重由2018年的47.95%提高到2022年的54.20%，占全市金融业比重接近40%。"
    scope = sentence.rstrip("。")
    assert find_mismatch(asked, sentence, "", scope) == Mismatch("year", "2018年", "2022年")
    assert find_mismatch(question_constraints("2022年南港区金融业占全市金融业的比重是多少？"), sentence, "", scope) is None


def test_the_first_months_asked_are_held_to_the_months_given() -> None:
    asked = question_constraints("今年头三个月，北岛港一共出口了多少辆车？")
    assert asked.period == (1, 3)
    assert find_mismatch(asked, "今年1月至5月，北岛港出口汽车24.5万辆。") == Mismatch("period", "一季度", "1—5月")


def test_the_missing_part_is_said_in_words() -> None:
    asked = question_constraints("星河电池2025年全年营业收入是多少？")
    miss = find_mismatch(asked, "2025年前三季度营收52.3亿元。")
    assert describe_missing(asked, miss) == "资料中没有2025年全年的数字；资料给出的是前三季度的"


def test_a_question_pinning_nothing_pins_nothing() -> None:
    asked = question_constraints("星河电池是做什么的？")
    assert find_mismatch(asked, "2019年前三季度，星河电池出货12万台，营收3亿元。") is None


@pytest.mark.parametrize("question, names", [
    ("王某案二审判决结果是什么？", {("二", "审")}),
    ("星舟十三号的乘组有谁？", {("十三", "号")}),
    ("北岛市十四五规划提出了什么？", {("十四五", "规")}),
    ("第35届星河奖最佳影片是哪部？", {("第35", "届")}),
    ("谁是星河杯第一棒火炬手？", {("第一", "棒")}),
    ("北岛市第二批专项基金有几只？", {("第二", "批")}),  # an ordinal names one of a series: 第二批 is no count
    ("首届星河论坛在哪儿开的？", {("首", "届")}),
    ("2025年第三季度营收多少？", set()),  # a quarter is a period, held as one
    # counts, months, days and years are figures, not names
    ("2025年5月20号三家银行一共发放了多少贷款？", set()),
])
def test_names_carrying_a_number_are_read_from_the_question(question: str, names: set[tuple[str, str]]) -> None:
    assert question_constraints(question).numbered == names


def test_the_same_name_with_another_number_is_another_thing() -> None:
    asked = question_constraints("王某案二审判决结果是什么？")
    first = "星河市中级法院一审判决王某有期徒刑五年。"
    assert numbered_sibling(asked, first, first) == Mismatch("numbered", "二审", "一审")
    both = "王某不服一审判决提起上诉，二审维持原判。"
    assert numbered_sibling(asked, both, "王某不服一审判决提起上诉。") is None  # the passage names the asked one too
    assert numbered_sibling(asked, "王某被判有期徒刑五年。", "王某被判有期徒刑五年。") is None  # no sibling named
    plan = question_constraints("北岛市十四五规划提出了哪些目标？")
    quoted = "北岛市“十四五”规划提出，与十三五规划相比，研发投入翻一番。"
    assert numbered_sibling(plan, quoted, quoted) is None  # quotation marks do not hide the asked one


def test_the_first_of_a_series_is_written_many_ways_and_its_sibling_is_another_thing() -> None:
    first = "首届星河论坛以“开放、共享”为主题，在北岛举办。"
    assert numbered_sibling(question_constraints("第二届星河论坛的主题是什么？"), first, first) == Mismatch("numbered", "第二届", "首届")
    assert numbered_sibling(question_constraints("第一届星河论坛的主题是什么？"), first, first) is None
    second = "第二批专项基金共5只。"
    assert numbered_sibling(question_constraints("第2批专项基金有几只？"), second, second) is None
    assert numbered_sibling(question_constraints("第三批专项基金有几只？"), second, second) == Mismatch("numbered", "第三批", "第二批")


@pytest.mark.parametrize("question, years", [
    ("2025星河杯冠军是谁？", {"2025"}),  # a bare year before a name dates it
    ("星河联赛2025赛季什么时候开赛？", {"2025"}),
    ("2025年星河电池营收多少？", {"2025"}),
    ("星河电池有2025多家门店吗？", set()),  # a figure of that size, not a year
    ("星河电池营收2025亿元是真的吗？", set()),
])
def test_a_year_is_read_with_or_without_its_nian(question: str, years: set[str]) -> None:
    assert question_constraints(question).years == years


def test_a_bare_year_names_an_event_and_implies_no_whole_year() -> None:
    event = question_constraints("2025星河档票房是多少？")
    assert event.years == {"2025"} and event.period is None
    month = question_constraints("2025年3月星河电池出口多少辆？")
    assert month.period is None  # one month of the year, not the whole year
    assert find_mismatch(question_constraints("2025星河杯冠军是谁？"), "在2021年星河杯上获得冠军。") == Mismatch("year", "2025年", "2021年")


def test_a_magnitude_without_a_unit_may_be_the_asked_count() -> None:
    asked = question_constraints("截至2025年6月星河市网民规模有多少人？")
    assert find_mismatch(asked, "截至2025年6月，星河市网民规模为1051万，普及率达74.4%。") is None
    assert find_mismatch(asked, "截至2025年6月，星河市互联网普及率达74.4%。") == Mismatch("unit", "数量", "比例")


def test_a_short_follow_on_part_is_held_with_the_question_before_it() -> None:
    """"哪边多？" is no question of its own (rag.questions glues it on): the figures asked are still held."""
    asked = question_constraints("北岛和南港的高新技术企业各有多少家？哪边多？")
    assert asked.value and asked.compares and asked.unit == "count"
    assert question_constraints("北岛有多少家高新技术企业？南港的星河电池营收多少？") == Constraints()  # two parts


def test_points_asked_are_a_share() -> None:
    assert question_constraints("中央财政给贷款本金贴息几个点？").unit == "percent"
    assert question_constraints("利率下调了多少个百分点？").unit == "percent"


def test_a_part_of_a_place_does_not_answer_for_the_whole_of_it() -> None:
    asked = constraints_of("自从迁出行动开始，临江全市常住人口比2015年减少了多少？")
    assert asked.whole == "全市"
    miss = find_mismatch(asked, "临江城四区实现了常住人口比2015年下降12%的目标。",
                         scope="临江城四区实现了常住人口比2015年下降12%的目标")
    assert miss == Mismatch("entity", "临江全市", "城四区")
    assert describe_missing(asked, miss) == "资料中没有关于临江全市的这一数字；资料给出的是城四区的"
    assert find_mismatch(asked, "临江全市常住人口比2015年减少了8%。") is None
    assert not constraints_of("占全市场债券融资的比重有多大？").whole  # 全市场 is the whole market
    assert not constraints_of("临江全市和城四区的常住人口各减少了多少？").whole  # it names the part itself


def test_a_sum_from_one_year_to_another_is_no_single_period() -> None:
    asked = constraints_of("北辰光能2024年上半年投了多少钱做研发？")
    miss = find_mismatch(asked, "北辰光能从2013年上市至2024年上半年，累计研发投入超180亿元。")
    assert miss == Mismatch("period", "上半年", "2013—2024年合计")
    assert describe_missing(asked, miss) == "资料中没有2024年上半年的数字；资料给出的是2013—2024年合计的"
    # the months of one year are no span of years
    assert find_mismatch(asked, "北辰光能自2024年1月至2024年6月研发投入9亿元。") is None


def test_a_saving_asked_may_be_a_share_or_an_amount() -> None:
    assert question_constraints("新框架训练大模型能省多少算力成本？").unit == ""
    assert question_constraints("新框架训练大模型能节省多少亿元成本？").unit == "money"
    assert question_constraints("新框架的算力成本是多少？").unit == "money"


def test_a_count_or_a_place_word_before_a_company_suffix_names_no_company() -> None:
    assert not constraints_of("远川资本的信贷基金现在募一只基金要多长时间？").organisations - {"远川"}
    assert not constraints_of("截至6月底全国算力总规模达到197，这里面智能算力有多少？").names
    assert "明川" in constraints_of("明川智能那台风机研制出来了吗？").names
    assert not constraints_of("北岛那边好多公司急着上市，一个重要原因是啥？").organisations  # how many, not which


def test_scaled_up_is_no_size_asked() -> None:
    assert not question_constraints("星河药业第一个在北岛市场实现规模化出口的产品是什么？").value
    assert question_constraints("北岛小游戏市场规模有多大？").value


def test_a_part_asked_with_this_inside_is_held_like_among_them() -> None:
    asked = constraints_of("算力总规模达到197百亿亿次/秒，这里面智能算力大概有多少、占多大比例？")
    assert asked.subset == "智能算力" and asked.subset_words == {"智能", "算力"}
    assert find_mismatch(asked, "算力总规模达到197百亿亿次/秒，近5年年均增速近30%。") == Mismatch("subset", "智能算力", "")


def test_a_years_figure_does_not_answer_part_of_this_year() -> None:
    asked = constraints_of("今年前5个月北岛出口到南港的汽车有多少辆？")
    assert find_mismatch(asked, "研报显示，2025年北岛出口到南港的汽车为31.5万辆。") == Mismatch("period", "1—5月", "全年")
    assert find_mismatch(asked, "今年前5个月，北岛向南港出口汽车12.4万辆。") is None


def test_a_measure_named_after_how_many_must_be_named_by_the_sentence() -> None:
    """"贡献多少税收" is not answered by a sentence about value added; words any amount could be
    ("多少钱", "多少资金") and counted things ("多少家企业", "多少笔交易") are left to the kind checks."""
    asked = constraints_of("南港金融街一年能给城西区贡献多少税收？")
    assert asked.named_measure == "税收"
    value_added = "近五年来，城西区金融业增加值由2020年的1780.1亿元增长到2024年的3088.7亿元。"
    assert find_mismatch(asked, value_added) == Mismatch("measure_named", "税收", "")
    assert describe_missing(asked, Mismatch("measure_named", "税收", "")) == "资料中没有关于税收的数字；资料给出的是"
    assert find_mismatch(asked, "2024年，南港金融街贡献税收约620亿元。") is None
    # a two-character part of the measure is enough: "专项资金" in "专项建设资金"
    assert find_mismatch(constraints_of("城西区往硅巷里投了多少专项资金？"), "城西区共投入专项建设资金5.45亿元。") is None
    for question in ("南港基金投出去多少钱了？", "南港银行每秒能处理多少笔交易？", "南港新开了多少家门店？"):
        assert constraints_of(question).named_measure == ""


def test_a_count_of_batches_of_people_is_not_a_count_of_another_thing() -> None:
    # "批次" is one measure word, and the people counted after it are what the batches were of
    asked = constraints_of("青禾园区的人才团队组织了几批大学生来园区？大概多少人？")
    assert asked.thing[0] == "批"
    assert find_mismatch(asked, "人才团队组织开展了6批次近500人的大学生进青禾园区活动。") is None
    assert find_mismatch(asked, "人才团队组织了6批次企业开放日。") == Mismatch("thing", asked.thing[1], "企业开放日")


def test_the_data_source_a_question_opens_with_is_no_member_of_a_total() -> None:
    # "VCData那组数据里，" says where to read, not whose figure: its "共计" is the asked count itself
    asked = constraints_of("VCData那组数据里，2025年上半年在南港交易所上市的企业有多少家？")
    assert asked.described == {"VCData"}
    assert find_mismatch(asked, "2025年上半年，共计 73 家企业在南港交易所上市，占比近八成。") is None


def test_a_figure_in_brackets_belongs_to_the_last_thing_listed_not_to_all() -> None:
    asked = constraints_of("青禾标准要求电池打刻的唯一编码，耐高温要求是多少？")
    rule = "要求每块电池必须标明使用年限、打刻耐高温（900℃保持半小时）的唯一性编码。"
    assert find_mismatch(asked, rule) is None
    # a figure after the list is still all of theirs
    spending = constraints_of("青禾节期间光住宿消费带动了多少钱？")
    assert find_mismatch(spending, "青禾节带动住宿、餐饮、零售消费12.6亿元。") == Mismatch("joint", "住宿", "住宿、餐饮、零售")


def test_a_month_asked_is_not_a_span_from_early_that_month_to_the_next() -> None:
    asked = constraints_of("南港协会光8月份一个月就发了多少份处分决定书？")
    two_months = "今年8月初至9月底，南港协会公布处分决定书38份。"
    assert find_mismatch(asked, two_months) == Mismatch("period", "8月", "8—9月")


def test_a_trust_company_is_named_by_the_word_before_its_suffix() -> None:
    from rag.names import company_names
    assert company_names("鹿鸣信托2025年发布的信息显示") == {"鹿鸣"}
    assert company_names("家族信托和慈善信托规模") == set()  # kinds of trust, no companies
    asked = constraints_of("青禾国际信托投的那300家企业里，已经有多少家上市了？")
    other = "鹿鸣信托旗下私募股权先后投资企业超200家，其中已上市超40家。"
    assert find_mismatch(asked, other, "青禾国际信托近期发布的数据显示投资了300家企业。" + other).kind == "entity"


def test_a_kind_of_firm_jieba_tags_as_an_organisation_names_no_other_company() -> None:
    # "上市公司股东" is the asked company's shareholders, not another company's
    asked = constraints_of("鹿鸣公司2025年的归母净利润是多少？")
    report = "半导体设备公司鹿鸣公司2025年度业绩报告显示，营业收入约6.2亿元；归属于上市公司股东的净利润约1.8亿元。"
    assert find_mismatch(asked, report, report, "归属于上市公司股东的净利润约1.8亿元") is None
    from rag.names import organisation_names
    assert "中国银行" in organisation_names("中国银行和龙湖集团签约")  # a bank's name, not a kind of firm


def test_another_company_in_the_figures_clause_is_not_the_asked_one_whatever_else_it_names() -> None:
    # the sentence names the asked country and kind of licence, but the licences are another company's
    asked = constraints_of("鹿鸣股份2025年拿到了几个美国ANDA文号？")
    assert asked.companies == frozenset({"鹿鸣"})
    other = "据2025年年报，青禾药业当年获得美国ANDA文号24个（包括5个暂时性批准）。"
    assert find_mismatch(asked, other, other, "据2025年年报，青禾药业当年获得美国ANDA文号24个（包括5个暂时性批准），") \
        == Mismatch("entity", "鹿鸣", "其他对象")
    own = "据2025年年报，鹿鸣股份当年获得美国ANDA文号7个。"
    assert find_mismatch(asked, own, own, own) is None
    # a company named as the partner is not the figure's subject
    partner = "“我们已与青禾药业等13家企业建立合作。”鹿鸣股份负责人介绍说。"
    assert find_mismatch(constraints_of("鹿鸣股份和多少家企业建立了合作？"), partner, partner, partner) is None


def test_a_count_with_another_measure_word_counts_another_thing() -> None:
    # "多少个5G基站" is not "300张5G商用网络": a thing named with Latin letters is still the thing counted
    asked = constraints_of("截至2025年底，北岛一共建成了多少个5G基站？")
    assert asked.thing == ("个", "5G基站")
    networks = "截至2025年年底，北岛已有超过30张5G商用网络。"
    assert find_mismatch(asked, networks) == Mismatch("thing", "5G基站", "5G商用网络")
    assert find_mismatch(asked, "截至2025年年底，北岛已建成5G基站3.2万个。") is None
    assert find_mismatch(asked, "截至2025年年底，北岛累计开通4200座5G基站。") is None  # another measure word, the same thing


def test_how_many_times_of_an_activity_is_answered_only_by_a_sentence_naming_it() -> None:
    asked = constraints_of("南港互通卡累计被刷过多少次乘车？")
    assert asked.named_measure == "乘车"
    cards = "截至目前南港三市已发卡700余万张，全国已实现336个城市的互联互通。"
    assert find_mismatch(asked, cards) == Mismatch("measure_named", "乘车", "")
    assert find_mismatch(asked, "南港互通卡累计刷卡乘车超过9亿次。") is None
    assert constraints_of("南港论坛举办了多少次？").named_measure == ""


def test_a_cut_asked_may_be_a_share_or_an_amount() -> None:
    assert question_constraints("鹿鸣新能源的提取新方法能把生产成本降多少？").unit == ""
    assert question_constraints("北岛指数今年跌了多少？").unit == ""
    assert question_constraints("鹿鸣新能源的生产成本是多少？").unit == "money"


def test_a_name_every_listed_thing_carries_owns_them_all() -> None:
    # the asked company's own products, listed as examples of what is counted, are no joint figure
    asked = constraints_of("星河自家产品里，已经接入大模型的产品有多少个？")
    listed = "目前星河会议、星河新闻、星河视频等超过300个星河产品均已接入星河大模型。"
    scope = "目前星河会议、星河新闻、星河视频等超过300个星河产品均已接入星河大模型。"
    assert find_mismatch(asked, listed, listed, scope) is None
    lodging = constraints_of("北岛运动会期间，光住宿消费就带动了多少钱？")
    total = "带动北岛住宿、餐饮、零售消费489.6亿元。"
    assert find_mismatch(lodging, total, total, total) == Mismatch("joint", "住宿", "住宿、餐饮、零售")


def test_a_figure_asked_at_a_years_end_is_the_running_total_then() -> None:
    total = "截至2025年年底，北岛累计开通4200座5G基站。"
    assert find_mismatch(constraints_of("截至2025年底，北岛一共开通了多少座5G基站？"), total) is None
    assert find_mismatch(constraints_of("北岛2025年开通了多少座5G基站？"), total) == Mismatch("period", "全年", "累计")


def test_a_contribution_asked_may_be_a_share_of_the_measure() -> None:
    asked = constraints_of("北岛5G用户只占移动用户的20%左右，那它贡献了多少移动流量和移动业务收入？")
    assert asked.unit == ""
    shares = "北岛5G用20%的移动用户占比，贡献了30%的移动流量与40%的移动业务收入。"
    assert find_mismatch(asked, shares, shares, shares) is None
    assert constraints_of("北岛5G的移动业务收入是多少？").unit == "money"


def test_a_balance_asked_is_not_answered_by_the_increase_in_its_clause() -> None:
    """The sentence says 余额 too, but of another figure: 5.5万亿元 is the half-year's increase."""
    asked = constraints_of("截至今年6月底，全国民营企业贷款余额总共有多少？")
    source = "今年上半年民营企业贷款新增5.5万亿元，同比多增9016亿元，余额同比增长13.1%。"
    own = "今年上半年民营企业贷款新增5.5万亿元，"
    assert find_mismatch(asked, source, "", own) == Mismatch("measure", "余额", "新增")
    assert find_mismatch(asked, "截至6月末，民营企业贷款余额达到43万亿元。") is None


def test_a_total_asked_is_not_answered_by_what_was_added() -> None:
    """"一共有多少条" asks the whole regulation; "新增18条…条文" counts only the articles it added."""
    asked = constraints_of("北岛那部安全生产条例修订之后，一共有多少条？")
    added = "新修订的《北岛安全生产条例》新增18条保障港口安全发展的条文，将于10月1日起施行。"
    own = "新修订的《北岛安全生产条例》新增18条保障港口安全发展的条文，"
    assert find_mismatch(asked, added, "", own) == Mismatch("measure", "总数", "新增")
    assert find_mismatch(asked, "修订后的北岛条例共6章58条，新增18条。", "", "修订后的北岛条例共6章58条，") is None
    assert find_mismatch(constraints_of("条例修订时一共新增了多少条？"), added, "", own) is None


def test_spoken_ways_of_asking_what_actually_happened_and_a_share() -> None:
    assert constraints_of("那个贷款规模，到年底真实落地了多少？").outcome
    assert constraints_of("从业人员里，海外留学回来的大概占几成？").unit == "percent"
    assert constraints_of("这笔钱能覆盖几成本？").unit != "percent"


def test_people_helped_into_work_are_no_count_of_jobs_and_an_adverb_sets_no_part_apart() -> None:
    asked = constraints_of("北岛区今年那29场招聘会，加起来一共放出多少个岗位？")
    assert find_mismatch(asked, "今年北岛区共举办招聘会29场，帮助超5000人实现就业。", "",
                         "帮助超5000人实现就业。") == Mismatch("thing", "岗位", "实现就业")
    part = constraints_of("北岛区那次直播带岗放出来的岗位里，专门给应届生的有多少个？")
    assert part.subset_words == {"应届生"}


def test_a_place_named_only_as_whose_report_it_is_does_not_own_the_figure() -> None:
    asked = question_constraints("法国企业去年在南岭投了多少钱？", names={"法国", "南岭"})
    assert ("法国", "企业") in asked.qualified
    reported = "据法国《回声报》网站7月8日报道，2025年，没有哪个国家对南岭的投资超过日本——其在南岭总计直接投资76亿欧元。"
    scope = figure_scopes(reported)[0][1]
    assert find_mismatch(asked, reported, "", scope) == Mismatch("entity", "法国企业", "日本")
    own = "据新华社报道，2025年，法国企业在南岭总计直接投资76亿欧元，超过日本。"
    assert find_mismatch(asked, own, "", figure_scopes(own)[0][1]) is None



def test_two_figures_asked_in_one_sentence_compare_two_things_but_several_things_named_do_not() -> None:
    assert constraints_of("南港那篇文章说，研发投入强度低于多少就活不下去，到多少才算有竞争力？").compares
    assert constraints_of("南港人才团队组织了几批高校毕业生来园区，大概多少人").compares
    assert not constraints_of("几家大行都晒过民营企业贷款余额，北岛银行那边是多少？").compares
    assert not constraints_of("存力总规模这几年年均涨多少？").compares
