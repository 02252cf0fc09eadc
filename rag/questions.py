"""What a question asks, read before it is searched: its parts, the things it compares, and
the kind of date it wants.

Questions that ask two things ("Sora是哪天发布的？后来OpenAI从哪天起屏蔽…？") are searched
part by part, so each part brings its own best passage: searched whole, the part with the
rarer words wins every slot and the other part goes unanswered. A comparison asks the same of
two things ("创新奇智和阿里夸克的大模型参数各多大？"), often told in two articles: each thing
is searched on its own too.

A question asking "when" is answered by a passage holding a date. "Sora是哪天发布的？" shares
its words with every article about Sora, so the passage that says "2月16日" can rank fourth
behind commentary without a date. When the best hit holds no date of the asked kind, the best
one that does (within the first few) moves to the front. One move at most: relevance order
otherwise stands.

Usage:
    hits, leading = search_by_parts(retriever.search, "上海自贸区哪年设立？FT账户哪年推出？", top_k=5)
    hits = prefer_answer_type(question, hits)
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import NamedTuple

from index.records import Hit
from index.text import CJK
from index.tokenizer import pos_tags

WINDOW = 5  # a hit further down is too far from the question to jump ahead of the best one
MIN_PART_CHARS = 6  # "谁更高？" is a follow-on of the part before it, not a question of its own
MAX_PARTS = 3

# a part ends at a question mark or a semicolon; full stops inside questions are rare and
# usually end a statement of context ("我在看港股。")
_PART_END = re.compile(r"(?<=[？?；;！!])")
_CONTENT = re.compile(f"[{CJK}A-Za-z0-9]")

# asks the same of each thing named: "…各是多少", "…分别是", "谁更大"
_EACH = re.compile(r"各|分别|谁更|谁最|哪个更|哪家更")
_AND = frozenset("和 与 及 跟".split())
_AND_FLAGS = frozenset({"c", "p"})  # jieba tags 与/跟 as prepositions too
# the second thing ends before "的", a preposition ("在中国市场"), punctuation or "各/分别"
_SECOND_ENDS_AT = frozenset("的 各 各自 分别 都 相比".split())
# a later part referring back to the first: a pronoun for its topic ("它现在…", "其营收…"), or a noun
# phrase for its answer ("那座城市", "这家公司"), which no query can know
_PRONOUN = r"它们?|其(?!中|他|余|实|次)"
_REFERS_BACK = re.compile(_PRONOUN)
BACK_REFERENCE = re.compile(r"(?:那|这|该|此)一?[座个家位所款项只部种支条]?(?:城市|公司|企业|机构|地区|国家|"
                            rf"城|市|省|区|县|人|产品|项目|平台|基金|银行|品牌|团队)|(?:{_PRONOUN})的?|他们的?|她们的?")
_NOT_TOPIC = frozenset("vpurdc")  # the topic is the run of words before the first verb, preposition, 的…
_NUMBER = "m"  # jieba's flag for numbers and dates: "2019年和2022年3月的销量" compares dates only


def split_question(question: str) -> list[str]:
    """The question's parts, in order; one part when it asks one thing.

    A part too short to search on its own ("谁更多？") is glued to the part before it.
    """
    parts: list[str] = []
    for piece in _PART_END.split(question.strip()):
        piece = piece.strip()
        if not piece:
            continue
        if parts and len(_CONTENT.findall(piece)) < MIN_PART_CHARS:
            parts[-1] += piece
        else:
            parts.append(piece)
    if len(parts) > MAX_PARTS:
        parts = parts[: MAX_PARTS - 1] + ["".join(parts[MAX_PARTS - 1 :])]
    return parts or [question]


def split_comparison(question: str) -> list[str]:
    """"A和B的X各是多少？" -> ["A的X各是多少？", "B的X各是多少？"]; [] when it compares nothing.

    The first thing runs back to the clause start (or over the numbers before 和), the second
    up to 的, a preposition or punctuation: rough edges, but each query keeps its own name,
    which is what retrieval needs.
    """
    if not _EACH.search(question):
        return []
    tags = pos_tags(question)
    at = next((i for i, (word, flag) in enumerate(tags) if word in _AND and flag in _AND_FLAGS and i), 0)
    if not at:
        return []
    start = at
    numbers = tags[at - 1][1] == _NUMBER
    while start and not _punctuation(tags[start - 1][0]) and (tags[start - 1][1] == _NUMBER or not numbers):
        start -= 1
    end = at + 1
    while end < len(tags) and not _punctuation(tags[end][0]) and tags[end][1] != "p" and tags[end][0] not in _SECOND_ENDS_AT:
        end += 1
    if end == at + 1:
        return []
    words = [word for word, _ in tags]
    before, after = "".join(words[:start]), "".join(words[end:])
    return [before + "".join(words[start:at]) + after, before + "".join(words[at + 1 : end]) + after]


def _punctuation(word: str) -> bool:
    # not jieba's "x" flag: it also tags a lone Latin letter ("A公司") that way
    return not _CONTENT.search(word)


def search_queries(question: str) -> list[str]:
    """What is searched besides the whole question: its parts, a comparison's things one by one
    (at most MAX_PARTS + 1 queries); [] when the question asks one thing of one thing."""
    parts = split_question(question)
    parts = parts[:1] + [_with_topic(part, parts[0]) for part in parts[1:]]
    queries = [query for part in parts for query in split_comparison(part) or [part]]
    return queries[: MAX_PARTS + 1] if len(queries) > 1 else []


def _with_topic(part: str, first: str) -> str:
    """A later part opening with "它"/"其" ("它现在已经开通了多少5G基站？") searched with what it
    refers to: the topic the first part opens with ("中国移动在MWC 2024上说…" -> "中国移动")."""
    pronoun = _REFERS_BACK.match(part)
    if pronoun is None:
        return part
    topic = []
    for word, flag in pos_tags(first):
        if (flag[:1] in _NOT_TOPIC and flag != "vn") or _punctuation(word):  # "移动" is a noun here
            break
        topic.append(word)
    return "".join(topic) + part[pronoun.end() :] if topic else part


class PartHits(NamedTuple):
    """What searching a question part by part found."""

    hits: list[Hit]  # interleaved rank by rank, each chunk once
    leading: int  # the first `leading` hits are each query's best: every part is shown its passage


def search_by_parts(search: Callable[[str], list[Hit]], question: str, top_k: int) -> PartHits:
    """Hits for the whole question and for each of its `search_queries`, interleaved rank by
    rank, each chunk once.

    Round-robin puts every query's best passage first; `leading` says how many those are, so the
    context budget can show them all: a comparison of two things needs a passage for each even
    when the whole question's best one (an overview) is long. A one-part question is a plain search.
    """
    parts = search_queries(question)
    if not parts:
        return PartHits(search(question), 1)
    lists = [search(question)] + [search(part) for part in parts]
    merged: list[Hit] = []
    seen: set[str] = set()
    limit = top_k + len(parts)
    for rank in range(max(len(hits) for hits in lists)):
        for hits in lists:
            if rank < len(hits) and hits[rank].chunk.id not in seen:
                seen.add(hits[rank].chunk.id)
                merged.append(hits[rank])
    leading = len({hits[0].chunk.id for hits in lists if hits})
    return PartHits([replace(hit, rank=i) for i, hit in enumerate(merged[:limit], start=1)], leading)


# --- the date a question asks for ----------------------------------------------------------------

_DAY = re.compile(r"\d{1,2}\s*月\s*\d{1,2}\s*[日号]|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}")
_YEAR = re.compile(r"\d{4}\s*年")
# what the question asks for -> the pattern a passage answering it holds
_ASKS = [
    (re.compile(r"哪天|哪一天|几号|哪一日|什么日子|哪两天|哪几天|几月几日|日期"), _DAY),
    (re.compile(r"哪年|哪一年|什么年份|哪个年份"), _YEAR),
    # "发布时间", "什么时候"; not a duration ("多长时间", "一段时间", "要多花时间找…项目", "省时间") nor a plan's
    # line ("按时间线整合的…计划")
    (re.compile(r"什么时候|何时|(?<![长段少多花抽省费耗])时间(?![段线表轴])"), re.compile(f"{_DAY.pattern}|{_YEAR.pattern}|\\d{{1,2}}\\s*月")),
]


def date_pattern(question: str) -> re.Pattern[str] | None:
    """The pattern of the date the question asks for, or None when it asks no date."""
    for asks, pattern in _ASKS:
        if asks.search(question):
            return pattern
    return None


def prefer_answer_type(question: str, hits: list[Hit]) -> list[Hit]:
    """`hits` with the best dated hit first when the question asks a date and the top hit has none."""
    pattern = date_pattern(question)
    if pattern is None or not hits or pattern.search(hits[0].chunk.text):
        return hits
    for i, hit in enumerate(hits[1:WINDOW], start=1):
        if pattern.search(hit.chunk.text):
            moved = [hit, *hits[:i], *hits[i + 1 :]]
            return [replace(h, rank=r) for r, h in enumerate(moved, start=1)]
    return hits
