"""Re-index after a change: one article edited in a copy of the demo corpus, and the time for
IndexBuilder.build (in process, model loaded) and for `zhiku index build` (a fresh process: start,
imports, model load) to bring the index up to date, against the full build in the same run.

Usage: python -m bench.reindex [--quick]
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import (DEMO_CORPUS, REPO, loadavg, machine, parse_args, quiet_logs, save, seed_index_cache,
                          settings_for, table)

QUICK_FILES = ["000_da36866608137284.txt"]
EDITS = ["001_ded5f9605ad5baf4.txt", "002_3556a2b9438e57bc.txt"]  # one article in each is edited
QUICK_EDITS = ["000_da36866608137284.txt", "000_da36866608137284.txt"]


def edit_one_article(path: Path, marker: str) -> None:
    """Insert a sentence in the middle of the file: one article, one or two chunks change."""
    text = path.read_text(encoding="utf-8")
    cut = text.index("。", len(text) // 2) + 1
    path.write_text(text[:cut] + f"（编辑{marker}：这句话是为测试重新索引而加入的。）" + text[cut:], encoding="utf-8")


def cli_build(corpus: Path, index_dir: Path) -> tuple[float, str]:
    zhiku = Path(sys.executable).with_name("zhiku")
    cmd = [str(zhiku)] if zhiku.exists() else [sys.executable, "-c", "from ui.cli import main; main()"]
    env = {**os.environ, "ZHIKU_INDEX_DIR": str(index_dir), "ZHIKU_CORPUS_DIR": str(corpus),
           "ZHIKU_DATA_DIR": str(index_dir.parent / "data"), "HF_HUB_OFFLINE": "1"}
    started = time.perf_counter()
    proc = subprocess.run(cmd + ["index", "build", str(corpus)], env=env, cwd=REPO, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"zhiku index build failed:\n{proc.stderr[-2000:]}")
    return seconds, proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""


def main(argv=None) -> dict:
    args = parse_args(__doc__.splitlines()[0], argv)
    quiet_logs()
    from rag.components import make_builder

    info = machine()
    work = Path(tempfile.mkdtemp(prefix="zhiku-bench-reindex-"))
    rows, results = [], {}
    try:
        corpus = work / "corpus"
        corpus.mkdir()
        for src in sorted(DEMO_CORPUS.iterdir()):
            if src.is_file() and (not args.quick or src.name in QUICK_FILES):
                shutil.copy(src, corpus / src.name)
                (corpus / src.name).chmod(stat.S_IRUSR | stat.S_IWUSR | stat.S_IRGRP | stat.S_IROTH)
        index_dir = work / "index"
        settings = settings_for(index_dir)
        builder = make_builder(settings)
        started = time.perf_counter()
        builder.embedder.dim  # noqa: B018 - load the model outside the timed builds
        results["model_load_s"] = time.perf_counter() - started

        def step(name: str, fn) -> None:
            load = loadavg()[0]
            started = time.perf_counter()
            report = fn()
            seconds = time.perf_counter() - started
            results[name] = {"seconds": seconds, "load1": load}
            if report is not None:
                results[name].update(chunks=report.chunks, embedded=report.embedded, reused=report.reused,
                                     files_changed=len(report.added) + len(report.updated))
                rows.append([name, seconds, report.chunks, report.embedded, report.reused, f"{load:.2f}"])

        step("full build (in process)", lambda: builder.build(corpus))
        edits = QUICK_EDITS if args.quick else EDITS
        edit_one_article(corpus / edits[0], "一")
        step("one article edited (in process)", lambda: builder.build(corpus))
        step("nothing changed (in process)", lambda: builder.build(corpus))
        edit_one_article(corpus / edits[1], "二")
        for name in ("one article edited (`zhiku index build`)", "nothing changed (`zhiku index build`)"):
            load = loadavg()[0]
            seconds, last_line = cli_build(corpus, index_dir)
            results[name] = {"seconds": seconds, "load1": load, "output": last_line}
            rows.append([name, seconds, "", "", "", f"{load:.2f}"])
        if not args.quick:
            (corpus / edits[0]).write_bytes((DEMO_CORPUS / edits[0]).read_bytes())
            (corpus / edits[1]).write_bytes((DEMO_CORPUS / edits[1]).read_bytes())
            builder.build(corpus)  # back to the demo corpus: a cache for the next scripts
            seed_index_cache(index_dir)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    full = results["full build (in process)"]["seconds"]
    for name, r in results.items():
        if isinstance(r, dict):
            r["fraction_of_full"] = r["seconds"] / full
    edited = results["one article edited (in process)"]["seconds"]
    cli_edited = results["one article edited (`zhiku index build`)"]["seconds"]
    notes = [f"full build / incremental after one edit: {full / edited:.1f}× in process, "
             f"{full / cli_edited:.1f}× as `zhiku index build` (which also starts Python and loads the model: "
             f"model load alone {results['model_load_s']:.1f} s)"]
    tab = table(["step", "wall s", "chunks", "embedded", "reused", "load1"], rows)
    save("reindex", args.quick, info, results, {"re-index after one edit": tab}, notes)
    return results


if __name__ == "__main__":
    main()
