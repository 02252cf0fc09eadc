"""Test cases collected from real questions: appended to `<data_dir>/testsets/<name>.jsonl` in
the format `zhiku eval run` reads (eval/testset.py), each with the question log's id.

A reviewed case carries what the reviewer confirmed (answer, keywords, an evidence span of a
retrieved passage) or is marked unanswerable (a content gap). `zhiku log export` writes drafts
in bulk: the logged answer as the reference, no keywords, refused questions as unanswerable.

Usage:
    case = reviewed_case(42, "图书馆周一开放吗？", answer="周一闭馆", keywords=["闭馆"], evidence=["区图书馆周一闭馆"])
    append_case(testset_path(settings.data_dir, "staff"), case)
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import unicodedata
from pathlib import Path

from eval.testset import TYPES, UNANSWERABLE, parse_item
from index.errors import ZhikuError

FOLDER = "testsets"
_NAME = re.compile(r"^[\w\-]{1,64}$")
MAX_KEYWORDS = 10
MAX_EVIDENCE = 5


def testset_path(data_dir: Path, name: str) -> Path:
    """`<data_dir>/testsets/<name>.jsonl`; a name is letters, digits, _ and - (Chinese is fine)."""
    name = (name or "").strip().removesuffix(".jsonl")
    if not _NAME.match(name):
        raise ZhikuError(f"test set name {name[:80]!r}: use 1–64 letters, digits, _ or - (e.g. staff-questions)")
    return Path(data_dir) / FOLDER / f"{name}.jsonl"


def list_testsets(data_dir: Path) -> list[Path]:
    folder = Path(data_dir) / FOLDER
    return sorted(folder.glob("*.jsonl")) if folder.is_dir() else []


def case_id(log_id: int) -> str:
    return f"log-{log_id}"


def reviewed_case(log_id: int, question: str, *, answer: str = "", keywords: list[str] | None = None,
                  evidence: list[str] | None = None, sources: list[str] | None = None,
                  unanswerable: bool = False, type_: str = "factoid") -> dict:
    """One test case as a reviewer confirmed it; ZhikuError says what is missing or wrong."""
    keywords = _clean_list(keywords, "keywords", MAX_KEYWORDS)
    evidence = _clean_list(evidence, "evidence", MAX_EVIDENCE)
    if unanswerable:
        type_, keywords, evidence, answer = UNANSWERABLE, [], [], ""
    elif type_ not in TYPES or type_ == UNANSWERABLE:
        raise ZhikuError(f"type {type_!r}: use one of {', '.join(t for t in TYPES if t != UNANSWERABLE)}, "
                         "or mark the case unanswerable")
    elif not keywords and not evidence:
        raise ZhikuError("an answerable case needs at least one keyword or an evidence span "
                         "(or mark it unanswerable: a content gap)")
    case = {"id": case_id(log_id), "question": question.strip(), "answer": answer.strip(),
            "answer_keywords": keywords, "evidence": evidence, "source": list(sources or []),
            "type": type_, "log_id": log_id}
    parse_item(case)  # the shape `zhiku eval run` reads
    return case


def draft_case(row: dict) -> dict:
    """A logged question as an unreviewed case (`zhiku log export`)."""
    refused = bool(row.get("refused"))
    sources = sorted({h["source"] for h in row.get("hits", [])[:1]}) if not refused else []
    return {"id": case_id(row["id"]), "question": row["question"], "standalone": row.get("standalone", ""),
            "answer": "" if refused else row.get("answer", ""), "answer_keywords": [], "evidence": [],
            "source": sources, "type": UNANSWERABLE if refused else "factoid", "log_id": row["id"],
            "asked_at": row.get("created_at", ""), "draft": True}


def evidence_in(span: str, passage: str) -> bool:
    """The span is in the passage, ignoring whitespace, case and full/half-width forms."""
    return _normal(span) in _normal(passage) if span.strip() else False


def append_case(path: Path, case: dict) -> dict:
    """Append one case; refuses an id the file already holds (each logged question once)."""
    parse_item(case)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(case, ensure_ascii=False) + "\n"
    with open(path, "a+", encoding="utf-8") as f:
        fcntl.flock(f, fcntl.LOCK_EX)  # two reviewers appending at once write whole lines
        try:
            f.seek(0)
            existing = f.read()
            for n, old in enumerate(existing.splitlines(), 1):
                try:
                    old_id = json.loads(old).get("id") if old.strip() else None
                except ValueError:
                    raise ZhikuError(f"{path}, line {n} is not JSON: fix or remove it before adding cases") from None
                if old_id == case["id"]:
                    raise ZhikuError(f"{path.name} already holds {case['id']} (line {n})")
            if existing and not existing.endswith("\n"):
                line = "\n" + line
            f.write(line)
            f.flush()
            os.fsync(f.fileno())
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)
    return case


def write_cases(path: Path, cases: list[dict]) -> int:
    """A whole file of cases (the bulk export), written to a temporary file then renamed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases), encoding="utf-8")
    os.replace(tmp, path)
    return len(cases)


def _clean_list(values: list[str] | None, what: str, limit: int) -> list[str]:
    values = [v.strip() for v in (values or []) if isinstance(v, str) and v.strip()]
    if len(values) > limit:
        raise ZhikuError(f"at most {limit} {what}, not {len(values)}")
    if any(len(v) > 200 for v in values):
        raise ZhikuError(f"each of the {what} is at most 200 characters: a short phrase of the answer")
    return values


def _normal(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).lower().split())


def case_results(run_dir: Path) -> list[dict]:
    """Each case of a finished run: {id, question, passed (every check that applies), checks}."""
    rows = []
    results = Path(run_dir) / "results.jsonl"
    for line in results.read_text(encoding="utf-8").splitlines() if results.is_file() else []:
        row = json.loads(line)
        checks = {k: v for k, v in (row.get("passed") or {}).items() if v is not None}
        ok = bool(checks) and all(checks.values()) and not row.get("error")
        rows.append({"id": row["id"], "question": row["question"], "passed": ok, "checks": checks,
                     "refused": row.get("refused"), "answer": row.get("answer") or ""})
    return rows
