"""Summaries that keep the article's own points: asked for the points of an article ("提了哪些
建议", "主要包括哪些措施", "要点是什么"), a small model often drops items the article enumerates or
paraphrases its key terms away. When the cited passage enumerates its points (一是…二是…,
（一）…（二）…, 第一…第二…, 1. … 2. …, or headings a count announces: rag.enumeration) and the
answer leaves some of them out, the article's
own list is added after the answer, each point in its own words, cited with the chunk it
stands in; a list running past the shown passages is read to its end (rag.read_on). An answer
saying what the articles do not give ("资料中没有写明问题所问的名称；…") gets no list: the cited
article's points are not what was asked.

Usage:
    points = enumerated_points("措施包括：一是降低收费；二是优化利率定价；三是…")
    # ["降低收费", "优化利率定价", ...]
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

from index.text import compact, ends_sentence, strip_markers, terms
from rag.citations import best_quote
from rag.enumeration import ORDINALS, Family, longest_enumeration
from rag.records import Chunk, Citation, Passage

if TYPE_CHECKING:
    from rag.grounding import Grounded
    from rag.prepare import Prepared

# "哪五项工程", "哪六专" name how many points; "哪两天", "哪一年" ask a date
_COUNTED = re.compile(r"哪([两三四五六七八九十])(?!天)")
# a quoted name that numbers its items: "“三化”工作机制", "“六专”机制", "“两个确保”"
_NUMBERED_NAME = re.compile(r"[“\"]([两二三四五六七八九十])个?(?![一二三四五六七八九十两])[\u4e00-\u9fff]{1,3}[”\"]")
_ASKS_POINTS = re.compile(rf"哪些|哪几|{_COUNTED.pattern}|要点|主要(?:讲|说|内容|包括|有)|包括什么|具体指什么|几方面|"
                          r"什么(?:措施|建议|举措)")
_ASKS_FIGURE = re.compile(r"多少")  # "包括多少项措施" asks a count, not the points ("哪几方面" does not)
_POINT_END = re.compile(r"[。；;，,：:\n]")
_OPEN_ENDS = "，,、；;：:"  # a line ending on these goes on: it is no heading
# a first clause that only sets the scene ("当前环境下企业在选择后续出资人时，不要纠结绝对估值") holds no point
_SETTING = re.compile(r"(?:时|之时|中|下|来看|来说|而言|方面)$")
MAX_POINT_CHARS = 40  # a point is its heading line or first clause: the article's heading words, not its paragraph
MIN_COVERED = 0.5  # share of a point's terms the answer must hold for the point to count as given


def asks_points(question: str) -> bool:
    return bool(_ASKS_POINTS.search(question))


def enumerated_points(text: str) -> list[str]:
    """The first clause of each item of the longest enumeration in `text` starting at 1."""
    lists = enumerated_lists(text)
    return lists[0] if lists else []


def enumerated_lists(text: str) -> list[list[str]]:
    """Each list `text` enumerates, in order, as the first clauses of its items: an article may
    write two lists alike ("“六专”管理机制。一是…六是…" then "“六保”服务体系，一是…六是…")."""
    text = "\n" + text
    lists, at = [], 0
    while items := longest_enumeration(text[at:])[1]:
        points = [point for _, body in items if (point := _point_at(text, at + body))]
        if len(points) >= 2:
            lists.append(points)
        at += items[-1][1]
    return lists


def runs_on(text: str, after: str) -> bool:
    """True when the enumeration `text` holds (一是…二是…) goes on in `after`, the text that follows
    it (opening with a newline where a paragraph starts): its next item comes there before any
    other list starts (a second 一是)."""
    family, starts = longest_enumeration("\n" + text)
    if not starts:
        return False
    following = family.find(after, len(starts) + 1)
    restart = family.find(after, 1)
    return following is not None and (restart is None or following < restart)


def list_family(text: str) -> Family | None:
    """The family (一是, （一）, 1. …, announced headings) of the longest enumeration in `text` that has its
    item 1 there; None when it has none."""
    family, starts = longest_enumeration("\n" + text)
    return family if starts else None


def item_head(text: str, family: Family, n: int) -> tuple[int, str] | None:
    """Where item `n` of `family` ends its marker in `text`, and its first clause; None when
    `text` does not hold it. A paragraph starts after a newline: a chunk's text read from its
    start is given one before it, a chunk read on from its neighbour's end has its own."""
    found = family.find(text, n)
    if found is None:
        return None
    return found[1], _point_at(text, found[1])


def _point_at(text: str, body: int) -> str:
    """The point whose words start at `body`: its first clause, or its whole line when that line is
    a heading of its own ("2.1 持续加大研发投入强度，促进企业对引进技术的消化吸收\n与技术…")."""
    line_end = text.find("\n", body)
    line = text[body:line_end].strip() if line_end >= 0 else ""
    if line and len(line) <= MAX_POINT_CHARS and line[-1] not in _OPEN_ENDS and not ends_sentence(line):
        return line
    end = _POINT_END.search(text, body)
    if end and end.group() in "，," and _SETTING.search(text[body : end.start()].strip()):
        end = _POINT_END.search(text, end.end())  # the scene and the point after it
    return text[body : end.start() if end else len(text)].strip()[:MAX_POINT_CHARS]


