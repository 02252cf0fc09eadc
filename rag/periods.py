"""When a figure is for: the years, the periods of a year (全年, 上半年, 前三季度, 1-10月) and the
days a text names, each written one way so a question and a sentence can be compared. A year that
only sets a baseline ("较2022年增长") dates nothing.

Usage:
    periods_of("2023年前三季度营收52.3亿元")   # [(1, 9)]
    dated_years("较2022年增长，2023年营收…")    # {"2023"}
"""

from __future__ import annotations

import re

from index.text import CJK, compact, month_days
from rag.figure_kinds import UNIT_CHARS

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
    (re.compile(rf"[前头]{_NUM}(?:个)?季度"), lambda m: (1, 3 * _int(m.group(1)))),
    (re.compile(rf"(?:第)?{_NUM}季度|[qQ]([1-4])(?![0-9])"), lambda m: _quarter(m.group(1) or m.group(2))),
    (re.compile(rf"[前头]{_NUM}个?月"), lambda m: (1, _int(m.group(1)))),  # "头三个月" too
    (re.compile(rf"{_NUM}(?:月(?:初|份|上旬|中旬)?)?\s*[-—–~～至到]\s*{_NUM}\s*月(?!\d{{1,2}}[日号])"),
     lambda m: (_int(m.group(1)), _int(m.group(2)))),
    (re.compile(rf"截[至止](?:今年|本年|\d{{4}}年)?{_NUM}月(?:底|末|份)?"), lambda m: (1, _int(m.group(1)))),
    (re.compile(rf"{_NUM}月份|单月"), lambda m: (_int(m.group(1)), _int(m.group(1))) if m.group(1) else (0, 0)),
    (re.compile(r"今年以来|年初以来|年初至今"), lambda m: (1, 0)),  # up to an unknown month: not the whole year
]
_PERIOD_WORDS = {(1, 12): "全年", (1, 6): "上半年", (7, 12): "下半年", (1, 9): "前三季度", (1, 3): "一季度",
                 (4, 6): "二季度", (7, 9): "三季度", (10, 12): "四季度", (1, 0): "今年以来"}
# a year, or a bare one before a name ("2022世界杯", "中超2022赛季", "2021“年度人物”"); not a
# figure of that size ("2000多家", "2023亿元")
_YEAR = re.compile(rf"(?<![\d.A-Za-z])((?:19|20)\d{{2}})(?:\s*年(?!代|龄)|(?=(?!{UNIT_CHARS}|年)[{CJK}]|[“\"《「][{CJK}]))")
# a year's figure asked ("2023年营收"): the whole year's, unless a month follows ("2023年3月")
_WHOLE_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}\s*年(?!代|龄|\s*[\d一二三四五六七八九十]+\s*月)")
# "2021—2023年共办理397件": a sum over several years is not one year's figure
_YEAR_SPAN = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*(?:年)?\s*[-—–~～至到]\s*((?:19|20)\d{2})\s*年")
# and one with words between: "从2012年上市至2023年上半年，累计研发投入超220亿元"
_YEAR_SPAN_FROM = re.compile(r"(?:从|自)\s*((?:19|20)\d{2})\s*年[^，,。；;！!？?]{0,8}?(?:至|到)\s*((?:19|20)\d{2})\s*年")
# a year that only sets a baseline ("较2022年增长", "高于2022年", "2019年以来", "恢复至2019年同期的
# 44.2%", "是2018年的4倍") does not date the figure, nor does a birth year ("2003年出生的球员"); "于2022年
# 举行" and "关于2022年…" do date
_BASELINE_YEAR = re.compile(r"(?:(?:比|较|相比|较之|同比|对比|自|从)于?|[高低多少优快慢大小]于)\s*(?:19|20)\d{2}\s*年"
                            r"|(?:19|20)\d{2}\s*年\s*(?:以来|起|至今|出生|同期)"
                            r"|(?:是|为)\s*(?:19|20)\d{2}\s*年(?:同期)?的\s*[\d.一二两三四五六七八九十]+\s*倍")
