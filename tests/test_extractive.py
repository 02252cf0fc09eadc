"""The no-LLM answerer: question-matching sentences of the passages, each cited."""

from __future__ import annotations

from rag.citations import verify_citations
from rag.extractive import extract_answer
from tests.fakes import passages

EXPORTS = ("中国汽车工业协会发布了2023年汽车工业经济运行情况。全年我国汽车出口表现亮眼，成为拉动增长的主要力量。"
           "2023年我国汽车出口491万辆，同比增长57.9%。")
BANKS = "截至2023年末，工商银行民营企业贷款余额超过2万亿元，居国有大行首位。建设银行紧随其后。"
CERT = "自2024年11月1日起，电动自行车用锂离子蓄电池和充电器须经过3C认证方可出厂、销售。"


def test_extractive_picks_the_sentence_with_the_number():
    answer = extract_answer("2023年我国汽车出口多少辆？", passages(EXPORTS, BANKS), max_sentences=1)
    assert answer == "2023年我国汽车出口491万辆，同比增长57.9%[1]。"


def test_each_sentence_ends_with_its_passage_marker():
    answer = extract_answer("汽车出口和民营企业贷款余额", passages(BANKS, EXPORTS))
    assert "工商银行民营企业贷款余额超过2万亿元，居国有大行首位[1]。" in answer
    assert "全年我国汽车出口表现亮眼，成为拉动增长的主要力量[2]。" in answer


def test_sentences_keep_reading_order():
    answer = extract_answer("汽车出口的拉动力量和民营企业贷款余额", passages(BANKS, EXPORTS), max_sentences=3)
    assert answer.index("民营企业") < answer.index("拉动增长")


def test_one_fact_question_gets_one_sentence():
    answer = extract_answer("2023年我国汽车出口多少辆？", passages(EXPORTS, BANKS))
    assert answer == "2023年我国汽车出口491万辆，同比增长57.9%[1]。"


def test_off_topic_question_gives_nothing():
    assert extract_answer("今天天气怎么样？", passages(EXPORTS, BANKS, CERT)) == ""
    assert extract_answer("汽车出口多少？", []) == ""


def test_earlier_passage_wins_a_tie():
    answer = extract_answer("民营企业贷款余额", passages(CERT, BANKS, BANKS + "。"), max_sentences=1)
    assert answer.endswith("[2]。")


def test_character_budget_is_respected_but_the_best_sentence_is_kept():
    answer = extract_answer("2023年汽车出口多少辆", passages(EXPORTS), max_chars=30)
    assert answer.startswith("2023年我国汽车出口491万辆") and answer.count("[1]") == 1
    tiny = extract_answer("2023年汽车出口多少辆", passages(EXPORTS), max_chars=10)
    assert tiny.endswith("…[1]。") and len(tiny) <= 10 + len("[1]。")


def test_extracted_answer_survives_citation_check_unchanged():
    ps = passages(EXPORTS, BANKS, CERT)
    answer = extract_answer("电动自行车锂电池什么时候开始要3C认证？", ps)
    text, cites = verify_citations(answer, ps)
    assert text == answer.replace("[3]", "[1]") and cites[0].chunk.id == "c3"
