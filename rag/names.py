"""Names in a text, found with jieba's part-of-speech tags: places and organisations a question
is about, and the people, places and organisations an answer names.

A question restricted to a place is not answered by passages about another place, however
close in topic: national GDP figures do not answer a question about Shenzhen. A person, place
or organisation an answer names must be named by the passages: asked who chairs a committee the
passages never staff, a small model makes a name up.

Usage:
    place_names("深圳2023年GDP增速是多少？")  -> {"深圳"}
    proper_names("主任委员是王小虎。")          -> {"王小虎"}
    proper_names("研发国家是韩国和印尼。")      -> {"韩国", "印尼"}
    qualified_names("南京玄武硅巷集聚了多少院士？") -> [("南京", "玄武"), ("玄武", "硅巷")]
"""

from __future__ import annotations

import re

from index.text import CJK
from index.tokenizer import pos_tags

# the verbs a named person says something with, a few characters on ("李彦宏也曾表示", "古远新介绍，…",
# "王静瑛表示"): one list, so every rule reads a speaker the same way
SAYS = r"(?:表示|介绍|说|指出|认为|称|坦言|透露|提到|谈到|强调|解释)"
# the country itself, and generic words jieba tags as places: passages say 我国 for 中国; "上市"
# (going public) reads to jieba as a city
_NOT_A_RESTRICTION = frozenset("中国 我国 全国 国内 国外 海外 境内 境外 全球 世界 城市 地区 各地 当地 本地 外地 上市".split())
_ADMIN_SUFFIXES = ("省", "市")
# no place begins with a particle: "柴油车的国六排放标准" reads to jieba as a place "的国"
_PARTICLE_FIRST = tuple("的了着")
_PERSON_FLAGS = frozenset({"nr", "nrfg", "nrt"})
_OTHER_NAME_FLAGS = frozenset({"ns", "nt", "nz"})  # places, organisations, other proper nouns
# jieba's verbs, locatives, pronouns, prepositions, conjunctions, particles and adverbs: never a name
# (times are: jieba reads 明阳 of 明阳智能 as one)
_NOT_A_NAME_FLAGS = frozenset("vfrpcud")
# a count before a company suffix ("募一只基金", "三家银行"), never a name; 零跑 is one
_COUNT = re.compile(r"[\d一二两三四五六七八九十百千万几多数]+[个只家位名条项件座台辆批支所]?")
# "零跑汽车", "华海药业": jieba splits many company names, but the two characters before such a
# suffix name the company, unless they are a generic word (全球电池, 创投基金, 中国汽车)
_ORG_SUFFIX = re.compile(rf"(?=([{CJK}]{{2}})(?:汽车|集团|公司|股份|控股|银行|药业|医药|科技|证券|基金|电子|能源|"
                         r"电池|智能|资本|交易所|研究院|大学|信托))")
_GENERIC = frozenset("""全球 中国 我国 国内 国外 海外 央企 企业 市场 产业 行业 创投 投资 政府 引导 国有 民营 上市 头部 龙头
    地方 新能 人工 商业 金融 证券 科技 有限 动力 储能 固态 光伏 互联 数字 智能 新型 传统 大型 中小 小微 相关 主要 这家 该家 各家 多家 两家 几家
    信贷 私募 公募 风险 股权 创业 天使 国际 家族 慈善 资金 财产 集合 单一 服务 土地 资产
    好多 很多 许多 一些 部分 诸多 众多""".split())  # "好多公司": how many, not which
_COUNTRY_WORDS = frozenset("全球 中国 我国 国内 国外 海外".split())  # "中国银行" names a bank
# jieba tags some kinds of business as organisations ("新兴产业"): they name none
_KINDS_OF_BUSINESS = ("产业", "行业", "企业", "领域", "市场")
_FUNCTION_CHARS = re.compile(r"[的年了在和与及是为从到对向把被等之其该这那个月日]")
_LATIN_NAME = re.compile(r"(?<![A-Za-z0-9])[A-Za-z][A-Za-z&.\-]*[A-Za-z](?![A-Za-z0-9])")
_GENERIC_LATIN = frozenset("ai gdp pmi cpi ppi ipo lp gp vc pe esg api app etf reits".split())


def place_names(text: str) -> set[str]:
    """Place names of two or more characters, without a trailing 省/市 ("北京市" -> "北京")."""
    names = set()
    for word, flag in pos_tags(text):
        if flag != "ns" or word in _NOT_A_RESTRICTION or word.startswith(_PARTICLE_FIRST):
            continue
        if len(word) > 2 and word.endswith(_ADMIN_SUFFIXES):
            word = word[:-1]
        if len(word) >= 2:
            names.add(word)
    return names


def organisation_names(text: str) -> set[str]:
    """Companies and organisations a question is about: jieba's nt, Latin names (LG, OpenAI)
    and the word before a company suffix ("零跑汽车" -> "零跑")."""
    names = {word for word, flag in pos_tags(text)
             if flag == "nt" and len(word) >= 2 and not word.endswith(_KINDS_OF_BUSINESS) and not _generic_firm(word)}
    names |= company_names(text)
    return names | {w for w in _LATIN_NAME.findall(text) if w.lower() not in _GENERIC_LATIN}


def _generic_firm(word: str) -> bool:
    """Whether jieba's organisation is a kind of firm, no name: "上市公司", "民营银行" (a generic word
    before a company suffix; "中国银行" is a name)."""
    return bool(_ORG_SUFFIX.match(word)) and len(word) <= 4 and word[:2] in _GENERIC and word[:2] not in _COUNTRY_WORDS