# a change from one year to another ("由2018年的47.95%提高到2022年的54.20%"): a clause after it that
# names no year ("占全市金融业增加值比重接近40%") goes on about the later year, the state it reached
_CHANGE_SPAN = re.compile(r"由\s*(?:19|20)\d{2}\s*年[^，,。；;]{0,20}?(?:提高|提升|增长|增加|上升|扩大|下降|降低|减少|回落)"
                          r"(?:到|至)\s*((?:19|20)\d{2})\s*年[^，,。；;]*")
_BARE_DAY = re.compile(r"(?<![\d.月])(\d{1,2})[日号](?![内以年])")


def part_of_year(months: tuple[int, int]) -> bool:
    """上半年, 前三季度, 1-10月: months of a year that end, not the whole year, not "今年以来"."""
    return months != (1, 12) and months[1] != 0


def whole_years(text: str) -> set[str]:
    """The years `text` gives a figure for as a whole ("2023年小游戏市场规模达200亿元"), not a month
    of ("2023年6月"), nor a baseline ("较2022年")."""
    return {m.group()[:4] for m in _WHOLE_YEAR.finditer(_BASELINE_YEAR.sub(" ", compact(text)))}


def dated_days(text: str) -> set[tuple[int, int]]:
    """The days `text` dates something on, as (month, day): "9月28日", or (0, 28) for "28日" alone
    ("在28日注销的…"); not a span of days ("30日内") nor a rate ("7日年化")."""
    return month_days(text) | {(0, int(d)) for d in _BARE_DAY.findall(compact(text))}


def dated_years(text: str) -> set[str]:
    """The years `text` dates something in ("2023年营收"), not those it only compares with."""
    return set(_YEAR.findall(_BASELINE_YEAR.sub(" ", compact(text))))


def year_reached(text: str, scope: str) -> set[str]:
    """The later year of a change from one year to another in `text` (compacted), when the last
    clause of `scope` (a figure's own clauses, compacted: the figure's clause comes last) comes after
    it and names no year: {"2022"} for "占全市…比重接近40%" after "由2018年的47.95%提高到2022年的54.20%";
    else an empty set."""
    change = _CHANGE_SPAN.search(text)
    clause = re.split(r"[，,；;]", scope.rstrip("。"))[-1] if scope else ""
    if change is None or not clause or dated_years(clause) or text.find(clause, change.end()) < 0:
        return set()
    return {change.group(1)}


def _int(numeral: str) -> int:
    return int(numeral) if numeral.isdigit() else _CN[numeral.replace("两", "二")]


def _quarter(numeral: str) -> tuple[int, int]:
    n = _int(numeral)
    return (3 * n - 2, 3 * n) if 1 <= n <= 4 else (0, 0)


def periods_of(text: str) -> list[tuple[int, int]]:
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


def period_word(months: tuple[int, int]) -> str:
    if months in _PERIOD_WORDS:
        return _PERIOD_WORDS[months]
    a, b = months
    return f"{a}月" if a == b else f"{a}—{b}月"


def years_word(years: set[str] | frozenset[str]) -> str:
    """"2018年、2019年"; a table of many years is "其他年份", not a list of fifteen."""
    return "、".join(f"{y}年" for y in sorted(years)) if len(years) <= 3 else "其他年份"


def year_spans(text: str) -> list[tuple[str, str]]:
    """The spans of years `text` (compacted) sums over: "2021—2023年共办理397件" -> [("2021", "2023")],
    "从2012年上市至2023年上半年" -> [("2012", "2023")]; not the months of one year ("自2023年1月至2023年6月")."""
    return [(a, b) for a, b in _YEAR_SPAN.findall(text) + _YEAR_SPAN_FROM.findall(text) if a != b]


def mentions_whole_year(text: str) -> bool:
    """Whether `text` (compacted) names a year with no month after it ("2023年营收", not "2023年3月")."""
    return bool(_WHOLE_YEAR.search(text))
