"""Which subject a figure belongs to in its sentence: an answer's figure must sit, in the cited
sentence, in the clause naming what the question asks about, not merely somewhere in the passage.

"6月份，制造业PMI为49.5%；非制造业商务活动指数为53.2%；综合PMI产出指数为50.5%" holds three
figures, each bound to its own subject. Asked "6月份制造业PMI是多少？", an answer of 50.5% is
a figure of the passage, of the right kind, bound to another subject. A figure's scope is its
clause and the clauses before it that state no figure (they carry its subject: "6月份，制造业
PMI为49.5%"). A figure is bound elsewhere when another figure of the same kind in the same
sentence has a scope naming every question term the figure's scope names, and more
(`Constraints.subject`, the question's subject and metric as terms). Equal or crossing coverage
is no evidence ("公司营收52亿元，净利润3亿元" asked for the 净利润: 3亿元 stands). A figure is bound
elsewhere too when its clause names the asked noun under another modifier and another clause of
the sentence names it under the asked one: asked "存力总规模…年均涨多少", "算力总规模近5年年均增速近30%，
存力总规模超过1080EB" gives 30% to 算力总规模 (`Constraints.modified`).

Usage:
    other = bound_elsewhere(asked, "…综合PMI产出指数为50.5%", "50.5", "6月份制造业PMI为50.5%")
    other.given    # "6月份，制造业PMI为49.5%": the clause the question's terms point at
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from index.text import compact, figure_terms, strip_markers, terms
from index.tokenizer import pos_tags
from rag.constraints import NOUN_FLAG, Constraints
from rag.figure_kinds import figure_kind_of

# a clause keeps its comma; an ASCII comma between digits groups thousands, a colon between digits
# is a ratio or a time ("按4：3：3比例", "9:30")
_CLAUSE = re.compile(r"(?<=[，；;])|(?<=\D[：:])|(?<=[：:])(?!\d)|(?<=,)(?!\d{3})")
# a clause opening with its verb ("增长到2022年的3088.7亿元", "2023年已降至32微克") has no subject of
# its own: it goes on about the previous figure's
_CONTINUES = re.compile(r"^\s*(?:(?:19|20)\d{2}\s*年(?:底|末)?|\d{1,2}\s*月(?:份|底|末)?|同期|全年|当年)?\s*的?"
                        r"(?:由|从|增长|增加|增至|提高|提升|上升|上涨|下降|下滑|降至|降到|降低|减少|回落|升至|达到|达|至|到|"
                        r"为|是|占|同比|环比|比|较|已|再|又|并|且|仅|约|超|突破|实现|相当于|分别)")
# a clause stating how much something changed, not its level
_CHANGE = re.compile(r"增长|下降|增加|减少|提高|降低|上涨|下跌|上升|回落|同比|环比|增速|增幅|降幅")
_LIST_MARK = re.compile(r"(?<=、)")
# units written in Latin letters ("2kg/h", "10GW"); not names like "5G", "4A景区", "3D打印"
_LATIN_UNIT = re.compile(r"(\d)((?:kg|km|mm|cm|nm|ms|[GMk]Wh?|[KMGTPEZ]i?B|[KMGT]?bps|[KMGT]?Hz|t)(?![A-Za-z]))")
# dates set the scene like years do: "6月份，" carries the subject on, it states no figure; so does
# the span a figure is over ("兴业银行近三年余额增长比例超过50%", "十年来")
_DATE = re.compile(r"\d{1,2}\s*(?:月份|月|日|号)|第?\s*\d\s*季度|[qQ][1-4]"
                   r"|(?:近|过去|最近|这)\s*(?:[一二两三四五六七八九十]{1,2}|\d{1,2})\s*个?年|(?:[一二两三四五六七八九十]{1,2}|\d{1,2})\s*年(?:来|间|以来)")

# a listed company's stock code names it, counts nothing: "宝泰隆(601011.SH)"
_TICKER = re.compile(r"\d{4,6}\s*\.\s*(?:SH|SZ|BJ|HK|sh|sz|bj|hk)\b")
# 一 before 种, 类, 个 or 批 is mostly the article "a" ("北交所也是上市的一种选择", "一个重要原因", "一批机构"),
# no count; after 上 or 下 it says which one ("比上一轮融资时还要低", "下一步"), and 之一 is "one of"
_ARTICLE = re.compile(r"(?<![零〇一二两三四五六七八九十百千万亿第新另同每某任\d.])一(?=[种类个批])"
                      r"|(?<=[上下])一(?=[轮次届步期代批阶年季月周])|(?<=之)一")


@dataclass(frozen=True)
class Rebinding:
    """A figure stated for the question's subject that the sentence binds to another one."""

    figure: str
    scope: str  # the clauses the figure belongs to in the sentence
    given: str  # the clauses of the figure the question's terms point at


