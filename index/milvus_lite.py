"""What embedded Milvus Lite (the pure-Python `milvus-lite` 3.x, started by pymilvus for a `.db`
path) needs beyond the Milvus protocol: client options, one process per file, letting the file go,
and the repair of index files a kill cut short."""

from __future__ import annotations

import logging
from pathlib import Path

from index.errors import ZhikuError

log = logging.getLogger(__name__)

BUSY_HINT = " (Milvus Lite opens a .db in one process at a time: is `zhiku serve` or a build using it?)"


def is_lite(uri: str) -> bool:
    return not uri.startswith(("http://", "https://", "tcp://", "unix:"))


def lite_options(uri: str) -> dict:
    """MilvusClient options for a Lite file (its folder made first); a clear error for a bad path."""
    if not uri.endswith(".db"):
        raise ZhikuError(f"ZHIKU_MILVUS_URI={uri!r}: a Milvus Lite file must end in .db, a server is http://host:19530")
    Path(uri).parent.mkdir(parents=True, exist_ok=True)
    # Lite's analyzer loads jieba's dictionary, and jieba sets its logger to DEBUG when imported:
    # import it first, or every command on Milvus prints jieba's loading lines twice
    import jieba

    jieba.setLogLevel(logging.WARNING)
    # Lite's in-process server turns away a client that pings while idle (GOAWAY too_many_pings,
    # logged while the embedder works): there is no network to watch
    return {"grpc_options": {"grpc.keepalive_permit_without_calls": 0}}


def release(uri: str) -> None:
    """Stop this process's Lite server of the file (for every client of it here)."""
    from milvus_lite.server_manager import server_manager_instance

    server_manager_instance.release_server(uri)


def drop_index_files(uri: str, collection: str) -> bool:
    """Milvus Lite 3.2 writes a segment's index file in place; killed mid-write, the file is cut
    short, and Lite then fails to load the collection ever after ("No data left in file"). The files
    are derived data (Lite builds a missing one from the segment on load), so after a failed load
    they are deleted and rebuilt. True when there were any."""
    folders = (Path(uri) / "collections" / collection).glob("partitions/*/indexes")
    files = [f for folder in folders for f in folder.iterdir() if f.suffix in (".idx", ".sidx")]  # vector, scalar
    log.warning("Milvus Lite could not load %s; rebuilding its %d index files", collection, len(files))
    for path in files:
        path.unlink(missing_ok=True)
    return bool(files)
