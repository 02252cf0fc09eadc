"""Print every result file's tables as markdown (for docs/BENCHMARKS.md): `python -m bench.report [--quick]`."""

from __future__ import annotations

import json

from bench.common import RESULTS, machine_line, parse_args

ORDER = ["index_build", "embed_dtype", "reindex", "retrieval_scale", "ann_recall", "answer_latency", "first_content",
         "context_budget", "concurrent_users", "cold_start", "omp_wait", "question_log", "ocr"]


def main() -> None:
    args = parse_args(__doc__.splitlines()[0])
    for name in ORDER:
        path = RESULTS / f"{name}{'.quick' if args.quick else ''}.json"
        if not path.exists():
            print(f"## {name}\n\n(no results yet: run `python -m bench.{name}`)\n")
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        m = data["machine"]
        print(f"## {name}\n\n{m['started']} · {machine_line(m)}\n")
        for title, text in data["tables"].items():
            print(f"**{title}**\n\n{text}\n")
        for note in data.get("notes", []):
            print(f"- {note}")
        print()


if __name__ == "__main__":
    main()
