"""Answers that give no date when a date is asked, or no figure when a figure is asked, are said
to be what they are, on short fictional passages."""

from __future__ import annotations

import pytest

from rag.asked_kind import NOTICE_DATE_QUOTED, NOTICE_NOT_GIVEN, kind_not_given
from rag.constraints import constraints_of
from rag.grounding import ground
from tests.test_near_miss import prepared, stands

OPENING = "星河博览会组委会宣布，第五届星河博览会将于上午9时在北岛国际会展中心开幕，为期三天。"
BRIDGE = "南港大桥主桥预计在今年上半年完成合龙，为沿线群众出行奠定基础。"


def test_a_date_question_answered_without_a_date_quotes_the_closest_sentence() -> None:
    grounded = ground("第五届星河博览会开幕时间是上午9时[1]。", prepared("第五届星河博览会开幕时间", OPENING))
    assert grounded.missing == "资料中没有写明问题所问的日期；资料给出的最接近的是"
    assert grounded.text == f"资料中没有写明问题所问的日期；资料给出的最接近的是：{OPENING.rstrip('。')}[1]。"
    assert grounded.notice == NOTICE_NOT_GIVEN and [c.n for c in grounded.citations] == [1]


def test_a_figure_question_answered_without_a_figure_is_not_an_answer() -> None:
    grounded = ground("南港大桥主桥预计在今年上半年完成合龙[1]。", prepared("南港大桥主桥多长？", BRIDGE))
    assert grounded.missing.startswith("资料中没有写明问题所问的数字")


def test_a_date_the_cited_sentence_does_not_name_is_no_date_given() -> None:
    # the article dates the centre, not the director's start; the sentence cited names no date
    director = "星河数据中心主任林晓舟在接受采访时表示，中心将继续扩大开放。"
    centre = "星河数据中心于2019年5月成立。"
    p = prepared("星河数据中心主任林晓舟是哪一年上任的？", director + centre)
    grounded = ground("星河数据中心主任林晓舟在2019年5月上任[1]。", p)
    assert grounded.missing == "资料中没有写明问题所问的日期；资料给出的最接近的是"
    assert grounded.citations[0].quote == director
    # a year the question names need not be in the sentence: "5月20日" is the date given
    dated = "第五届星河博览会将于5月20日上午9时开幕。"
    kept = ground("2025年星河博览会于2025年5月20日开幕[1]。", prepared("2025年星河博览会哪天开幕？", dated))
    assert kept.missing == ""


def test_answers_giving_what_was_asked_pass() -> None:
    dated = "第五届星河博览会将于2025年5月20日上午9时开幕。"
    kept = ground("第五届星河博览会于2025年5月20日开幕[1]。", prepared("第五届星河博览会什么时候开幕？", dated))
    assert kept.missing == "" and kept.text == "第五届星河博览会于2025年5月20日开幕[1]。"
    # the year the question names is not the answer's date
    assert kind_not_given("2025年星河博览会什么时候开幕？", "2025年星河博览会今天开幕。", False) == "日期"
    # an ordinal, a list, a share said in words, and a question of two parts are not held to a figure
    assert kind_not_given("阿根廷队第几次夺冠？", "这是阿根廷队第三次夺冠。", True) == ""
    assert kind_not_given("意见提出了哪几方面举措？", "意见提出了加强监管等举措。", True) == ""
    # "好几家" states a vague count; the question asks the reason, not a figure
    vague = "最近好几家青禾超市关店了，青禾方面怎么解释关店的原因？"
    assert kind_not_given(vague, "青禾方面表示，关店是正常经营调整，比如物业原因[1]。", constraints_of(vague).value) == ""
    assert kind_not_given("出口占了多少？", "出口占了一半以上。", True) == ""
    assert kind_not_given("通知包括多少项举措？", "通知提出了三方面举措。", True) == ""
    assert kind_not_given("互通卡是哪年开始发行的？三地一共发了多少张？", "已发卡700余万张。", True) == ""


