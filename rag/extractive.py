"""The answerer without a language model, and the baseline evaluation measures the LLM against:
the passage sentences that share most with the question, each cited `[n]`.

Usage: `text = extract_answer("2023年汽车出口多少辆？", passages)`; "" when nothing matches.
"""

from __future__ import annotations

import re

from index.text import ENDING, split_sentences, terms
from rag.evidence import question_terms
from rag.records import Passage

# questions about amounts want a sentence with a figure in it
_ASKS_FOR_NUMBER = re.compile(r"多少|几|比例|占比|增长|增速|下降|规模|多大|多高|多长|多久|金额|数量|排名|how (?:many|much)")
NUMBER_BONUS = 0.25  # added to a sentence's gain: beats a near-tie, never a sentence that misses
MIN_GAIN = 0.15  # a sentence must cover this share of the question that earlier picks did not
MIN_SENTENCE_CHARS = 6


def extract_answer(question: str, passages: list[Passage], max_sentences: int = 3, max_chars: int = 300) -> str:
    """Greedy: each pick is the sentence covering most of the question terms not yet covered,
    so a two-part question gets one sentence per part and a one-fact question one sentence."""
    wanted = question_terms(question) or terms(question)
    total = sum(wanted.values())
    wants_number = bool(_ASKS_FOR_NUMBER.search(question))
    candidates = []  # (passage n, position in passage, sentence, its terms)
    seen: set[str] = set()
    for p in passages:
        text = p.chunk.text
        seen.add(p.chunk.title.strip())  # the headline repeats the question's words but states no fact
        for a, b in split_sentences(text):
            sentence = text[a:b].strip()
            # neighbouring chunks repeat a sentence (chunk overlap): say it once
            if len(sentence) >= MIN_SENTENCE_CHARS and sentence not in seen:
                seen.add(sentence)
                candidates.append((p.n, a, sentence, terms(sentence)))
    uncovered = dict(wanted)
    chosen, used = [], 0
    while candidates and len(chosen) < max_sentences and total:
        scored = []
        for c in candidates:
            gain = sum(w for t, w in uncovered.items() if t in c[3]) / total
            if gain >= MIN_GAIN:
                if wants_number and any(ch.isdigit() for ch in c[2]):
                    gain += NUMBER_BONUS
                scored.append((-gain, c[0], c[1], c))  # ties: earlier passage, earlier sentence
        if not scored:
            break
        pick = min(scored, key=lambda s: s[:3])[3]
        candidates.remove(pick)
        if chosen and used + len(pick[2]) > max_chars:
            continue
        chosen.append(pick)
        used += len(pick[2])
        uncovered = {t: w for t, w in uncovered.items() if t not in pick[3]}
    chosen.sort(key=lambda c: (c[0], c[1]))  # reading order: as the passages tell it
    return "".join(_cite(sentence, n, max_chars) for n, _, sentence, _ in chosen)


def _cite(sentence: str, n: int, max_chars: int) -> str:
    """The sentence with `[n]` before its final punctuation (a full stop if it had none)."""
    ending = ENDING.search(sentence).group()  # sentence is stripped
    body = sentence[: len(sentence) - len(ending)]
    if len(body) > max_chars:  # only the best sentence can be this long: keep its start
        body, ending = body[: max_chars - 1] + "…", ""
    if not ending or ending[0] in "；;":  # joined to sentences from elsewhere, it must end here
        ending = "。" + ending[1:]
    return f"{body}[{n}]{ending}"
