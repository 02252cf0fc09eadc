"""Test sets: JSON Lines, one question per line.

    {"id": "q01", "question": "...", "answer": "...", "answer_keywords": ["491万辆"],
     "evidence": ["出口491万辆"], "source": "auto.txt", "type": "numeric", "difficulty": "easy"}

Only `question` is required; `id` defaults to the line number. Unanswerable items have type
"unanswerable" and no keywords or evidence.
Usage: `items = load_testset(Path("eval/testsets/sample.jsonl"))`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from index.errors import ZhikuError

TYPES = ("factoid", "numeric", "multi_hop", "comparison", "summary", "unanswerable")
UNANSWERABLE = "unanswerable"


@dataclass(frozen=True)
class EvalItem:
    id: str
    question: str
    answer: str = ""  # the reference answer, for people reading the report
    answer_keywords: tuple[str, ...] = ()  # a correct answer contains every one
    evidence: tuple[str, ...] = ()  # substrings of the passage that holds the answer
    sources: tuple[str, ...] = ()  # file names
    type: str = "other"
    difficulty: str = ""

    @property
    def answerable(self) -> bool:
        return self.type != UNANSWERABLE


def load_testset(path: Path) -> list[EvalItem]:
    """Every item of a JSON Lines file; a bad line raises ZhikuError naming the file and line."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except FileNotFoundError:
        raise ZhikuError(f"test set {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ZhikuError(f"cannot read test set {path}: {exc}") from exc
    items: list[EvalItem] = []
    seen: dict[str, int] = {}
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = parse_item(json.loads(line), default_id=f"line{lineno}")
        except (ValueError, TypeError) as exc:  # json.JSONDecodeError is a ValueError
            raise ZhikuError(f"{path}, line {lineno}: {exc}") from None
        if item.id in seen:
            raise ZhikuError(f"{path}, line {lineno}: id {item.id!r} already used on line {seen[item.id]}")
        seen[item.id] = lineno
        items.append(item)
    if not items:
        raise ZhikuError(f"test set {path} holds no questions")
    return items


def parse_item(record: object, default_id: str = "") -> EvalItem:
    """One decoded JSON line as an EvalItem; ValueError with a short reason when it is not one."""
    if not isinstance(record, dict):
        raise ValueError(f"expected a JSON object, got {type(record).__name__}")
    question = record.get("question")
    if not isinstance(question, str) or not question.strip():
        raise ValueError('"question" is missing or empty')
    item_id = record.get("id", default_id)
    if not isinstance(item_id, (str, int)) or isinstance(item_id, bool) or str(item_id) == "":
        raise ValueError('"id" must be a non-empty string or number')
    return EvalItem(
        id=str(item_id),
        question=question.strip(),
        answer=_text(record, "answer"),
        answer_keywords=_strings(record, "answer_keywords"),
        evidence=_strings(record, "evidence"),
        sources=_strings(record, "source"),
        type=_text(record, "type") or "other",
        difficulty=_text(record, "difficulty"),
    )


def _text(record: dict, key: str) -> str:
    value = record.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f'"{key}" must be a string')
    return value.strip()


def _strings(record: dict, key: str) -> tuple[str, ...]:
    """A list of strings; a single string (e.g. one source file) counts as a list of one."""
    value = record.get(key)
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f'"{key}" must be a list of strings')
    return tuple(v for v in value if v.strip())
