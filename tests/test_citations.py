"""Citation repair: markers point at passages that support their sentence, numbered 1..m."""

from __future__ import annotations

import random

from index.text import MARKER, marker_numbers, split_sentences, strip_markers
from rag.citations import verify_citations
from tests.fakes import passages

EXPORTS = "中国汽车工业协会数据显示，2023年我国汽车出口491万辆，同比增长57.9%。出口首次超过日本，居全球第一。"
BANKS = "截至2023年末，工商银行民营企业贷款余额超过2万亿元，居国有大行首位。建设银行紧随其后。"
CERT = "自2024年11月1日起，电动自行车用锂离子蓄电池和充电器须经过3C认证方可出厂、销售。"


PASSAGES = passages(EXPORTS, BANKS, CERT)


def test_supported_marker_is_kept():
    text, cites = verify_citations("2023年我国汽车出口491万辆[1]。", PASSAGES)
    assert text == "2023年我国汽车出口491万辆[1]。"
    assert [(c.n, c.chunk.id) for c in cites] == [(1, "c1")]


def test_the_numbers_of_an_answers_list_items_are_no_figures():
    proposals = passages("鹿鸣建议，强化溯源体系数字化建设，推动电池生产商与整车企业形成联动。"
                         "探索适合的商业模式，整合行业资源，构建覆盖面广的回收网络。")
    answer = "鹿鸣提了以下建议：\n1. 强化溯源体系数字化建设，推动电池生产商与整车企业形成联动。\n2. 探索适合的商业模式，整合行业资源。"
    text, cites = verify_citations(answer, proposals)
    assert text.endswith("形成联动[1]。\n2. 探索适合的商业模式，整合行业资源[1]。")
    assert [c.chunk.id for c in cites] == ["c1"]


def test_marker_pointing_nowhere_is_dropped_or_reattributed():
    text, cites = verify_citations("2023年我国汽车出口491万辆[7]。今天天气不错，适合出门散步走走[9]。", PASSAGES)
    assert text == "2023年我国汽车出口491万辆[1]。今天天气不错，适合出门散步走走。"
    assert [c.chunk.id for c in cites] == ["c1"]


def test_marker_on_a_passage_that_does_not_support_moves_to_the_one_that_does():
    text, cites = verify_citations("工商银行民营企业贷款余额超过2万亿元[3]。", PASSAGES)
    assert text == "工商银行民营企业贷款余额超过2万亿元[1]。"
    assert cites[0].chunk.id == "c2"


def test_marker_on_a_weak_neighbour_moves_to_the_passage_with_the_fact():
    ps = passages("国铁集团与建设银行将合作开展铁路物流金融服务试点，为铁路货运客户提供金融产品。",
                  "双方依托铁路货运平台，推出铁路运费贷、信用证结算、铁路单证融资三种铁路物流金融产品。")
    sentence = "国铁集团与建设银行依托铁路货运平台推出铁路运费贷、信用证结算、铁路单证融资三种产品"
    text, cites = verify_citations(sentence + "[1]。", ps)  # [1] shares words (0.35), [2] has the fact (0.68)
    assert text == sentence + "[1]。" and [c.chunk.id for c in cites] == ["c2"]


def test_uncited_factual_sentence_gets_the_supporting_passage():
    text, cites = verify_citations("电动自行车锂电池和充电器从2024年11月1日起须经过3C认证。", PASSAGES)
    assert text == "电动自行车锂电池和充电器从2024年11月1日起须经过3C认证[1]。"
    assert cites[0].chunk.id == "c3"


def test_refusals_and_short_phrases_get_no_marker():
    text, cites = verify_citations("根据资料：\n资料中没有提到小米SU7的芯片算力。", PASSAGES)
    assert text == "根据资料：\n资料中没有提到小米SU7的芯片算力。" and cites == []


def test_number_must_match_for_support():
    # same words, wrong figure: the passage does not support the claim
    text, _ = verify_citations("2023年我国汽车出口800万辆，同比增长90%[1]。", PASSAGES)
    assert text == "2023年我国汽车出口800万辆，同比增长90%。"


