"""Asked who said something, an answer naming a person other than the one the passages give for it
gets the sentence saying it. Fictional articles only."""

from __future__ import annotations

from rag.evidence import Evidence
from rag.grounding import ground
from rag.near_miss import NOTICE_OTHER_NAME
from rag.prepare import Prepared, asked_of
from rag.speakers import said_by_another
from tests.fakes import passages

FIRST = ("南港大学经济研究中心主任林晓舟表示，2026年居民有消费预期，消费恢复向好，企业也更愿意去投资，形成良性循环。")
SECOND = ("北岛商学院院长张海涛教授告诉本报记者，2026年要从促进消费恢复转向“持续扩大消费”。")
QUESTION = "是谁说2026年要从消费恢复转向“持续扩大消费”？"


def _prepared(question: str, *texts: str) -> Prepared:
    shown = passages(*texts)
    evidence = Evidence(True, 1.0, 0.9, "the passages cover the question")
    return Prepared(question, question, [], [p.hit for p in shown], shown, evidence, {}, asked_of(question, shown))


def test_the_person_of_the_sentence_saying_it_replaces_another_the_answer_names() -> None:
    shown = passages(FIRST, SECOND)
    found = said_by_another(QUESTION, "林晓舟说2026年要从促进消费恢复转向“持续扩大消费”[1]。", shown)
    assert found is not None and "张海涛" in found[0] and found[1].chunk.id == "c2"
    grounded = ground("林晓舟说2026年要从促进消费恢复转向“持续扩大消费”[1]。", _prepared(QUESTION, FIRST, SECOND))
    assert "张海涛" in grounded.text and "林晓舟" not in grounded.text
    assert grounded.notice == NOTICE_OTHER_NAME and grounded.citations[0].chunk.id == "c2"


def test_the_right_person_a_question_not_asking_who_or_a_sentence_naming_nobody_change_nothing() -> None:
    shown = passages(FIRST, SECOND)
    assert said_by_another(QUESTION, "张海涛说2026年要转向“持续扩大消费”[2]。", shown) is None
    assert said_by_another("2026年要从消费恢复转向什么？", "林晓舟说要转向“持续扩大消费”[1]。", shown) is None
    unnamed = passages(FIRST, "张海涛教授接受采访。他认为，2026年要从促进消费恢复转向“持续扩大消费”。")
    assert said_by_another(QUESTION, "林晓舟说2026年要转向“持续扩大消费”[1]。", unnamed) is None


def test_a_passage_naming_the_answers_person_too_changes_nothing() -> None:
    """The best-matching sentence sets the scene; the claim and its speaker may follow it."""
    scene = ("8月30日，北岛召开金融支持民企推进会，北岛银行行长王建国在会上表示，将加大支持力度。"
             "“已经形成支持民企的文件初稿。”北岛银行副行长陈志强在会上透露。")
    question = "8月30日那场金融支持民企推进会上，透露已经形成文件初稿的是哪位？"
    assert said_by_another(question, "陈志强在会上透露[1]。", passages(scene)) is None


def test_words_the_question_gives_a_person_no_passage_names_are_said_to_be_anothers() -> None:
    said = "北岛商学院院长张海涛也曾表示，机器人本身是不直接创造价值的，基于机器人开发出来的服务才是它存在的意义。"
    question = "林晓舟好像讲过“机器人本身不直接创造价值”，他原话是怎么说的？"
    answer = "林晓舟讲过：“机器人本身是不直接创造价值的，基于机器人开发出来的服务才是它存在的意义[1]。”"
    grounded = ground(answer, _prepared(question, said))
    assert grounded.missing == "资料中没有林晓舟的这番话；资料给出的是张海涛的"
    assert grounded.citations[0].quote == said
    # a passage naming the asked person may hold the words as theirs: the answer is the model's reading
    assert ground(answer, _prepared(question, said, FIRST)).missing == ""
    # a question not having the person say anything asks nothing of whose words they are
    led = "林晓舟牵头的“机器人本身不直接创造价值”讨论会，那句话原文是怎么写的？"
    assert ground(answer, _prepared(led, said)).missing != "资料中没有林晓舟的这番话；资料给出的是张海涛的"
    # an answer giving the words to the one saying them stands
    right = "这话是张海涛说的：“机器人本身是不直接创造价值的，基于机器人开发出来的服务才是它存在的意义[1]。”"
    assert ground(right, _prepared(question, said)).missing == ""
