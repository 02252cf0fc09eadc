"""Near misses judged on the source sentence as a whole, for answers a figure cannot hold: a name,
place or date taken from a sentence about another year, an outcome asked of sentences that only
plan it, a date asked of one measure from sentences saying only another (印发 for 施行), and any
answer from a passage about the asked thing's numbered sibling (一审 for 二审, 神舟十二号 for 十三号),
or a figure from a sentence the passage sets before it first names the asked batch
(rag.numbered_names.named_after). Each gives (what is missing, the sentence, its citation) when
every cited source misses. Asked which organisation did something, an answer naming one its
source sentence does not (a headline's words read as a name) gets that sentence instead. Asked
what an organisation's plan says, an answer giving it what its source sentence says of another
organisation of the same kind (农业银行's plan for 招商银行's) is that other's, and so is what passages
never naming an asked place say of another place (上海's policy for 海南).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from index.text import compact, month_days, split_sentences, strip_markers, terms
from rag.binding import stated_figures
from rag.citations import best_quote
from rag.constraints import TITLE, Constraints, Mismatch, describe_missing, find_mismatch, numbered_sibling
from rag.names import organisation_names, place_names
from rag.numbered_names import named_after
from rag.records import Citation, Passage


# asked which organisations did something: "是哪两家单位联合主办的", "由谁主办", "哪家银行牵头"
_ORGANISATION_ASKED = re.compile(r"哪(?:一|两|几|些)?(?:家|个|所)?(?:单位|机构|企业|公司|部门|组织|协会|商会|银行|高校|大学|医院)"
                                 r"|哪(?:一|两|几)家|由谁|谁(?:主办|承办|牵头|发起|组织)|(?:主办|承办|发起)(?:方|单位)")
# an organisation by the two characters before its kind: "智库研究院" of "深圳市侨商智库研究院", "州工商会"
_COUNTRY = frozenset({"中国", "我国", "全国"})  # the country a place is in, not another place
_ORGANISATION = re.compile(r"[\u4e00-\u9fff]{2}(?:集团|公司|研究院|研究所|商会|协会|学会|联合会|委员会|基金会|大学|学院|银行|医院|交易所|实验室)")


def named_otherwise(question: str, sentence: str, cited: list[Citation]) -> tuple[str, Citation] | None:
    """Asked which organisations did something, an answer naming one ("深圳智能制造集团和马来西亚潮州工商会
    联合主办") that the sentence it comes from does not, while that sentence names its own ("由深圳市侨商
    智库研究院和马来西亚潮州工商会联合主办"): (that sentence, its citation). The answer's name came
    from elsewhere (here the article's headline, "深圳智能制造集团走向东南亚"), so the sentence is quoted."""
    if not _ORGANISATION_ASKED.search(question) or not cited:
        return None
    said = set(_ORGANISATION.findall(compact(strip_markers(sentence)))) - set(_ORGANISATION.findall(compact(question)))
    if not said:
        return None
    wanted = terms(strip_markers(sentence))
    sources = [(best_quote(c.chunk.text, wanted), c) for c in cited]
    if all(_ORGANISATION.search(compact(source)) and not said <= _organisations_in(source) for source, _ in sources):
        return sources[0]
    return None


def _organisations_in(source: str) -> set[str]:
    text = compact(source)
    return {m.group() for i in range(len(text)) if (m := _ORGANISATION.match(text, i))}


def dated_for_another_title(question: str, sentence: str, cited: list[Citation]) -> tuple[str, str, Citation] | None:
    """Asked a date of a titled document ("《…三年行动方案》是哪天印发的"), an answer giving a day that
    every cited passage says only in sentences about other titled documents and never the asked one
    ("6月29日，…正式发布《关于支持…若干措施》"): what to say instead. The day belongs to that document."""
    asked = [compact(t) for t in TITLE.findall(question)]
    days = month_days(strip_markers(sentence))
    if not asked or not days or not cited:
        return None
    found = []
    for citation in cited:
        text = citation.chunk.text
        dated = [text[a:b].strip() for a, b in split_sentences(text) if month_days(text[a:b]) & days]
        titles = {compact(t) for source in dated for t in TITLE.findall(source)}
        if not dated or not titles or any(a in t or t in a for a in asked for t in titles):
            return None
        found.append((dated[0], citation))
    source, citation = found[0]
    given = "、".join(f"《{t}》" for t in TITLE.findall(source))
    return f"资料中没有《{TITLE.findall(question)[0]}》的这一日期；资料给出的是{given}的", source, citation


def dated_elsewhere(asked: Constraints, sentence: str,
                     cited: list[Citation]) -> tuple[str, str, Citation] | None:
    """For an answer stating no figure ("2022年世界杯吉祥物叫“扎比瓦卡”"): when every cited passage's
    sentence it comes from is dated to other years than the asked one ("2018年俄罗斯世界杯，吉祥物
    叫做“扎比瓦卡”"), what to say instead: (what is missing, that sentence, its citation)."""
    if not asked.years:
        return None
    by_year = Constraints(years=asked.years)

    def other_year(citation: Citation, source: str) -> Mismatch | None:
        miss = find_mismatch(by_year, source)
        return miss if miss is not None and miss.kind == "year" else None

    found = _every_source_misses(sentence, cited, other_year)
    if found is None:
        return None
    miss, source, citation = found
    return f"资料中没有{miss.asked}的相关信息；资料给出的是{miss.given}的", source, citation


def planned_only(asked: Constraints, sentence: str, cited: list[Citation]) -> tuple[str, str, Citation] | None:
    """Asked what happened ("研制出来了吗？"), an answer stating no figure of its own from sentences
    that only plan it ("计划在2025年前研制成功…"): what to say instead."""
    if not asked.outcome:
        return None
    by_outcome = Constraints(outcome=True)
    found = _every_source_misses(sentence, cited, lambda c, source: find_mismatch(by_outcome, source))
    if found is None:
        return None
    miss, source, citation = found
    return describe_missing(asked, miss), source, citation


def measured_otherwise(asked: Constraints, sentence: str, cited: list[Citation]) -> tuple[str, str, Citation] | None:
    """Asked of one of two measures easily taken for each other (when a rule took effect, 施行, or
    when it was issued, 印发), an answer stating no figure of its own from sentences saying only
    the other ("10月8日，科技部…印发《办法》" for "从哪天开始施行"): what to say instead."""
    if not asked.measures:
        return None
    by_measure = Constraints(measures=asked.measures)
    found = _every_source_misses(sentence, cited, lambda c, source: find_mismatch(by_measure, source))
    if found is None:
        return None
    miss, source, citation = found
    return f"资料中没有关于{miss.asked}的这一信息；资料给出的是{miss.given}的", source, citation


def numbered_elsewhere(asked: Constraints, sentence: str, cited: list[Citation],
                        shown: list[Passage]) -> tuple[str, str, Citation] | None:
    """For any answer sentence: when every cited passage never names a thing the question numbers
    ("劳荣枝二审判决") and the sentence the answer comes from names it with another number ("一审判决
    认定…"), what to say instead: (what is missing, that sentence, its citation). A cited passage is
    read with the other shown passages of its article: "第二批认定名单" two paragraphs up still says
    which batch the article is about."""
    if not asked.numbered:
        return None

    def article(c: Citation) -> str:
        same = [p.chunk.text for p in shown if (p.chunk.source, p.chunk.title) == (c.chunk.source, c.chunk.title)]
        return "\n".join([c.chunk.title, c.chunk.text, *same])

    def before(c: Citation) -> str:
        earlier = [p.chunk.text for p in shown if (p.chunk.source, p.chunk.title) == (c.chunk.source, c.chunk.title)
                   and p.chunk.start < c.chunk.start]
        return "\n".join([c.chunk.title, *earlier])

    def miss_of(c: Citation, source: str) -> Mismatch | None:
        sibling = numbered_sibling(asked, article(c), source)
        if sibling is not None:
            return sibling
        # a name or a date is no figure of another batch; the source must state the answer's figure
        if not set(stated_figures(strip_markers(sentence))) & set(stated_figures(source)):
            return None
        named = named_after(asked.numbered, before(c), c.chunk.text, source)
        return Mismatch("numbered_other", named, named[-1]) if named else None

    found = _every_source_misses(sentence, cited, miss_of)
    if found is None:
        return None
    miss, source, citation = found
    return describe_missing(asked, miss), source, citation


def owned_by_another(asked: Constraints, sentence: str, cited: list[Citation]) -> tuple[str, str, Citation] | None:
    """Asked about an organisation ("招商银行那份…行动方案里，具体承诺了啥"), an answer naming it with what
    every cited source sentence says of another of the same kind, naming the asked one neither there
    nor in the sentence before ("如，农业银行方案明确，要加大民营企业债券承销力度…"): what to say instead."""
    said = compact(strip_markers(sentence))
    owner = next((o for o in sorted(asked.organisations, key=len, reverse=True) if compact(o) in said), "")  # 招商银行, not 招商
    if not owner or asked.compares:
        return None
    kind = _kinds(owner, said)

    def another(citation: Citation, source: str) -> Mismatch | None:
        text = citation.chunk.text
        at = text.find(source)
        before = text[:at].rstrip().rstrip("。").rsplit("。", 1)[-1] if at > 0 else ""  # the sentence before
        if not source or compact(owner) in compact(before + source):
            return None
        named = organisation_names(source)
        # another starts otherwise (农业银行/招商银行): "社会科学院法学…" is "社科院法学" spelled out
        kin = sorted((o, shared) for o in named if o[0] != owner[0] and not any(o in n for n in named - {o})
                     for shared in sorted(_kinds(o, compact(source)) & kind))
        if not kin:
            return None
        other, shared = kin[0]
        return Mismatch("entity", _with_kind(owner, shared), _with_kind(other, shared))

    return _said_of_another(sentence, cited, another)


def placed_elsewhere(asked: Constraints, sentence: str, cited: list[Citation]) -> tuple[str, str, Citation] | None:
    """Asked about a place ("海南自贸港那边搞暂时进境修理免税，具体是怎么规定的？"), an answer naming it with what
    cited passages of articles titled with another place say ("上海：自贸试验区试点暂时进境修理有关税收政策"),
    never naming the asked one: what to say instead. A figure's place is held by rag.constraints; this holds the rest."""
    said = compact(strip_markers(sentence))
    places = sorted(p for p in asked.names - asked.organisations if place_names(p) and compact(p) in said)
    if not places or asked.compares:
        return None
    place = places[0]

    def another(citation: Citation, source: str) -> Mismatch | None:
        passage = compact(citation.chunk.title + citation.chunk.text)
        if compact(place) in passage:
            return None
        # the article's title names the other place: it is about there ("上海：自贸试验区试点…"); a passage
        # of an article about several places may leave the place to the chunk before it
        others = sorted(p for p in place_names(citation.chunk.title)
                        if p not in _COUNTRY and compact(p) not in compact(place) and compact(place) not in compact(p))
        return Mismatch("entity", place, others[0]) if others else None

    return _said_of_another(sentence, cited, another)


def _said_of_another(sentence: str, cited: list[Citation],
                     another: Callable[[Citation, str], Mismatch | None]) -> tuple[str, str, Citation] | None:
    """"资料中没有关于<asked>的这一内容；资料给出的是<given>的", the sentence and its citation, when every cited
    source is said of another (`another`); None otherwise."""
    found = _every_source_misses(sentence, cited, another)
    if found is None:
        return None
    miss, source, citation = found
    return f"资料中没有关于{miss.asked}的这一内容；资料给出的是{miss.given}的", source, citation


def _with_kind(name: str, kind: str) -> str:
    """"北岛" of kind "银行" as "北岛银行"; "农业银行" as it is."""
    return name if name.endswith(kind) else name + kind


def _kinds(name: str, text: str) -> set[str]:
    """What kind of organisation `name` is, by its last two characters or the two after it in `text`:
    {"银行"} of both "农业银行" and "北岛" in "北岛银行方案"."""
    at = text.find(name)
    return {name[-2:], text[at + len(name) : at + len(name) + 2]} - {""} if at >= 0 else {name[-2:]}


def _every_source_misses(sentence: str, cited: list[Citation],
                         miss_of: Callable[[Citation, str], Mismatch | None]) -> tuple[Mismatch, str, Citation] | None:
    """When `miss_of` finds a miss in the sentence of every cited passage that the answer's
    `sentence` comes from (the one sharing most of its words): the first miss, its sentence and
    citation; None when any source keeps to the question, or nothing is cited."""
    if not cited:
        return None
    wanted = terms(strip_markers(sentence))
    sources = [(c, best_quote(c.chunk.text, wanted)) for c in cited]
    misses = [miss_of(c, source) for c, source in sources]
    if not all(misses):
        return None
    (citation, source), miss = sources[0], misses[0]
    return miss, source, citation
