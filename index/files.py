"""Small files zhiku keeps beside its data (the knowledge-base registry, API tokens, uploads):
written whole or not at all, and re-read only when they changed on disk (the CLI edits them
while a server runs).

Usage:
    write_atomically(path, data, private=True)      # temporary file, fsync, rename
    cache = ChangedFile(path); cache.read(parse)     # parse(path) again only after a change
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Generic, TypeVar

T = TypeVar("T")


def write_atomically(path: Path, data: bytes, private: bool = False, prefix: str = "", suffix: str = "") -> None:
    """`path` holds `data` or what it held before, never a part: a temporary file beside it is
    written, flushed to disk and renamed over it. `private`: readable by its owner only."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=prefix or f".{path.name}-", suffix=suffix)
    try:
        if private:
            os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class ChangedFile(Generic[T]):
    """What a file parses to, parsed again only when its modification time changed."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._cache: tuple[int, T] | None = None

    def read(self, parse: Callable[[], T]) -> T:
        try:
            mtime = self.path.stat().st_mtime_ns
        except FileNotFoundError:
            mtime = -1
        if self._cache is None or self._cache[0] != mtime:
            self._cache = (mtime, parse())
        return self._cache[1]

    def forget(self) -> None:
        """After writing the file ourselves: the next read parses it (mtime may not have moved)."""
        self._cache = None
