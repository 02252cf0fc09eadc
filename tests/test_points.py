"""Class 4 of #22: asked for an article's points, the answer keeps the article's own enumerated
items in its words. Fictional passages only."""

from __future__ import annotations

from rag.grounding import ground
from rag.points import enumerated_points
from tests.test_near_miss import prepared

NOTICE = ("北岛市出台通知，提出降低消费金融成本的三方面举措：一是规范收费行为，清理不合理收费；"
          "二是合理确定利率水平；三是推进数字化转型，降低运营成本。")
QUESTION = "北岛市的通知在降低消费金融成本方面包括哪些举措？"


def test_points_the_answer_leaves_out_are_added_in_the_articles_words() -> None:
    grounded = ground("通知提出要规范收费行为[1]。", prepared(QUESTION, NOTICE))
    assert grounded.text.startswith("通知提出要规范收费行为[1]。")  # the model's answer stays
    assert grounded.text.endswith("资料原文列出的要点：一是规范收费行为；二是合理确定利率水平；三是推进数字化转型[1]。")


def test_an_answer_with_every_point_and_a_figure_question_are_left_alone() -> None:
    whole = "通知提出规范收费行为、合理确定利率水平、推进数字化转型[1]。"
    assert ground(whole, prepared(QUESTION, NOTICE)).text == whole
    figure = "北岛市提出了三方面举措[1]。"
    assert ground(figure, prepared("北岛市的通知包括多少项举措？", NOTICE)).text == figure


def test_an_answer_saying_what_is_missing_gets_no_list() -> None:
    """Asked which schools, an answer naming none says so; the cited article's points are not what was asked."""
    passage = ("东湖区人才服务团队积极对接北岛省 5 家高校就业指导中心。东湖区推出两项举措：一是在 7个小时内“五证联发”；"
               "二是在土地出让挂牌结束后第二天就可以开工建设。")
    grounded = ground("东湖区对接的是北岛省5家高校就业指导中心[1]。",
                      prepared("东湖区人才服务团队对接的那5家高校就业指导中心，都是哪些学校的？", passage))
    assert grounded.missing == "资料中没有写明问题所问的名称；资料给出的最接近的是"
    assert "资料原文列出的要点" not in grounded.text


def test_the_families_of_enumeration_an_article_uses_are_read() -> None:
    assert enumerated_points("（一）强化源头防范；（二）严格追责问责。") == ["强化源头防范", "严格追责问责"]
    assert enumerated_points("第一，提高认识。第二，完善社会保障。") == ["提高认识", "完善社会保障"]
    # a list may open with 首先 and go on with 第二, 第三
    assert enumerated_points("首先，回归经营本源。第二，重视现金流。第三，不纠结估值。") == ["回归经营本源", "重视现金流", "不纠结估值"]
    # a first clause that only sets the scene is read with the point after it
    assert enumerated_points("一是降本。二是在选择出资人时，不纠结估值。") == ["降本", "在选择出资人时，不纠结估值"]
    assert enumerated_points("要点如下\n1. 专业化发展\n2. 网络化协同") == ["专业化发展", "网络化协同"]
    assert enumerated_points("唯一是他。") == []  # one "一是" is no enumeration
    ten = "措施：" + "".join(f"{n}是措施{i}；" for i, n in enumerate("一二三四五六七八九十", start=1))
    assert len(enumerated_points(ten)) == 10  # 十是 ends the markers written for; no eleventh is looked for


HEADED = ("北岛新区管委会表示，从“区”到“城”，将实现 3个方面的转变。\n\n"
          "塑造开放发展新格局。面积从 5 平方公里扩展到 40 平方公里，形成多中心布局。\n\n"
          "提升产业发展新层级。着力打造“4+2”产业集群，到 2030 年新增上市公司 10 家。\n\n"
          "开辟绿色发展新境界。建设近零碳园区。\n\n据悉，新区还将新建三所学校。")


def test_points_written_as_short_headings_a_count_announces_are_read() -> None:
    assert enumerated_points(HEADED) == ["塑造开放发展新格局", "提升产业发展新层级", "开辟绿色发展新境界"]
    grounded = ground("新区将实现3个方面的转变[1]。", prepared("北岛新区“从区到城”要实现哪几个方面的转变？", HEADED))
    assert grounded.text.endswith("资料原文列出的要点：一是塑造开放发展新格局；二是提升产业发展新层级；三是开辟绿色发展新境界[1]。")


def test_numbered_subsections_are_a_list_but_not_their_own_subsections() -> None:
    report = ("2 促进北岛产业创新的对策\n\n本文提出以下几点建议。\n\n2.1 持续加大研发投入强度，促进企业消化吸收。\n\n"
              "2.1.1 经费投入\n\n2.2 推动区域协同创新，采取差异化政策。\n\n2.3 健全知识产权制度，促进成果转化。")
    assert enumerated_points(report) == ["持续加大研发投入强度", "推动区域协同创新", "健全知识产权制度"]