def test_a_person_asked_in_a_role_must_be_named_in_it_by_the_cited_sentence() -> None:
    """Asked the director, an answer citing a sentence that names an actor of the film is no answer."""
    actor = "在林小北看来，《星河往事》有悬疑元素，但和很多悬疑片都不一样。"
    credits = "《星河往事》由王南港执导，林小北、赵北岛领衔主演。"
    wrong = ground("《星河往事》的导演是林小北[1]。", prepared("《星河往事》的导演是谁？", actor))
    assert wrong.missing == "资料中没有写明问题所问的导演；资料给出的最接近的是"
    assert wrong.notice == NOTICE_NOT_GIVEN and wrong.text.endswith("都不一样[1]。")
    right = ground("《星河往事》的导演是王南港[1]。", prepared("《星河往事》的导演是谁？", credits))
    assert right.missing == "" and right.text == "《星河往事》的导演是王南港[1]。"
    cast = ground("《星河往事》的主演是林小北和赵北岛[1]。", prepared("《星河往事》的主演有哪些？", credits))
    assert cast.missing == ""  # 领衔主演 says the role


def test_a_reason_asked_is_not_answered_by_the_fact_again() -> None:
    assert kind_not_given("南港2025年出口占比为什么会下降？", "南港2025年出口占比下降至12%。", True) == "原因"
    assert kind_not_given("南港2025年出口占比为什么会下降？", "主要是受海外需求减弱影响，占比下降至12%。", True) == ""
    assert kind_not_given("鹿鸣为什么回归母公司？", "鹿鸣回归母公司是为了整合供应链。", False) == ""
    # asked why something is proposed, the problem it answers is the reason; for a fact, a problem is none
    proposal = "南港政协那份报告为什么建议设立南港海事法庭？"
    problem = "建议设立南港海事法庭。海事案件数量多、专业性强，现有法庭难以满足审理需求，存在突出的审理慢问题[1]。"
    assert kind_not_given(proposal, problem, False) == ""
    assert kind_not_given("南港海事案件为什么增加了？", "南港海事案件增加了，现有法庭难以满足审理需求[1]。", False) == "原因"


def test_the_questions_own_figure_is_not_the_answers() -> None:
    """"那两只基金…降到了多少" answered without the rate: 两只 is the question's, not a figure given."""
    assert kind_not_given("鹿鸣资本那两只基金，管理费降到了多少？", "鹿鸣资本降低了两只基金的管理费。", True) == "数字"
    assert kind_not_given("鹿鸣资本那两只基金，管理费降到了多少？", "两只基金的管理费降到了1.5%。", True) == ""


def test_a_share_the_question_states_is_not_the_answers_figure() -> None:
    trade = "白皮书显示，有812个品类的超一半进口额来自北岛，是南港的2.1倍。"
    question = "白皮书说有812个品类一半以上的进口来自北岛，这些品类一年的进口额一共有多少？"
    grounded = ground("白皮书显示，有812个品类的超一半进口额来自北岛[1]。", prepared(question, trade))
    assert grounded.missing.startswith("资料中没有写明问题所问的数字")
    assert kind_not_given(question, "这些品类的进口额一共为一半以上的3亿元", True) == ""


def test_a_post_holder_asked_must_be_named() -> None:
    opening = "1996年初春，北岛新区管委会分管领导脚踩麦田，指挥着数十台推土机，各项建设全速推进。"
    question = "北岛新区刚动工那会儿，在麦田里指挥推土机的那位管委会分管领导叫什么名字？"
    grounded = ground("北岛新区管委会分管领导脚踩麦田，指挥着数十台推土机[1]。", prepared(question, opening))
    assert grounded.missing == "资料中没有写明问题所问的姓名；资料给出的最接近的是"
    assert kind_not_given("南港银行的总经理是谁？", "南港银行的总经理是林晓舟", False) == ""
    assert kind_not_given("南港银行的总经理是谁？", "南港银行总经理为陈明亮", False) == ""  # jieba reads 明亮 as bright
    assert kind_not_given("南港银行的总经理是谁？", "南港银行相关负责人表示将继续扩大开放", False) == "姓名"
    assert kind_not_given("南港大桥的设计方案叫什么？", "方案叫“长虹”", False) == ""  # a post holder only


