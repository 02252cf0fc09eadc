"""What kind of figure a text states or a question asks: money, a percentage or a count (and, for
a count, what its measure word says it counts: people, organisations, machines…). "多少家企业"
asks a count of organisations; "营收52亿元" states money.

Usage:
    figure_kinds("营收52亿元，员工3000人")   # {"money", "count"}
    asked_unit("有多少家企业")               # "count"
"""

from __future__ import annotations

import re

from index.text import NUMBER, compact

# the first character of a unit: a number before one is a figure, not a year
UNIT_CHARS = "[万亿千百个家人名位元件辆台条项次场多余吨米公平亩户座款所只架艘部张份篇起宗例批颗块期天小分秒岁倍点兆美港欧英日]"
# 几 asking how many: not "哪几条建议" (which), nor a vague count the question states ("好几家",
# "十几个", "几十年", "几乎"), nor a span or a set it points at ("跟前几年比", "近几个月", "这几家")
HOW_MANY = r"(?:多少|(?<![哪好十前近这那])几(?![十百千万乎]))"
_MONEY_UNIT = r"(?:[万亿千百]*(?:元|美元|港元|欧元|英镑|日元))"
_PERCENT_UNIT = r"(?:%|％|个百分点|成)"
_COUNT_UNIT = r"(?:[万亿千百]*(?:辆|台|件|家|个|人|名|位|项|笔|条|套|吨|公里|千米|米|平方米|亩|户|次|场|座|款|所|只|架|艘|部|张|份|篇|起|宗|例|批|颗|块|期|天|小时|分钟))"
# "120余份", "300多家": an approximate count is still a count
# "10.51亿", "3200万" with no unit after: a count or an amount, the sentence does not say which
_BARE_MAGNITUDE = re.compile(rf"\d+(?:\.\d+)?\s*(?:余|多)?\s*[万亿]+(?![万亿千百]*(?:{_MONEY_UNIT}|{_PERCENT_UNIT}|{_COUNT_UNIT}))")
_FIGURE_WITH_UNIT = re.compile(rf"\d+(?:\.\d+)?\s*(?:余|多)?\s*(?:{_MONEY_UNIT}|{_PERCENT_UNIT}|{_COUNT_UNIT})")
_ASKED_UNIT = re.compile(rf"{HOW_MANY}\s*({_MONEY_UNIT}|{_COUNT_UNIT}|钱)")
# "多少金融从业人员", "几名毕业生": a count of people, named by what they are rather than a measure word
_ASKED_PEOPLE = re.compile(rf"{HOW_MANY}[名位个]?[\u4e00-\u9fff]{{0,6}}?(?:人员|员工|职工|工人|人才|人口|游客|学生|毕业生|从业者)")
_MONEY_WORDS = re.compile(r"金额|多少钱|营收|营业收入|净?利润|收入|投资额|融资额|罚款|罚没|销售额|交易额|出口额|进口额|"
                          r"成交额|产值|增加值|市值|估值|资金|费用|成本|预算|补贴|营业额|余额|资产规模|管理规模")
# "贴息几个点": percentage points ("几点" alone asks the time)
# and a rate ("股息率", "毛利率"), not one stated as a multiple ("市盈率"), nor a price ("汇率")
_PERCENT_WORDS = re.compile(r"占比|比重|比例|份额|增速|增长率|增幅|降幅|渗透率|百分之|百分比|多少%|几成(?![本员立为])|(?:多少|几)个(?:百分)?点|多少百分点"
                            r"|(?:股息|收益|利润|毛利|净利|利|税|失业|就业|覆盖|利用|使用|回报|占有|普及|合格|良品|转化|留存|完成|达标|贡献"
                            r"|入住|上座|通过|空置|负债)率")
# a multiple that is no change ("估值大多数维持在7—10倍"; not "增长2倍", "翻了3倍"): never a percentage
_MULTIPLE = re.compile(r"\d+(?:\.\d+)?\s*倍")
_CHANGE_BEFORE = re.compile(r"(?:增长|提高|提升|增加|扩大|上涨|上升|翻|高出|多出|增)了?(?:近|约|超过?|逾)?$")
# "增长了多少", "成本降多少", "贡献了多少移动业务收入" may be a rate or an amount: after such a word the
# kind of figure is not pinned; so is a saving ("能省多少算力成本": 50%, or so many 元), whatever it
# names after 多少 (a unit there still pins it)
_CHANGE_WORDS = re.compile(r"(?:增长|下降|提高|降低|上涨|下跌|增加|减少|节省|节约|省下|提升|缩短|贡献|[省降涨跌升增减])(?:了)?(?:多少|几)"
                           r"[\u4e00-\u9fff]{0,12}"
                           r"|增长目标|相比|变化|怎么样|如何")
