"""Names that carry a number: "二审", "神舟十三号", "十四五规划", "第三批". The same name with
another number ("一审", "十二号", "十三五", "首批") is another thing, however alike the passages
read, so a passage naming only the sibling does not answer for the asked one.

Usage:
    numbered_names("二审判决")                            # [("二", "审")]
    numbered_sibling_of({("二", "审")}, passage, "一审判决…")  # ("二审", "一审")
"""

from __future__ import annotations

import re

from index.text import CJK, compact

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
_FIGURE = re.compile(r"\d")  # a mention stating a figure: "发布首批项目362个"
_QUOTES = re.compile(r"[“”‘’\"'《》「」〈〉()（）]")
# a measure word after the number makes it a count ("三家", "五方面", "三大功能", "两座城市"), not a name
_NOT_A_NAME_AFTER = frozenset("个家名位人种类项件条次年月日天季周岁倍成分元万亿千百多余些共起直样下定般致体半点批"
                              "方大座款只张台辆本篇份所支套组杯瓶碗盒箱袋包斤克吨米度块颗粒")  # "一杯", "两瓶": per cup, no name
# an ordinal ("第二批", "首次", "第一大") names one of a series whatever follows, except a time, held as a period or date
_TIME_AFTER = frozenset("年月日天季周")


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


def numbered_sibling_of(numbered: frozenset[tuple[str, str]], passage: str, source: str) -> tuple[str, str] | None:
    """(asked, given) for a name the question numbers (`numbered`: "二审") that `passage` never
    names, while `source`, the sentence an answer comes from, names the same with another number
    ("一审…"): ("二审", "一审"). An ordinal of a series ("第三批") the passage never names, while it
    names another ("首批"), is missing from it whatever `source` names: its unnumbered sentences
    ("近日发布533个项目") are about the others (given ""). None when no such name is missing."""
    around = _unquoted(passage)
    in_passage = numbered_names(passage)
    named = {(_ordinal(n), a) for n, a in in_passage}
    given = numbered_names(source)
    for number, after in sorted(numbered):
        if number.lstrip("第") + after in around or (_ordinal(number), after) in named:
            continue
        others = [n for n, a in given if a == after and _ordinal(n) != _ordinal(number)]
        if others:
            return number + after, others[0] + after
        if _SERIES.match(number + after) and (any(a == after and _SERIES.match(n + a) for n, a in in_passage)
                                               or re.search(_COUNTED_SERIES.format(after), around)):
            return number + after, ""
    return None


def named_after(numbered: frozenset[tuple[str, str]], before: str, text: str, source: str) -> str:
    """The series ordinal the question numbers ("首批") that `text`, the cited passage, first names
    only after `source`, the sentence an answer's figure comes from, and with figures of its own,
    when neither `source` nor `before` (the article's title and what its shown passages give before
    this one) names one of that series: "重庆近日发布533个项目，…民企合作项目137个。…3月20日，重庆发布
    首批项目362个。" gives 137 for this release, not the first. "" when there is none: details after
    the first mention may be its, and a mention stating no figure may only set the scene."""
    said = {(_ordinal(n), a) for n, a in numbered_names(source)}
    earlier = {(_ordinal(n), a) for n, a in numbered_names(before)}
    unquoted = _unquoted(text)
    at = unquoted.find(_unquoted(source))
    if at < 0:
        return ""
    for number, after in sorted(numbered):
        if not _SERIES.match(number + after) or any(a == after for _, a in said | earlier):
            continue
        mentions = [m.start() for m in _NUMBERED_NAME.finditer(unquoted)
                    if m.group(2) == after and _ordinal(m.group(1)) == _ordinal(number)]
        if mentions and mentions[0] > at and _FIGURE.search(_sentence_at(unquoted, mentions[0])):
            return number + after
    return ""


def _sentence_at(text: str, at: int) -> str:
    """The sentence of `text` around position `at`."""
    start = max(text.rfind(end, 0, at) for end in "。！？\n") + 1
    ends = [i for i in (text.find(end, at) for end in "。！？\n") if i >= 0]
    return text[start : min(ends) if ends else len(text)]


def _unquoted(text: str) -> str:
    """`compact(text)` without quotation marks and brackets: "“十四五”规划" is 十四五规划."""
    return _QUOTES.sub("", compact(text))