def bound_elsewhere(asked: Constraints, source: str, figure: str, stated: str = "") -> Rebinding | None:
    """How `source` (the article's sentence) binds `figure` to something other than what `asked`
    names; None when it does not (or when the sentence does not say). `stated`: the answer's
    sentence; for questions comparing several subjects, only the subjects it names are held."""
    return _bound_by_terms(asked, source, figure, stated) or _modified_otherwise(asked, source, figure)


def _bound_by_terms(asked: Constraints, source: str, figure: str, stated: str) -> Rebinding | None:
    """Another figure's clauses name more of the question's terms than `figure`'s do."""
    wanted = _wanted_terms(asked, stated, figure)
    if not wanted:
        return None
    scopes = figure_scopes(source)
    own = [(scope, kind) for f, scope, kind in scopes if f == figure]
    if not own:
        return None
    named = _naming(wanted, source)
    for scope, kind in own:
        covered = named(scope)
        better = [(len(named(s)), -len(s), s) for g, s, k in scopes if g != figure and k == kind and named(s) > covered]
        if not better:
            return None  # one place binding it to the asked subject (or no better one) is enough
    best = max(better)[2]  # the clauses naming most of the question, the shortest of them
    return Rebinding(figure, own[-1][0].strip("，；;：:,、 "), best.strip("，；;：:,、 "))


def _modified_otherwise(asked: Constraints, source: str, figure: str) -> Rebinding | None:
    """Every clause stating `figure` names an asked noun under another modifier ("算力总规模"), and
    another figure's clauses name it under the asked one ("存力总规模超过1080EB")."""
    if asked.compares:
        return None
    scopes = figure_scopes(source)
    own = [scope for f, scope, _ in scopes if f == figure]
    if not own:
        return None
    for modifier, noun in sorted(asked.modified):
        if len(noun) < 3:  # "项目", "企业": too common a noun to tell one thing from another by
            continue
        if not all(_modified_by_another(compact(scope), modifier, noun, asked.modified) for scope in own):
            continue
        given = next((s for f, s, _ in scopes if f != figure and modifier + noun in compact(s)), "")
        if given:
            return Rebinding(figure, own[-1].strip("，；;：:,、 "), given.strip("，；;：:,、 "))
    return None


def _modified_by_another(scope: str, modifier: str, noun: str, asked: frozenset[tuple[str, str]]) -> bool:
    """Whether `scope` (compacted) names `noun` right after a noun of two characters or more that
    the question does not put before it (`asked`, its modified nouns)."""
    at = scope.find(noun)
    if at < 0 or modifier + noun in scope:
        return False
    before = pos_tags(scope[:at])
    if not before or len(before[-1][0]) < 2 or not NOUN_FLAG.match(before[-1][1]):
        return False
    return (before[-1][0], noun) not in asked


def states_change(text: str) -> bool:
    """Whether `text` states how much something changed ("近5年年均增速近30%"), not only its level."""
    return bool(_CHANGE.search(text))


def kind_elsewhere(asked: Constraints, source: str, figure: str) -> str:
    """The kind of change `source` states for the asked subject, when `figure`, of the asked kind,
    is bound to something named less fully: asked "成都的一般贸易进出口额", "成都市一般贸易进出口增长
    16.2%，外贸进出口总额7489.8亿元" gives the asked trade's growth ("percent"), and 7489.8亿元 is
    all trade's. "" when no clause stating a change of another kind names more of the question than
    the figure's, or the figure's clause names none of it ("…共管理126只创投基金，已投资金额313亿元":
    313亿元 is the funds'). Only a change: "微软此次收购溢价约45%，…这笔687亿美元的支出…" gives the
    deal's premium, and 687亿美元 is still its price."""
    wanted = set(asked.subject)
    if not asked.unit or asked.compares or not wanted:
        return ""
    scopes = figure_scopes(source)
    own = [scope for f, scope, kind in scopes if f == figure and kind == asked.unit]
    # a clause naming nothing of the question goes on about the sentence's subject
    if not own or any(not wanted & set(terms(scope)) for scope in own):
        return ""
    named = _naming(wanted, source)
    changes = [(s, k) for g, s, k in scopes if g != figure and k and k != asked.unit and _CHANGE.search(s)]
    closer = [(len(named(s)), k) for s, k in changes if all(named(s) > named(scope) for scope in own)]
    return max(closer)[1] if closer else ""


def _naming(wanted: set[str], source: str) -> Callable[[str], set[str]]:
    """The question's terms (`wanted`) a clause of `source` names, with the sentence's topic."""
    topic = _topic_terms(source)
    return lambda scope: wanted & (set(terms(scope)) | topic)


def _topic_terms(sentence: str) -> set[str]:
    """The terms of the clauses before the sentence's first figure: its topic, which every clause
    after it is about ("乌江特大桥是德余高速控制性工程，全桥长1834米，主桥为504米": 504米 is the
    bridge's too)."""
    topic = []
    for clause in _CLAUSE.split(sentence):
        if stated_figures(clause):
            break
        topic.append(clause)
    return set(terms("".join(topic)))


