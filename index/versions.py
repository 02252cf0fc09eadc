"""Crash-safe index folders: each build writes a new version folder, then one atomic rename of a
small pointer file (`CURRENT`) switches readers over. A build killed at any moment leaves the
previous version in place and loadable; an unfinished folder is never pointed at.

Layout: index_dir/CURRENT, index_dir/versions/<version>/..., index_dir/.lock
"""

from __future__ import annotations

import calendar
import fcntl
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from index.errors import ZhikuError

POINTER = "CURRENT"


def current_version(index_dir: Path) -> Path | None:
    """The folder readers should load, or None when nothing was built yet."""
    try:
        name = (index_dir / POINTER).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    folder = index_dir / "versions" / name
    return folder if name and folder.is_dir() else None


def new_version_dir(index_dir: Path) -> Path:
    """A folder whose name sorts after every existing version's, so prune() can tell a killed
    build (newer than the current one) from an older version a server may still read.

    The name comes from one clock reading (seconds and nanoseconds read apart could straddle a
    second and sort before a build made a moment earlier); a clock set back still sorts later."""
    versions = index_dir / "versions"
    ns = time.time_ns()
    latest = max((p.name for p in versions.iterdir()), default="") if versions.is_dir() else ""
    if latest and _version_name(ns) <= latest:
        ns = _name_ns(latest) + 1
    folder = versions / _version_name(ns)
    folder.mkdir(parents=True)
    return folder


def _version_name(ns: int) -> str:
    return time.strftime("%Y%m%d-%H%M%S", time.gmtime(ns // 10**9)) + f"-{ns % 10**9:09d}"


def _name_ns(name: str) -> int:
    """The clock reading a version name was made from (names of older releases, in local time,
    read as UTC: close enough to order after them)."""
    try:
        seconds = calendar.timegm(time.strptime(name[:15], "%Y%m%d-%H%M%S"))
        return seconds * 10**9 + int(name[16:25])
    except ValueError:  # not a name we made: sort after it by the clock alone
        return time.time_ns()


def fsync_tree(folder: Path) -> None:
    """Flush every file of a finished version to disk before it is published."""
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            with open(path, "rb") as fh:
                os.fsync(fh.fileno())
    _fsync_dir(folder)


def publish(index_dir: Path, folder: Path) -> None:
    """Point readers at `folder` with one atomic rename."""
    tmp = index_dir / f".{POINTER}.{uuid.uuid4().hex[:6]}.tmp"
    tmp.write_text(folder.name + "\n", encoding="utf-8")
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, index_dir / POINTER)
    _fsync_dir(index_dir)


def prune(index_dir: Path, keep: int = 2) -> None:
    """Delete old and unfinished versions, keeping the current one and the newest others.

    The previous version stays so a server still reading it is not pulled from under its feet.
    """
    current = current_version(index_dir)
    older: list[Path] = []
    versions = index_dir / "versions"
    for folder in sorted(versions.iterdir() if versions.is_dir() else (), key=lambda p: p.name, reverse=True):
        if folder == current:
            continue
        if current is None or folder.name > current.name:
            shutil.rmtree(folder, ignore_errors=True)  # newer than current: a build that was killed
        else:
            older.append(folder)
    for folder in older[max(keep - 1, 0) :]:
        shutil.rmtree(folder, ignore_errors=True)
    for stale in index_dir.glob(f".{POINTER}.*.tmp"):
        stale.unlink(missing_ok=True)


@contextmanager
def index_lock(index_dir: Path) -> Iterator[None]:
    """One writer at a time: a second indexing process is refused with a clear message."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / ".lock", "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            raise ZhikuError(
                f"the index at {index_dir} is being updated by {holder}; try again when it finishes"
            ) from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()}")
        fh.flush()
        try:
            yield
        finally:
            fh.truncate(0)
            fcntl.flock(fh, fcntl.LOCK_UN)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