def test_an_ordinal_is_not_a_figure_the_passage_must_hold():
    # "第一家" ranks, it counts nothing: the passage saying "首家" supports the sentence
    ps = passages("截至目前，开发区共有“零碳工厂”1家、“绿色工厂”6家。",
                  "星河电池成为开发区首家入选“零碳工厂”的企业，该公司2008年在开发区注册成立。")
    text, cites = verify_citations("开发区第一家入选“零碳工厂”的企业是星河电池，2008年在开发区注册成立[1]。", ps)
    assert [c.chunk.id for c in cites] == ["c2"]


def test_rounded_figure_still_counts_as_support():
    text, _ = verify_citations("我国汽车出口约490万辆，同比增长约58%[1]。", PASSAGES)
    assert text == "我国汽车出口约490万辆，同比增长约58%[1]。"


def test_sentence_joining_two_passages_keeps_both_markers():
    text, cites = verify_citations("我国汽车出口491万辆，工商银行民营企业贷款余额超过2万亿元[1][2]。", PASSAGES)
    assert text.endswith("[1][2]。") and [c.chunk.id for c in cites] == ["c1", "c2"]


def test_markers_are_renumbered_in_order_of_appearance():
    answer = "锂电池和充电器须经过3C认证[3]。工商银行民营企业贷款余额超过2万亿元[2]。汽车出口491万辆[1]。充电器须经过3C认证[3]。"
    text, cites = verify_citations(answer, PASSAGES)
    assert [m.group() for m in MARKER.finditer(text)] == ["[1]", "[2]", "[3]", "[1]"]
    assert [(c.n, c.chunk.id) for c in cites] == [(1, "c3"), (2, "c2"), (3, "c1")]


def test_marker_forms_are_all_understood():
    for marker in ["[1]", "[1][2]", "[1, 2]", "[1,2]", "【1】", "[^1]", "［１］", "[1，2]"]:
        text, cites = verify_citations(f"2023年我国汽车出口491万辆{marker}。", PASSAGES)
        assert text == "2023年我国汽车出口491万辆[1]。", marker
    text, _ = verify_citations("汽车出口分三步(1)出口491万辆。", PASSAGES)
    assert "(1)" in text  # parentheses are list numbering, never a marker


def test_marker_after_the_full_stop_moves_before_it():
    text, _ = verify_citations("2023年我国汽车出口491万辆。[1]\n- 工商银行民营企业贷款余额超过2万亿元。 [2]", PASSAGES)
    assert text == "2023年我国汽车出口491万辆[1]。\n- 工商银行民营企业贷款余额超过2万亿元[2]。"


def test_quote_is_the_supporting_sentence_of_the_passage():
    _, cites = verify_citations("汽车出口首次超过日本[1]。", PASSAGES)
    assert cites[0].quote == "出口首次超过日本，居全球第一。"
    assert cites[0].quote in cites[0].chunk.text


def test_no_passages_means_no_markers():
    text, cites = verify_citations("2023年我国汽车出口491万辆[1]。", [])
    assert text == "2023年我国汽车出口491万辆。" and cites == []


def test_sentences_split_on_chinese_and_latin_ends_but_not_decimals():
    text = "增长5.4%。收入 up 3.5. Next[1]! 1. 第一项\n2. 第二项"
    pieces = [text[a:b] for a, b in split_sentences(text)]
    assert "".join(pieces) == text
    assert pieces == ["增长5.4%。", "收入 up 3.5. ", "Next[1]! ", "1. 第一项\n", "2. 第二项"]


def test_strip_markers_removes_every_form():
    assert strip_markers("出口491万辆 [1][2]，增长【3】。见[^4]与[5, 6]") == "出口491万辆，增长。见与"


def test_no_marker_ever_points_at_nothing():
    rng = random.Random(20240229)
    pieces = [EXPORTS, BANKS, CERT, "今天天气不错。", "资料中没有找到相关信息。", "\n- ", "[", "]", "1", "，", "。", " "]
    forms = ["[{}]", "【{}】", "[^{}]", "[{}, {}]", "[{}][{}]", "［{}］", "[{}\n]", "[{},{}"]
    for _ in range(500):
        answer = ""
        for _ in range(rng.randint(0, 12)):
            piece = rng.choice(pieces)
            answer += piece[: rng.randint(0, len(piece))]
            if rng.random() < 0.6:
                form = rng.choice(forms)
                answer += form.format(*(rng.randint(-1, 12) for _ in range(form.count("{}"))))
        ps = PASSAGES[: rng.randint(0, 3)]
        text, cites = verify_citations(answer, ps)
        assert [c.n for c in cites] == list(range(1, len(cites) + 1))
        shown = [n for m in MARKER.finditer(text) for n in marker_numbers(m.group())]
        assert all(1 <= n <= len(cites) for n in shown), (answer, text)
        assert sorted(set(shown)) == [c.n for c in cites]  # every citation is shown
        assert all(c.quote in c.chunk.text for c in cites)


