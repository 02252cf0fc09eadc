"""The sentences of a cited passage that an answer's figure comes from, each with what governs it:
the clauses a "：…；…" list hangs from ("力争到2025年，…；回收量达350万台；"), and the plan its
paragraph's last dated sentence makes ("到2025年，…。…年均增速超过20%。"): a sentence naming no year
belongs to it, so it does not answer what actually happened. The near-miss rules judge these
sentences, not the model's restatement: models misquote dates around a right figure.
"""

from __future__ import annotations

import re

from index.text import overlap, split_sentences, strip_markers, terms
from rag.binding import stated_figures
from rag.citations import holds_figure
from rag.constraints import is_plan
from rag.figure_kinds import figure_kind_of
from rag.periods import dated_years


_LIST_OPENERS = ("；", ";", "：", ":")
# a sentence dated by its own time word reports, whatever plan comes before it ("目前全市共有基站3万个")
_NOW = re.compile(r"目前|截至|截止|现已|现有|如今|当前|去年|今年|上年|此前")


def figure_sources(chunk_text: str, figure: str, stated: str) -> list[str]:
    """Each sentence group of `chunk_text` stating `figure`, the one sharing most words with the
    answer's sentence first."""
    spans = split_sentences(chunk_text)
    wanted = terms(strip_markers(stated))
    kind = figure_kind_of(strip_markers(stated), figure)
    holding, rounded = [], []
    for i, (a, b) in enumerate(spans):
        found = terms(chunk_text[a:b])
        stated_here = stated_figures(chunk_text[a:b])  # "2017年3月" states no 3 for "三个月"
        if figure in stated_here:
            holding.append((-overlap(wanted, found), i))
        elif _rounds(figure, stated_here):
            rounded.append((-overlap(wanted, found), i))
    holding = holding or rounded  # "超过60万吨" rounds the 58万吨 of the sentence it comes from
    # "10亿元" is not stated by "畅销榜前10": with a unit, the figure is the one with that unit
    if kind:
        same_kind = [(o, i) for o, i in holding if figure_kind_of(chunk_text[spans[i][0] : spans[i][1]], figure) == kind]
        holding = same_kind or holding
    groups = []
    for _, i in sorted(holding):
        first = i
        while first > 0 and chunk_text[spans[first - 1][0] : spans[first - 1][1]].rstrip().endswith(_LIST_OPENERS):
            first -= 1
        group = chunk_text[spans[first][0] : spans[i][1]]
        plan = _governing_plan(chunk_text, spans, first) if not dated_years(group) and not _NOW.search(group) else None
        groups.append(chunk_text[spans[plan][0] : spans[plan][1]] + group if plan is not None else group)
    return groups


def _rounds(figure: str, stated: list[str]) -> bool:
    """Whether whole number `figure` is one of `stated` rounded, as grounding lets a model write it."""
    return "." not in figure and holds_figure([float(f) for f in stated], float(figure))


def _governing_plan(chunk_text: str, spans: list[tuple[int, int]], first: int) -> int | None:
    """The plan a sentence naming no year belongs to: the last sentence of its paragraph before
    it that names a year, when that one plans ("到2025年，我国成为…。…机器人产业营业收入年均增速
    超过20%。" is a target too); None when there is none, or it reports."""
    for j in range(first - 1, -1, -1):
        if "\n" in chunk_text[spans[j][1] : spans[first][0]]:
            return None  # another paragraph
        sentence = chunk_text[spans[j][0] : spans[j][1]]
        if dated_years(sentence):
            return j if is_plan(sentence) else None
    return None