def person_names(text: str) -> set[str]:
    """Names of people (jieba's nr*), two characters or more: "张辉" of "总经理叫张辉"."""
    return {word for word, flag in pos_tags(text) if flag in _PERSON_FLAGS and len(word) >= 2}


def proper_names(text: str) -> set[str]:
    """Names of people, places, organisations and other proper nouns (jieba's nr*, ns, nt
    and nz), two characters or more, without the country's generic words (我国, 全球)."""
    return {word for word, flag in pos_tags(text) if _is_proper(word, flag)}


def subject_names(question: str) -> set[str]:
    """The names of people and things a question opens with, before its first verb: its subject
    ("比亚迪去年在欧洲卖了多少辆车？" -> {"比亚迪"}). jieba often tags a company as a person (比亚迪)
    or another proper noun (北方华创 -> 华创), so neither tag says which it is. Places are not
    subjects here (place_names holds them)."""
    names = set()
    before = ""  # "北方" of 北方华创, "东方" of 东方财富: jieba reads a direction
    for word, flag in pos_tags(question):
        if flag.startswith("v"):
            break
        if (flag in _PERSON_FLAGS or flag == "nz") and len(word) >= 2:
            names.add(before + word)
        before = word if flag == "f" and len(word) == 2 else ""
    return names


def company_names(text: str) -> set[str]:
    """Companies a text names unmistakably: the word before a company suffix (上汽集团, 中微公司).
    The two characters must open a word, or lie in a proper noun ("比亚迪汽车": 亚迪 stands for
    it), and not be a verb, a function word or a count: "天使母基金" names no company "使母",
    "巩固电池行业" none "巩固", "这里面智能算力" none "里面", "募一只基金" none "一只", and
    "新兴产业母基金" none "业母"."""
    words: list[tuple[int, int, str]] = []  # where each word starts and ends, and its flag
    at = 0
    for word, flag in pos_tags(text):
        words.append((at, at + len(word), flag))
        at += len(word)
    names = set()
    for m in _ORG_SUFFIX.finditer(text):
        start, end, flag = next(w for w in reversed(words) if w[0] <= m.start(1))
        inside = (flag in _PERSON_FLAGS or flag in _OTHER_NAME_FLAGS) and m.end(1) <= end  # "新兴产业母基金": no 业母
        if flag[:1] in _NOT_A_NAME_FLAGS or _COUNT.fullmatch(text[start:end]) or (start < m.start(1) and not inside):
            continue  # a verb ("中国巩固电池行业地位"), a place word ("这里面智能算力"), a count ("募一只基金"), or the end of a common word
        if m.group(1) not in _GENERIC and not _FUNCTION_CHARS.search(m.group(1)):
            names.add(m.group(1))
    return names


def qualified_names(text: str) -> list[tuple[str, str]]:
    """Each name of a person, place or organisation followed by the kind of thing it names one of,
    as (name, kind): "南京玄武硅巷" -> ("玄武", "硅巷"), "华为手机" -> ("华为", "手机"). Another name
    before the same kind ("秦淮硅巷", "荣耀手机") is a sibling of the asked thing. jieba's other proper
    nouns (nz: "智驾", "智能化") qualify kinds of things, not named ones."""
    tagged = _with_compound_kinds(list(pos_tags(text)))
    return [(name, kind) for (name, flag), (kind, kind_flag) in zip(tagged, tagged[1:])
            if flag != "nz" and _is_proper(name, flag) and kind_flag.startswith("n") and len(kind) >= 2]


def kinds_named_otherwise(text: str, kind: str) -> list[str]:
    """The words right before `kind` in `text` that name one of its kind: a proper name, or a noun
    jieba does not know for one ("通义大模型" -> "通义"). Verbs, counts and measure words ("自研大模型",
    "千亿参数级大模型") name none."""
    return [name for name, word in named_before_kinds(text) if word == kind]


def named_before_kinds(text: str) -> list[tuple[str, str]]:
    """(name, the word after it) for each word of `text` that may name one of the kind after it, as
    `kinds_named_otherwise` reads them: every kind at once, `text` tagged once."""
    tagged = _with_compound_kinds(list(pos_tags(text)))
    return [(name, word) for (name, flag), (word, _) in zip(tagged, tagged[1:])
            if len(name) >= 2 and name not in _NOT_A_RESTRICTION and (_is_proper(name, flag) or flag in ("n", "j", "eng"))]


def kind_words(text: str) -> set[str]:
    """The nouns of `text` that may name a kind of thing, an adjective joined: "大模型", "性能"."""
    return {word for word, flag in _with_compound_kinds(list(pos_tags(text))) if flag.startswith("n") and len(word) >= 2}


def _with_compound_kinds(tagged: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """jieba's tags with a one-character adjective joined to the noun after it: "大"+"模型" is the
    kind "大模型" (of "夸克大模型"), not the adjective "大"."""
    merged: list[tuple[str, str]] = []
    for word, flag in tagged:
        if merged and merged[-1][1] == "a" and len(merged[-1][0]) == 1 and flag.startswith("n") and len(word) >= 2:
            merged[-1] = (merged[-1][0] + word, flag)
        else:
            merged.append((word, flag))
    return merged


def _is_proper(word: str, flag: str) -> bool:
    return (flag in _PERSON_FLAGS or flag in _OTHER_NAME_FLAGS) and len(word) >= 2 and word not in _NOT_A_RESTRICTION