def test_a_heading_on_a_line_of_its_own_is_a_point_whole_commas_and_all() -> None:
    report = ("本文提出以下几点建议。\n\n2.1 持续加大研发投入强度，促进企业消化吸收\n\n与发达国家相比，北岛企业投入偏低。\n\n"
              "2.2 推动区域协同创新，采取差异化政策\n\n东部企业较多。")
    assert enumerated_points(report) == ["持续加大研发投入强度，促进企业消化吸收", "推动区域协同创新，采取差异化政策"]
    plan = "（一）强化要素保障，优化营商环境\n\n各地要加大投入。\n\n（二）加强组织领导，\n\n压实工作责任。"
    # a line ending on a comma goes on: its first clause is the point
    assert enumerated_points(plan) == ["强化要素保障，优化营商环境", "加强组织领导"]


def test_short_paragraphs_with_no_count_announcing_them_are_no_list() -> None:
    assert enumerated_points(HEADED.replace("将实现 3个方面的转变", "将实现转变")) == []
    # a count closing a sentence with no headings after it ("3个百分点")
    assert enumerated_points("利润率提高了 3个百分点。\n\n这是好事。成本下降，收入增长，带动利润率提高。\n\n据悉，明年还将继续。") == []


def test_which_aspects_asks_for_the_points_not_a_count() -> None:
    grounded = ground("通知提出了三方面举措[1]。", prepared("北岛市的通知提出了哪几方面举措？", NOTICE))
    assert "资料原文列出的要点：一是规范收费行为" in grounded.text


def test_a_question_naming_how_many_points_asks_for_points_but_not_a_question_asking_which_days() -> None:
    from rag.points import asks_points

    assert asks_points("北岛市推动设备更新，具体要实施哪五项工程？") and asks_points("“六专”机制具体是哪六专？")
    assert asks_points("通知点名了哪两家公司？")
    assert not asks_points("会议是哪两天开的？") and not asks_points("自贸区是哪一年设立的？")
    # a points question shows the article's list: the several-point rule adds what the answer drops
    grounded = ground("通知提出要规范收费行为[1]。", prepared("北岛市的通知提出了哪三方面举措？", NOTICE))
    assert grounded.text.endswith("三是推进数字化转型[1]。")


def test_a_quoted_name_that_numbers_its_points_takes_no_list_of_another_length() -> None:
    """"“三化”机制" names three points: the article's two-item list of results is about something else."""
    results = "北岛高新区推行“三化”工作机制。成效明显：一是7个小时内五证联发，二是拿地第二天即可开工。"
    answer = "“三化”工作机制指常态化、专班化、精细化[1]。"
    assert ground(answer, prepared("北岛高新区的“三化”工作机制具体指什么？", results)).text == answer
    added = ground(answer, prepared("北岛高新区推行新机制后有哪些成效？", results)).text
    assert added.endswith("资料原文列出的要点：一是7个小时内五证联发；二是拿地第二天即可开工[1]。")


def test_a_list_running_over_two_neighbouring_chunks_is_read_whole() -> None:
    from index.records import Chunk, Hit
    from rag.records import Passage

    article = ("北岛市出台方案，提出实施五项工程。一是重点行业设备更新工程。二是数智设备普及工程。三是绿色设备推广工程。"
               "四是本质安全提升工程。五是优势产品扩能工程。方案执行期至2027年底。")
    cut = article.index("四是")
    first = Chunk(id="a", source="f.txt", title="北岛方案", text=article[: cut + 4], start=0, end=cut + 4)
    second = Chunk(id="b", source="f.txt", title="北岛方案", text=article[cut - 10 :], start=cut - 10, end=len(article))
    other = Chunk(id="c", source="g.txt", title="南港方案", text="南港提出两项举措：一是扩大消费；二是稳定就业。", start=0, end=23)
    shown = [Passage(n=i, hit=Hit(chunk=c, score=1.0, retriever="hybrid", rank=i)) for i, c in enumerate((second, other, first), 1)]
    prepared_ = prepared("北岛市的方案要实施哪五项工程？", "x")
    prepared_ = type(prepared_)(prepared_.question, prepared_.standalone, [], [p.hit for p in shown], shown,
                                prepared_.evidence, {}, prepared_.constraints)
    grounded = ground("方案提出实施重点行业设备更新工程和数智设备普及工程[3]。", prepared_)
    added = grounded.text.split("\n")[-1]
    # each point cited with the chunk it comes from (四是 straddles both); 南港's list is not mixed in
    assert added == ("资料原文列出的要点：一是重点行业设备更新工程；二是数智设备普及工程；三是绿色设备推广工程；"
                     "四是本质安全提升工程[1]；五是优势产品扩能工程[2]。")
    assert [c.chunk.id for c in grounded.citations] == ["a", "b"]
    # citing only the chunk the list ends in, the answer is about something the list does not start
    tail_only = ground("方案执行期至2027年底[1]。", prepared_)
    assert "资料原文列出的要点" not in tail_only.text