def test_a_name_asked_of_one_company_is_not_the_name_the_passages_give_another() -> None:
    """"南港电子…那个产品叫什么" answered with the product the passages name only for 北岛数据."""
    makers = "不仅是青禾科技，北岛数据、南港电子等企业，也都推出了辅助科研的大模型产品。"
    product = "不久前，北岛数据在发布星河大模型时，也发布了面向科研工作者的星河科研助手。"
    question = "南港电子也出了辅助科研的大模型产品，那个产品叫什么？"
    grounded = ground("南港电子出了辅助科研的大模型产品，叫星河科研助手[1]。", prepared(question, makers + product))
    assert grounded.missing == "资料中没有写明问题所问的名称；资料给出的最接近的是"
    # the passage naming the asked company with the name: the answer stands
    own = "南港电子也发布了面向科研工作者的星河科研助手。"
    grounded = ground("南港电子出了辅助科研的大模型产品，叫星河科研助手[1]。", prepared(question, makers + own))
    assert grounded.missing == "" and "星河科研助手" in grounded.text


def test_a_person_asked_by_which_one_must_be_named() -> None:
    byline = "（作者系北岛社会科学院法学研究所研究员）"
    question = "那篇讲法治营商环境的文章，是北岛社科院哪位研究员写的？"
    grounded = ground("这篇文章是北岛社会科学院法学研究所研究员写的[1]。", prepared(question, byline))
    assert grounded.missing == "资料中没有写明问题所问的姓名；资料给出的最接近的是"
    assert kind_not_given("新区规划是哪位领导讲的？", "是新区党工委书记林晓舟讲的", False) == ""


def test_an_answer_restating_the_cited_sentence_without_its_date_is_answered_by_that_sentence() -> None:
    launch = "2024年3月，青禾电信方面宣布推出“星卡数字身份”，整合数字身份申领、认证等多项功能。"
    grounded = ground("青禾电信方面宣布推出“星卡数字身份”，整合数字身份申领、认证等多项功能[1]。",
                      prepared("青禾电信是什么时候推出“星卡数字身份”的？", launch))
    assert grounded.missing == "" and grounded.notice == NOTICE_DATE_QUOTED
    assert grounded.text == f"资料中与问题对应的原文：{launch.rstrip('。')}[1]。"
    # a date further on in the sentence may be another event's: it says nothing of when the card came out
    later = "近日，青禾电信宣布推出“星卡数字身份”，自今年10月15日起受理申领。"
    grounded = ground("青禾电信宣布推出“星卡数字身份”[1]。", prepared("青禾电信是哪天推出“星卡数字身份”的？", later))
    assert grounded.missing == "资料中没有写明问题所问的日期；资料给出的最接近的是"
    # a dated sentence about something else the question does not ask stays the closest, not an answer
    other = "2024年3月，青禾电信发布年度报告。"
    grounded = ground("青禾电信发布了年度报告[1]。", prepared("青禾电信是什么时候推出“星卡数字身份”的？", other))
    assert grounded.missing == "资料中没有写明问题所问的日期；资料给出的最接近的是"


def test_only_the_clause_that_asks_says_what_kind_of_thing_is_asked() -> None:
    # a figure or a date word in the question's description asks neither: these ask a name and a list
    certified = "南港车联的路侧感知系统算法精度达到了“双SL3”最高标准，这是哪家机构的认证？"
    assert not constraints_of(certified).value
    assert kind_not_given(certified, "这是南港信通院的认证。", constraints_of(certified).value) == ""
    plans = "南港高新区按人才工作时间线整合的那5个人才计划，分别是哪几个？"
    assert kind_not_given(plans, "分别是实习生计划、青年人才计划和紧缺人才计划。", constraints_of(plans).value) == ""
    assert constraints_of("南港高新区的人才计划一共达到了多少人？").value
    assert kind_not_given("南港人才计划是什么时间发布的？", "南港人才计划已正式发布。", False) == "日期"