def test_a_figure_restated_from_the_question_does_not_pick_the_passage():
    ps = passages("1亿元专项资金中，6000万元用于对银行的风险补偿，3000万元用于对企业的贷款贴息。",
                  "企业的贷款贴息按实付利息的30%给予，每家企业最高25万元/年。")
    question = "1亿元专项资金里，企业的贷款贴息每家最高多少？"
    text, cites = verify_citations("1亿元专项资金里，企业的贷款贴息每家最高25万元/年。", ps, question)
    assert [c.chunk.id for c in cites] == ["c2"]
    _, without_question = verify_citations("1亿元专项资金里，企业的贷款贴息每家最高25万元/年。", ps)
    assert [c.chunk.id for c in without_question] != ["c2"]  # the question's 1亿元 alone would pick c1


def test_a_sentence_taking_its_figures_from_two_passages_cites_both():
    ps = passages("东湖片区培育高新技术企业140家，占全区比重40%。", "西岭片区入驻高新技术企业95家，科技型中小企业210家。",
                  CERT)
    text, cites = verify_citations("东湖片区高新技术企业140家，西岭片区高新技术企业95家。", ps)
    assert text == "东湖片区高新技术企业140家，西岭片区高新技术企业95家[1][2]。"
    assert [c.chunk.id for c in cites] == ["c1", "c2"]
    one, _ = verify_citations("东湖片区培育高新技术企业140家，占全区比重40%。", ps)
    assert one == "东湖片区培育高新技术企业140家，占全区比重40%[1]。"  # one passage holds both: one marker


def test_a_day_is_held_like_a_figure_and_its_sentence_is_quoted() -> None:
    """The meeting sentence shares more words with the answer; the day is in the next one."""
    meeting = ("7月4日，北岛药监局局长主持召开会议，研究部署标准管理工作，审议通过《北岛中药标准管理规定》。"
               "该规定将于2026年1月1日起施行。")
    other = "北岛药监局局长主持召开会议，研究部署标准管理工作，审议通过《北岛中药标准管理规定》，将在明年施行。"
    answer = "北岛药监局局长主持召开会议审议通过的《北岛中药标准管理规定》将于2026年1月1日施行。"
    text, cites = verify_citations(answer, passages(other, meeting), "《北岛中药标准管理规定》从哪天开始施行？")
    assert text.endswith("施行[1]。") and cites[0].chunk.id == "c2"  # the passage without the day does not support it
    assert cites[0].quote == "该规定将于2026年1月1日起施行。"


def test_the_sentence_holding_the_answers_figure_is_quoted_not_the_title_its_words_restate() -> None:
    """The answer restates the question's long description of the article, which is its title."""
    article = ("建设新型科技孵化体系 推动专精特新企业发展\n\n党的二十大报告强调支持专精特新企业发展。"
               "目前，全国已经累计培育7万多家专精特新中小企业，其中，制造业单项冠军企业848家。")
    answer = "那篇讲建设新型科技孵化体系、推动专精特新企业发展的文章开头说全国已经培育了848家制造业单项冠军企业[1]。"
    text, cites = verify_citations(answer, passages(article), "那篇讲建设新型科技孵化体系的文章，说全国培育了多少家单项冠军企业？")
    assert text.endswith("[1]。")
    assert cites[0].quote == "目前，全国已经累计培育7万多家专精特新中小企业，其中，制造业单项冠军企业848家。"


