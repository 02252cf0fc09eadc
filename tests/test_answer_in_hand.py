"""A model declining with the answer in hand (class 3), on short fictional passages: the first
passage's sentence that keeps to every constraint of the question answers instead; a near miss,
another subject or a question that pins no value still ends in the model's refusal."""

from __future__ import annotations

import pytest

from rag.grounding import NOTICE_IN_HAND, NOTICE_IN_HAND_INVENTED, NOTICE_INVENTED, NOTICE_MODEL_DECLINED, ground
from tests.test_near_miss import prepared

DECLINED = "资料中没有找到相关信息。"
REVENUE = ("星河电池发布年报。2025年，星河电池实现营业收入61.8亿元，同比增长9%。"
           "公司表示，将继续扩大海外市场。")


def test_the_asked_figure_in_the_first_passage_answers_instead_of_a_refusal() -> None:
    grounded = ground(DECLINED, prepared("星河电池2025年营业收入是多少亿元？", REVENUE))
    assert not grounded.refused and grounded.notice == NOTICE_IN_HAND
    assert grounded.text == "2025年，星河电池实现营业收入61.8亿元，同比增长9%[1]。"
    assert [c.n for c in grounded.citations] == [1] and "61.8亿元" in grounded.citations[0].quote


@pytest.mark.parametrize("question", [
    "星河电池2024年营业收入是多少亿元？",    # another year: a near miss, not the answer
    "月湾电池2025年营业收入是多少亿元？",    # another company
    "星河电池2025年营业收入增长的原因是什么？",  # no value asked: nothing to check a sentence against
])
def test_a_refusal_stands_when_no_sentence_keeps_to_the_question(question: str) -> None:
    grounded = ground(DECLINED, prepared(question, REVENUE))
    assert grounded.refused and grounded.notice == NOTICE_MODEL_DECLINED


def test_only_the_first_passage_is_taken_at_its_word() -> None:
    grounded = ground(DECLINED, prepared("星河电池2025年营业收入是多少亿元？", "北岛市新建了三座公园。", REVENUE))
    assert grounded.refused


def test_an_answer_of_invented_figures_gives_way_to_the_sentence_in_hand() -> None:
    roads = ("截至目前，北岛三省市高速公路总里程达到8800公里(其中东州市1100公里，西州市1300公里，南州省6400公里)，"
             "相较于2015年增长30.5%。")
    question = "北岛三省市的高速公路总里程里，南州省有多少公里？"
    grounded = ground("南州省高速公路里程占三地高速公路里程的64.00%[1]。", prepared(question, roads))
    assert not grounded.refused and grounded.notice == NOTICE_IN_HAND_INVENTED
    assert grounded.text == roads.rstrip("。") + "[1]。"  # quoted whole: each figure stands with its own place
    invented = ground("南州省高速公路里程占三地高速公路里程的64.00%[1]。", prepared("南州省的高速公路有多少条？", roads))
    assert invented.refused and invented.notice == NOTICE_INVENTED


def test_the_sentence_in_hand_names_what_is_asked_itself() -> None:
    exports = ("研报显示，2025年北岛出口到南港的汽车为31.5万辆，而北岛车企在南港销量9.2万辆。"
               "有分析认为，这些汽车多数会再出口到东州。")
    grounded = ground(DECLINED, prepared("2025年北岛出口到东州的汽车有多少辆？", exports))
    assert grounded.refused and grounded.notice == NOTICE_MODEL_DECLINED


def test_the_sentence_in_hand_is_of_the_asked_year_by_its_own_words_or_what_precedes_it() -> None:
    ranking = "北岛独角兽榜单发布。其中，东州独角兽企业75家、西州独角兽企业65家。"
    undated = ground(DECLINED, prepared("2024年东州独角兽企业一共有多少家？", ranking))
    assert undated.refused and undated.notice == NOTICE_MODEL_DECLINED  # it names no other year, nor this one
    dated = ground(DECLINED, prepared("2025年东州独角兽企业一共有多少家？", "2025年" + ranking))
    assert not dated.refused and dated.notice == NOTICE_IN_HAND and "75家" in dated.text


def test_a_subject_the_articles_title_names_holds_the_sentence_in_hand_where_jieba_knows_no_name() -> None:
    """"科学城" is no name jieba knows; the article's title names it, so the question has a subject."""
    from dataclasses import replace as copied

    from rag.evidence import Evidence
    from rag.prepare import Prepared
    from tests.fakes import passages

    text = "科学城从业人员中三分之二为硕士研究生以上学历，近20%为海外留学归国人员。"
    shown = passages(text)
    titled = [copied(shown[0], hit=copied(shown[0].hit, chunk=copied(shown[0].chunk, title="北岛科学城有何魅力？")))]
    question = "科学城的从业人员里，海外留学回来的大概占几成？"
    asked = prepared(question, text)

    def over(passages_shown: list) -> Prepared:
        return Prepared(question, question, [], [p.hit for p in passages_shown], passages_shown,
                        Evidence(True, 1.0, 0.9, "covered"), {}, asked.constraints)

    grounded = ground(DECLINED, over(titled))
    assert not grounded.refused and grounded.notice == NOTICE_IN_HAND and "20%" in grounded.text
    assert ground(DECLINED, over(shown)).refused  # a title not naming it: no subject to hold it to
