"""Words by jieba: tokens for BM25 (jieba for Chinese, whole Latin words and numbers, no stop
words) and part-of-speech tags for the answering checks, from one jieba dictionary for the
process (it takes ~1 s and ~100 MB to load).

Documents and queries go through one `Tokenizer`, so they always meet on the same tokens.
Usage:
    Tokenizer()("汽车出口增长")         -> ["汽车", "出口", "汽车出口", "增长"]
    pos_tags("工行和建行的贷款余额")   -> [("工行", "j"), ("和", "c"), ...]
"""

from __future__ import annotations

import logging
import re
import threading
from functools import cache

from index.text import CJK

_KEEP = re.compile(f"[0-9a-z{CJK}]")
# Latin words and numbers are kept whole (PE, IPO, PMI, 5.4%, 2023) before jieba sees the text.
_LATIN_OR_NUMBER = re.compile(r"[a-z][a-z0-9\-\+]*|\d+(?:\.\d+)?%?")
_STOP_WORDS = frozenset(
    """的 了 和 与 及 或 是 在 也 都 就 而 并 等 对 为 以 于 由 被 把 将 从 向 之 其 该 这 那 此 个 中 上 下
    有 没有 不 会 能 可 可以 要 还 又 但 但是 如 如果 因为 所以 这个 那个 这些 那些 一个 我们 你们 他们 它们 我 你 他 她 它
    吗 呢 吧 啊 呀 哪些 什么 怎么 怎样 如何 多少 几 哪 哪个 谁 为什么 是否 请问 一下 有关 关于 相关 主要 具体
    the a an of to and or in on for is are was were be by with as at from that this it""".split()
)


_LOADING = threading.RLock()


def _once(load):
    """`load()` run once for the process, however many threads ask for it at the same time."""
    loaded = cache(load)

    def get():
        with _LOADING:
            return loaded()

    return get


@_once
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()  # our own instance: no global jieba state shared with callers
    tok.initialize()
    return tok


@_once
def _tagger():
    import jieba.posseg

    return jieba.posseg.POSTokenizer(_jieba())  # tags words of the same dictionary


def pos_tags(text: str) -> list[tuple[str, str]]:
    """(word, flag) pairs in order; the words join back into `text`."""
    return [(pair.word, pair.flag) for pair in _tagger().cut(text)]


def word_frequency(word: str) -> int:
    """How often jieba's dictionary has seen `word`, 0 for one it does not hold: a word it barely
    knows is more often a name ("通义" 33) than a common noun ("产品" 22801)."""
    return _jieba().FREQ.get(word) or 0


class Tokenizer:
    """jieba in search mode (overlapping words) over lower-cased, punctuation-free text."""

    def __call__(self, text: str) -> list[str]:
        text = text.lower()
        tokens: list[str] = []
        pos = 0
        for m in _LATIN_OR_NUMBER.finditer(text):
            tokens.extend(self._chinese(text[pos : m.start()]))
            tokens.append(m.group())
            pos = m.end()
        tokens.extend(self._chinese(text[pos:]))
        return tokens

    def _chinese(self, text: str) -> list[str]:
        if not text.strip():
            return []
        words = _jieba().cut_for_search(text)
        return [w for w in words if _KEEP.search(w) and w not in _STOP_WORDS and not w.isspace()]