def test_the_party_behind_a_report_is_a_role_the_cited_sentence_must_say() -> None:
    report = "北岛日报记者获得的一份大模型评测报告显示，科技伦理与数据安全一起被列为核心风险指标。"
    question = "北岛日报拿到的那份大模型评测报告，出品方到底是谁？"
    grounded = ground(f"{report[:-1]}[1]。", prepared(question, report))
    assert grounded.missing == "资料中没有写明问题所问的出品方；资料给出的最接近的是"
    issued = "该评测报告由南港信息通信研究院发布。"
    assert kind_not_given(question, "出品方是南港信息通信研究院。", False, issued) == ""


def test_asked_how_a_counted_set_divides_an_answer_saying_the_count_again_gives_none() -> None:
    question = "林晓舟讲数字化就业分了三个阶段，具体是怎么划分的？"
    said = "林晓舟指出，数字化就业经历了三个阶段，数字化职业具有技术化、智能化、服务化、个性化四大特征。"
    grounded = ground(f"{said[:-1]}[1]。", prepared(question, said))
    assert grounded.missing == "资料中没有写明问题所问的三个阶段分别是什么；资料给出的最接近的是"
    for listed in ("数字化就业经历了三个阶段：起步、扩张和深化。", "经历了三个阶段，即起步、扩张、深化。",
                   "一是起步阶段，二是扩张阶段，三是深化阶段。"):
        assert kind_not_given(question, listed, False) == ""


def test_a_count_asked_is_given_with_its_measure_word() -> None:
    """"“3+5+X”产业" and "多个项目" count no projects; "12个项目" and "三家企业" do."""
    question = "北岛那只50亿的天使母基金，到现在已经投了多少个项目？"
    assert kind_not_given(question, "基金已经投了多个项目，锚定“3+5+X”战略性新兴产业。", True) == "数字"
    assert kind_not_given(question, "基金已经投了12个项目。", True) == ""
    assert kind_not_given("有几家企业参加？", "有三家企业参加。", True) == ""
    assert kind_not_given("现在已经有几艘下水运营了？", "已经有一艘滚装船投入运营。", True) == ""
    assert kind_not_given("北岛发布了多少个创新案例？", "北岛，创新案例个数为14[1]。", True) == ""  # a table's cell
    assert kind_not_given("基金规模多大？", "规模达5亿。", True) == ""  # not a count: its kind is not held


def test_an_amount_the_passage_leaves_open_is_no_figure_whatever_figures_the_conditions_state() -> None:
    question = "南岭那条研发奖励，到底按研发费用的几个点来奖？"
    policy = "南岭省鼓励有条件的地区，对研发费用占营业收入比重3%以上且年增长20%以上的企业，按上年度研发费用一定比例给予财政奖励。"
    assert kind_not_given(question, policy, True) == "数字"
    grounded = ground(policy.rstrip("。") + "[1]。", prepared(question, policy))
    assert grounded.missing.startswith("资料中没有写明问题所问的数字")
    stated = policy.replace("一定比例", "10%的比例")  # the rate itself stated: an answer
    assert kind_not_given(question, stated, True) == ""
    # a condition naming more of the question than the open amount: its figure may be what is asked
    assert kind_not_given("研发费用占营业收入比重要达到几个点才能拿奖励？", policy, True) == ""


def test_a_name_alone_is_a_name_when_the_cited_sentence_has_it_speaking() -> None:
    said = "南岛省应急管理厅副厅长古远新介绍，近年来新兴领域的安全生产风险不断出现。"
    question = "出来讲新兴领域风险越来越多的应急厅领导是谁？"
    assert kind_not_given(question, "古远新", False, said) == ""
    assert kind_not_given(question, "应急管理厅", False, said) == "姓名"  # no one speaks as that


def test_a_which_question_answered_with_its_own_words_is_not_answered() -> None:
    """"…中国企业单家排第一的是哪家" answered "…排第一的是中国" names nothing the question did not."""
    question = "星河报告的专利评分里，中国企业单家排第一的是哪家？"
    assert kind_not_given(question, "星河报告的专利评分里，中国企业单家排第一的是中国[1]。", False) == "名称"
    assert kind_not_given(question, "排第一的是南港风电[1]。", False) == ""
    assert kind_not_given("哪家银行牵头，是南港银行吗？", "是南港银行牵头[1]。", False) == ""  # a yes-or-no


