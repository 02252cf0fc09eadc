"""Names in a text, found with jieba's part-of-speech tags: places a question is about, and
people an answer names.

A question restricted to a place is not answered by passages about another place, however
close in topic: national GDP figures do not answer a question about Shenzhen. A person an
answer names must be named by the passages: asked who chairs a committee the passages never
staff, a small model makes a name up.

Usage:
    place_names("深圳2023年GDP增速是多少？")  -> {"深圳"}
    person_names("主任委员是王小虎。")          -> {"王小虎"}
"""

from __future__ import annotations

from rag.pos import pos_tags

# the country itself, and generic words jieba tags as places: passages say 我国 for 中国
_NOT_A_RESTRICTION = frozenset("中国 我国 全国 国内 国外 海外 境内 境外 全球 世界 城市 地区 各地 当地 本地 外地".split())
_ADMIN_SUFFIXES = ("省", "市")
_PERSON_FLAGS = frozenset({"nr", "nrfg", "nrt"})


def place_names(text: str) -> set[str]:
    """Place names of two or more characters, without a trailing 省/市 ("北京市" -> "北京")."""
    names = set()
    for word, flag in pos_tags(text):
        if flag != "ns" or word in _NOT_A_RESTRICTION:
            continue
        if len(word) > 2 and word.endswith(_ADMIN_SUFFIXES):
            word = word[:-1]
        if len(word) >= 2:
            names.add(word)
    return names


def person_names(text: str) -> set[str]:
    """Personal names of two or more characters (jieba's nr, nrfg, nrt)."""
    return {word for word, flag in pos_tags(text) if flag in _PERSON_FLAGS and len(word) >= 2}
