"""Which value of a "分别" sentence belongs to which item: "股转和回购案例数同比分别增长16.4%、
13.2%" gives 16.4% to 股转 and 13.2% to 回购案例数, in order. A small model asked about the second
item often takes the first figure; the clause holds both items, so rag.binding cannot tell. It
also pairs named things wrongly ("量子计算…代表“未来智能”" where the article's order gives
“未来算力”): `respectively_kept`, a grounding rule, rewrites such a sentence in the article's order.

Usage:
    respective_pairs("数量与融资规模分别为 82 个与 167 亿美元")  # [("数量", "82"), ("融资规模", "167")]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from index.text import MARKER, NUMBER, marker_numbers, overlap, split_sentences, strip_markers, terms
from rag.binding import stated_figures

if TYPE_CHECKING:  # grounding imports this rule; the types are only for readers and checkers
    from rag.grounding import Grounded
    from rag.prepare import Prepared

_RESPECTIVELY = "分别"
_CLAUSE_END = re.compile(r"[，,；;：:。！？\n]")
_ITEM_SEPARATOR = re.compile(r"以及|[、和与及跟]")
_QUOTED = re.compile(r"“([^“”]{1,20})”")
# a figure with the unit written after it: "167 亿美元", "13.2%", "174 家"
_WITH_UNIT = r"\s*(?:余|多)?\s*(?:[万亿千百]*[^\d\s，,、。；;和与及]{0,3})"


@dataclass(frozen=True)
class Respective:
    """An answer's figure that its "分别" sentence gives another item than the one it is stated for."""

    figure: str
    sentence: str  # the article's sentence
    asked: str  # the item the answer states the figure for
    owner: str  # the item the sentence gives it to
    asked_figure: str  # the asked item's figure, with its unit
    figure_written: str  # the answer's figure, with its unit


def respective_pairs(sentence: str) -> list[tuple[str, str]]:
    """(item, value) for each item a "分别" sentence lists, in order: the values are the figures
    after 分别 in its clause or, with none, the quoted terms ("分别代表了“未来智能”“未来生产”");
    the items, the nearest list before 分别 of as many (in its clause or the one before; for quoted
    terms, two before). [] unless there are two or more."""
    at = sentence.find(_RESPECTIVELY)
    if at < 0:
        return []
    end = _CLAUSE_END.search(sentence, at)
    tail = sentence[at : end.start() if end else len(sentence)]
    figures = stated_figures(tail)
    values = figures or _QUOTED.findall(tail)
    if len(values) < 2:
        return []
    bounds = [0, *(m.end() for m in _CLAUSE_END.finditer(sentence, 0, at)), at]
    reach = 2 if figures else 3  # clauses to look back in: named things may be listed further back
    for i in range(len(bounds) - 2, max(len(bounds) - 2 - reach, -1), -1):
        items = _items(sentence[bounds[i] : bounds[i + 1]])
        if len(items) == len(values) and all(_balanced(item) for item in items):
            return list(zip(items, values))
    return []


def _balanced(item: str) -> bool:
    """An item opens no bracket or title mark it does not close ("《中国内地" is half a title)."""
    return all(item.count(a) == item.count(b) for a, b in ("《》", "（）", "()", "“”"))


def _items(text: str) -> list[str]:
    return [item.strip(" ，,") for item in _ITEM_SEPARATOR.split(text) if item.strip(" ，,")]


def respective_swap(sentence: str, figure: str, stated: str) -> Respective | None:
    """When `sentence` (the article's) lists items 分别 with figures and `stated` (the answer's
    words for `figure`) names one item clearly more than the one the figure belongs to: that."""
    pairs = respective_pairs(sentence)
    owner = next((i for i, (_, f) in enumerate(pairs) if f == figure), None)
    if owner is None:
        return None
    said = terms(stated)
    shares = [overlap(terms(item), said) for item, _ in pairs]
    best = max(range(len(pairs)), key=lambda i: shares[i])
    if best == owner or shares[best] <= shares[owner] or shares.count(shares[best]) > 1:
        return None
    at = sentence.find(_RESPECTIVELY)
    asked_item, asked_figure = pairs[best]
    return Respective(figure, sentence, asked_item, pairs[owner][0], _written(sentence[at:], asked_figure),
                      _written(sentence[at:], figure))


def _written(text: str, figure: str) -> str:
    """`figure` as `text` writes it, with its unit: "167 亿美元"."""
    found = re.search(rf"(?<![\d.]){re.escape(figure)}(?:\.0+)?{_WITH_UNIT}", text)
    return " ".join(found.group().split()) if found else figure


NOTICE_RESPECTIVE = "生成模型的回答把原文“分别”列出的对应关系弄错了，以上已按原文的顺序改正。"


def respectively_kept(grounded: Grounded, prepared: Prepared) -> Grounded:
    """An answer sentence pairing items with quoted terms by "分别" ("量子计算和元宇宙分别代表了
    “未来智能”和“未来商业”") that its cited "分别" sentence pairs otherwise ("人工智能、高端机器人、
    量子计算、元宇宙…分别代表了“未来智能”“未来生产”“未来算力”和“未来商业”") is rewritten in
    the article's order, cited with that sentence."""
    if grounded.refused or grounded.missing or not grounded.citations:
        return grounded
    text = grounded.text
    by_marker = {c.n: c for c in grounded.citations}
    for a, b in split_sentences(text):
        sentence = text[a:b]
        said = [(item, value) for item, value in respective_pairs(strip_markers(sentence)) if not NUMBER.fullmatch(value)]
        cited = [by_marker[n] for m in MARKER.finditer(sentence) for n in marker_numbers(m.group()) if n in by_marker]
        for citation in cited if said else []:
            for s, e in split_sentences(citation.chunk.text):
                source = citation.chunk.text[s:e]
                fixed = _in_the_articles_order(said, respective_pairs(source))
                if fixed:
                    markers = "".join(m.group() for m in MARKER.finditer(sentence))
                    pairs = "，".join(f"{item}对应的是“{value}”" for item, value in fixed)
                    quoted = [replace(c, quote=source.strip()) if c is citation else c for c in grounded.citations]
                    return replace(grounded, text=f"{text[:a]}按原文“分别”的顺序，{pairs}{markers}。{text[b:]}",
                                   citations=quoted, notice=NOTICE_RESPECTIVE)
    return grounded


def _in_the_articles_order(said: list[tuple[str, str]], pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """`said` (the answer's pairs) with the values `pairs` (the article's) give each item, when at
    least one differs; [] when the article's list is another (an item or a value it lacks)."""
    values = {value for _, value in pairs}
    fixed, wrong = [], False
    for item, value in said:
        found = [v for named, v in pairs if item in named or named in item]
        if len(found) != 1 or value not in values:
            return []
        wrong = wrong or found[0] != value
        fixed.append((item, found[0]))
    return fixed if wrong else []
