"""Knowledge bases (collections): a name, a title, a folder of articles, and who may read it.

Kept in one small JSON file under the data folder (`collections.json`), written whole to a
temporary file and renamed over the old one, so a reader never sees half a file. The demo corpus
is the `default` collection, readable by everyone signed in (`*`), without any entry in the file:
a fresh install behaves as before.

Who may read a collection is decided here, at question time, from the groups a reader has; the
index only records which collection each chunk belongs to, so changing a collection's groups
takes effect at once, without re-indexing.

Usage:
    registry = CollectionRegistry(data_dir / "collections.json", default_folder=corpus_dir)
    registry.create("hr", folder=Path("/srv/hr"), groups=["hr", "managers"], title="人事制度")
    registry.readable(groups={"hr"})   # -> {"default", "hr"}
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection as Names
from dataclasses import asdict, dataclass
from pathlib import Path

from index.errors import ZhikuError
from index.files import ChangedFile, write_atomically
from index.records import DEFAULT_COLLECTION

EVERYONE = "*"  # a group every signed-in reader has
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
_GROUP = re.compile(r"^[^\s,]{1,100}$")


@dataclass(frozen=True)
class KnowledgeCollection:
    name: str
    title: str
    folder: Path
    groups: tuple[str, ...] = (EVERYONE,)

    def readable_by(self, groups: Names[str]) -> bool:
        return EVERYONE in self.groups or bool(set(self.groups) & set(groups))

    @property
    def public(self) -> bool:
        return EVERYONE in self.groups

    def file_path(self, source: str) -> Path | None:
        """The file behind an indexed source name of this collection, if it lies inside its folder."""
        prefix = "" if self.name == DEFAULT_COLLECTION else f"{self.name}/"
        if not source.startswith(prefix):
            return None
        root = self.folder.resolve()
        path = (root / source[len(prefix):]).resolve()
        return path if path.is_relative_to(root) and path.is_file() else None


def check_name(name: str) -> str:
    if not _NAME.match(name or ""):
        raise ZhikuError(f"collection name {name!r}: use 1-40 lowercase letters, digits, '-' or '_', "
                         "starting with a letter or digit (e.g. hr, finance-2024)")
    return name


def parse_groups(value: str | Names[str]) -> tuple[str, ...]:
    """`hr,managers` -> ("hr", "managers"); `*` = everyone signed in."""
    items = value.split(",") if isinstance(value, str) else list(value)
    groups = tuple(dict.fromkeys(g.strip() for g in items if g and g.strip()))
    if not groups:
        raise ZhikuError("name at least one group (or * for everyone signed in)")
    bad = [g for g in groups if not _GROUP.match(g)]
    if bad:
        raise ZhikuError(f"group {bad[0]!r} is not a group name (no spaces or commas)")
    return groups


class CollectionRegistry:
    def __init__(self, path: Path, default_folder: Path, default_title: str = "公共资料"):
        self.path = Path(path)
        self._default = KnowledgeCollection(DEFAULT_COLLECTION, default_title, Path(default_folder))
        self._file: ChangedFile[dict[str, KnowledgeCollection]] = ChangedFile(self.path)

    # --- reading -------------------------------------------------------------------------------

    def all(self) -> dict[str, KnowledgeCollection]:
        """Every collection by name, the default first; re-read when the file changed (the CLI
        edits it while a server runs)."""
        return self._file.read(self._read)

    def get(self, name: str) -> KnowledgeCollection:
        found = self.all().get(name)
        if found is None:
            raise ZhikuError(f"no knowledge base named {name!r}: `zhiku kb list` shows them")
        return found

    def readable(self, groups: Names[str]) -> set[str]:
        return {name for name, c in self.all().items() if c.readable_by(groups)}

    def restricted(self) -> list[str]:
        """Collections not open to everyone signed in."""
        return [name for name, c in self.all().items() if not c.public]

    def _read(self) -> dict[str, KnowledgeCollection]:
        found = {DEFAULT_COLLECTION: self._default}
        if not self.path.exists():
            return found
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            for item in data.get("collections", []):
                c = KnowledgeCollection(item["name"], item.get("title") or item["name"], Path(item["folder"]),
                                        tuple(item.get("groups") or (EVERYONE,)))
                found[c.name] = c
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ZhikuError(f"{self.path} cannot be read ({exc}); fix or remove it") from exc
        return found

    # --- writing -------------------------------------------------------------------------------

    def create(self, name: str, folder: Path, groups: Names[str] | str, title: str = "") -> KnowledgeCollection:
        check_name(name)
        if name in self.all():
            raise ZhikuError(f"the knowledge base {name!r} exists already")
        folder = Path(folder).resolve()
        if not folder.is_dir():
            raise ZhikuError(f"{folder} is not a folder")
        default_folder = self._default.folder.resolve()
        if folder == default_folder or folder.is_relative_to(default_folder) or default_folder.is_relative_to(folder):
            raise ZhikuError(f"{folder} overlaps the default knowledge base's folder {default_folder}: "
                             "give each knowledge base a folder of its own")
        created = KnowledgeCollection(name, title.strip() or name, folder, parse_groups(groups))
        self._write({**self.all(), name: created})
        return created

    def remove(self, name: str) -> KnowledgeCollection:
        if name == DEFAULT_COLLECTION:
            raise ZhikuError("the default knowledge base cannot be removed")
        removed = self.get(name)
        self._write({n: c for n, c in self.all().items() if n != name})
        return removed

    def _write(self, collections: dict[str, KnowledgeCollection]) -> None:
        items = [{**asdict(c), "folder": str(c.folder), "groups": list(c.groups)}
                 for n, c in collections.items() if n != DEFAULT_COLLECTION]
        data = json.dumps({"collections": items}, ensure_ascii=False, indent=1).encode("utf-8")
        write_atomically(self.path, data, prefix=".collections-", suffix=".json")
        self._file.forget()
