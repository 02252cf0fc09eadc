"""jieba's part-of-speech tags, from one tagger for the package (its dictionary takes ~1 s to load).

Usage:
    pos_tags("工行和建行的贷款余额")  -> [("工行", "j"), ("和", "c"), ...]
"""

from __future__ import annotations

import logging
from functools import cache


@cache
def _tagger():
    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()  # our own instance: no global jieba state shared with callers
    tokenizer.initialize()
    return jieba.posseg.POSTokenizer(tokenizer)


def pos_tags(text: str) -> list[tuple[str, str]]:
    """(word, flag) pairs in order; the words join back into `text`."""
    return [(pair.word, pair.flag) for pair in _tagger().cut(text)]