def kept_points(grounded: Grounded, prepared: Prepared) -> Grounded:
    """Adds the cited article's enumerated points the answer leaves out (see the module's doc)."""
    if grounded.missing or not asks_points(prepared.standalone) or _ASKS_FIGURE.search(prepared.standalone) \
            or not grounded.citations:
        return grounded
    answer = set(terms(strip_markers(grounded.text)))
    counted = _asked_count(prepared.standalone)
    # "哪六专" over a list of four: another list
    lists = [items for items in _lists(grounded, prepared) if len(items) >= 2 and (not counted or len(items) == counted)]
    if not lists:
        return grounded
    # the list the answer gives most points of is the one it answers with; the first when it gives none
    covered = [sum(_share(point, answer) >= MIN_COVERED for point, _ in items) for items in lists]
    items = lists[covered.index(max(covered))]
    if max(covered) == len(items):
        return grounded
    if not max(covered) and len(_quoted_items(grounded)) >= len(items):
        return grounded  # "突出主责主业、突出改革深化、突出自我革命": the passage's own words, another list's points
    citations = list(grounded.citations)
    listed = []
    for i, (point, chunk) in enumerate(items):
        n = next((c.n for c in citations if c.chunk.id == chunk.id), len(citations) + 1)
        if n > len(citations):
            citations.append(Citation(n, chunk, best_quote(chunk.text, terms(point))))
        last_of_chunk = i + 1 == len(items) or items[i + 1][1].id != chunk.id
        # an article's own [3] is no citation of ours
        listed.append(f"{ORDINALS[i]}是{strip_markers(point)}" + (f"[{n}]" if last_of_chunk else ""))
    return replace(grounded, text=f"{grounded.text}\n资料原文列出的要点：{'；'.join(listed)}。", citations=citations)


_ITEM_RUN = re.compile(r"[^、，,。；;：:“”\n]{2,20}(?:、[^、，,。；;：:“”\n]{2,20})+")


def _quoted_items(grounded: Grounded) -> list[str]:
    """The longest run of items the answer names one after another ("甲、乙、丙"), when every item
    stands word for word in the passages it cites (the first may follow the answer's own lead-in,
    "具体指"); [] otherwise."""
    cited = compact("".join(c.chunk.text for c in grounded.citations))

    def quoted(items: list[str]) -> bool:
        first = compact(items[0])
        return any(first[k:] in cited for k in range(len(first) - 1)) and all(compact(i) in cited for i in items[1:])

    runs = [run.split("、") for run in _ITEM_RUN.findall(strip_markers(grounded.text))]
    return max((items for items in runs if quoted(items)), key=len, default=[])


def _lists(grounded: Grounded, prepared: Prepared) -> Iterator[list[tuple[str, Chunk]]]:
    """The lists the answer may be completed from, each point with the chunk holding it: the
    asked article's lists read to their end (Prepared.listed, other_lists) when the answer cites that article,
    then each list the cited passages show, when the answer cites the chunk it starts in, then
    the other lists the cited articles' shown passages hold (kept_points takes one of these only
    when the answer gives more of its points: "“六保”…一是保证办理效率…" beside the “六专” list)."""
    cited = [c.chunk for c in grounded.citations]
    for listed in (prepared.listed, *prepared.other_lists):
        if listed and any(article_of(c) == article_of(listed[0][0]) for c in cited):
            yield [(head, chunk) for chunk, head in listed]
    runs = [_shown_article(chunk, prepared.passages) for chunk in cited]
    for chunk, shown in zip(cited, runs):
        for points in enumerated_lists("".join(text for _, text in shown)):
            if any(compact(points[0]) in compact(c.text) for c in cited):  # else another list is about something else
                yield _placed(points, shown, chunk)
    read = {tuple(c.id for c, _ in run) for run in runs}
    articles = {article_of(c) for c in cited}
    for passage in prepared.passages:
        shown = _shown_article(passage.chunk, prepared.passages)
        if article_of(passage.chunk) in articles and tuple(c.id for c, _ in shown) not in read:
            read.add(tuple(c.id for c, _ in shown))
            yield from (_placed(points, shown, passage.chunk) for points in enumerated_lists("".join(t for _, t in shown)))


def _placed(points: list[str], shown: list[tuple[Chunk, str]], chunk: Chunk) -> list[tuple[str, Chunk]]:
    """Each point with the shown chunk it stands in (`chunk` when none holds it whole)."""
    return [(p, next((c for c, text in shown if compact(p) in compact(text)), chunk)) for p in points]


def article_of(chunk: Chunk) -> tuple[str, str]:
    """Which article a chunk is of: its file and its article's title."""
    return chunk.source, chunk.title


def _shown_article(chunk: Chunk, passages: list[Passage]) -> list[tuple[Chunk, str]]:
    """The shown passages running on from one another around `chunk` in its article, in order,
    each with the text it adds (neighbouring chunks share a sentence): a list the article runs
    over two chunks is read whole, and a list elsewhere in the article is not mixed in."""
    same = sorted((p.chunk for p in passages if article_of(p.chunk) == article_of(chunk)),
                  key=lambda c: c.start)
    runs: list[list[tuple[Chunk, str]]] = []
    reached = -1
    for c in same:
        if c.start > reached:  # a gap: what lies between was not shown
            runs.append([])
        new = c.text[reached - c.start :] if c.start < reached else c.text
        if new:
            runs[-1].append((c, new))
        reached = max(reached, c.end)
    return next((run for run in runs if any(c.id == chunk.id for c, _ in run)), [(chunk, chunk.text)])


def _asked_count(question: str) -> int:
    """How many points the question says there are ("哪五项工程", "“三化”具体指什么": 5, 3); 0 when
    it does not say."""
    found = _COUNTED.search(question) or _NUMBERED_NAME.search(question)
    return "两三四五六七八九十".index(found.group(1).replace("二", "两")) + 2 if found else 0


def _share(point: str, answer: set[str]) -> float:
    wanted = [t for t in terms(point) if len(t) > 1]
    return sum(t in answer for t in wanted) / len(wanted) if wanted else 1.0
