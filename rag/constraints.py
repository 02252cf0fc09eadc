"""What a question pins down, and whether the sentence an answer's figure comes from keeps to it.

"华海药业2023年全年营业收入是多少？" pins a year (2023), a period (the whole year), and a kind of
figure (money). A passage saying "2023年前三季度，公司营收52.3亿元" holds a figure of the right
kind for the wrong period: stated as the answer, it is a near miss. `find_mismatch` names what
differs, so the answer can say exactly what the articles do not give and what they give instead
("资料中没有2023年全年的数字；资料给出的是前三季度的：…").

Only explicit disagreements count: a sentence that names no year or period keeps to any. One data
structure (`Constraints`), one check (`find_mismatch`); no rule knows any question. How years and
periods are read is `rag.periods`, kinds of figure `rag.figure_kinds`, names carrying a number
(二审, 第三批) `rag.numbered_names`.

Usage:
    asked = question_constraints("2023年全年营收多少？")
    miss = find_mismatch(asked, "2023年前三季度营收52.3亿元")   # Mismatch("period", "全年", "前三季度")
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from index.text import NUMBER, compact, month_days, terms
from index.tokenizer import pos_tags
from rag.evidence import question_terms
from rag.figure_kinds import (
    COUNTED_WORDS,
    HOW_MANY,
    MULTIPLE_WORDS,
    UNIT_CHARS,
    UNIT_WORDS,
    asked_counted,
    asked_unit,
    counted_kinds,
    figure_kinds,
    has_bare_magnitude,
    states_figure_with_unit,
    states_multiple,
)
from rag.passage_names import introduced_after
from rag.names import (
    SAYS,
    company_names,
    kinds_named_otherwise,
    organisation_names,
    person_names,
    place_names,
    proper_names,
    qualified_names,
    subject_names,
)
from rag.numbered_names import numbered_names, numbered_sibling_of
from rag.periods import (
    dated_days,
    dated_years,
    mentions_whole_year,
    part_of_year,
    period_word,
    periods_of,
    whole_years,
    year_reached,
    year_spans,
    years_word,
)
from rag.questions import split_question

# who said a quotation: the words after its closing quote, up to a verb of saying
_SPEAKER = re.compile(rf"([^，,。；;“”]{{2,40}}?){SAYS}")
_SAYS_AFTER = re.compile(rf"[^，,。；;“”]{{0,4}}?{SAYS}")  # a name speaking
# a place the sentence leaves to its article: "2019年以来，本区共引进各类资管机构136家" in an article
# naming 西城区 a passage before
_SELF_REFERENCE = re.compile(r"[本我该全][区市省县州]|本地区")
_ASKS_VALUE = re.compile(rf"{HOW_MANY}|多大|多高|多长|规模(?!化)|金额|总额|数量|是多|达到|占比|比重|增速|增长率|份额")

# measures that are easily taken for one another: a question asking one is not answered by the
# other ("实缴规模" by "认缴规模", "环比" by "同比", 进口 by 出口)
_CONTRASTS = [("同比", "环比"), ("实缴", "认缴"), ("出口", "进口"), ("营收", "净利润"), ("营业收入", "净利润"),
              ("利润", "营收"), ("利润", "营业收入"), ("利润", "流水"), ("利润", "销售额"), ("营收", "流水"),
              ("营业收入", "流水"),
              ("新增", "累计"), ("新增", "余额"), ("增量", "存量"), ("销量", "产量"), ("销量", "出货量"), ("流入", "流出"),
              ("融资", "估值"), ("收入", "支出"), ("本科", "硕士"), ("城镇", "农村"),
              ("入选", "申报"), ("获批", "申报"), ("录取", "报名"), ("中标", "投标"),  # applied is not accepted
              ("施行", "印发"), ("施行", "发布"), ("生效", "印发"), ("生效", "发布"),  # in force is not issued
              ("同比", "年均")]  # one year's growth is not the average over several ("近5年年均增速近30%")
# one measure, two spellings: the short one is what people ask, the long one what reports write
_SAME_MEASURES = [("营收", "营业收入"), ("净利", "净利润"), ("市占率", "市场占有率"), ("市占率", "市场份额"),
                  ("社零", "社会消费品零售总额"), ("GDP", "生产总值")]
# other ways articles write a measure: "较去年同期减少77%" is a year-on-year change
_YEAR_ON_YEAR = re.compile(r"[比较](?:上一|去|上)年")  # "比上一年涨了多少", "较去年增长10%"
_SAME_MEASURE = {"同比": re.compile(rf"同比|(?:去|上)年同期|{_YEAR_ON_YEAR.pattern}"), "环比": re.compile(r"环比|上(?:个)?(?:月|季度)")}
_COMPARES = re.compile(r"分别|各(?:自|是|有|占|为)?|谁|哪个|哪家|哪边|哪一")
# two figures asked in one sentence ("低于多少就活不下去，到多少才算有竞争力"): each has its own subject, as compared ones do
# ("这几年", "前几个月" name a span, "几家大行都晒过" several things: no figure asked)
_FIGURE_ASKED = r"(?:多少|(?<=[有是了出共占])几(?![十百千万乎年月天日周]|个月))"  # not "几家大行都晒过"
_TWO_ASKED = re.compile(rf"{_FIGURE_ASKED}.+{_FIGURE_ASKED}")
# a running total, up to now: "截至目前已举办17场", "累计培育…", "成立以来"
_CUMULATIVE = re.compile(r"累计|迄今|至今|截[至止]目前|以来|历年|先后|总计已|到现在|到目前|目前为止")
# a total since a time ("今年以来", "2023年以来"), which may be the time asked; not since a founding ("挂牌以来")
_SINCE_A_TIME = re.compile(r"(?:年|月|季度|年初|开年)以来")
# a figure stated as of a date is a running total too: "截至2023年末", "到2023年底"
_AS_OF = re.compile(r"截[至止]|年[底末]")
# a figure bound to one thing alone: "仅NMI一家机构就孵化出18家" (not "仅用3年就建成…")
_ALONE = re.compile(r"(?:仅仅|仅|单单|光是|单是)([^，,。；;]{1,12}?)一[家个所座地项位市省区县只][^，,。；;]{0,4}?(?:就|便)")
# a sentence about the present, naming no year
_PRESENT = re.compile(r"目前|当前|现阶段|如今|眼下")
# whom a report is from, which is not what it is about: "据德国《经济周刊》网站7月8日报道，…中国…76亿欧元"
_ATTRIBUTION = re.compile(r"(?:^|(?<=[。！？\n]))据[^，,。；\n]{1,30}?(?:报道|消息|报告|称)[，,：:]?")
# things listed as examples of a group: "跑到陕西、黑龙江、云南这些地方的高校", "北京、上海等城市"
_EXAMPLES = re.compile(r"、[^，,。？?、]{1,8}(?:这些|那些|这几|等)")
# a change asked: "年均涨多少", "增速是多少" (not "新增多少家": a count of what was added)
_CHANGE_ASKED = re.compile(r"(?:增长|下降|提高|降低|上涨|下跌|上升|回落|(?<!新)[涨跌升降])了?(?:多少|几)|增速|增幅|降幅|增长率|涨幅|跌幅")
NOUN_FLAG = re.compile(r"n|vn$|eng$|j$")  # jieba's nouns, names, verbal nouns, abbreviations ("民企") and Latin words ("PMI")
# a sentence opening with its year ("2023年，成都市一般贸易进出口增长16.2%，外贸进出口总额7489.8亿元")
# dates every clause after it, the later figures' too
_LEAD_YEAR = re.compile(r"^\s*(?:19|20)\d{2}\s*年(?:全年)?\s*[，,]")
# a question asking a figure at a year's end asks the running total then: "截至2025年底建成了多少个基站"
_YEAR_END = re.compile(r"\d年[底末]")
# the whole country, asked or given; and regions a figure may be given for instead ("京津冀三省市…")
_NATIONAL_ASKED = re.compile(r"全国|我国")
_NATIONAL = re.compile(r"全国|我国|中国|国内|全行业")
_REGIONS = re.compile(r"京津冀|长三角|珠三角|成渝|粤港澳|大湾区")
# the whole of a city or province, asked; and the parts a figure may be given for instead
# ("北京城六区实现了常住人口比2014年下降15%")
_WHOLE_PLACE = re.compile(r"全[市省](?!场)")
_PLACE_PARTS = re.compile(r"城[一二三四五六七八九十\d]区|(?:中心|主|老|新)城区|郊区|[\u4e00-\u9fff]{2}(?:区|县)(?![域别])")
_COUNTED_PLACES = re.compile(r"[一二两三四五六七八九十几多]")
# the words that make a clause the one asking ("…的那批人，最后有多少人入选")
_QUESTION_WORD = re.compile(rf"{HOW_MANY}|哪|什么|谁|怎么|如何|为何|是否|吗|多大|多高|多长|多久")
# a group's total ("旗下文旅企业合计接待游客9365万人次"), and a question asking one itself
_TOTAL_GIVEN = re.compile(r"合计|总计|共计")
_TOTAL_ASKED = re.compile(r"一共|总共|合计|总计|共计|加起来|旗下|全部|整体|各")
# an addition, not the whole: "新增18条…条文" does not say how many articles the law has
_ADDED = re.compile(r"新增|新设|新添|增设|新(?=认定|推出|引进|注册|落户|签约|开业|建成|获批|入选|培育|上线|落地)")
# the time a question asks an addition within, in words ("今年一季度新认定了多少家", "去年一年新推出…"); a
# year in digits is said by the years asked
_ADDED_WITHIN = re.compile(r"(?:今年|去年|前年|当年|本年)(?:[一二三四]季度|前三季度|上半年|下半年|\d{1,2}月)?|"
                           r"[一二三四]季度|前三季度|上半年|下半年|这一年|本月|上个?月|这个月")
_WHOLE_GIVEN = re.compile(r"共|总|累计|合计|全部")  # the clause says the whole too: "共6章58条，新增18条"
# a count asked with a measure word that could count anything: what it counts is the noun after it
# ("多少个政府部门"), and a count of another noun ("8个细分场景") is no answer
_GENERIC_COUNTERS = "个项场座款类批"
_ASKED_THING = re.compile(rf"{HOW_MANY}([{_GENERIC_COUNTERS}])([\u4e00-\u9fffA-Za-z0-9]{{2,10}})")  # "多少个5G基站"
# a company named right after these is the subject's partner or beneficiary, not the subject
_PARTNER_BEFORE = re.compile(r"(?:[与和跟同向对为给及、]|包括|联合|携手)$")
# the measure words a figure may count another thing with: "300张5G商用网络" is no count of 5G基站,
# "帮助超5000人实现就业" none of 岗位
_OTHER_COUNTERS = _GENERIC_COUNTERS + "张份人"
_THING_ENDS = re.compile(r"[上中里内在等和与及了是为对向把被将已用能可会有]")
# a measure named after 多少 and ending the question ("贡献多少税收？", "撬动了多少社会资本？"); not one
# any figure of money or a count could be ("多少钱", "多少资金", "多少家企业": rag.figure_kinds has those)
_NAMED_MEASURE = re.compile(rf"{HOW_MANY}的?([\u4e00-\u9fff]{{2,4}})(?=[？?。，,、]|$)")
_ANY_AMOUNT = re.compile(rf"^(?:{UNIT_CHARS}|[{_GENERIC_COUNTERS}笔票]|钱|资金|金额|规模|数量|时间|比例|份额)")
# a part of a set asked ("收录的案例里，金融领域的有多少个", "培养的人才里，有多少人已经成了业务骨干",
# "其中由协会注销的有多少家"): what sets the part apart must be said with the figure, or the figure
# is the whole set's. A document ("那篇报道里", "通知里") is where to look, not a set
_SUBSET = re.compile(r"(?:(?:里|当中|之中|中)[，,]|里(?=有(?:多少|几))|其中[，,]?|[这那]里面[，,]?)([^？?。！!]+)")
# a count of the country's own firms or people: "多少家中国企业参展", "几位国内专家"
HOME = "中国"
_HOME_NAMES = ("中国", "我国", "国内", "中资", "国产")
TITLE = re.compile(r"《([^》]*)》")  # a document's title; the group is its name
_HOME_COUNTED = re.compile(r"(?:多少|几)[家个名位所款只]?(中国|我国|国内|中资)([\u4e00-\u9fff]{1,2})")
# a figure asked within a part of its whole: "在高速公路上的可用里程", "在MATH数据集上的准确率"
_WITHIN = re.compile(r"在([^，,。？?在]{2,10}?)(?:上|中|里|内)的")
_DOCUMENT_WORDS = "报道|文章|一文|通知|政策|调查|数据|排名|报告|方案|意见|文件|规划|指引|公告|讲话|采访|新闻|资料|会议|论坛"
_DOCUMENT = re.compile(rf"(?:{_DOCUMENT_WORDS})的?$")
# a question opening with the document to read: "财政部和工信部支持专精特新中小企业的那份通知，…",
# "CVSource那组数据里，…"
_DESCRIBED_DOCUMENT = re.compile(rf"[^，,？?。]*?(?:[那这][份篇则组项次场期])[^，,？?。]{{0,30}}?"
                                 rf"(?:{_DOCUMENT_WORDS})(?:里|中|上)?[^，,？?。]{{0,3}}[，,]")
_ASKING = re.compile(rf"(?:有|是)?(?:多少|几){UNIT_CHARS}?")
_VAGUE_END = re.compile(r"(?:大概|大约|一共|总共|共|约|占了|占|的)+$")
# words that set no part apart; jieba tags the adverb 专门 as a noun ("专门给应届生的")
_NOT_A_PART = frozenset("一共 总共 合计 全国 国家 中国 全球 比例 占比 规模 数量 企业 公司 机构 专门".split())
_OUTCOME_WORDS = re.compile(r"实际|已经|已有|已完成|完成了|建成了|达到了|实现了|已建成|目前已|了吗|了没有|最后是|真实|落地了")
# things listed with 、 (two to four characters between the marks) and a figure after them; not one in
# brackets, an aside on the last thing ("标明安全使用年限、打刻耐高温（950℃保持半小时）的…编码")
_LISTED = re.compile(r"[\u4e00-\u9fff]{2,}(?:、[\u4e00-\u9fff]{2,4})+[\u4e00-\u9fff]*(?=[^，,；;。、（(]*\d)")
_EACH_OWN = re.compile(r"分别|各自|各为|各有|依次")
# plans and forecasts: what is meant or expected to happen, not what did
# and a change set to a target ("《方案》提出，将…专项政策规模逐步扩大至500亿元"), not one made ("已将…"),
# and 将 before a verb and its figure ("加速平台将开放117万平方米"), not 将 taking an object ("将其中30%…")
_PLAN_WORDS = re.compile(r"目标|计划|预计|预期|预测|有望|力争|争取|规划|拟|或将|将(?:有|达|实现|建成|完成|超过|突破|新增|达到)"
                         r"|到(?:19|20)\d{2}年"
                         r"|(?<!已)将[^，,。；;]{0,20}?(?:扩大|提高|提升|增加|降低|压减|缩减)(?:至|到)"
                         r"|(?<!已)将(?![其该这此之])[\u4e00-\u9fff]{2}(?:约|近|超过|超|逾)?\s*\d")


@dataclass(frozen=True)
class Constraints:
    """What a question pins down; empty fields pin nothing."""

    years: frozenset[str] = frozenset()
    period: tuple[int, int] | None = None  # months asked, e.g. (1, 12); None: not said
    period_implied: bool = False  # the whole year, implied by asking a year's figure
    unit: str = ""  # the kind of figure asked: "money", "percent", "count", or ""
    counted: str = ""  # what a count asked counts, when its measure word says: "people", "organisations", "machines"
    measures: tuple[tuple[str, str], ...] = ()  # (asked, its easily confused counterpart)
    outcome: bool = False  # asks what actually happened, not what was planned
    compares: bool = False  # asks for each of several things ("分别", "各"): each figure has its own subject
    names: frozenset[str] = frozenset()  # companies, organisations and places the question is about
    organisations: frozenset[str] = frozenset()  # those of `names` that are companies or organisations
    companies: frozenset[str] = frozenset()  # those a company suffix makes unmistakable: 健友 of 健友股份
    subjects: frozenset[str] = frozenset()  # names the question opens with, of a kind jieba cannot tell: 比亚迪
    value: bool = False  # asks for a figure ("多少", "占比"), not a reason, a name or a list
    subject: frozenset[str] = frozenset()  # its subject and metric as terms, to bind figures to (rag.binding)
    numbered: frozenset[tuple[str, str]] = frozenset()  # names carrying a number, as (number, what follows): 二审
    days: frozenset[tuple[int, int]] = frozenset()  # days asked, as (month, day): "9月27日注销的…"
    cumulative: bool = False  # asks a running total ("累计", "至今"), not one period's figure
    within: str = ""  # an addition asked within a time, in words: "今年一季度新增" of "今年一季度新认定了多少家"
    qualified: frozenset[tuple[str, str]] = frozenset()  # names with the kind they name one of: ("玄武", "硅巷")
    thing: tuple[str, str] = ()  # a count's measure word that could count anything, and what it counts: ("个", "政府部门")
    subset: str = ""  # the part of a set asked for: "金融领域" of "收录的案例里，金融领域的有多少个"
    subset_words: frozenset[str] = frozenset()  # its nouns, each of which the figure's clauses must say
    described: frozenset[str] = frozenset()  # names that only say which document to read: "财政部…的那份通知，"
    national: bool = False  # asks the whole country's figure ("全国…多少") and names no place
    whole: str = ""  # asks the whole of the place it names, and no part: "全市" of "北京全市常住人口…", "全省"
    total: bool = False  # asks a total itself ("一共", "旗下…合计"): a group's figure may answer it
    added: bool = False  # asks what was added ("新增了多少"): an addition may answer a total asked so
    named_measure: str = ""  # the measure a figure is asked of, named after 多少: "税收" of "贡献多少税收？"
    introduced: frozenset[str] = frozenset()  # short names the passages introduce that it says (rag.passage_names)
    people: frozenset[str] = frozenset()  # people it names, as the passages show them (rag.passage_names); value questions only
    modified: frozenset[tuple[str, str]] = frozenset()  # nouns it names with their modifier: ("存力", "总规模")
    change: bool = False  # asks how much something changed ("年均涨多少", "增速"), not its level
    examples: bool = False  # names things as examples of a group it asks about: "陕西、黑龙江、云南这些地方"


@dataclass(frozen=True)
class Mismatch:
    """How a sentence departs from the question: kind is entity, year, period, day, unit, thing (a
    count of another noun), subset (the whole set's figure for a part asked), measure, joint
    (one figure for several things, one of them asked), measure_named (a figure of a sentence not
    naming the measure asked after 多少), plan,
    numbered (the same name with another number: 一审 for 二审), numbered_other (a sentence the passage
    sets before it first names the asked batch: 本次 for 首批), or subject (the sentence shares
    no word with what the question asks about)."""

    kind: str
    asked: str  # in words, for the answer: "2023年", "全年", "金额"
    given: str  # what the sentence gives instead: "2022年", "前三季度", "数量"


def question_constraints(question: str, names: frozenset[str] | set[str] = frozenset(),
                         organisations: frozenset[str] | set[str] = frozenset(),
                         subjects: frozenset[str] | set[str] = frozenset(),
                         described: frozenset[str] | set[str] = frozenset(),
                         companies: frozenset[str] | set[str] = frozenset()) -> Constraints:
    """`names`: the organisations and places the question names (rag.names finds them);
    `organisations`: those of them that are companies or organisations; `subjects`: the names it
    opens with (rag.names.subject_names); `described`: names only in its opening description of a
    document; `companies`: the names a company suffix makes unmistakable (rag.names.company_names).

    A question of several parts ("…多少？…哪几家？") pins nothing: each part pins its own."""
    text = compact(question)
    if len(split_question(question)) > 1:
        return Constraints()
    years = frozenset(dated_years(text))
    periods = periods_of(text)
    period = periods[0] if len(periods) == 1 else None
    # "2023年营收多少" asks the whole year's figure; "2022清明档票房多少" names an event of 2022
    implied = period is None and not periods and mentions_whole_year(text) and bool(_ASKS_VALUE.search(text))
    subset, subset_words = _subset("".join(question.split()))  # said back to the user as they wrote it
    if not subset:
        subset, subset_words = _home_counted(text)
    # the measure asked is the one in the clause that asks: "申报…的那批人，最后有多少人入选" asks 入选;
    # so is a figure: "算法精度达到了“双SL3”最高标准，这是哪家机构的认证？" asks a name
    asking = _asking_clause(text)
    plain = _YEAR_ON_YEAR.sub("同比", asking)  # "比上一年涨了多少" asks 同比 in other words
    measures = tuple((x, y) for p, q in _CONTRASTS for x, y in ((p, q), (q, p))
                     if x in plain and (y not in plain or _asked_after(x, y, plain)))
    return Constraints(
        years=years,
        period=(1, 12) if implied else period,
        period_implied=implied,
        unit=asked_unit(text),
        counted=asked_counted(text),
        measures=measures,
        outcome=bool(_OUTCOME_WORDS.search(text)),
        compares=bool(_COMPARES.search(text) or _TWO_ASKED.search(text)),
        names=frozenset(names),
        organisations=frozenset(organisations),
        companies=frozenset(companies) - frozenset(described),
        subjects=frozenset(subjects) - frozenset(names),
        value=bool(_ASKS_VALUE.search(asking)),
        subject=frozenset(t for t in question_terms(_spelled_both_ways(question)) if not NUMBER.fullmatch(t)),
        modified=modified_nouns(question),
        change=bool(_CHANGE_ASKED.search(asking)),
        examples=bool(_EXAMPLES.search(text)),
        numbered=frozenset(numbered_names(text)),
        days=frozenset(month_days(text)),
        cumulative=bool(_CUMULATIVE.search(text) or _YEAR_END.search(text)),
        qualified=frozenset(qualified_names(question)),
        thing=_asked_thing("".join(question.split())),
        subset=subset,
        subset_words=subset_words,
        described=frozenset(described) & frozenset(names),
        national=bool(_NATIONAL_ASKED.search(text)) and not (frozenset(names) - frozenset(organisations)),
        whole="" if _PLACE_PARTS.search(text) else next(iter(_WHOLE_PLACE.findall(text)), ""),
        total=bool(_TOTAL_ASKED.search(text)),
        added=bool(_ADDED.search(text)),
        within=_added_within(text, years, period),
        named_measure=_named_measure(text),
    )


def _added_within(text: str, years: frozenset[str], period: tuple[int, int] | None) -> str:
    """The addition `text` asks within a time, in words ("今年一季度新增"); without a year in digits, which
    is said with the years asked ("3月新增" of "2023年3月新增"); "" when it asks none within a time."""
    if not _ADDED.search(text):
        return ""
    within = _ADDED_WITHIN.search(text)
    if within:
        return f"{within.group()}新增"
    return f"{period_word(period) if period else ''}新增" if years or period else ""


def _spelled_both_ways(question: str) -> str:
    """The question with the other spelling of each measure it names: an article writes 营业收入
    where the question says 营收, and both must count as naming what was asked."""
    text = compact(question)
    extra = [b if a in text else a for a, b in _SAME_MEASURES if a in text or b in text]
    return "，".join([question, *extra])


def constraints_of(question: str) -> Constraints:
    """`question_constraints` with the organisations and places the question names (rag.names)."""
    organisations = organisation_names(question)
    names = organisations | place_names(question)
    document = _DESCRIBED_DOCUMENT.match("".join(question.split()))
    rest = question[document.end():] if document else question
    described = {n for n in names if document and n in document.group() and n not in rest}
    return question_constraints(question, names, organisations, subject_names(question), described,
                                company_names(question))


def part_constraints(question: str) -> list[tuple[str, Constraints]]:
    """Each part of a several-part question with what it pins; [] for a question of one part
    (`constraints_of` holds it). A part naming no year is about the year of the part before it:
    "2022年全球新增装机多少？中国占了多少？"."""
    parts = split_question(question)
    if len(parts) < 2:
        return []
    pinned: list[tuple[str, Constraints]] = []
    for part in parts:
        asked = constraints_of(part)
        if not asked.years and pinned:
            asked = replace(asked, years=pinned[-1][1].years)
        pinned.append((part, asked))
    return pinned


def numbered_sibling(asked: Constraints, passage: str, source: str) -> Mismatch | None:
    """Mismatch("numbered", "二审", "一审") when `passage` is about a sibling of a name the question
    numbers (rag.numbered_names.numbered_sibling_of); given "" for a series' ordinal it lacks."""
    sibling = numbered_sibling_of(asked.numbered, passage, source)
    return Mismatch("numbered", *sibling) if sibling else None


def modified_nouns(text: str) -> frozenset[tuple[str, str]]:
    """(modifier, noun) for each noun `text` names after another noun of two characters or more:
    ("存力", "总规模") of "存力总规模这几年年均涨多少", ("制造业", "PMI") of "6月份制造业PMI是多少"."""
    found: set[tuple[str, str]] = set()
    run: list[str] = []
    for word, flag in [*pos_tags(text), ("", "x")]:
        if word and NOUN_FLAG.match(flag):
            run.append(word)
            continue
        for i in range(len(run) - 1):
            head = "".join(run[i + 1 :])
            if len(run[i]) >= 2 and len(head) >= 2:
                found.add((run[i], head))
        run = []
    return frozenset(found)


def _led_by_year(scope: str, source: str) -> str:
    """A figure's clauses (`scope`) with the year `source` opens with, when they name no time of their
    own: "外贸进出口总额7489.8亿元" of "2023年，…增长16.2%，外贸进出口总额7489.8亿元" is 2023's whole year's."""
    if not scope:
        return source
    lead = _LEAD_YEAR.match(source)
    if lead and lead.group() not in scope and not dated_years(scope) and not periods_of(compact(scope)):
        return lead.group() + scope
    return scope


def find_mismatch(asked: Constraints, source: str, surroundings: str = "", scope: str = "",
                  article: str = "") -> Mismatch | None:
    """The first way `source` (the sentence a figure comes from) departs from `asked`;
    `surroundings` (the passage and its title) may name the subject instead, and so may `article`
    (its other passages shown) for a sentence calling its place "本区", "我市" or "该省".
    `scope`: the clauses of `source` the figure belongs to (rag.binding.figure_scopes); a year
    they name dates the figure, whatever other years the sentence names ("以2021年的交付量93.62万辆
    计算，2022年需超过140万辆": 93.62万辆 is 2021's)."""
    text = compact(source)
    around = compact(surroundings) + (compact(article) if _SELF_REFERENCE.search(text) else "")
    if asked.names and not asked.compares and not any(compact(n) in _ATTRIBUTION.sub("", text) for n in asked.names):
        # one named thing is enough: comparisons name two, and each figure belongs to one. The
        # passage around may name the asked company for a sentence that names none ("该中心总投资…"),
        # not for one naming another ("中国联通(青岛)智算中心…总投资约30亿元"). Places are not held
        # so: a sentence about a city names its districts.
        # A name that only says which document to read ("财政部和工信部…的那份通知，") need not be repeated
        # by the passage holding the figure.
        held = asked.names - asked.described
        around = _ATTRIBUTION.sub("", around)
        if _other_organisation(asked.organisations, source) or (held and not any(compact(n) in around for n in held)):
            return Mismatch("entity", "、".join(sorted(asked.names)), "其他对象")
    if not asked.compares and _another_company(asked.companies, scope or source, text):
        # "健友股份2022年拿到了几个美国ANDA文号" is not "华海药业当年获得美国ANDA文号24个": the sentence names
        # the asked country and kind of licence, but the figure is another company's. Whose is not
        # said: a quotation's speaker, named after it, may be the subject ("其他对象")
        return Mismatch("entity", "、".join(sorted(asked.companies)), "其他对象")
    alone = _ALONE.search(re.sub(r"\s+", "", scope)) if scope and asked.value and asked.names and not asked.compares else None
    if alone and not any(compact(n) in compact(alone.group(1)) for n in asked.names | asked.subjects):
        # "德国一共有多少家隐形冠军" is not "仅NMI一家机构就孵化出18家“隐形冠军”": the clause binds its figure
        # to one thing alone, not the asked one
        return Mismatch("entity", "、".join(sorted(asked.names)), alone.group(1))
    others = _other_people(asked, source, text) if asked.people and asked.value and not asked.compares else set()
    if others:  # "董季周…任职回报为39.01%" is not 徐慕浩's, though the passage names him further on
        return Mismatch("entity", "、".join(sorted(asked.people)), "、".join(sorted(others)))
    if asked.organisations and not asked.compares and _spoken_by_another(asked.organisations, source, surroundings):
        # "“…我们已与…13所高校实现深度对接合作…”昆山丘钛微电子科技股份有限公司校招负责人介绍说" is
        # 丘钛微电子's 13, not 沪士电子's, though the passage names 沪士电子 further on
        return Mismatch("entity", "、".join(sorted(asked.organisations)), "其他对象")
    own = compact(scope) or text  # the figure's own clauses, else its sentence
    if asked.organisations and scope and not asked.compares and not any(compact(n) in own for n in asked.names) \
            and _other_organisation(asked.organisations, scope) and not _gives_a_figure(asked.names, text):
        # "尽管Instacart上市首日大涨40%，但…ARM股价…徘徊在发行价附近": the figure's clause is another
        # company's, and the asked one has none (when it has, rag.binding gives it its own)
        return Mismatch("entity", "、".join(sorted(asked.names)), "其他对象")
    before = introduced_after(asked.introduced, source, surroundings) if not asked.compares else ""
    if before:  # "明汯投资被…暂停受理…备案三个月" comes before the passage introduces the asked "上海迎水"
        return Mismatch("entity", before, "其他对象")
    sibling = _sibling(asked.qualified, source, own, asked.subject, asked.names)
    if sibling and not asked.compares:
        return Mismatch("entity", *sibling)
    if asked.national and asked.value and not asked.compares and not _NATIONAL.search(own):
        # "三省一市" counts places, names none
        regions = sorted(set(_REGIONS.findall(own)) | {p for p in place_names(own) if not _COUNTED_PLACES.match(p)})
        if regions:  # "全国高速公路总里程" is not "京津冀三省市高速公路总里程达到10990公里"
            return Mismatch("entity", "全国", "、".join(regions))
    if asked.whole and asked.value and not asked.compares and asked.whole not in own:
        parts = set(_PLACE_PARTS.findall(own))
        parts |= {p for p in place_names(own) if not any(n in p for n in asked.names) and not any(p in q for q in parts)}
        if parts:  # "北京全市常住人口" is not "北京城六区…常住人口"
            return Mismatch("entity", "".join(sorted(asked.names - asked.organisations)) + asked.whole, "、".join(sorted(parts)))
    single = _single_name(asked, text)
    if single and asked.value and not asked.total and not asked.compares and _TOTAL_GIVEN.search(own):
        # "深圳欢乐谷接待了多少游客" is not "公司旗下文旅企业合计接待游客9365万人次"
        return Mismatch("joint", single, "")
    spans = year_spans(text)
    if len(asked.years) == 1 and spans:
        a, b = spans[0]
        return Mismatch("period", period_word(asked.period) if asked.period else "全年", f"{a}—{b}年合计")
    dated = year_reached(text, compact(scope)) or dated_years(scope) or dated_years(text)
    if asked.years and dated and not dated & asked.years:
        return Mismatch("year", years_word(asked.years), years_word(dated))
    if asked.years and not dated and _PRESENT.search(compact(scope) or text) and _since_asked_year(asked.years, around):
        # "2019年那会儿资管规模多大" is not "目前，…资管规模超过15万亿元" after "2019年以来，…引进…136家":
        # the passage's present is later than the year it counts from
        return Mismatch("year", years_word(asked.years), "目前")
    if asked.period == (1, 12) and asked.years and not asked.cumulative and (not dated or _AS_OF.search(text)) \
            and not periods_of(text) and _CUMULATIVE.search(own):
        # "2023年办了几场" is not "截至目前已举办17场": a running total over every year is no one year's;
        # nor is one up to the asked year's end ("截至2022年年底，…累计吸引投资总额超150亿美元")
        return Mismatch("period", "全年", "累计")
    if asked.within and asked.value and not asked.cumulative and not _ADDED.search(own) and _running_total(own, text):
        # "今年一季度这一个季度新认定了多少家" is not "截至今年一季度，浙江已累计培育…1432家": what a period
        # added is no running total, however recent its end
        return Mismatch("period", asked.within, "累计")
    if asked.cumulative and asked.value and not asked.years and asked.period is None and dated \
            and not _CUMULATIVE.search(own) and not _AS_OF.search(own) and not is_plan(text):
        # "到现在累计放了多少贷款" is not "2023年…获得了贷款86.82亿元": one year's figure is no running total
        return Mismatch("period", "累计", years_word(dated))
    if asked.period is not None:
        given = periods_of(text)
        if given and asked.period not in given:
            return Mismatch("period", period_word(asked.period), period_word(given[0]))
        # a whole year's figure for part of one: of the asked year, or of any when the question names
        # none ("今年前5个月…多少辆" is not "2023年中国出口到墨西哥的汽车为41.5万辆")
        whole = whole_years(_led_by_year(scope, source))
        if not given and part_of_year(asked.period) and (whole & asked.years if asked.years else whole):
            return Mismatch("period", period_word(asked.period), "全年")
    if asked.days:
        given = dated_days(scope) or dated_days(text)
        if given and not any(d == day and m in (0, month) for m, d in given for month, day in asked.days):
            return Mismatch("day", "、".join(f"{m}月{d}日" for m, d in sorted(asked.days)),
                            "、".join(f"{m}月{d}日" if m else f"{d}日" for m, d in sorted(given)))
    # the kind its own clauses give the figure, else its sentence's: the sentence may state other kinds too
    if asked.unit and not has_bare_magnitude(own):  # "网民规模为10.51亿" may be the asked count
        units = figure_kinds(own) or figure_kinds(text)
        if units and asked.unit not in units:
            return Mismatch("unit", UNIT_WORDS[asked.unit], "、".join(UNIT_WORDS[u] for u in sorted(units)))
        if not units and asked.unit == "percent" and states_multiple(own):  # "股息率" is not "市盈率…7—10倍"
            return Mismatch("unit", UNIT_WORDS[asked.unit], MULTIPLE_WORDS)
    if asked.counted:  # "录用了多少人" is not answered by "3家企业参加"
        counted = counted_kinds(own) or counted_kinds(text)
        if counted and asked.counted not in counted:
            return Mismatch("unit", COUNTED_WORDS[asked.counted], "、".join(COUNTED_WORDS[c] for c in sorted(counted)))
    if asked.thing and compact(asked.thing[1]) not in text:
        counter, wanted = asked.thing
        written = "".join((scope or source).split())  # the given thing is said back as the article writes it
        given = _counted_things(counter, written) or \
            [g for c in _OTHER_COUNTERS if c != counter for g in _counted_things(c, written)]
        if given and not any(_share_words(g, wanted) for g in given):  # "多少个政府部门" is not "8个细分场景"
            return Mismatch("thing", wanted, given[0])
    if (asked.value or asked.unit) and not all(_says_part(w, own) for w in asked.subset_words):  # "10个优秀案例" counts no 金融领域 cases
        return Mismatch("subset", asked.subset, "")
    for wanted, other in asked.measures:
        # the figure's own clauses, when the sentence says both: "贷款新增5.5万亿元，…余额同比增长13.1%"
        if any(_says(other, t) and not _says(wanted, t) for t in (text, own)):
            return Mismatch("measure", wanted, other)
    if asked.value and asked.named_measure and not _names_measure(asked.named_measure, text):
        # "北京金融街一年能给西城区贡献多少税收" is not "西城区金融业增加值…3088.7亿元"
        return Mismatch("measure_named", asked.named_measure, "")
    joint = _joint_items(own) if asked.value and not asked.compares else []
    named = [item for item in joint if item in asked.subject]
    # "光住宿消费带动了多少钱" is not "住宿、餐饮、零售消费489.6亿元"; but a name every listed item
    # carries owns them all: "腾讯有多少产品" is "腾讯会议、腾讯新闻、腾讯视频等超过300个腾讯产品"
    # named as examples of a group ("陕西、黑龙江、云南这些地方"), several of the items are the group asked about
    examples = asked.examples and len(named) >= 2
    if named and len(named) < len(joint) and not examples and not all(named[0] in item for item in _listed_items(own)):
        return Mismatch("joint", named[0], "、".join(joint))
    if asked.total and asked.value and not asked.added and _ADDED.search(own) and not _WHOLE_GIVEN.search(own):
        # "修订之后一共有多少条" is not "新修订的…条例新增18条…条文"
        return Mismatch("measure", "总数", "新增")
    if asked.outcome and is_plan(text):
        return Mismatch("plan", "实际完成情况", "计划或目标")
    if asked.subjects and asked.value and not asked.compares and _another_subject(asked, scope or source, around):
        # "比亚迪去年在欧洲卖了多少辆车" answered from "上汽集团去年在欧洲市场销量达到33万辆"
        return Mismatch("entity", "、".join(sorted(asked.subjects)), "其他对象")
    return None


def _asked_after(asked: str, other: str, text: str) -> bool:
    """Both measures named, `asked` is the one asked when it comes after `other` with no 和, 与, 比
    or 、 between and nothing is compared: "B轮融资之后估值是多少" asks 估值, not 融资."""
    if asked in other or other in asked or _COMPARES.search(text):
        return False
    before, after = text.rfind(other), text.rfind(asked)
    return before >= 0 and after > before + len(other) and not re.search(r"[和与及比、跟同]", text[before + len(other):after])


def _asking_clause(text: str) -> str:
    """The clauses of a question (compacted) from the last one holding its question word on; all of it when none does."""
    clauses = re.split(r"(?<=[，,；;])", text)
    asking = [i for i, c in enumerate(clauses) if _QUESTION_WORD.search(c)]
    return "".join(clauses[asking[-1]:]) if asking else text


def _single_name(asked: Constraints, text: str) -> str:
    """The asked name (its fullest form: 深圳欢乐谷 for 深圳) that `text` (compacted) does not say; "" when it says one."""
    named = sorted(({q + k for q, k in asked.qualified} | asked.names | asked.subjects) - asked.described,
                   key=len, reverse=True)
    if not named or any(compact(n) in text for n in named):
        return ""
    return named[0]


def _gives_a_figure(names: frozenset[str], text: str) -> bool:
    """Whether a clause of `text` (compacted) naming one of `names` states a figure with its unit."""
    return any(states_figure_with_unit(c) for c in re.split(r"[，；;,]", text) if any(compact(n) in c for n in names))


def _since_asked_year(years: frozenset[str], around: str) -> bool:
    """Whether the passage counts from an asked year up to now ("2019年以来", "自2019年起")."""
    return any(re.search(rf"(?<!\d){year}年(?:以来|起|至今)|自{year}年", around) for year in years)


def _other_people(asked: Constraints, source: str, text: str) -> set[str]:
    """The people `source` names when it names none of the asked ones (`text`: it compacted); a
    name sharing two characters with the question is no other person ("泰信鑫" of a fund 泰信 runs)."""
    if any(compact(p) in text for p in asked.people):
        return set()
    return {n for n in person_names(source) if not any(n[i : i + 2] in asked.subject for i in range(len(n) - 1))}


def _other_organisation(organisations: frozenset[str], source: str) -> bool:
    """Whether `source` names an organisation none of the asked `organisations` is."""
    asked = {compact(n) for n in organisations}
    if not asked:
        return False
    named = {compact(n) for n in organisation_names(source)}
    return any(not any(a in n or n in a for a in asked) for n in named)


def _another_company(companies: frozenset[str], scope: str, text: str) -> bool:
    """Whether a figure's clauses (`scope`) name a company unmistakably (a company suffix: 华海药业)
    while its sentence (`text`, compacted) names none of the asked `companies`. Other names the
    question holds (a country, a kind of licence) do not make the figure the asked company's."""
    asked = {compact(c) for c in companies}
    if not asked or any(a in text for a in asked):
        return False
    own = compact(scope)
    others = [n for n in company_names(scope) if not any(a in n or n in a for a in asked)]
    # a partner is no subject: "我们已与北岛大学等13所高校实现合作" is the speaker's 13
    return any(not _PARTNER_BEFORE.search(own[: own.find(compact(n))]) for n in others if compact(n) in own)


def _spoken_by_another(organisations: frozenset[str], source: str, surroundings: str) -> bool:
    """Whether `source` is a quotation naming none of `organisations`, and its speaker, named right
    after the closing quote ("”昆山丘钛微电子科技股份有限公司校招负责人介绍说"), is another company:
    what "我们" did there is that company's."""
    quote, passage = compact(source), compact(surroundings)
    if not quote.endswith("”") or any(compact(n) in quote for n in organisations):
        return False
    at = passage.find(quote)
    speaker = _SPEAKER.match(passage[at + len(quote):]) if at >= 0 else None
    if speaker is None or any(compact(n) in speaker.group(1) for n in organisations):
        return False
    return bool(company_names(speaker.group(1)))


def _another_subject(asked: Constraints, scope: str, around: str) -> bool:
    """Whether a figure's clauses (`scope`) name none of the question's subjects and
    organisations, and either name a company the question does not, or stand in a passage
    (`around`, compacted) that never names the subject: the figure is another's."""
    named = [compact(n) for n in asked.subjects | asked.organisations]
    if any(n in compact(scope) for n in named):
        return False
    if around and not any(n in around for n in named):
        return True
    if any(not set(terms(c)) <= asked.subject for c in company_names(scope)):
        return True
    # a name the question's subject is read as, another one doing what the figure counts: "瑞幸…进了多少个县级
    # 行政区" is not "星巴克已经覆盖了857个" (both read as names of people); a speaker ("…表示") says whose words
    text = compact(scope)
    return any(not set(terms(w)) <= asked.subject and not _SAYS_AFTER.match(text[text.find(w) + len(w):])
               for w in proper_names(text) - place_names(text) if compact(w) in text)


def _sibling(qualified: frozenset[tuple[str, str]], source: str, own: str,
             asked_terms: frozenset[str] = frozenset(), asked_names: frozenset[str] = frozenset()) -> tuple[str, str] | None:
    """(asked, given) when the figure's clauses `own`, or its sentence `source` naming the asked name
    nowhere, name the asked kind under another name: "秦淮硅巷…集聚院士24人" for "玄武硅巷集聚了多少院士".
    A name the question says too (`asked_terms`: "依托核心企业给…小微企业放的贷款") is part of what it asks.
    A place asked as the owner ("德国企业…投了多少") that the sentence names only as whose report it is,
    with another place in the figure's clauses, is that place's figure: "据德国《经济周刊》网站报道，…
    没有哪个国家对匈牙利的投资超过中国——其在匈牙利总计直接投资76亿欧元"."""
    whole = compact(source)
    for name, kind in sorted(qualified):
        if place_names(name) and compact(name) in whole and compact(name) not in _ATTRIBUTION.sub("", whole):
            placed = place_names(own) | {country for country in ("中国", "我国") if country in own}  # whose figure, not a restriction
            others = sorted(p for p in placed if not any(p in n or n in p for n in asked_names | {name}))
            if others:
                return name + kind, others[0]
    for name, kind in sorted(qualified):
        if compact(name) in own:
            continue
        within = own if compact(name) in whole else whole
        # a sibling starts otherwise (秦淮/玄武, 东湖/西湖): "智能化功能" is the longer word for "智驾功能"
        # a place's sibling is another place ("秦淮硅巷"); a product's may be a word jieba does not know
        # for a name ("通义大模型"), but "金融街贡献" is no sibling of "城西区贡献"
        others = [n for n, k in qualified_names(source) if k == kind] if place_names(name) else \
            kinds_named_otherwise(source, kind)
        other = next((n for n in others if n[0] != name[0] and n not in asked_terms and compact(n + kind) in within), None)
        if other:
            return name + kind, other + kind
    return None


def _running_total(own: str, sentence: str) -> bool:
    """Whether a figure's clauses `own` give a running total ("已累计培育…1432家"), or its `sentence` opens
    with one that dates them ("自挂牌以来，…共有…超过170项") and they name no time of their own."""
    lead = re.split(r"[，,；;]", sentence, maxsplit=1)[0]
    if _SINCE_A_TIME.search(own) or _SINCE_A_TIME.search(lead):  # "今年以来…累计": the year's total so far
        return False
    if _CUMULATIVE.search(own):
        return True
    return bool(_CUMULATIVE.search(lead)) and not dated_years(own) and not periods_of(compact(own))


def describe_missing(asked: Constraints, miss: Mismatch) -> str:
    """"资料中没有…；资料给出的是…" in words, to put before the quoted figure."""
    if miss.kind == "entity":
        return f"资料中没有关于{miss.asked}的这一数字；资料给出的是{miss.given}的"
    if miss.kind == "joint":
        return f"资料中没有{miss.asked}单独的数字；资料给出的是{miss.given}合计的"
    if miss.kind == "subset":
        return f"资料中没有“{miss.asked}”单独的数字；资料给出的是"
    if miss.kind == "thing":
        return f"资料中没有{miss.asked}的数量；资料给出的是{miss.given}的数量"
    if miss.kind == "measure":
        return f"资料中没有{miss.asked}的数字；资料给出的是{miss.given}的"
    if miss.kind == "measure_named":
        return f"资料中没有关于{miss.asked}的数字；资料给出的是"
    if miss.kind == "period":
        year = years_word(asked.years) if asked.years else ""
        return f"资料中没有{year}{miss.asked}的数字；资料给出的是{miss.given}的"
    if miss.kind in ("year", "day"):
        return f"资料中没有{miss.asked}的数字；资料给出的是{miss.given}的"
    if miss.kind == "numbered" and not miss.given:
        return f"资料中没有关于“{miss.asked}”的内容；资料给出的是"
    if miss.kind == "numbered":
        return f"资料中没有关于“{miss.asked}”的内容；资料给出的是“{miss.given}”的"
    if miss.kind == "numbered_other":  # the passage names the asked batch, but not with this figure
        return f"资料中没有“{miss.asked}”的这一数字；资料给出的是另一{miss.given}的"
    if miss.kind == "plan":
        return "资料中没有实际完成的情况；资料给出的是计划或目标"
    if miss.kind == "subject":
        return "资料中没有直接回答这个问题的数字；资料给出的是另一项内容"
    return f"资料中没有问题所问的{miss.asked}；资料给出的是{miss.given}"


def _joint_items(text: str) -> list[str]:
    """The things a figure's clause lists with 、 before it, when it gives them one figure
    ("带动住宿、餐饮、零售消费489.6亿元" -> 住宿, 餐饮, 零售): the two characters at each 、. None
    when the clause gives each its own (分别, 各)."""
    if _EACH_OWN.search(text):
        return []
    parts = _listed_items(text)
    return [parts[0][-2:], *parts[1:-1], parts[-1][:2]] if parts and all(len(p) >= 2 for p in parts) else []


def _listed_items(text: str) -> list[str]:
    """The run of 、-separated things before a figure in `text`, each with all the characters the
    list's run holds (the first with what leads to it, the last with what follows); [] for none."""
    listed = _LISTED.search(text)
    return listed.group().split("、") if listed else []


def is_plan(text: str) -> bool:
    """Whether `text` says what is meant or expected to happen ("到2025年，…"), not what did."""
    return bool(_PLAN_WORDS.search(text)) and not _OUTCOME_WORDS.search(text)


def _says(measure: str, text: str) -> bool:
    pattern = _SAME_MEASURE.get(measure)
    return bool(pattern.search(text)) if pattern else measure in text


def _subset(text: str) -> tuple[str, frozenset[str]]:
    """The part of a set a question asks a figure of, and the words the figure's clauses must say:
    each noun of "金融领域" ("收录的案例里，金融领域的有多少个"); the first noun of a part of the whole
    ("在MATH数据集上的准确率": MATH, which "在MATH上" says as well). ("", {}) when it asks of no part."""
    m = _SUBSET.search(text)
    if m and not _DOCUMENT.search(text[: m.start()]) and not _COMPARES.search(m.group(1)):
        # its first asking clause ("这里面智能算力大概有多少、占多大比例" asks of 智能算力)
        first = re.split(r"[、，,]", m.group(1))[0]
        part = _ASKING.sub("", first if _ASKING.search(first) else m.group(1)).strip("的，, ")
        part = _VAGUE_END.sub("", part) or part
        return part, frozenset(_nouns(part))
    within = _WITHIN.search(text)
    if within and not _COMPARES.search(text):
        return within.group(1), frozenset(_nouns(within.group(1))[:1])
    return "", frozenset()


def _home_counted(text: str) -> tuple[str, frozenset[str]]:
    """("中国企业", {"中国"}) for "有多少家中国企业参展": a count of the country's own firms, which a
    count of all ("共有2400家企业出席") does not answer. rag.names leaves 中国 out of the names a
    question is about (passages say 我国), so it is held here, as a part of the set."""
    m = _HOME_COUNTED.search(text)
    if not m:
        return "", frozenset()
    counted = next((w for w, _ in pos_tags(m.group(2))), "")  # "企业" of "企业参展"
    return m.group(1) + counted, frozenset({HOME})


def _says_part(word: str, text: str) -> bool:
    """Whether `text` (compacted) says the part's `word`; the country by any of its names, outside
    a title ("《中国经营报》记者…看到，共计有2400家企业出席" counts no Chinese firms)."""
    if word != HOME:
        return compact(word) in text
    return any(name in TITLE.sub("", text) for name in _HOME_NAMES)


def _nouns(text: str) -> list[str]:
    """The nouns, abbreviations and Latin words of `text` that set a part apart (not 企业, 全国…)."""
    return [w for w, flag in pos_tags(text) if (flag[0] == "n" or flag in ("j", "eng")) and len(w) >= 2 and w not in _NOT_A_PART]


def _counted_things(counter: str, text: str) -> list[str]:
    """What the counts in `text` with measure word `counter` count: the noun after it ("批次" is one
    measure word), unless another figure comes first: "8批次近700人的高校毕业生" counts batches of graduates
    ("300张5G网络" counts networks)."""
    counted = re.compile(rf"\d+(?:\.\d+)?(?:余|多)?(?:{counter}次|{counter}(?!次))"
                         rf"(?![近约超逾]?\d+(?![A-Za-z]))([\u4e00-\u9fffA-Za-z0-9]{{2,6}})")
    return [_noun_run(m.group(1)) or _noun(m.group(1)) for m in counted.finditer(text)]


def _noun_run(text: str) -> str:
    """The nouns `text` opens with, as written: "5G商用网络均已" -> "5G商用网络", "细分场景上实现" -> "细分场景";
    "" when it opens with none."""
    run = ""
    for word, flag in pos_tags(text):
        if not (flag[0] == "n" or flag in ("m", "eng", "j", "vn", "b")):
            break
        run += word
    return run if len(run) >= 2 else ""


def _share_words(given: str, wanted: str) -> bool:
    """Whether two counted things share a character, of their Chinese when both have some: "5G商用网络"
    and "5G基站" share only what kind of network they belong to."""
    a, b = set(re.findall(r"[\u4e00-\u9fff]", given)), set(re.findall(r"[\u4e00-\u9fff]", wanted))
    return bool(a & b) if a and b else bool(set(given) & set(wanted))


def _asked_thing(text: str) -> tuple[str, str]:
    """("个", "政府部门") for "在多少个政府部门用起来了"; () when the count's measure word says what it counts."""
    m = _ASKED_THING.search(text)
    return (m.group(1), _noun(m.group(2))) if m and len(_noun(m.group(2))) >= 2 else ()


def _named_measure(text: str) -> str:
    """The measure a figure is asked of when the question names it after 多少 ("税收"); "" otherwise."""
    m = _NAMED_MEASURE.search(text)
    if m and m.group(1)[0] == "次" and len(m.group(1)) > 2:  # "被刷过多少次乘车？": the occasions of 乘车
        return m.group(1)[1:]
    return m.group(1) if m and not _ANY_AMOUNT.match(m.group(1)) else ""


def _names_measure(measure: str, text: str) -> bool:
    """Whether `text` names `measure` or a two-character part of it ("专项资金" in "专项建设资金")."""
    return any(measure[i : i + 2] in text for i in range(len(measure) - 1))


def _noun(text: str) -> str:
    """The noun phrase a count's measure word opens, without 的: "细分场景上实现" -> "细分场景",
    "百度自家的产品和场景" -> "百度自家产品" (which of its nouns is counted, 的 does not say)."""
    return _THING_ENDS.split(text, maxsplit=1)[0].replace("的", "")
