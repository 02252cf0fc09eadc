"""Every claim is tied to a passage: an answer no passage supports is not given as an answer, and a
bare answer ("林晓舟") is cited by the passage that says it in the question's frame. Short fictional
passages."""

from __future__ import annotations

from rag.grounding import NOTICE_UNCITED, ground
from rag.near_miss import MISSING_DIRECT
from tests.test_near_miss import prepared

FINAL = "第七届星河杯乒乓球赛男单决赛在南岛体育馆举行，林晓舟以4比2战胜周以宁，夺得男单冠军。"
OPENING = "林晓舟在开幕式上代表运动员宣誓，周以宁担任旗手。"
SLOGAN = "第七届星河杯乒乓球赛于5月3日在南岛体育馆开幕，共有来自12个城市的运动员参赛。"


def test_an_answer_no_passage_holds_quotes_the_closest_sentence_instead() -> None:
    # the model's own knowledge: no passage states a slogan
    grounded = ground("第七届星河杯的口号是“一起向未来”。", prepared("第七届星河杯的口号是什么？", SLOGAN, OPENING))
    assert grounded.missing == MISSING_DIRECT and grounded.notice == NOTICE_UNCITED
    assert grounded.text == f"{MISSING_DIRECT}：{SLOGAN.rstrip('。')}[1]。"
    assert [c.n for c in grounded.citations] == [1] and grounded.citations[0].quote == SLOGAN


def test_a_bare_name_is_cited_by_the_passage_that_says_it_of_what_was_asked() -> None:
    # both passages name him; only the first says he won
    grounded = ground("林晓舟", prepared("第七届星河杯男单冠军是谁？", OPENING, FINAL))
    assert grounded.missing == "" and grounded.text == "林晓舟[1]"
    assert grounded.citations[0].quote == FINAL


def test_a_bare_name_no_passage_says_of_what_was_asked_is_not_an_answer() -> None:
    # the passage names her, but as a flag bearer: nothing about a women's final
    grounded = ground("周以宁", prepared("第七届星河杯女单冠军是谁？", OPENING))
    assert grounded.missing == MISSING_DIRECT and grounded.citations[0].quote == OPENING


def test_a_cited_answer_and_a_refusal_are_left_as_they_are() -> None:
    kept = ground("第七届星河杯男单冠军是林晓舟[1]。", prepared("第七届星河杯男单冠军是谁？", FINAL))
    assert kept.missing == "" and kept.text == "第七届星河杯男单冠军是林晓舟[1]。"
    assert ground("资料中没有找到相关信息。", prepared("第七届星河杯的口号是什么？", SLOGAN)).refused


def test_the_closest_sentence_quoted_is_not_held_to_the_question_again() -> None:
    # the quoted sentence states a figure of another subject; the answer already says it is no answer
    cups = "星河队与北岛队并列夺得最多联赛冠军，各共15次夺冠。"
    grounded = ground("这是南港队历史上第15次捧起奖杯。", prepared("星河杯是南港队第几次夺冠？", cups))
    assert grounded.missing == MISSING_DIRECT and grounded.text == f"{MISSING_DIRECT}：{cups.rstrip('。')}[1]。"


def test_the_closest_sentence_is_the_one_the_answer_names_not_the_questions_description() -> None:
    # the question describes the ranking at length; the answer names the firm, with a year its sentence does not say
    ranking = ("据报道，这份排名由行业专家韩立成立的星河出行研究中心(XCR)公布的创新排名。"
               "此外，北岛汽车首次位列第一，此前长期排名第一的南港汽车现已跌至第六位。")
    question = "星河出行研究中心（XCR）那份车企创新排名里，以前长期排第一、这次掉到第六的是哪家车企？"
    grounded = ground("南港汽车在2019年排名为第一，但这次掉到第六位。",
                      prepared(question, ranking, "2019年，这一比例为21%。"))
    assert grounded.missing == MISSING_DIRECT
    assert grounded.citations[0].quote == "此外，北岛汽车首次位列第一，此前长期排名第一的南港汽车现已跌至第六位。"


def test_a_bare_name_is_cited_by_the_sentence_closest_to_the_question_that_says_it() -> None:
    said = "南岛省应急管理厅副厅长古远新介绍条例修订时说，近年来新能源、旅游新业态等新兴领域的安全生产风险不断出现。"
    rules = "新修订的《南岛经济特区安全生产条例》新增18条条文，将于10月1日起施行。"
    question = "南岛修安全生产条例那事，出来讲新能源、旅游新业态风险越来越多的应急厅领导是谁？"
    grounded = ground("古远新", prepared(question, rules, said))
    assert grounded.text == "古远新[1]" and grounded.missing == "" and grounded.citations[0].quote == said
    # the sentence closest to the question must name nearly all of it: a name said of something else is no answer
    elsewhere = "南岛省应急管理厅副厅长古远新出席了开幕式。"
    assert ground("古远新", prepared(question, rules, elsewhere)).missing == MISSING_DIRECT
    # a yes, or a name no sentence says, is no bare answer
    assert ground("是", prepared("南岛的安全生产条例是新修订的吗？", rules, said)).missing == MISSING_DIRECT
    invented = ground("林远新", prepared(question, rules, said))
    assert invented.refused or invented.missing == MISSING_DIRECT


def test_the_question_restated_with_its_figure_is_cited_by_the_sentence_holding_the_figure() -> None:
    # the paraphrase ("放出来的", "专门给") is in no passage; its one claim, 530个, is, with the question's event
    fair = ("近日，南岛科技园举办了专场直播招聘活动。40家企业发布岗位 1210 个，其中应届生岗位 530 个。"
            "活动当天累计观看人数近 8 万。")
    question = "南岛科技园那次直播招聘，40家企业放出来的这批岗位里头，专门留给应届毕业生的一共有多少个？"
    restated = "40家企业放出来的这批岗位里头，专门留给应届毕业生的一共有530个"
    grounded = ground(f"{restated}。", prepared(question, fair))
    assert grounded.missing == "" and grounded.text == f"{restated}[1]。"
    assert grounded.citations[0].quote == "40家企业发布岗位 1210 个，其中应届生岗位 530 个。"
    # a figure no sentence says with the rest, or a figure besides the question's own words, is no such answer
    for answer in (restated.replace("530", "560"), f"{restated}，占比44%"):
        assert ground(f"{answer}。", prepared(question, fair)).text != f"{answer}[1]。"
    # the sentence holding the figure must name nearly all of the question, its paragraph's lead with it
    elsewhere = "南岛港今年新开航线 530 个。"
    assert ground(f"{restated}。", prepared(question, elsewhere)).missing == MISSING_DIRECT
