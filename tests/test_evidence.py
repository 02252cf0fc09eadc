"""Refusal from retrieval evidence: coverage of the question's terms and dense similarity."""

from __future__ import annotations

import math

from index.records import Chunk, Hit
from rag.evidence import REFUSAL_TEXT, assess_evidence, is_model_refusal, question_terms

EXPORTS = "中国汽车工业协会数据显示，2023年我国汽车出口491万辆，同比增长57.9%，首次超过日本。"
BANKS = "截至2023年末，工商银行民营企业贷款余额超过2万亿元，居国有大行首位。"
XIAOMI = "小米SU7正式发布，起售价21.59万元，首批交付用户已超过1万辆。"


def hits(*texts: str, dense: float | None = 0.92) -> list[Hit]:
    out = []
    for i, text in enumerate(texts, 1):
        chunk = Chunk(id=f"c{i}", source=f"{i}.txt", title="要闻", text=text, start=0, end=len(text))
        scores = {"bm25": 9.0} if dense is None else {"dense": dense - 0.01 * i, "bm25": 9.0}
        out.append(Hit(chunk=chunk, score=1.0, retriever="hybrid", rank=i, scores=scores))
    return out


def test_question_words_are_not_content_terms():
    found = question_terms("请问2023年我国汽车出口多少辆呢？")
    assert {"汽车", "出口", "2023"} <= found.keys()
    assert not {"多少", "请问", "少辆", "辆呢"} & found.keys()


def test_covered_question_is_answerable():
    evidence = assess_evidence("2023年我国汽车出口多少辆？", hits(EXPORTS, BANKS))
    assert evidence.answerable and evidence.coverage > 0.9
    assert evidence.best_dense == 0.91  # the best of the hits, not the first


def test_off_topic_question_is_not_answerable():
    evidence = assess_evidence("深圳2023年GDP增速是多少？", hits(EXPORTS, BANKS, XIAOMI))
    assert not evidence.answerable and evidence.coverage < 0.5
    assert "coverage" in evidence.reason


def test_semantically_distant_passages_are_not_evidence_even_if_words_match():
    # "长城" matches 长城汽车 lexically; e5 puts off-topic questions below 0.88 on this corpus
    car = "长城汽车2023年销量123万辆，同比增长16.8%。"
    assert assess_evidence("长城有多长？", hits(car, dense=0.95)).answerable
    assert not assess_evidence("长城有多长？", hits(car, dense=0.84)).answerable


def test_a_short_question_whose_terms_the_passages_name_is_not_refused_for_distance_alone():
    town = "2016年5月，经国务院批准，北岛县正式撤县设市，工业总产值随后突破千亿元。"
    assert assess_evidence("北岛是哪年哪月撤县设市的？", hits(town, dense=0.87)).answerable
    assert not assess_evidence("南港是哪年哪月撤县设市的？", hits(town, dense=0.87)).answerable  # few of its terms
    assert not assess_evidence("北岛的县花是什么？", hits(town, dense=0.87)).answerable


def test_product_code_missing_from_every_passage_is_not_answerable():
    evidence = assess_evidence("小米SU8的起售价是多少？", hits(XIAOMI))
    assert not evidence.answerable and "su8" in evidence.reason
    assert assess_evidence("小米SU7的起售价是多少？", hits(XIAOMI)).answerable


def test_digit_first_codes_are_not_required_verbatim():
    ccc = "电动自行车用锂电池和充电器须经过CCC认证方可销售。"
    assert assess_evidence("电动自行车锂电池和充电器要过3C认证吗？", hits(ccc)).answerable


def test_without_dense_scores_coverage_decides():
    evidence = assess_evidence("工商银行民营企业贷款余额有多少？", hits(BANKS, dense=None))
    assert evidence.answerable and math.isnan(evidence.best_dense)


def test_only_the_best_three_hits_count_as_evidence():
    evidence = assess_evidence("工商银行民营企业贷款余额有多少？", hits(EXPORTS, XIAOMI, EXPORTS, BANKS))
    assert not evidence.answerable


