"""Names the passages show a question to say, where jieba, reading the question alone, sees none.

- **Introduced short names.** News writes an organisation's full name once, with the short name
  it goes by after ("上海迎水投资管理有限公司（简称“上海迎水”）"). A short name the question says is
  then a name, though jieba reads 上海迎水 as a place and a verb, and a sentence the passage sets
  before that introduction is about something else: the article had not come to the asked one yet
  ("明汯投资被…暂停受理私募基金产品备案三个月。…上海迎水…被中基协警告").
- **People.** A person the question names whom jieba, reading the question alone, does not read as
  one ("…的徐慕浩，他管的基金…"), the passages do ("分别是董季周、吴秉韬、徐慕浩"). Asked a figure of
  theirs, a sentence naming another person and not them gives another's ("董季周…任职回报为39.01%").
- **Named kinds.** A word jieba barely knows, right before a kind the passages name several of
  ("通义大模型" beside "文心大模型"), names one of that kind; the question saying "通义大模型" asks
  about that one, and "文心大模型…推理性能提升50倍" is its sibling's figure (rag.constraints).

Usage:
    introduced_names("上海迎水被处分时暂停备案多久？", passages)     # frozenset({"上海迎水"})
    introduced_after(frozenset({"上海迎水"}), "明汯投资…三个月。", passage)   # "上海迎水"
    named_kinds("阿里云通义大模型的推理性能提升了多少倍？", passages)  # frozenset({("通义", "大模型")})
"""

from __future__ import annotations

import re

from index.text import compact
from index.tokenizer import word_frequency
from rag.names import kind_words, named_before_kinds, person_names

# "（简称“上海迎水”）", "（以下简称“《办法》”）", "（下称“凤凰新城”）"
_SHORT_NAME = re.compile(r"(?:简称|下称)\s*[“\"「]([^”\"」]{2,12})[”\"」]")
_CJK3 = re.compile(r"[\u4e00-\u9fff]{3}")
# the sentences of compacted text (compact drops line breaks, so a sentence ends at its stop)
_SENTENCE = re.compile(r"(?<=[。！？；!?;])")
# characters of grammar and questions, never in a person's name: a window holding one is no name's
_NOT_IN_NAMES = re.compile(r"[的是了在有和那这个们么吗呢啥什怎多少几哪谁把被给对从到与及或他她它就都也还要会说]")
# how often jieba's dictionary has seen a word it holds as a common noun ("产品" 22801, "数据" 5232);
# names of products and brands it knows are rarer ("通义" 33, "文心" 6, "豆包" 30)
_COMMON_WORD = 500


def introduced_names(question: str, passages: list[str]) -> frozenset[str]:
    """The short names the `passages` introduce that the question says."""
    asked = compact(question)
    return frozenset(name for text in passages for name in _SHORT_NAME.findall(compact(text)) if name in asked)


def named_people(question: str, passages: list[str]) -> frozenset[str]:
    """The people the question names, as jieba reads it or as the passages show it: only the passage
    sentences sharing three characters running with the question are read (tagging whole passages
    costs tens of milliseconds)."""
    asked = compact(question)
    found = set(person_names(question))
    windows = {asked[i : i + 3] for i in range(len(asked) - 2)
               if _CJK3.fullmatch(asked[i : i + 3]) and not _NOT_IN_NAMES.search(asked[i : i + 3])}
    for text in passages:
        for sentence in _SENTENCE.split(compact(text)):
            if any(window in sentence for window in windows):
                found |= {name for name in person_names(sentence) if name in asked}
    return frozenset(found)


def named_kinds(question: str, passages: list[str]) -> frozenset[tuple[str, str]]:
    """(name, kind) for each name the question says before a kind ("通义", "大模型") that the
    passages also name so, beside another name of that kind, and that jieba barely knows as a word."""
    asked = compact(question)
    kinds = kind_words(question)
    named = [(name, kind) for text in passages for name, kind in named_before_kinds(text) if kind in kinds]
    found = set()
    for kind in kinds:
        names = {name for name, of in named if of == kind}
        if len(names) < 2:
            continue  # one name of the kind: no sibling to mistake it for
        found |= {(name, kind) for name in names
                  if compact(name + kind) in asked and word_frequency(name) < _COMMON_WORD}
    return frozenset(found)


def introduced_after(names: frozenset[str], source: str, passage: str) -> str:
    """The asked name `passage` introduces only after `source`, the sentence an answer comes from,
    when `source` names none of the asked `names`; "" otherwise. Only a name this passage
    introduces counts: a name first met in this passage may have been named in one before."""
    text, sentence = compact(passage), compact(source)
    at = text.find(sentence)
    if at < 0 or any(name in sentence for name in names):
        return ""
    introduced = set(_SHORT_NAME.findall(text))
    for name in sorted(names & introduced):
        if text.find(name) >= at + len(sentence):
            return name
    return ""
