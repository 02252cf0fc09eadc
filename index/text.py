"""Characters and words as every stage compares them: what ends a sentence, what closes a quote,
which characters are Chinese, the normalised form of a text, its weighted lexical terms and
figures, citation markers, and the sentences of an answer.

Defined once, so cleaning, chunking, the evidence gate, citation repair, grounding and evaluation
agree on them. Plain Python and `re`: every package of zhiku may import it.

Usage:
    terms("出口491万辆")          -> {"出口": 1.0, "万辆": 1.0, "491": 3.0}
    split_sentences("甲。乙[1]。")  -> [(0, 2), (2, 7)]
    strip_markers("491万辆[1]。")   -> "491万辆。"
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# --- character classes (strings, for `in` tests and inside a regex's [...]) --------------------------

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # ideographs: extension A, unified, compatibility
STOPS = "。！？!?…"  # end a sentence of prose
SEMICOLONS = "；;"  # end a sentence of an answer or a chunk too: each half states its own fact
CLOSING_QUOTES = "”’」』"
CLOSING_BRACKETS = "）)》"
CLOSERS = CLOSING_QUOTES + CLOSING_BRACKETS + "\"'"  # after a stop, still part of its sentence

_CJK_CHAR = re.compile(f"[{CJK}]")
_CJK_RUN = re.compile(f"[{CJK}]+")


def has_cjk(text: str) -> bool:
    return bool(_CJK_CHAR.search(text))


def count_cjk(text: str) -> int:
    return len(_CJK_CHAR.findall(text))


def ends_sentence(text: str, closers: str = CLOSING_QUOTES) -> bool:
    """The last character of a non-empty `text` ends a sentence: a stop, or a closer right after
    one ("…增长5%。”")."""
    last = text[-1]
    return last in STOPS or (last in closers and len(text) > 1 and text[-2] in STOPS)


# --- normalised text and lexical terms -----------------------------------------------------------

# numbers say the most about a fact ("491万辆"), Latin words (PMI, HBM3E) next, bigrams least
NUMBER_WEIGHT = 3.0
LATIN_WEIGHT = 2.0
BIGRAM_WEIGHT = 1.0

NUMBER = re.compile(r"\d+(?:\.\d+)?")
# a unit after a number the size of a year makes it a figure: "2000亿元", "1900多家", "2050万人"
_UNIT_AFTER = re.compile(r"\s*(?:多|余)?\s*(?:[万亿千百]|元|美元|人|家|个|项|件|辆|台|名|位|吨|%|％|只|支|座|所|套|户|条|次|倍)")
# a word may start with digits ("3c", "5g"); glued to a decimal ("1.2tb") it stays a number
_LATIN = re.compile(r"(?<![0-9a-z.])\d*[a-z][a-z0-9]*(?:[\-\+][a-z0-9]+)*")
# only the ASCII comma groups thousands; "，" separates list items ("SU7，2023年")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
# 1-99 only: larger amounts ("三千亿") are written in digits by articles and models alike; an
# ordinal ("第一家", "第三批") counts nothing, so it stays in words
# "新一轮", "另一家", "每一年" count nothing
_CN_COUNT = re.compile(r"(?<![零〇一二两三四五六七八九十百千万亿第新另同每某任])([一二两三四五六七八九]?十[一二三四五六七八九]?|[一二两三四五六七八九])"
                       r"(倍|个|家|人|名|位|年|项|条|次|种|类|成|天|所|只|件|层|期|轮|批)")


def fold(text: str) -> str:
    """NFKC (full-width digits and letters become ASCII) and lower case: two writings, one form."""
    return unicodedata.normalize("NFKC", text).lower()


def compact(text: str) -> str:
    """`fold` without any whitespace: PDF text spaces digits from characters ("截至 10 月"), and
    spacing carries nothing when matching words or figures."""
    return "".join(fold(text).split())


def normalize(text: str) -> str:
    """`fold`, without thousands separators, small Chinese counts in digits ("五倍" -> "5倍")."""
    return digits_for_counts(fold(_THOUSANDS.sub("", text)))


def digits_for_counts(text: str) -> str:
    """Small Chinese numbers before a measure word in digits: "五倍" -> "5倍", "十二家" -> "12家".

    Articles write "五倍" where a model writes "5倍"; both are the same figure.
    """
    return _CN_COUNT.sub(lambda m: str(_cn_to_int(m.group(1))) + m.group(2), text)


def _cn_to_int(numeral: str) -> int:
    if "十" not in numeral:
        return _CN_DIGITS[numeral]
    tens, _, ones = numeral.partition("十")
    return _CN_DIGITS.get(tens, 1) * 10 + _CN_DIGITS.get(ones, 0)


_MONTH_DAY = re.compile(r"(?<!\d)(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]")


def month_days(text: str) -> set[tuple[int, int]]:
    """The days a text names as (month, day): "9月14日", "09月14号" and "9 月 14 日" are one day.
    A date's days are not figures (`terms`), so dates are compared by these."""
    return {(int(m), int(d)) for m, d in _MONTH_DAY.findall(normalize(text))}