def test_a_dates_month_is_no_figure_the_quote_must_hold() -> None:
    """"2018年5月上任": the sentence about him is quoted, not the one dating his bureau's founding, so
    that rag.asked_kind sees the cited sentence names no date for him."""
    article = ("2018年5月，北岛金融服务局正式挂牌设立。北岛金融服务局局长卢一星在接受记者采访时表示，"
               "服务局持续深化创新工作机制，整合各方资源。")
    _, cites = verify_citations("北岛金融服务局局长卢一星在2018年5月上任[1]。", passages(article), "卢一星是哪一年上任的？")
    assert cites[0].quote.startswith("北岛金融服务局局长卢一星在接受记者采访时表示")
    from rag.grounding import ground
    from tests.test_near_miss import prepared

    grounded = ground("北岛金融服务局局长卢一星在2018年5月上任[1]。", prepared("北岛金融服务局局长卢一星是哪一年上任的？", article))
    assert grounded.missing == "资料中没有写明问题所问的日期；资料给出的最接近的是"


def test_the_passage_stating_all_of_a_sentences_figures_is_cited():
    """The model cites the passage sharing the question's words and one number of another figure;
    the sentence's fact, 6%-9%, is the other passage's."""
    context = passages("去年底，北岛资本为青禾基金安排了一笔 9 亿欧元的资产净值贷款，抵押资产为青禾第三只收购基金的投资组合，"
                       "贷款用于向青禾基金的 LP 返还资金。",
                       "不是所有 LP 都欢迎这种做法。目前，部分基金通过资产净值贷款获取资金的年化利率达到 6%-9%。")
    answer = "基金拿投资组合做抵押借资产净值贷款给LP返还资金，这种贷款年化利率大约为6%-9%[1]。"
    text, cites = verify_citations(answer, context, "基金拿投资组合做抵押借资产净值贷款给LP返还资金，年化利率大概多高？")
    assert text.endswith("6%-9%[1]。")
    assert [c.chunk.id for c in cites] == ["c2"]


def test_a_person_an_uncited_sentence_names_is_cited_from_the_passage_naming_them():
    """The company's full name is spelt out in another passage; the fact is the manager's name."""
    context = passages("青禾量子总经理林一舟向记者介绍，未来将培养并储备相关人才，探索量子计算的应用场景。",
                       "日前，由北岛航空研究院与青禾量子计算科技（合肥）股份有限公司合作共建的量子计算联合工作室正式揭牌。")
    text, cites = verify_citations("青禾量子计算科技（合肥）股份有限公司的总经理叫林一舟。", context,
                                   "跟北岛航空研究院共建联合工作室的那家量子公司，总经理叫什么？")
    assert text.endswith("林一舟[1]。")
    assert [c.chunk.id for c in cites] == ["c1"]


def test_a_day_the_question_names_need_not_be_held_by_the_passage_giving_the_answer():
    # the names come from the list of signings; the day is the question's, not a figure the answer states
    signings = passages("在此次推进会上，多家民营企业与参会银行现场签约。如，青禾银行和鹿鸣科技、北岛银行和海川电子等。",
                        "8月30日，南港召开金融支持民营企业推进会，会上表示将加大支持力度。")
    question = "8月30日那场金融支持民企推进会上，跟北岛银行签约的是哪家企业？"
    text, cites = verify_citations("北岛银行和海川电子在8月30日那场推进会上现场签约。", signings, question)
    assert text == "北岛银行和海川电子在8月30日那场推进会上现场签约[1]。"
    assert cites[0].chunk.id == "c1"



def test_the_questions_own_figure_written_otherwise_by_the_passage_does_not_unsource_the_answer() -> None:
    # the question says "那八个", the article "八大领域": no passage holds the figure 8, the list is the claim
    shown = passages("南港新区发布了首批人工智能示范场景，涉及医疗健康、交通出行、工业设计、药物研发、节能减碳、"
                     "新闻传媒、智慧农业、政务服务等八大领域。", "南港新区还将设立100亿元专项基金。")
    question = "南港新区首批那八个示范场景分别落在哪些领域？"
    answer = "南港新区首批那八个示范场景分别落在医疗健康、交通出行、工业设计、药物研发、节能减碳、新闻传媒、智慧农业、政务服务等领域。"
    text, citations = verify_citations(answer, shown, question)
    assert text.endswith("[1]。") and [c.chunk.text for c in citations] == [shown[0].chunk.text]
