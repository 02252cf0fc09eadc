"""The grounding rule for approximate figures: a small model drops the 余 or 多 of a figure the
article gives as approximate ("8000余人" answered as "8000人", "3000多亿元" as "3000亿元"), which
states an exact count the article never gave. The answer gets the article's word back.

Only a figure the cited passage gives approximately and never exactly (the same number and unit
without 余/多) is mended, and not one the answer already qualifies ("超过8000人", "约8000人").
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # grounding imports this rule; the types are only for readers and checkers
    from rag.grounding import Grounded
    from rag.prepare import Prepared

# "8000余人", "30 多家", "3000多亿元": the number, its 余 or 多, the unit after
_APPROXIMATE = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*([余多])\s*([万亿千百]?[\u4e00-\u9fff])")
_QUALIFIED_BEFORE = "超逾近约达过"  # "超过8000人", "约8000人" already say the figure is not exact


def approximations_kept(grounded: Grounded, prepared: Prepared) -> Grounded:
    """The answer with each figure the cited passages give only approximately written as they do."""
    if grounded.refused or not grounded.citations:
        return grounded
    text = grounded.text
    for citation in grounded.citations:
        source = citation.chunk.text
        for number, mark, unit in set(_APPROXIMATE.findall(source)):
            exact = re.compile(rf"(?<![\d.{_QUALIFIED_BEFORE}])({re.escape(number)})\s*({re.escape(unit)})")
            if not exact.search(source):  # the article gives it only approximately
                text = exact.sub(rf"\g<1>{mark}\g<2>", text)
    return grounded if text == grounded.text else replace(grounded, text=text)