def terms(text: str) -> dict[str, float]:
    """Weighted lexical terms: CJK bigrams (a lone CJK character stands for itself), whole numbers
    and whole Latin words. Chinese needs no segmenter this way, and matching stays cheap."""
    text = normalize(text)
    found: dict[str, float] = {}
    for run in _CJK_RUN.findall(text):
        grams = [run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)]
        for g in grams:
            found[g] = BIGRAM_WEIGHT
    # digits inside Latin words (hbm3e, su7, 3c) belong to the word, not to the numbers
    for word in _LATIN.findall(text):
        found[word] = LATIN_WEIGHT
    numbers = _LATIN.sub(" ", text)
    for m in NUMBER.finditer(numbers):
        number = m.group()
        number = number.rstrip("0").rstrip(".") if "." in number else number
        # "2023年" sets the scene of half the corpus: as telling as a bigram, not as a figure;
        # "2000亿元", "1900多家" are figures however much they look like years
        figure = not is_year(number) or bool(_UNIT_AFTER.match(numbers, m.end()))
        found[number] = max(found.get(number, 0.0), NUMBER_WEIGHT if figure else BIGRAM_WEIGHT)
    return found


def is_year(term: str) -> bool:
    return len(term) == 4 and term.isdigit() and 1900 <= int(term) <= 2100


def overlap(wanted: dict[str, float], present: Iterable[str] | dict[str, float]) -> float:
    """Weighted share of `wanted` terms found in `present` (0 when nothing is wanted)."""
    total = sum(wanted.values())
    if not total:
        return 0.0
    return sum(w for t, w in wanted.items() if t in present) / total


def weighed_alike(*found: dict[str, float]) -> dict[str, float]:
    """The terms of several texts, each text weighing alike: its terms share one unit. Merged
    plainly, the longer text (a question restating an article's description) outweighs the
    shorter (the answer naming the fact)."""
    merged: dict[str, float] = {}
    for one in found:
        total = sum(one.values()) or 1.0
        for term, weight in one.items():
            merged[term] = merged.get(term, 0.0) + weight / total
    return merged


def figure_terms(found: dict[str, float]) -> list[str]:
    """The numbers among the terms as written, minus years: "2023年" sets the scene, it states no
    fact ("2000亿元", weighted as a figure by `terms`, does)."""
    return [t for t, weight in found.items() if NUMBER.fullmatch(t) and (not is_year(t) or weight >= NUMBER_WEIGHT)]


def figures(found: dict[str, float]) -> list[float]:
    return [float(t) for t in figure_terms(found)]


# --- citation markers and the sentences of an answer ----------------------------------------------

# [1] [1][2] [1, 2] [1，2] [^1] 【1】 ［1］; not (1): models and articles use it for list items
_SP = r"[ \t\u3000]*"
MARKER = re.compile(
    rf"[\[［]{_SP}\^?{_SP}\d+(?:{_SP}[,，、]{_SP}\^?{_SP}\d+)*{_SP}[\]］]"
    rf"|【{_SP}\^?{_SP}\d+(?:{_SP}[,，、]{_SP}\^?{_SP}\d+)*{_SP}】"
)
_MARKER_WITH_SPACE = re.compile(rf"{_SP}(?:{MARKER.pattern})")
TERMINATORS = STOPS + SEMICOLONS + "\n"  # a newline ends a list item of an answer
# the stops and closers ending a sentence, if any (a Latin full stop counts here)
ENDING = re.compile(rf"(?:[{STOPS}{SEMICOLONS}.]+[{CLOSERS}]*)?\s*$")


def strip_markers(text: str) -> str:
    """The text without citation markers (repeated: removing one may join the pieces of another)."""
    while True:
        stripped = _MARKER_WITH_SPACE.sub("", text)
        if stripped == text:
            return text
        text = stripped


def marker_numbers(marker: str) -> list[int]:
    return [int(d) for d in re.findall(r"\d+", marker)]


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Spans that tile `text`: a sentence ends at 。！？；!?; or a newline (list items), or at a
    Latin full stop before a space; markers and spaces right after the end belong to it.

    (Chunking has its own splitter: an article's paragraphs end at blank lines, and a chunk's
    sentences must stay what they were when the index was built.)
    """
    spans: list[tuple[int, int]] = []
    start, i, n = 0, 0, len(text)
    while i < n:
        if not _stops_at(text, i, start):
            i += 1
            continue
        j = i + 1
        while j < n and text[j] != "\n" and (text[j] in TERMINATORS or text[j] in CLOSERS):
            j += 1
        while m := _MARKER_WITH_SPACE.match(text, j):  # "...491万辆。[1]": the model cited late
            j = m.end()
        while j < n and text[j].isspace():
            j += 1
        spans.append((start, j))
        start = i = j
    if start < n:
        spans.append((start, n))
    return spans


def _stops_at(text: str, i: int, start: int) -> bool:
    ch = text[i]
    if ch in TERMINATORS:
        return True
    if ch != ".":
        return False
    after = text[i + 1 : i + 2]
    if after and not after.isspace() and not MARKER.match(text, i + 1):
        return False  # 5.4, v1.2, example.com
    return not text[start:i].strip().isdigit()  # "1. " opens a list item