def test_a_date_of_another_event_is_no_date_of_the_thing_asked() -> None:
    """"是哪一年投的星芯科技" is not answered by the year the investor was founded: the passages name the
    company elsewhere, with no year."""
    founded = "2017 年，经北岛科学院批准，北岛创投正式成立，旗下管理成果转化母基金。"
    portfolio = "星芯科技、光华芯、南港量子均是其所投资的代表性项目。"
    question = "北岛创投那只成果转化母基金，是哪一年投的星芯科技？"
    grounded = ground("北岛创投的母基金是2017年投的星芯科技[1]。", prepared(question, founded + portfolio))
    assert grounded.missing == "资料中没有写明问题所问的日期；资料给出的最接近的是"
    opened = "记者了解到，SHXP 负责本地区的算力调度，并于今年 7月底正式上线了全国首个算力交易平台。"
    assert stands("全国首个算力交易平台是在今年7月底正式上线的[1]。", "全国首个算力交易平台，是什么时候在南港正式开张的？",
                  opened + "南港的算力网络正在加快建设。")  # a place after the question word sets the scene
    dated = "2019 年，北岛创投的成果转化母基金领投星芯科技A轮融资。"
    assert stands("北岛创投的母基金是2019年投的星芯科技[1]。", question, dated + portfolio)


SCHOOLS = "东湖区人才服务团队对接的那5家高校就业指导中心，都是哪些学校的？"
FIRMS = "星河创投的林晓舟说他们投了做大模型的专精特新企业，具体是哪几家公司？"


@pytest.mark.parametrize("question, answer, given", [
    (SCHOOLS, "东湖区对接的那5家高校就业指导中心，都是北岛省5家高校就业指导中心[1]。", False),  # the set again
    (FIRMS, "星河创投的林晓舟说他们投了半导体、芯片、大模型等方面的“专精特新”企业[1]。", False),  # kinds, not names
    (SCHOOLS, "分别是南港大学和北岛理工大学[1]。", True),
    (SCHOOLS, "南港大学、北岛理工、海川学院[1]。", True),
    (FIRMS, "投了“星芯”和“云帆”两家[1]。", True),
])
def test_names_asked_of_a_kind_must_be_given(question: str, answer: str, given: bool) -> None:
    assert kind_not_given(question, answer, False) == ("" if given else "名称")


def test_names_the_question_sets_aside_or_its_own_subject_glossed_name_nothing_asked() -> None:
    aside = "南港高新区已培育6家上市企业，除了星云数据和诺维生物，另外4家是谁？"
    again = "南港星云数据、南港诺维生物科技、南港星云数据[1]。"
    assert kind_not_given(aside, again, False) == "名称"
    assert kind_not_given(aside, "另外4家是蓝湾电子、青禾科技、北岛制药和东桥材料[1]。", False) == ""
    # the question's own subject under its full name, glossed with the name the question says
    first = "NRD当年成立之后，第一笔投资投的是哪家公司？"
    assert kind_not_given(first, "NRD第一笔投资投的是北方研究与开发公司（NRD）[1]。", False) == "名称"
    assert kind_not_given(first, "NRD第一笔投资投的是星河设备公司（SHD）[1]。", False) == ""


def test_a_name_asked_of_a_kind_must_be_one_the_passages_set_beside_that_kind() -> None:
    told = "公告显示，星河投资员工李青、王朗通过自媒体公众号发表贬低同行的不当言论，被协会公开谴责。"
    question = "星河投资那两个员工在自媒体上贬低同行，用的是哪个公众号？号名叫啥？"
    grounded = ground("他们通过自媒体公众号发表不当言论[1]。号名叫“星河投资”[1]。", prepared(question, told))
    assert grounded.missing.startswith("资料中没有写明问题所问的名称")
    named = told.replace("通过自媒体公众号", "通过公众号“星河观察”")
    assert stands("他们用的公众号叫“星河观察”[1]。", question, named)
    described = told.replace("通过自媒体公众号", "通过“星河观察”这一自媒体公众号")
    assert stands("他们用的公众号叫“星河观察”[1]。", question, described)
