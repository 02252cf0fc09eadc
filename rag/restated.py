"""An answer that is the question's own words with its figure added, which no passage words alike:
"50家企业放出来的岗位里，专门给应届生的有830个" over "50家优质企业发布人才需求岗位1332个，其中应届生岗位
830个". Its marker cannot be repaired (the passage shares too few of its words), yet the sentence
closest to it states its figure. It stands, cited to that sentence, when that sentence states every
figure it adds with the same measure word ("830个"; "一种" is no "一只", "12个月" no "第12位") and its
passage names every name it says; a name the passages never give ("字节跳动的豆包大模型…2.6倍" over
"腾讯大模型训练效率可提升至…2.6倍") keeps it from standing (rag.grounding.tied_to_passages).
"""

from __future__ import annotations

import re

from index.text import compact, normalize, strip_markers
from index.tokenizer import pos_tags, word_frequency
from rag.names import proper_names
from rag.records import Citation

# a figure with the character after it, its unit or measure word: "830个", "1只", "2.6倍"
_COUNTED_FIGURE = re.compile(r"\d+(?:\.\d+)?[^\d，,。；;、：:“”\"（）()\[\]]")
# how often jieba's dictionary has seen a common noun; a noun seen less is likely a name ("豆包" 30)
_COMMON_WORD = 500


def stated_by_closest(answer: str, question: str, closest: Citation) -> bool:
    """Whether `closest`, the passages' sentence closest to an uncited one-sentence `answer`,
    states each figure it adds to the question, unit and all, in a passage naming all its names."""
    said = strip_markers(answer)
    added = _counted_figures(said) - _counted_figures(question)
    if not added or not added <= _counted_figures(closest.quote):
        return False
    passage = compact(closest.chunk.title + closest.chunk.text)
    return all(compact(name) in passage for name in _names(said))


def _counted_figures(text: str) -> set[str]:
    return set(_COUNTED_FIGURE.findall(compact(normalize(text))))


def _names(text: str) -> set[str]:
    """Proper nouns jieba knows, and nouns it barely knows, which are names more often than not."""
    rare = {w for w, flag in pos_tags(text) if flag.startswith("n") and len(w) >= 2 and word_frequency(w) < _COMMON_WORD}
    return proper_names(text) | rare
