"""What a question pins down, and whether the sentence an answer's figure comes from keeps to it.

"华海药业2023年全年营业收入是多少？" pins a year (2023), a period (the whole year), and a kind of
figure (money). A passage saying "2023年前三季度，公司营收52.3亿元" holds a figure of the right
kind for the wrong period: stated as the answer, it is a near miss. `find_mismatch` names what
differs, so the answer can say exactly what the articles do not give and what they give instead
("资料中没有2023年全年的数字；资料给出的是前三季度的：…").

Only explicit disagreements count: a sentence that names no year or period keeps to any. One data
structure (`Constraints`), one check (`find_mismatch`); no rule knows any question.

Usage:
    asked = question_constraints("2023年全年营收多少？")
    miss = find_mismatch(asked, "2023年前三季度营收52.3亿元")   # Mismatch("period", "全年", "前三季度")
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from index.text import CJK, NUMBER, compact, month_days, terms
from index.tokenizer import pos_tags
from rag.evidence import question_terms
from rag.names import company_names, organisation_names, place_names, qualified_names, subject_names
from rag.questions import split_question

# the first character of a unit: a number before one is a figure, not a year
_UNIT_CHARS = "[万亿千百个家人名位元件辆台条项次场多余吨米公平亩户座款所只架艘部张份篇起宗例批颗块期天小分秒岁倍点兆美港欧英日]"
_CN = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
       "十一": 11, "十二": 12}
_NUM = r"(\d{1,2}|十[一二]?|[一二两三四五六七八九])"

# periods as month ranges, so 上半年 = 前6个月 = 1-6月 and 前三季度 = 1-9月
_PERIODS: list[tuple[re.Pattern[str], object]] = [
    # reports name their period: "2023年半年报", "三季报"
    (re.compile(r"半年(?:报|度报告)|中报|中期报告"), lambda m: (1, 6)),
    (re.compile(r"([一三])季(?:报|度报告)"), lambda m: (1, 3 * _int(m.group(1)))),
    (re.compile(r"全年|全年度|一整年|年度(?:总|合计)"), lambda m: (1, 12)),
    (re.compile(r"上半年"), lambda m: (1, 6)),
    (re.compile(r"下半年"), lambda m: (7, 12)),
    (re.compile(rf"前{_NUM}(?:个)?季度"), lambda m: (1, 3 * _int(m.group(1)))),
    (re.compile(rf"(?:第)?{_NUM}季度|[qQ]([1-4])(?![0-9])"), lambda m: _quarter(m.group(1) or m.group(2))),
    (re.compile(rf"前{_NUM}个?月"), lambda m: (1, _int(m.group(1)))),
    (re.compile(rf"{_NUM}(?:月)?\s*[-—–~～至到]\s*{_NUM}月(?!\d{{1,2}}[日号])"),
     lambda m: (_int(m.group(1)), _int(m.group(2)))),
    (re.compile(rf"截[至止](?:今年|本年|\d{{4}}年)?{_NUM}月(?:底|末|份)?"), lambda m: (1, _int(m.group(1)))),
    (re.compile(rf"{_NUM}月份|单月"), lambda m: (_int(m.group(1)), _int(m.group(1))) if m.group(1) else (0, 0)),
    (re.compile(r"今年以来|年初以来|年初至今"), lambda m: (1, 0)),  # up to an unknown month: not the whole year
]
_PERIOD_WORDS = {(1, 12): "全年", (1, 6): "上半年", (7, 12): "下半年", (1, 9): "前三季度", (1, 3): "一季度",
                 (4, 6): "二季度", (7, 9): "三季度", (10, 12): "四季度", (1, 0): "今年以来"}

# a year, or a bare one before a name ("2022世界杯", "中超2022赛季", "2021“年度人物”"); not a
# figure of that size ("2000多家", "2023亿元")
_YEAR = re.compile(rf"(?<![\d.A-Za-z])((?:19|20)\d{{2}})(?:\s*年(?!代|龄)|(?=(?!{_UNIT_CHARS}|年)[{CJK}]|[“\"《「][{CJK}]))")
# a year's figure asked ("2023年营收"): the whole year's, unless a month follows ("2023年3月")
_WHOLE_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}\s*年(?!代|龄|\s*[\d一二三四五六七八九十]+\s*月)")
# "2021—2023年共办理397件": a sum over several years is not one year's figure
_YEAR_SPAN = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*(?:年)?\s*[-—–~～至到]\s*((?:19|20)\d{2})\s*年")
# a year that only sets a baseline ("较2022年增长", "高于2022年", "2019年以来", "恢复至2019年同期的
# 44.2%") does not date the figure, nor does a birth year ("2003年出生的球员"); "于2022年举行" and
# "关于2022年…" do date
_BASELINE_YEAR = re.compile(r"(?:(?:比|较|相比|较之|同比|对比|自|从)于?|[高低多少优快慢大小]于)\s*(?:19|20)\d{2}\s*年"
                            r"|(?:19|20)\d{2}\s*年\s*(?:以来|起|至今|出生|同期)")
# 几 asking how many: not "哪几条建议" (which), nor a vague count the question states ("好几家",
# "十几个", "几十年", "几乎")
_HOW_MANY = r"(?:多少|(?<![哪好十])几(?![十百千万乎]))"
_ASKS_VALUE = re.compile(rf"{_HOW_MANY}|多大|多高|多长|规模|金额|总额|数量|是多|达到|占比|比重|增速|增长率|份额")

_MONEY_UNIT = r"(?:[万亿千百]*(?:元|美元|港元|欧元|英镑|日元))"
_PERCENT_UNIT = r"(?:%|％|个百分点|成)"
_COUNT_UNIT = r"(?:[万亿千百]*(?:辆|台|件|家|个|人|名|位|项|笔|条|套|吨|公里|千米|米|平方米|亩|户|次|场|座|款|所|只|架|艘|部|张|份|篇|起|宗|例|批|颗|块|期|天|小时|分钟))"
# "120余份", "300多家": an approximate count is still a count
# "10.51亿", "3200万" with no unit after: a count or an amount, the sentence does not say which
_BARE_MAGNITUDE = re.compile(rf"\d+(?:\.\d+)?\s*(?:余|多)?\s*[万亿]+(?![万亿千百]*(?:{_MONEY_UNIT}|{_PERCENT_UNIT}|{_COUNT_UNIT}))")
_FIGURE_WITH_UNIT = re.compile(rf"\d+(?:\.\d+)?\s*(?:余|多)?\s*(?:{_MONEY_UNIT}|{_PERCENT_UNIT}|{_COUNT_UNIT})")
_ASKED_UNIT = re.compile(rf"{_HOW_MANY}\s*({_MONEY_UNIT}|{_COUNT_UNIT}|钱)")
# "多少金融从业人员", "几名毕业生": a count of people, named by what they are rather than a measure word
_ASKED_PEOPLE = re.compile(rf"{_HOW_MANY}[名位个]?[\u4e00-\u9fff]{{0,6}}?(?:人员|员工|职工|工人|人才|人口|游客|学生|毕业生|从业者)")
_MONEY_WORDS = re.compile(r"金额|多少钱|营收|营业收入|净?利润|收入|投资额|融资额|罚款|罚没|销售额|交易额|出口额|进口额|"
                          r"成交额|产值|增加值|市值|估值|资金|费用|成本|预算|补贴|营业额|余额|资产规模|管理规模")
# "贴息几个点": percentage points ("几点" alone asks the time)
_PERCENT_WORDS = re.compile(r"占比|比重|比例|份额|增速|增长率|增幅|降幅|渗透率|百分之|百分比|多少%|(?:多少|几)个(?:百分)?点|多少百分点")
# "增长了多少" may be a rate or an amount: after such a word the kind of figure is not pinned
_CHANGE_WORDS = re.compile(r"(?:增长|下降|提高|降低|上涨|下跌|增加|减少)(?:了)?(?:多少|几)|增长目标|相比|变化|怎么样|如何")

# measures that are easily taken for one another: a question asking one is not answered by the
# other ("实缴规模" by "认缴规模", "环比" by "同比", 进口 by 出口)
_CONTRASTS = [("同比", "环比"), ("实缴", "认缴"), ("出口", "进口"), ("营收", "净利润"), ("营业收入", "净利润"),
              ("利润", "营收"), ("利润", "营业收入"), ("利润", "流水"), ("利润", "销售额"), ("营收", "流水"),
              ("营业收入", "流水"),
              ("新增", "累计"), ("增量", "存量"), ("销量", "产量"), ("销量", "出货量"), ("流入", "流出"),
              ("融资", "估值"), ("收入", "支出"), ("本科", "硕士"), ("城镇", "农村"),
              ("入选", "申报"), ("获批", "申报"), ("录取", "报名"), ("中标", "投标")]  # applied is not accepted
# one measure, two spellings: the short one is what people ask, the long one what reports write
_SAME_MEASURES = [("营收", "营业收入"), ("净利", "净利润"), ("市占率", "市场占有率"), ("市占率", "市场份额"),
                  ("社零", "社会消费品零售总额"), ("GDP", "生产总值")]
# other ways articles write a measure: "较去年同期减少77%" is a year-on-year change
_SAME_MEASURE = {"同比": re.compile(r"同比|(?:去|上)年同期"), "环比": re.compile(r"环比|上(?:个)?(?:月|季度)")}
_COMPARES = re.compile(r"分别|各(?:自|是|有|占|为)?|谁|哪个|哪家|哪边|哪一")
# a running total, up to now: "截至目前已举办17场", "累计培育…", "成立以来"
_CUMULATIVE = re.compile(r"累计|迄今|至今|截[至止]目前|以来|历年|先后|总计已|到现在|到目前|目前为止")
# a figure stated as of a date is a running total too: "截至2023年末", "到2023年底"
_AS_OF = re.compile(r"截[至止]|年[底末]")
# the whole country, asked or given; and regions a figure may be given for instead ("京津冀三省市…")
_NATIONAL_ASKED = re.compile(r"全国|我国")
_NATIONAL = re.compile(r"全国|我国|中国|国内|全行业")
_REGIONS = re.compile(r"京津冀|长三角|珠三角|成渝|粤港澳|大湾区")
_COUNTED_PLACES = re.compile(r"[一二两三四五六七八九十几多]")
# the words that make a clause the one asking ("…的那批人，最后有多少人入选")
_QUESTION_WORD = re.compile(rf"{_HOW_MANY}|哪|什么|谁|怎么|如何|为何|是否|吗|多大|多高|多长|多久")
# a group's total ("旗下文旅企业合计接待游客9365万人次"), and a question asking one itself
_TOTAL_GIVEN = re.compile(r"合计|总计|共计")
_TOTAL_ASKED = re.compile(r"一共|总共|合计|总计|共计|加起来|旗下|全部|整体|各")
# a count asked with a measure word that could count anything: what it counts is the noun after it
# ("多少个政府部门"), and a count of another noun ("8个细分场景") is no answer
_GENERIC_COUNTERS = "个项场座款类批"
_ASKED_THING = re.compile(rf"{_HOW_MANY}([{_GENERIC_COUNTERS}])([\u4e00-\u9fff]{{2,10}})")
_THING_ENDS = re.compile(r"[上中里内在等和与及了是为对向把被将已用能可会有]")
# a part of a set asked ("收录的案例里，金融领域的有多少个", "培养的人才里，有多少人已经成了业务骨干",
# "其中由协会注销的有多少家"): what sets the part apart must be said with the figure, or the figure
# is the whole set's. A document ("那篇报道里", "通知里") is where to look, not a set
_SUBSET = re.compile(r"(?:(?:里|当中|之中|中)[，,]|里(?=有(?:多少|几))|其中[，,]?)([^？?。！!]+)")
# a figure asked within a part of its whole: "在高速公路上的可用里程", "在MATH数据集上的准确率"
_WITHIN = re.compile(r"在([^，,。？?在]{2,10}?)(?:上|中|里|内)的")
_DOCUMENT_WORDS = "报道|文章|一文|通知|政策|调查|数据|排名|报告|方案|意见|文件|规划|指引|公告|讲话|采访|新闻|资料|会议|论坛"
_DOCUMENT = re.compile(rf"(?:{_DOCUMENT_WORDS})的?$")
# a question opening with the document to read: "财政部和工信部支持专精特新中小企业的那份通知，…"
_DESCRIBED_DOCUMENT = re.compile(rf"[^，,？?。]*?(?:那份|这份|那篇|这篇|那则|这则)[^，,？?。]{{0,30}}?"
                                 rf"(?:{_DOCUMENT_WORDS})(?:里|中|上)?[^，,？?。]{{0,3}}[，,]")
_ASKING = re.compile(rf"(?:有|是)?(?:多少|几){_UNIT_CHARS}?")
_NOT_A_PART = frozenset("一共 总共 合计 全国 国家 中国 全球 比例 占比 规模 数量 企业 公司 机构".split())
_OUTCOME_WORDS = re.compile(r"实际|已经|已有|已完成|完成了|建成了|达到了|实现了|已建成|目前已|了吗|了没有")
# a name carrying a number: "二审", "神舟十三号", "十四五规划", "第35届". The same name with another
# number ("一审", "十二号", "十三五") is another thing, however alike the passages read. Counts, dates
# and amounts ("三家", "5月", "两万") are figures, held elsewhere
_CN_NUMERALS = "一二三四五六七八九十零〇两"
# "首届", "首批" are the first of their series: 第二届 is their sibling
_NUMBERED_NAME = re.compile(rf"(?<![A-Za-z\d{_CN_NUMERALS}月第])(第?(?:[{_CN_NUMERALS}]+|\d+)|首(?=[届批期轮次]))(?=([{CJK}]))")
# an ordinal of a series of events or batches: "第三批", "首届", "第2期"
_SERIES = re.compile(rf"^(?:第(?:[{_CN_NUMERALS}]+|\d+)|首)[届批期轮次]$")
# a series counted ("公示五批12192家", "分三批次"), {} its measure word; "一批" is "a number of", no count
_COUNTED_SERIES = r"(?<![第{0}])(?:[二两三四五六七八九十]|\d+)[一二三四五六七八九十]*{0}"
# a count written in words: "五家中国汽车制造商" (not "第五家", "另一家", "每一家")
_COUNT_IN_WORDS = re.compile(r"(?<![第另每某同])[一二两三四五六七八九十百千万]+([人名位家所辆台架艘只支项件条])")
# things listed with 、 (two to four characters between the marks) and a figure after them
_LISTED = re.compile(r"[\u4e00-\u9fff]{2,}(?:、[\u4e00-\u9fff]{2,4})+[\u4e00-\u9fff]*(?=[^，,；;。、]*\d)")
_EACH_OWN = re.compile(r"分别|各自|各为|各有|依次")
_BARE_DAY = re.compile(r"(?<![\d.月])(\d{1,2})[日号](?![内以年])")
_QUOTES = re.compile(r"[“”‘’\"'《》「」〈〉()（）]")
# a measure word after the number makes it a count ("三家", "五方面", "三大功能", "两座城市"), not a name
_NOT_A_NAME_AFTER = frozenset("个家名位人种类项件条次年月日天季周岁倍成分元万亿千百多余些共起直样下定般致体半点批"
                              "方大座款只张台辆本篇份所支套组")
# an ordinal ("第二批", "首次", "第一大") names one of a series whatever follows, except a time, held as a period or date
_TIME_AFTER = frozenset("年月日天季周")
# plans and forecasts: what is meant or expected to happen, not what did
_PLAN_WORDS = re.compile(r"目标|计划|预计|预期|预测|有望|力争|争取|规划|拟|或将|将(?:有|达|实现|建成|完成|超过|突破|新增|达到)"
                         r"|到(?:19|20)\d{2}年")


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
    subjects: frozenset[str] = frozenset()  # names the question opens with, of a kind jieba cannot tell: 比亚迪
    value: bool = False  # asks for a figure ("多少", "占比"), not a reason, a name or a list
    subject: frozenset[str] = frozenset()  # its subject and metric as terms, to bind figures to (rag.binding)
    numbered: frozenset[tuple[str, str]] = frozenset()  # names carrying a number, as (number, what follows): 二审
    days: frozenset[tuple[int, int]] = frozenset()  # days asked, as (month, day): "9月27日注销的…"
    cumulative: bool = False  # asks a running total ("累计", "至今"), not one period's figure
    qualified: frozenset[tuple[str, str]] = frozenset()  # names with the kind they name one of: ("玄武", "硅巷")
    thing: tuple[str, str] = ()  # a count's measure word that could count anything, and what it counts: ("个", "政府部门")
    subset: str = ""  # the part of a set asked for: "金融领域" of "收录的案例里，金融领域的有多少个"
    subset_words: frozenset[str] = frozenset()  # its nouns, each of which the figure's clauses must say
    described: frozenset[str] = frozenset()  # names that only say which document to read: "财政部…的那份通知，"
    national: bool = False  # asks the whole country's figure ("全国…多少") and names no place
    total: bool = False  # asks a total itself ("一共", "旗下…合计"): a group's figure may answer it


@dataclass(frozen=True)
class Mismatch:
    """How a sentence departs from the question: kind is entity, year, period, day, unit, thing (a
    count of another noun), subset (the whole set's figure for a part asked), measure, joint
    (one figure for several things, one of them asked), plan,
    numbered (the same name with another number: 一审 for 二审), or subject (the sentence shares
    no word with what the question asks about)."""

    kind: str
    asked: str  # in words, for the answer: "2023年", "全年", "金额"
    given: str  # what the sentence gives instead: "2022年", "前三季度", "数量"


def question_constraints(question: str, names: frozenset[str] | set[str] = frozenset(),
                         organisations: frozenset[str] | set[str] = frozenset(),
                         subjects: frozenset[str] | set[str] = frozenset(),
                         described: frozenset[str] | set[str] = frozenset()) -> Constraints:
    """`names`: the organisations and places the question names (rag.names finds them);
    `organisations`: those of them that are companies or organisations; `subjects`: the names it
    opens with (rag.names.subject_names); `described`: names only in its opening description of a
    document.

    A question of several parts ("…多少？…哪几家？") pins nothing: each part pins its own."""
    text = compact(question)
    if len(split_question(question)) > 1:
        return Constraints()
    years = frozenset(_YEAR.findall(_BASELINE_YEAR.sub(" ", text)))
    periods = _periods(text)
    period = periods[0] if len(periods) == 1 else None
    # "2023年营收多少" asks the whole year's figure; "2022清明档票房多少" names an event of 2022
    implied = period is None and not periods and bool(_WHOLE_YEAR.search(text)) and bool(_ASKS_VALUE.search(text))
    subset, subset_words = _subset("".join(question.split()))  # said back to the user as they wrote it
    # the measure asked is the one in the clause that asks: "申报…的那批人，最后有多少人入选" asks 入选
    asking = _asking_clause(text)
    measures = tuple((x, y) for p, q in _CONTRASTS for x, y in ((p, q), (q, p)) if x in asking and y not in asking)
    return Constraints(
        years=years,
        period=(1, 12) if implied else period,
        period_implied=implied,
        unit=_asked_unit(text),
        counted=_asked_counted(text),
        measures=measures,
        outcome=bool(_OUTCOME_WORDS.search(text)),
        compares=bool(_COMPARES.search(text)),
        names=frozenset(names),
        organisations=frozenset(organisations),
        subjects=frozenset(subjects) - frozenset(names),
        value=bool(_ASKS_VALUE.search(text)),
        subject=frozenset(t for t in question_terms(_spelled_both_ways(question)) if not NUMBER.fullmatch(t)),
        numbered=frozenset(numbered_names(text)),
        days=frozenset(month_days(text)),
        cumulative=bool(_CUMULATIVE.search(text)),
        qualified=frozenset(qualified_names(question)),
        thing=_asked_thing(text),
        subset=subset,
        subset_words=subset_words,
        described=frozenset(described) & frozenset(names),
        national=bool(_NATIONAL_ASKED.search(text)) and not (frozenset(names) - frozenset(organisations)),
        total=bool(_TOTAL_ASKED.search(text)),
    )


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
    return question_constraints(question, names, organisations, subject_names(question), described)


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


def numbered_names(text: str) -> list[tuple[str, str]]:
    """The names in `text` that carry a number, as (number, the character after it):
    "神舟十三号" -> ("十三", "号"), "第二棒" -> ("第二", "棒"); not "三家", "5月", "2023年"."""
    found = []
    for m in _NUMBERED_NAME.finditer(_unquoted(text)):
        number, after = m.group(1), m.group(2)
        ordinal = number.startswith(("第", "首"))
        if after not in (_TIME_AFTER if ordinal else _NOT_A_NAME_AFTER):
            found.append((number, after))
    return found


def _ordinal(number: str) -> str:
    """The number a numbered name carries, written one way: "第2", "第二", "二" and "首" (for 一) alike."""
    number = number.removeprefix("第")
    if number == "首":
        return "一"
    if number.isdigit() and 0 < int(number) < 100:
        tens, ones = divmod(int(number), 10)
        return (_CN_NUMERALS[tens - 1] if tens > 1 else "") + ("十" if tens else "") + (_CN_NUMERALS[ones - 1] if ones else "")
    return number


def numbered_sibling(asked: Constraints, passage: str, source: str) -> Mismatch | None:
    """A name the question numbers ("二审") that `passage` never names, while `source`, the
    sentence an answer comes from, names the same with another number ("一审…"): the passage is
    about a sibling of the asked thing. Mismatch("numbered", "二审", "一审"). An ordinal of a series
    ("第三批") the passage never names, while it names another ("首批"), is missing from it whatever
    `source` names: its unnumbered sentences ("近日发布533个项目") are about the others
    (Mismatch given "")."""
    around = _unquoted(passage)
    in_passage = numbered_names(passage)
    named = {(_ordinal(n), a) for n, a in in_passage}
    given = numbered_names(source)
    for number, after in sorted(asked.numbered):
        if number.lstrip("第") + after in around or (_ordinal(number), after) in named:
            continue
        others = [n for n, a in given if a == after and _ordinal(n) != _ordinal(number)]
        if others:
            return Mismatch("numbered", number + after, others[0] + after)
        if _SERIES.match(number + after) and (any(a == after and _SERIES.match(n + a) for n, a in in_passage)
                                               or re.search(_COUNTED_SERIES.format(after), around)):
            return Mismatch("numbered", number + after, "")
    return None


def _unquoted(text: str) -> str:
    """`compact(text)` without quotation marks and brackets: "“十四五”规划" is 十四五规划."""
    return _QUOTES.sub("", compact(text))


def find_mismatch(asked: Constraints, source: str, surroundings: str = "", scope: str = "") -> Mismatch | None:
    """The first way `source` (the sentence a figure comes from) departs from `asked`;
    `surroundings` (the passage and its title) may name the subject instead.
    `scope`: the clauses of `source` the figure belongs to (rag.binding.figure_scopes); a year
    they name dates the figure, whatever other years the sentence names ("以2021年的交付量93.62万辆
    计算，2022年需超过140万辆": 93.62万辆 is 2021's)."""
    text = compact(source)
    around = compact(surroundings)
    if asked.names and not asked.compares and not any(compact(n) in text for n in asked.names):
        # one named thing is enough: comparisons name two, and each figure belongs to one. The
        # passage around may name the asked company for a sentence that names none ("该中心总投资…"),
        # not for one naming another ("中国联通(青岛)智算中心…总投资约30亿元"). Places are not held
        # so: a sentence about a city names its districts.
        # A name that only says which document to read ("财政部和工信部…的那份通知，") need not be repeated
        # by the passage holding the figure.
        held = asked.names - asked.described
        if _other_organisation(asked.organisations, source) or (held and not any(compact(n) in around for n in held)):
            return Mismatch("entity", "、".join(sorted(asked.names)), "其他对象")
    own = compact(scope) or text  # the figure's own clauses, else its sentence
    if asked.organisations and scope and not asked.compares and not any(compact(n) in own for n in asked.names) \
            and _other_organisation(asked.organisations, scope) and not _gives_a_figure(asked.names, text):
        # "尽管Instacart上市首日大涨40%，但…ARM股价…徘徊在发行价附近": the figure's clause is another
        # company's, and the asked one has none (when it has, rag.binding gives it its own)
        return Mismatch("entity", "、".join(sorted(asked.names)), "其他对象")
    sibling = _sibling(asked.qualified, source, own)
    if sibling and not asked.compares:
        return Mismatch("entity", *sibling)
    if asked.national and asked.value and not asked.compares and not _NATIONAL.search(own):
        # "三省一市" counts places, names none
        regions = sorted(set(_REGIONS.findall(own)) | {p for p in place_names(own) if not _COUNTED_PLACES.match(p)})
        if regions:  # "全国高速公路总里程" is not "京津冀三省市高速公路总里程达到10990公里"
            return Mismatch("entity", "全国", "、".join(regions))
    single = _single_name(asked, text)
    if single and asked.value and not asked.total and not asked.compares and _TOTAL_GIVEN.search(own):
        # "深圳欢乐谷接待了多少游客" is not "公司旗下文旅企业合计接待游客9365万人次"
        return Mismatch("joint", single, "")
    spans = _YEAR_SPAN.findall(text)
    if len(asked.years) == 1 and spans:
        a, b = spans[0]
        return Mismatch("period", "全年", f"{a}—{b}年合计")
    dated = dated_years(scope) or dated_years(text)
    if asked.years and dated and not dated & asked.years:
        return Mismatch("year", _years(asked.years), _years(dated))
    if asked.period == (1, 12) and asked.years and not asked.cumulative and not dated and not _periods(text) \
            and _CUMULATIVE.search(own):
        # "2023年办了几场" is not "截至目前已举办17场": a running total over every year is no one year's
        return Mismatch("period", "全年", "累计")
    if asked.cumulative and asked.value and not asked.years and asked.period is None and dated \
            and not _CUMULATIVE.search(own) and not _AS_OF.search(own) and not is_plan(text):
        # "到现在累计放了多少贷款" is not "2023年…获得了贷款86.82亿元": one year's figure is no running total
        return Mismatch("period", "累计", _years(dated))
    if asked.period is not None:
        given = _periods(text)
        if given and asked.period not in given:
            return Mismatch("period", _period_word(asked.period), _period_word(given[0]))
        if not given and _part_of_year(asked.period) and _whole_year(scope or source) & asked.years:
            return Mismatch("period", _period_word(asked.period), "全年")
    if asked.days:
        given = _days(scope) or _days(text)
        if given and not any(d == day and m in (0, month) for m, d in given for month, day in asked.days):
            return Mismatch("day", "、".join(f"{m}月{d}日" for m, d in sorted(asked.days)),
                            "、".join(f"{m}月{d}日" if m else f"{d}日" for m, d in sorted(given)))
    # the kind its own clauses give the figure, else its sentence's: the sentence may state other kinds too
    if asked.unit and not _BARE_MAGNITUDE.search(own):  # "网民规模为10.51亿" may be the asked count
        units = figure_kinds(own) or figure_kinds(text)
        if units and asked.unit not in units:
            return Mismatch("unit", _UNIT_WORDS[asked.unit], "、".join(_UNIT_WORDS[u] for u in sorted(units)))
    if asked.counted:  # "录用了多少人" is not answered by "3家企业参加"
        counted = _counted(own) or _counted(text)
        if counted and asked.counted not in counted:
            return Mismatch("unit", _COUNTED_WORDS[asked.counted], "、".join(_COUNTED_WORDS[c] for c in sorted(counted)))
    if asked.thing and asked.thing[1] not in text:
        counter, wanted = asked.thing
        given = [_noun(m.group(1)) for m in re.finditer(rf"\d+(?:\.\d+)?(?:余|多)?{counter}([\u4e00-\u9fff]{{2,6}})", own)]
        if given and not any(set(g) & set(wanted) for g in given):  # "多少个政府部门" is not "8个细分场景"
            return Mismatch("thing", wanted, given[0])
    if asked.value and any(compact(w) not in own for w in asked.subset_words):  # "10个优秀案例" counts no 金融领域 cases
        return Mismatch("subset", asked.subset, "")
    for wanted, other in asked.measures:
        if _says(other, text) and not _says(wanted, text):
            return Mismatch("measure", wanted, other)
    joint = _joint_items(own) if asked.value and not asked.compares else []
    named = [item for item in joint if item in asked.subject]
    if named and len(named) < len(joint):  # "光住宿消费带动了多少钱" is not "住宿、餐饮、零售消费489.6亿元"
        return Mismatch("joint", named[0], "、".join(joint))
    if asked.outcome and is_plan(text):
        return Mismatch("plan", "实际完成情况", "计划或目标")
    if asked.subjects and asked.value and not asked.compares and _another_subject(asked, scope or source, around):
        # "比亚迪去年在欧洲卖了多少辆车" answered from "上汽集团去年在欧洲市场销量达到33万辆"
        return Mismatch("entity", "、".join(sorted(asked.subjects)), "其他对象")
    return None


def _asking_clause(text: str) -> str:
    """The clauses of a question (compacted) from the last one holding its question word on; all of it when none does."""
    clauses = re.split(r"(?<=[，,；;])", text)
    asking = [i for i, c in enumerate(clauses) if _QUESTION_WORD.search(c)]
    return "".join(clauses[asking[-1]:]) if asking else text


def _single_name(asked: Constraints, text: str) -> str:
    """The asked name (its fullest form: 深圳欢乐谷 for 深圳) that `text` (compacted) does not say; "" when it says one."""
    named = sorted({q + k for q, k in asked.qualified} | asked.names | asked.subjects, key=len, reverse=True)
    if not named or any(compact(n) in text for n in named):
        return ""
    return named[0]


def _gives_a_figure(names: frozenset[str], text: str) -> bool:
    """Whether a clause of `text` (compacted) naming one of `names` states a figure with its unit."""
    return any(_FIGURE_WITH_UNIT.search(c) for c in re.split(r"[，；;,]", text) if any(compact(n) in c for n in names))


def _other_organisation(organisations: frozenset[str], source: str) -> bool:
    """Whether `source` names an organisation none of the asked `organisations` is."""
    asked = {compact(n) for n in organisations}
    if not asked:
        return False
    named = {compact(n) for n in organisation_names(source)}
    return any(not any(a in n or n in a for a in asked) for n in named)


def _another_subject(asked: Constraints, scope: str, around: str) -> bool:
    """Whether a figure's clauses (`scope`) name none of the question's subjects and
    organisations, and either name a company the question does not, or stand in a passage
    (`around`, compacted) that never names the subject: the figure is another's."""
    named = [compact(n) for n in asked.subjects | asked.organisations]
    if any(n in compact(scope) for n in named):
        return False
    if around and not any(n in around for n in named):
        return True
    return any(not set(terms(c)) <= asked.subject for c in company_names(scope))


def _sibling(qualified: frozenset[tuple[str, str]], source: str, own: str) -> tuple[str, str] | None:
    """(asked, given) when the figure's clauses `own`, or its sentence `source` naming the asked name
    nowhere, name the asked kind under another name: "秦淮硅巷…集聚院士24人" for "玄武硅巷集聚了多少院士"."""
    whole = compact(source)
    for name, kind in sorted(qualified):
        if compact(name) in own:
            continue
        within = own if compact(name) in whole else whole
        # a sibling starts otherwise (秦淮/玄武, 东湖/西湖): "智能化功能" is the longer word for "智驾功能"
        other = next((n for n, k in qualified_names(source)
                      if k == kind and n[0] != name[0] and compact(n + k) in within), None)
        if other:
            return name + kind, other + kind
    return None


def figure_kinds(text: str) -> set[str]:
    """The kinds of figure a text states with a unit: "money", "percent", "count"."""
    return {_unit_kind(m.group()) for m in _FIGURE_WITH_UNIT.finditer(compact(text))}


def figure_kind_of(text: str, figure: str) -> str:
    """The kind of `figure` (a number as rag's terms write it) where `text` first states it: "money",
    "percent", "count", or "" when it has no unit there."""
    return next(iter(_kinds_stated(text, figure)), "")


def figure_kinds_of(text: str, figure: str) -> set[str]:
    """Every kind `text` states `figure` as: "253个…253亿元" -> {"count", "money"}."""
    return set(_kinds_stated(text, figure))


def _kinds_stated(text: str, figure: str) -> list[str]:
    """The kind of each place `text` states `figure` with a unit, in order."""
    kinds = []
    for m in _FIGURE_WITH_UNIT.finditer(compact(text)):
        number = NUMBER.match(m.group()).group()
        if (number.rstrip("0").rstrip(".") if "." in number else number) == figure:
            kinds.append(_unit_kind(m.group()))
    return kinds


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
    if miss.kind == "period":
        year = _years(asked.years) if asked.years else ""
        return f"资料中没有{year}{miss.asked}的数字；资料给出的是{miss.given}的"
    if miss.kind in ("year", "day"):
        return f"资料中没有{miss.asked}的数字；资料给出的是{miss.given}的"
    if miss.kind == "numbered" and not miss.given:
        return f"资料中没有关于“{miss.asked}”的内容；资料给出的是"
    if miss.kind == "numbered":
        return f"资料中没有关于“{miss.asked}”的内容；资料给出的是“{miss.given}”的"
    if miss.kind == "plan":
        return "资料中没有实际完成的情况；资料给出的是计划或目标"
    if miss.kind == "subject":
        return "资料中没有直接回答这个问题的数字；资料给出的是另一项内容"
    return f"资料中没有问题所问的{miss.asked}；资料给出的是{miss.given}"


# --- helpers ---------------------------------------------------------------------------------

_UNIT_WORDS = {"money": "金额", "percent": "比例", "count": "数量"}
# measure words that say what a count counts; the others (个, 次…) could count anything. 项, 件 and
# 条 count items, measures and cases, never companies or people ("多少项创新" is no "五家车企")
_COUNTERS = {"人": "people", "名": "people", "位": "people", "家": "organisations", "所": "organisations",
             "辆": "machines", "台": "machines", "架": "machines", "艘": "machines", "只": "funds", "支": "funds",
             "项": "items", "件": "items", "条": "items", "场": "events"}
# quantities measured, not counted: "117万平方米" is an area, never a number of companies
_MEASURED = (("平方米", "area"), ("平方公里", "area"), ("亩", "area"), ("公里", "length"), ("千米", "length"),
             ("米", "length"), ("吨", "weight"))
_COUNTED_WORDS = {"people": "人数", "organisations": "机构或企业的家数", "machines": "车辆、设备的台数", "events": "场次",
                  "funds": "基金、股票等的只数", "items": "项数或件数", "area": "面积", "length": "长度", "weight": "重量"}


def _part_of_year(months: tuple[int, int]) -> bool:
    """上半年, 前三季度, 1-10月: months of a year that end, not the whole year, not "今年以来"."""
    return months != (1, 12) and months[1] != 0


def _whole_year(text: str) -> set[str]:
    """The years `text` gives a figure for as a whole ("2023年小游戏市场规模达200亿元"), not a month
    of ("2023年6月"), nor a baseline ("较2022年")."""
    return {m.group()[:4] for m in _WHOLE_YEAR.finditer(_BASELINE_YEAR.sub(" ", compact(text)))}


def _days(text: str) -> set[tuple[int, int]]:
    """The days `text` dates something on, as (month, day): "9月28日", or (0, 28) for "28日" alone
    ("在28日注销的…"); not a span of days ("30日内") nor a rate ("7日年化")."""
    return month_days(text) | {(0, int(d)) for d in _BARE_DAY.findall(compact(text))}


def _joint_items(text: str) -> list[str]:
    """The things a figure's clause lists with 、 before it, when it gives them one figure
    ("带动住宿、餐饮、零售消费489.6亿元" -> 住宿, 餐饮, 零售): the two characters at each 、. None
    when the clause gives each its own (分别, 各)."""
    if _EACH_OWN.search(text):
        return []
    listed = _LISTED.search(text)
    if not listed:
        return []
    parts = listed.group().split("、")
    return [parts[0][-2:], *parts[1:-1], parts[-1][:2]] if all(len(p) >= 2 for p in parts) else []


def is_plan(text: str) -> bool:
    """Whether `text` says what is meant or expected to happen ("到2025年，…"), not what did."""
    return bool(_PLAN_WORDS.search(text)) and not _OUTCOME_WORDS.search(text)


def dated_years(text: str) -> set[str]:
    """The years `text` dates something in ("2023年营收"), not those it only compares with."""
    return set(_YEAR.findall(_BASELINE_YEAR.sub(" ", compact(text))))


def _says(measure: str, text: str) -> bool:
    pattern = _SAME_MEASURE.get(measure)
    return bool(pattern.search(text)) if pattern else measure in text


def _int(numeral: str) -> int:
    return int(numeral) if numeral.isdigit() else _CN[numeral.replace("两", "二")]


def _quarter(numeral: str) -> tuple[int, int]:
    n = _int(numeral)
    return (3 * n - 2, 3 * n) if 1 <= n <= 4 else (0, 0)


def _periods(text: str) -> list[tuple[int, int]]:
    found: list[tuple[int, int]] = []
    taken: list[tuple[int, int]] = []
    for pattern, to_range in _PERIODS:
        for m in pattern.finditer(text):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue  # "前三季度" is not also a "三季度"
            months = to_range(m)
            if months != (0, 0) and months not in found:
                found.append(months)
            taken.append(m.span())
    return found


def _period_word(months: tuple[int, int]) -> str:
    if months in _PERIOD_WORDS:
        return _PERIOD_WORDS[months]
    a, b = months
    return f"{a}月" if a == b else f"{a}—{b}月"


def _years(years: set[str] | frozenset[str]) -> str:
    """"2018年、2019年"; a table of many years is "其他年份", not a list of fifteen."""
    return "、".join(f"{y}年" for y in sorted(years)) if len(years) <= 3 else "其他年份"


def _asked_unit(text: str) -> str:
    """The kind of the asked figure: the cue nearest the end wins, as Chinese puts what is asked
    last ("几家大行的贷款余额谁最多" asks money, "有多少家企业" a count)."""
    cues: list[tuple[int, str]] = []
    for m in _ASKED_UNIT.finditer(text):
        cues.append((m.end(), "money" if m.group(1) == "钱" else _unit_kind(m.group(1))))
    cues += [(m.end(), "count") for m in _ASKED_PEOPLE.finditer(text)]
    cues += [(m.end(), "percent") for m in _PERCENT_WORDS.finditer(text)]
    cues += [(m.end(), "money") for m in _MONEY_WORDS.finditer(text)]
    cues += [(m.end(), "") for m in _CHANGE_WORDS.finditer(text)]
    return max(cues)[1] if cues else ""


def _asked_counted(text: str) -> str:
    """What the asked count counts, by its measure word ("多少人": people); "" when the question
    asks no count, or its measure word could count anything (个, 项, 次)."""
    cues = [(m.end(), _counter_kind(m.group(1))) for m in _ASKED_UNIT.finditer(text)]
    cues += [(m.end(), "people") for m in _ASKED_PEOPLE.finditer(text)]
    return max(cues)[1] if cues else ""


def _subset(text: str) -> tuple[str, frozenset[str]]:
    """The part of a set a question asks a figure of, and the words the figure's clauses must say:
    each noun of "金融领域" ("收录的案例里，金融领域的有多少个"); the first noun of a part of the whole
    ("在MATH数据集上的准确率": MATH, which "在MATH上" says as well). ("", {}) when it asks of no part."""
    m = _SUBSET.search(text)
    if m and not _DOCUMENT.search(text[: m.start()]) and not _COMPARES.search(m.group(1)):
        part = _ASKING.sub("", m.group(1)).strip("的，, ")
        return part, frozenset(_nouns(part))
    within = _WITHIN.search(text)
    if within and not _COMPARES.search(text):
        return within.group(1), frozenset(_nouns(within.group(1))[:1])
    return "", frozenset()


def _nouns(text: str) -> list[str]:
    """The nouns, abbreviations and Latin words of `text` that set a part apart (not 企业, 全国…)."""
    return [w for w, flag in pos_tags(text) if (flag[0] == "n" or flag in ("j", "eng")) and len(w) >= 2 and w not in _NOT_A_PART]


def _asked_thing(text: str) -> tuple[str, str]:
    """("个", "政府部门") for "在多少个政府部门用起来了"; () when the count's measure word says what it counts."""
    m = _ASKED_THING.search(text)
    return (m.group(1), _noun(m.group(2))) if m and len(_noun(m.group(2))) >= 2 else ()


def _noun(text: str) -> str:
    """The noun phrase a count's measure word opens, without 的: "细分场景上实现" -> "细分场景",
    "百度自家的产品和场景" -> "百度自家产品" (which of its nouns is counted, 的 does not say)."""
    return _THING_ENDS.split(text, maxsplit=1)[0].replace("的", "")


def _counted(text: str) -> set[str]:
    """What the counts `text` states count, where their measure words say."""
    text = compact(text)
    found = [_counter_kind(m.group()) for m in _FIGURE_WITH_UNIT.finditer(text) if _unit_kind(m.group()) == "count"]
    found += [_counter_kind(m.group(1)) for m in _COUNT_IN_WORDS.finditer(text)]  # "五家中国汽车制造商"
    return {c for c in found if c}


def _counter_kind(unit: str) -> str:
    """What a count's measure word ("家", "万平方米", "300余人") says it counts or measures; "" for 个, 项, 次…"""
    unit = unit.rstrip("余多")
    return next((kind for word, kind in _MEASURED if unit.endswith(word)), "") or _COUNTERS.get(unit[-1:], "")


def _unit_kind(figure: str) -> str:
    if re.search(_MONEY_UNIT + "$", figure):
        return "money"
    if re.search(_PERCENT_UNIT + "$", figure):
        return "percent"
    return "count"
