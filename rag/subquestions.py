"""Questions that ask two things ("Sora是哪天发布的？后来OpenAI从哪天起屏蔽…？") are searched
part by part, so each part brings its own best passage: searched whole, the part with the
rarer words wins every slot and the other part goes unanswered.

Usage:
    hits = search_by_parts(retriever.search, "上海自贸区哪年设立？FT账户哪年推出？", top_k=5)
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from index.records import Hit

MIN_PART_CHARS = 6  # "谁更高？" is a follow-on of the part before it, not a question of its own
MAX_PARTS = 3

# a part ends at a question mark or a semicolon; full stops inside questions are rare and
# usually end a statement of context ("我在看港股。")
_PART_END = re.compile(r"(?<=[？?；;！!])")
_CONTENT = re.compile(r"[\u3400-\u9fffA-Za-z0-9]")


def split_question(question: str) -> list[str]:
    """The question's parts, in order; one part when it asks one thing.

    A part too short to search on its own ("谁更多？") is glued to the part before it.
    """
    parts: list[str] = []
    for piece in _PART_END.split(question.strip()):
        piece = piece.strip()
        if not piece:
            continue
        if parts and len(_CONTENT.findall(piece)) < MIN_PART_CHARS:
            parts[-1] += piece
        else:
            parts.append(piece)
    if len(parts) > MAX_PARTS:
        parts = parts[: MAX_PARTS - 1] + ["".join(parts[MAX_PARTS - 1 :])]
    return parts or [question]


def search_by_parts(search: Callable[[str], list[Hit]], question: str, top_k: int) -> list[Hit]:
    """Hits for the whole question and for each part, interleaved rank by rank, each chunk once.

    Round-robin keeps every part's best passage near the top, where the context budget is spent;
    a one-part question is a plain search.
    """
    parts = split_question(question)
    if len(parts) == 1:
        return search(question)
    lists = [search(question)] + [search(part) for part in parts]
    merged: list[Hit] = []
    seen: set[str] = set()
    limit = top_k + len(parts)
    for rank in range(max(len(hits) for hits in lists)):
        for hits in lists:
            if rank < len(hits) and hits[rank].chunk.id not in seen:
                seen.add(hits[rank].chunk.id)
                merged.append(hits[rank])
    return [replace(hit, rank=i) for i, hit in enumerate(merged[:limit], start=1)]