# a count written in words: "五家中国汽车制造商" (not "第五家", "另一家", "每一家")
_COUNT_IN_WORDS = re.compile(r"(?<![第另每某同])[一二两三四五六七八九十百千万]+([人名位家所辆台架艘只支项件条])")
UNIT_WORDS = {"money": "金额", "percent": "比例", "count": "数量"}
MULTIPLE_WORDS = "倍数"
# measure words that say what a count counts; the others (个, 次…) could count anything. 项, 件,
# 条, 份 and 张 count items, measures, cases, copies and cards, never companies or people ("多少项创新" is no "五家车企")
_COUNTERS = {"人": "people", "名": "people", "位": "people", "家": "organisations", "所": "organisations",
             "辆": "machines", "台": "machines", "架": "machines", "艘": "machines", "只": "funds", "支": "funds",
             "项": "items", "件": "items", "条": "items", "场": "events",
             "份": "items", "张": "items"}  # copies and sheets: "收到简历4236份" counts no one
# quantities measured, not counted: "117万平方米" is an area, never a number of companies
_MEASURED = (("平方米", "area"), ("平方公里", "area"), ("亩", "area"), ("公里", "length"), ("千米", "length"),
             ("米", "length"), ("吨", "weight"))
COUNTED_WORDS = {"people": "人数", "organisations": "机构或企业的家数", "machines": "车辆、设备的台数", "events": "场次",
                  "funds": "基金、股票等的只数", "items": "项数或件数", "area": "面积", "length": "长度", "weight": "重量"}


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


def asked_unit(text: str) -> str:
    """The kind of the asked figure: the cue nearest the end wins, as Chinese puts what is asked
    last ("几家大行的贷款余额谁最多" asks money, "有多少家企业" a count). Ending together, a unit or
    a percentage word outweighs a change, which outweighs a money word: "省多少算力成本" may be 50%."""
    cues: list[tuple[int, int, str]] = []  # (end, weight, kind)
    units = list(_ASKED_UNIT.finditer(text))
    for m in units:
        cues.append((m.end(), 2, "money" if m.group(1) == "钱" else _unit_kind(m.group(1))))
    cues += [(m.end(), 2, "count") for m in _ASKED_PEOPLE.finditer(text)]
    cues += [(m.end(), 2, "percent") for m in _PERCENT_WORDS.finditer(text)]
    cues += [(m.end(), 0, "money") for m in _MONEY_WORDS.finditer(text)]
    # a change naming its unit ("节省多少亿元成本") is pinned by it
    cues += [(m.end(), 1, "") for m in _CHANGE_WORDS.finditer(text) if not any(m.start() <= u.start() < m.end() for u in units)]
    return max(cues)[2] if cues else ""


def asked_counted(text: str) -> str:
    """What the asked count counts, by its measure word ("多少人": people); "" when the question
    asks no count, or its measure word could count anything (个, 项, 次)."""
    cues = [(m.end(), _counter_kind(m.group(1))) for m in _ASKED_UNIT.finditer(text)]
    cues += [(m.end(), "people") for m in _ASKED_PEOPLE.finditer(text)]
    return max(cues)[1] if cues else ""


def counted_kinds(text: str) -> set[str]:
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


def states_multiple(text: str) -> bool:
    """Whether `text` states a multiple that is no change ("维持在7—10倍"), so no percentage: asked a
    rate ("股息率是多少"), a clause giving only such a figure gives another measure (市盈率)."""
    text = compact(text)
    return any(not _CHANGE_BEFORE.search(text[: m.start()]) for m in _MULTIPLE.finditer(text))


def has_bare_magnitude(text: str) -> bool:
    """Whether `text` (compacted) states a number of 万 or 亿 with no unit after it ("网民规模为10.51亿"):
    a count or an amount, the sentence does not say which."""
    return bool(_BARE_MAGNITUDE.search(text))


def states_figure_with_unit(text: str) -> bool:
    """Whether `text` (compacted) states a figure with its unit ("3亿元", "40%", "12家")."""
    return bool(_FIGURE_WITH_UNIT.search(text))
