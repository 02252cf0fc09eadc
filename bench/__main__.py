"""Run every benchmark, each in its own process: `python -m bench [--quick]`.

The full run takes about two hours on a 2-core machine: the context budget grid alone answers
~200 questions three times (it stops at 55 minutes and says how far it got) and the concurrent
users run 3 configurations x 4 user counts x 3 minutes; the rest fits in 30 minutes (slow parts
stop at time budgets). --quick runs small subsets. A failing script is reported, the rest run.
"""

from __future__ import annotations

import subprocess
import sys
import time

from bench.common import REPO, fmt_load, loadavg, parse_args

SCRIPTS = ["index_build", "embed_dtype", "reindex", "retrieval_scale", "ann_recall", "leaders_first", "answer_latency", "first_content",
           "context_budget", "concurrent_users", "cold_start", "omp_wait", "question_log", "ocr", "verify_cost"]


def main() -> int:
    args = parse_args(__doc__.splitlines()[0])
    started = time.perf_counter()
    status = []
    for name in SCRIPTS:
        print(f"\n=== bench.{name}{' --quick' if args.quick else ''} (load {fmt_load(loadavg())}) ===", flush=True)
        began = time.perf_counter()
        code = subprocess.run([sys.executable, "-m", f"bench.{name}"] + (["--quick"] if args.quick else []),
                              cwd=REPO).returncode
        status.append((name, code, time.perf_counter() - began))
    print("\n=== summary ===")
    for name, code, seconds in status:
        print(f"{name:<16} {'ok' if code == 0 else f'FAILED ({code})':<12} {seconds:6.0f} s")
    print(f"total {time.perf_counter() - started:.0f} s, load {fmt_load(loadavg())}")
    return 1 if any(code for _, code, _ in status) else 0


if __name__ == "__main__":
    sys.exit(main())
