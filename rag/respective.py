"""Which figure of a "分别" sentence belongs to which item: "股转和回购案例数同比分别增长16.4%、
13.2%" gives 16.4% to 股转 and 13.2% to 回购案例数, in order. A small model asked about the second
item often takes the first figure; the clause holds both items, so rag.binding cannot tell.

Usage:
    respective_pairs("数量与融资规模分别为 82 个与 167 亿美元")  # [("数量", "82"), ("融资规模", "167")]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.text import overlap, terms
from rag.binding import stated_figures

_RESPECTIVELY = "分别"
_CLAUSE_END = re.compile(r"[，,；;：:。！？\n]")
_ITEM_SEPARATOR = re.compile(r"以及|[、和与及跟]")
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
    """(item, figure) for each item a "分别" sentence lists, in order; [] unless it lists as many
    items (before 分别, in its clause or the one before) as figures after it."""
    at = sentence.find(_RESPECTIVELY)
    if at < 0:
        return []
    starts = [m.end() for m in _CLAUSE_END.finditer(sentence, 0, at)]
    head = sentence[starts[-1] if starts else 0 : at]
    items = _items(head)
    if len(items) < 2 and len(starts) >= 1:  # "9月27日、28日，分别有28家、174家…"
        items = _items(sentence[starts[-2] if len(starts) >= 2 else 0 : starts[-1]])
    end = _CLAUSE_END.search(sentence, at)
    figures = stated_figures(sentence[at : end.start() if end else len(sentence)])
    return list(zip(items, figures)) if len(items) >= 2 and len(items) == len(figures) else []


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