def test_nothing_retrieved_is_not_answerable():
    assert not assess_evidence("汽车出口多少辆？", []).answerable


def test_model_refusals_are_recognised():
    for text in [REFUSAL_TEXT, "资料中没有提到深圳的GDP增速。", "抱歉，所给资料未提及该信息。", "我无法回答这个问题。",
                 "不知道。", "The passages do not mention it.", "资料中没有找到相关信息[1]。"]:
        assert is_model_refusal(text), text


def test_answers_are_not_refusals():
    for text in ["2023年我国汽车出口491万辆[1]。", "工商银行贷款余额超过2万亿元[1]，利润未披露。", "出口增长57.9%。"]:
        assert not is_model_refusal(text), text


SHENZHEN_PORT = "深圳港2023年集装箱吞吐量3000万标箱，同比增长1.5%。"
NATIONAL_GDP = "国家统计局数据显示，2023年国内生产总值比上年增长5.2%，31省份GDP加权平均目标增速为5.4%。"


def test_a_place_the_question_names_must_be_in_some_passage():
    # the national figure is on topic, and still does not answer a question about Shenzhen
    evidence = assess_evidence("深圳2023年GDP增速是多少？", hits(NATIONAL_GDP))
    assert not evidence.answerable and "深圳" in evidence.reason
    assert assess_evidence("2023年我国GDP增速是多少？", hits(NATIONAL_GDP)).answerable
    assert assess_evidence("深圳市2023年集装箱吞吐量是多少？", hits(SHENZHEN_PORT)).answerable  # 深圳市 = 深圳


def test_a_particle_starts_no_place_name():
    """jieba tags 的国 of "柴油车的国六标准" as a place, which no passage names."""
    standard = "重型柴油车国六排放标准于2021年7月1日起在全国全面实施。"
    assert assess_evidence("重型柴油车的国六排放标准，是从哪天起在全国全面实施的？", hits(standard)).answerable


def test_a_question_of_two_parts_passes_when_one_part_is_covered():
    question = "2023年我国汽车出口多少辆？另一份行业报告点名批评的头部新能源车企和零部件供应商是哪几家？"
    assert not assess_evidence(question.split("？")[1], hits(EXPORTS)).answerable
    evidence = assess_evidence(question, hits(EXPORTS))
    assert evidence.answerable and "汽车出口" in evidence.reason
    assert not assess_evidence("小米SU8的起售价是多少？深圳港吞吐量是多少？", hits(EXPORTS)).answerable


def test_words_a_spoken_question_points_with_are_not_content_terms():
    """"那份文件", "这人叫啥": no article writes them, so they cannot count against the passages."""
    found = question_terms("监管那份文件第5条，提的是啥要求？")
    assert {"监管", "文件", "要求"} <= found.keys()
    assert not {"那份", "管那", "份文", "啥要", "是啥"} & found.keys()
    passage = "北岛金融局印发的文件第5条提出，要加强合作机构管理，实行名单制管理。"
    assert assess_evidence("北岛金融局那份文件第5条，提的是啥要求？", hits(passage)).answerable


def test_a_spoken_question_is_not_held_to_the_bigrams_joining_its_words():
    """"那边说从…要实现": bigrams across two words (说从, 要实) are in no article worded otherwise."""
    passage = "北岛新区党工委书记林晓舟表示，从“园”到“城”踏上二次创业之路，将实现5个方面的蝶变。"
    question = "北岛那边说从“园”到“城”要实现五方面蝶变的，是哪位领导讲的？"
    evidence = assess_evidence(question, hits(passage))
    assert evidence.answerable and evidence.coverage >= 0.6
    # words the passages lack still count: a question about another place's plan is not covered
    other = assess_evidence("南港那边说港口扩建要新招多少家航运企业？", hits(passage))
    assert not other.answerable