def test_a_list_of_another_length_than_the_question_names_is_not_added() -> None:
    answer = "通知提出要规范收费行为[1]。"
    assert ground(answer, prepared("北岛市的通知提出了哪五方面举措？", NOTICE)).text == answer  # three listed: another list
    assert ground(answer, prepared("北岛市的通知提出了哪三方面举措？", NOTICE)).text.endswith("三是推进数字化转型[1]。")


def test_points_opened_by_dashes_are_a_list_the_first_after_the_colon_announcing_it() -> None:
    tasks = ("负责人介绍，方案还提出了三项修改任务：——推动采购法修改，协调相关法律。\n\n"
             "——建立本地产品标准体系。方案提出，要借鉴通行做法。\n\n——分类制定采购需求标准。方案提出，制定通用标准。")
    assert enumerated_points(tasks) == ["推动采购法修改", "建立本地产品标准体系", "分类制定采购需求标准"]


def test_brief_paragraphs_falling_short_of_the_count_announced_are_no_list_nor_is_a_link() -> None:
    """"明确了9项重点任务。" then paragraphs that happen to open briefly, a dash list of three, and a
    link: none of it is nine headings, and "https:" heads nothing."""
    article = ("方案明确了 9 项重点任务。\n\n其中包括：开展专项整治、加强执法检查；实施扶持政策。\n\n"
               "负责人介绍，方案还提出了修改任务：——推动采购法修改，协调相关法律。\n\n——建立本地产品标准体系。要借鉴通行做法。\n\n"
               "——分类制定采购需求标准。制定通用标准。\n\n附：方案全文\n\nhttps://example.org/plan\n\n"
               "北岛药监局部署标准管理工作。\n\n会议指出，标准是重要基础。\n\n规定将于明年施行。\n\n后续将开展培训。")
    assert enumerated_points(article) == ["推动采购法修改", "建立本地产品标准体系", "分类制定采购需求标准"]
    linked = HEADED.replace("开辟绿色发展新境界。建设近零碳园区。", "https://example.org/zone")
    assert enumerated_points(linked) == ["塑造开放发展新格局", "提升产业发展新层级"]  # the link is no third


TWO_LISTS = ("在管理方面，该行推行“六专”管理机制。\n\n一是专营的组织体系。\n\n二是专业的服务团队。\n\n三是专用的风险管理。\n\n"
             "四是专门的信息系统。\n\n五是专项的考核激励。\n\n六是专属的信贷标准。\n\n在服务方面，该行推出“六保”服务体系。\n\n"
             "一是保证办理效率。\n\n二是保证经营资源。\n\n三是保证授信政策。\n\n四是保证最优定价。\n\n五是保证综合服务。\n\n"
             "六是保证协同共赢。")


def test_of_two_lists_alike_the_one_the_answer_gives_points_of_is_completed() -> None:
    question = "北岛银行服务上的“六保”体系，具体保的是哪六样？"
    grounded = ground("“六保”是保证办理效率、保证经营资源、保证最优定价[1]。", prepared(question, TWO_LISTS))
    assert grounded.text.endswith("资料原文列出的要点：一是保证办理效率；二是保证经营资源；三是保证授信政策；"
                                  "四是保证最优定价；五是保证综合服务；六是保证协同共赢[1]。")
    # an answer giving one list whole is left alone, whichever list it is
    whole = "“六保”是保证办理效率、保证经营资源、保证授信政策、保证最优定价、保证综合服务、保证协同共赢[1]。"
    assert ground(whole, prepared(question, TWO_LISTS)).text == whole
    # an answer giving none of either list's points is completed from the first, as before
    assert "一是专营的组织体系" in ground("该行推出了多项服务[1]。", prepared(question, TWO_LISTS)).text


def test_an_answer_quoting_the_passage_s_own_run_of_items_gets_no_other_list() -> None:
    """“三个突出” is written inline; the article's 一是…三是 list is about something else."""
    article = ("会议把落实举措概括为“一条主线、三个突出”：一条主线是强化引领，三个突出是突出主业、突出改革、突出自律。"
               "具体工作包括：一是推进发行制度改革；二是健全多层次市场体系；三是提高上市公司质量。")
    asked = prepared("会上说的“三个突出”具体指什么？", article)
    quoting = "“三个突出”具体指突出主业、突出改革、突出自律[1]。"
    assert ground(quoting, asked).text == quoting
    paraphrasing = ground("“三个突出”指的是抓好主业和深化改革[1]。", asked)
    assert "资料原文列出的要点：一是推进发行制度改革" in paraphrasing.text  # its own words are not the article's
