"""Records the answering stage hands to the UI and evaluation: Found (what retrieval found,
shown before the model answers), Citation and Answer.

Chunk and Hit come from `index.records`; they are re-exported here for convenience.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from index.records import Chunk, Hit

__all__ = ["Answer", "Chunk", "Citation", "Found", "Hit", "Passage"]


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk as shown to the model, numbered `[n]` in the prompt."""

    n: int
    hit: Hit

    @property
    def chunk(self) -> Chunk:
        return self.hit.chunk


@dataclass(frozen=True)
class Citation:
    """Marker `[n]` in an answer, pointing at a passage that was shown to the model."""

    n: int  # the marker as the user sees it: 1..m in order of first appearance in the answer
    chunk: Chunk
    quote: str  # the span of chunk.text that supports the sentence, to highlight


@dataclass(frozen=True)
class Found:
    """What retrieval found, streamed before the model is asked, so a reader has the evidence at
    once: the passages numbered `[n]` as the model reads them (so the markers it streams point
    at them), and the answer extracted from them, to be shown labelled as such (摘录).

    The final Answer renumbers its citations 1..m by first appearance; the UI replaces this then.
    """

    passages: list[Citation]  # n: the passage's number in the prompt; quote: its sentence closest to the question
    extract: str  # the passages' own sentences cited [n] (rag/extractive.py); "" when none matches
    standalone_question: str = ""  # what was searched


@dataclass(frozen=True)
class Answer:
    """The finished answer: text with verified `[n]` markers and where they point."""

    question: str  # as asked
    text: str
    citations: list[Citation] = field(default_factory=list)
    hits: list[Hit] = field(default_factory=list)  # everything retrieved, cited or not
    refused: bool = False  # the articles do not hold the answer
    answerer: str = "llm"  # llm or extractive
    notice: str = ""  # e.g. "LLM timed out; extracted answer"
    standalone_question: str = ""  # after condensing with the conversation history
    missing: str = ""  # a near miss answered as such: what the articles do not give ("" otherwise)
    timings_ms: dict[str, float] = field(default_factory=dict)
