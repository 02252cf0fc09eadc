"""Where the evidence lands in the passages, with and without each route's best passage put
first (rag.retrieval.leaders_first), side by side on the same index and questions.

Every answerable question with evidence strings in the shipped sets and the dev set is searched
twice: once taking the store's fused order as it is, once as zhiku searches (BM25's best, then
the dense model's best, then the fused order). The figure is how many questions find a passage
holding an evidence string first, in the first two, in the first three: at the default context
budget the model reads two or three passages. Retrieval only, no LLM.

Usage: python -m bench.leaders_first [--quick]
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from bench.common import DEV_SET, REPO, demo_index, machine, parse_args, quiet_logs, read_jsonl, save, settings_for, table

SETS = sorted((REPO / "eval" / "testsets").glob("*.jsonl"))
DEPTHS = (1, 2, 3)


def first_evidence(hits, evidence: list[str]) -> int | None:
    """0-based rank of the first hit holding an evidence string (whitespace ignored), or None."""
    wanted = ["".join(e.split()) for e in evidence]
    return next((i for i, h in enumerate(hits) if any(w in "".join(h.chunk.text.split()) for w in wanted)), None)


def main() -> None:
    args = parse_args(__doc__.splitlines()[0])
    quiet_logs()
    from rag.components import open_retriever

    work = Path(tempfile.mkdtemp(prefix="zhiku-bench-leaders-"))
    try:
        info = machine()
        info["index"] = demo_index(work / "index")
        retriever = open_retriever(settings_for(work / "index"))
        items = [q for path in [DEV_SET, *SETS] if path.exists() for q in read_jsonl(path)
                 if q.get("type") != "unanswerable" and q.get("evidence")]
        if args.quick:
            items = items[:40]
        ranks: dict[str, list[int | None]] = {"fused": [], "leaders first": []}
        for q in items:
            vector = retriever.embedder.embed_query(q["question"])
            fused = retriever.store.search(q["question"], vector, 10, "hybrid", candidates=retriever.candidates,
                                           rrf_k=retriever.rrf_k)
            ranks["fused"].append(first_evidence(fused, q["evidence"]))
            ranks["leaders first"].append(first_evidence(retriever.search(q["question"], top_k=10), q["evidence"]))
        rows = [[name, *(sum(1 for r in found if r is not None and r < d) for d in DEPTHS), len(found)]
                for name, found in ranks.items()]
        moved = sum(1 for a, b in zip(*ranks.values()) if a != b)
        save("leaders_first", args.quick, info, {"ranks": ranks, "questions": len(items)},
             {"questions whose evidence is in the first n passages": table(
                 ["order", *(f"first {d}" for d in DEPTHS), "questions"], rows)},
             [f"{moved} of {len(items)} questions find their first evidence at another rank"])
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
