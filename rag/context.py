"""The passages shown to the model: retrieved hits, deduplicated, within a character budget,
numbered [1]..[n] and wrapped in delimiters that article text cannot close.

Also the lexical terms every deterministic stage compares on (`terms`): CJK character bigrams
plus whole Latin words and numbers, so Chinese needs no segmenter and matching is cheap.

Usage:
    passages = select_passages(hits, budget_chars=settings.context_chars)
    prompt_data = format_passages(passages)
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from index.records import Hit
from rag.records import Passage

# numbers say the most about a fact ("491万辆"), Latin words (PMI, HBM3E) next, bigrams least
NUMBER_WEIGHT = 3.0
LATIN_WEIGHT = 2.0
BIGRAM_WEIGHT = 1.0
NEAR_DUPLICATE = 0.8  # share of the shorter text's bigrams found in the other

_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
# a word may start with digits ("3c", "5g"); glued to a decimal ("1.2tb") it stays a number
_LATIN = re.compile(r"(?<![0-9a-z.])\d*[a-z][a-z0-9]*(?:[\-\+][a-z0-9]+)*")
# only the ASCII comma groups thousands; "，" separates list items ("SU7，2023年")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")


def normalize(text: str) -> str:
    """NFKC (full-width digits and letters become ASCII), lower case, no thousands separators,
    small Chinese counts in digits ("五倍" -> "5倍")."""
    return digits_for_counts(unicodedata.normalize("NFKC", _THOUSANDS.sub("", text)).lower())


def terms(text: str) -> dict[str, float]:
    """Weighted lexical terms: CJK bigrams (a lone CJK character stands for itself),
    whole numbers and whole Latin words."""
    text = normalize(text)
    found: dict[str, float] = {}
    for run in _CJK_RUN.findall(text):
        grams = [run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)]
        for g in grams:
            found[g] = BIGRAM_WEIGHT
    # digits inside Latin words (hbm3e, su7, 3c) belong to the word, not to the numbers
    for word in _LATIN.findall(text):
        found[word] = LATIN_WEIGHT
    for number in _NUMBER.findall(_LATIN.sub(" ", text)):
        number = number.rstrip("0").rstrip(".") if "." in number else number
        # "2023年" sets the scene of half the corpus: as telling as a bigram, not as a figure
        found[number] = BIGRAM_WEIGHT if is_year(number) else NUMBER_WEIGHT
    return found


def digits_for_counts(text: str) -> str:
    """Small Chinese numbers before a measure word in digits: "五倍" -> "5倍", "十二家" -> "12家".

    Articles write "五倍" where a model writes "5倍"; both are the same figure.
    """
    return _CN_COUNT.sub(lambda m: str(_cn_to_int(m.group(1))) + m.group(2), text)


_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
# 1-99 only: larger amounts ("三千亿") are written in digits by articles and models alike
_CN_COUNT = re.compile(r"(?<![零〇一二两三四五六七八九十百千万亿])([一二两三四五六七八九]?十[一二三四五六七八九]?|[一二两三四五六七八九])"
                       r"(倍|个|家|人|名|位|年|项|条|次|种|类|成|天|所|只|件|层|期|轮|批)")


def _cn_to_int(numeral: str) -> int:
    if "十" not in numeral:
        return _CN_DIGITS[numeral]
    tens, _, ones = numeral.partition("十")
    return _CN_DIGITS.get(tens, 1) * 10 + _CN_DIGITS.get(ones, 0)


def is_year(term: str) -> bool:
    return len(term) == 4 and term.isdigit() and 1900 <= int(term) <= 2100


def overlap(wanted: dict[str, float], present: Iterable[str] | dict[str, float]) -> float:
    """Weighted share of `wanted` terms found in `present` (0 when nothing is wanted)."""
    total = sum(wanted.values())
    if not total:
        return 0.0
    return sum(w for t, w in wanted.items() if t in present) / total


def select_passages(hits: list[Hit], budget_chars: int, max_passages: int = 5) -> list[Passage]:
    """Hits in retrieval order, minus overlapping or near-duplicate chunks, within the budget.

    The first hit is always kept, however long: a context with no passage answers nothing.
    """
    kept: list[Hit] = []
    kept_terms: list[dict[str, float]] = []
    used = 0
    for hit in hits:
        if len(kept) >= max_passages:
            break
        chunk = hit.chunk
        if any(_ranges_overlap(hit, other) for other in kept):
            continue
        grams = terms(chunk.text)
        if any(_near_duplicate(grams, other) for other in kept_terms):
            continue
        if kept and used + len(chunk.text) > budget_chars:
            break  # retrieval order is relevance order: a later, shorter hit must not jump the queue
        kept.append(hit)
        kept_terms.append(grams)
        used += len(chunk.text)
    return [Passage(n=i, hit=hit) for i, hit in enumerate(kept, start=1)]


def _ranges_overlap(a: Hit, b: Hit) -> bool:
    """Same source and the character ranges share more than half of the shorter chunk."""
    x, y = a.chunk, b.chunk
    if x.source != y.source:
        return False
    shared = min(x.end, y.end) - max(x.start, y.start)
    shorter = min(x.end - x.start, y.end - y.start)
    return shorter > 0 and shared > shorter / 2


def _near_duplicate(a: dict[str, float], b: dict[str, float]) -> bool:
    # the same article syndicated under two sources: compare against the shorter one
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    return bool(small) and overlap(small, large) >= NEAR_DUPLICATE


_DELIMITER = re.compile(r"<(\s*/?\s*passage)", re.IGNORECASE)


def format_passages(passages: list[Passage]) -> str:
    """The prompt's data block: one `<passage n=".." title="..">` element per passage.

    Article text is data, never instructions; any `<passage`/`</passage>` inside it is
    defused (the `<` becomes `＜`) so an article cannot close its delimiter early.
    """
    blocks = []
    for p in passages:
        title = _attribute(p.chunk.title)
        text = _DELIMITER.sub(r"＜\1", p.chunk.text.strip())
        blocks.append(f'<passage n="{p.n}" title="{title}">\n{text}\n</passage>')
    return "\n".join(blocks)


def _attribute(value: str) -> str:
    value = _DELIMITER.sub(r"＜\1", " ".join(value.split()))
    return value.replace('"', "＂").replace("<", "＜").replace(">", "＞")