def stated_figures(text: str) -> list[str]:
    """The figures `text` states: numbers, minus years and the days, months and quarters of dates
    ("8月到9月底" states no figure), the article 一 ("一种选择") and stock codes ("601011.SH"). A number
    before a Latin unit ("2kg/h", "10GW") is one."""
    return figure_terms(terms(_LATIN_UNIT.sub(r"\1 \2", _DATE.sub(" ", _ARTICLE.sub("", _TICKER.sub(" ", text))))))


def figure_scopes(sentence: str) -> list[tuple[str, str, str]]:
    """(figure, its scope, its kind) for each figure of `sentence`, in order."""
    clauses = [item for c in _CLAUSE.split(sentence) if c for item in _listed_figures(c)]
    found: list[tuple[str, str, str]] = []
    start, previous = 0, ""
    for i, clause in enumerate(clauses):
        stated = stated_figures(clause)
        if not stated:
            continue
        scope = "".join(clauses[start : i + 1])
        if previous and _CONTINUES.match(clause):
            scope = previous + scope
        found += [(f, scope, figure_kind_of(clause, f)) for f in stated]
        start, previous = i + 1, scope
    return found


def _listed_figures(clause: str) -> list[str]:
    """A clause listing things each with its figure ("国家级绿色工厂3家、省级绿色工厂6家、近零碳工厂1家")
    as one clause per item; a clause listing things before one figure ("住宿、餐饮、零售消费489.6亿元")
    stays whole."""
    pieces = _LIST_MARK.split(clause)
    if sum(1 for piece in pieces if stated_figures(piece)) < 2 or any(piece.lstrip()[:1].isdigit() for piece in pieces[1:]):
        return [clause]  # "分别增长16.4%、13.2%": bare figures paired in order (rag.respective), not items
    items, pending = [], ""
    for piece in pieces:
        pending += piece
        if stated_figures(piece):
            items.append(pending)
            pending = ""
    if pending:
        items[-1] += pending
    return items


def _wanted_terms(asked: Constraints, stated: str, figure: str) -> set[str]:
    """The question's subject terms; with a comparison, those the answer's clause with `figure` names."""
    subject = set(asked.subject)
    if not asked.compares or not stated:
        return subject
    for f, scope, _ in figure_scopes(strip_markers(stated)):
        if f == figure:  # each figure of a comparison has its own subject, named in its clause
            return subject & set(terms(scope))
    return subject


@dataclass(frozen=True)
class Swap:
    """A figure a comparison's answer gives one of the compared things ("欧洲…6%") that the passage
    states under another ("美国的汽车产量占全球的10%，但只占电池供应链的6%")."""

    figure: str
    asked: str  # the compared name the answer gives the figure to
    owner: str  # the compared name the passage gives it to
    scope: str  # the passage's clause stating it
    given: str  # what the passage says under the asked name


_PIECE = re.compile(r"(?<=[，；;。！？!?\n])")  # clauses and sentences, in order
MAX_GIVEN_CHARS = 200  # what the passage says of the asked name: a few sentences, not the article


def compared_swap(names: set[str], text: str, figure: str, asked: str) -> Swap | None:
    """How `text` (a passage) states `figure` under another of the compared `names` than `asked`,
    and what it says under `asked`; None when it states the figure under `asked` (or under none
    of them), or says nothing under `asked`. A clause is about the compared name mentioned last
    before it in its paragraph ("欧洲虽然…。其电池产能占全球的7%。美国的…6%": 7% is 欧洲's)."""
    rows = _compared_clauses(names, text)
    owners = [(owner, a, b) for owner, a, b in rows if figure in stated_figures(text[a:b])]
    if not owners or any(owner in (asked, "") for owner, _, _ in owners):
        return None
    first = next((i for i, (owner, _, _) in enumerate(rows) if owner == asked), None)
    if first is None:
        return None
    end = first
    while end + 1 < len(rows) and rows[end + 1][0] == asked:
        end += 1
    given = text[rows[first][1] : rows[end][2]].strip()[:MAX_GIVEN_CHARS]
    owner, a, b = owners[0]
    named = max(start for name, start, _ in rows if name == owner and start <= a and owner in text[start:b])
    return Swap(figure, asked, owner, text[named:b].strip("，；;：:。, \n"), given.rstrip("，；;：:,、 "))


def _compared_clauses(names: set[str], text: str) -> list[tuple[str, int, int]]:
    """(the compared name a clause is about, its start, its end) for each clause of `text`, in
    order; "" before any is named in the paragraph."""
    rows: list[tuple[str, int, int]] = []
    current, at = "", 0
    for clause in _PIECE.split(text):
        if clause.startswith("\n") or text[at - 1 : at] == "\n":
            current = ""  # a new paragraph names its own subject
        mentioned = [(clause.rfind(n), n) for n in names if n in clause]
        if mentioned:
            current = max(mentioned)[1]
        rows.append((current, at, at + len(clause)))
        at += len(clause)
    return rows
