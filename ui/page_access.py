"""What the Gradio tabs need of ui/identity.py: who is behind an event, what they may search,
the picker's choices, and the audit line. Without an identity (a standalone `demo.launch()` in a
test or a quick look) everything is open, as the chat always was.

Usage: `access = PageAccess(identity, audit)`; `reader, where = access.scope(request, ["hr"])`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from index.errors import ZhikuError
from index.knowledge_base import KnowledgeBase, KnowledgeBases
from index.store import Where
from ui.audit import AuditLog
from ui.identity import Identity, Reader

OPEN = Reader("", frozenset(), is_admin=True, via="open")


class PageAccess:
    def __init__(self, identity: Identity | None, audit: AuditLog | None = None, kbs: KnowledgeBases | None = None):
        self.identity = identity
        self.audit = audit
        self.kbs = kbs

    def reader(self, request) -> Reader:
        if self.identity is None or request is None:
            return OPEN
        return self.identity.page_reader(request)

    def scope(self, request, collections: list[str] | None) -> tuple[Reader, Where | None]:
        """The reader and the store filter for a question from the chat (picker narrows it)."""
        reader = self.reader(request)
        if self.identity is None:
            return reader, None
        return reader, reader.where(collections or None)

    def audited(self, events: Iterator, reader: Reader, where: Where | None) -> Iterator:
        return events if self.audit is None else self.audit.audited(events, reader, where, "chat")

    def user(self, request) -> str:
        return self.reader(request).user

    def choices(self, request) -> list[tuple[str, str]]:
        """(title, name) of the knowledge bases this reader may read: the chat's picker."""
        if self.identity is None:
            return []
        reader = self.reader(request)
        return [(c.title, name) for name, c in self.identity.registry.all().items() if reader.may_read(name)]

    def public(self) -> set[str] | None:
        """Collections everyone signed in may read (what example questions may come from); None = all."""
        if self.identity is None:
            return None
        return {name for name, c in self.identity.registry.all().items() if c.public}

    def may_write(self, request, collection: str) -> bool:
        return self.reader(request).may_write(collection)

    def knowledge_base(self, request, name: str, fallback: KnowledgeBase) -> KnowledgeBase:
        """The knowledge base the tab shows, if this reader may read it (the same error as for one
        that does not exist otherwise)."""
        if self.kbs is None:
            return fallback
        if not self.reader(request).may_read(name) or name not in self.kbs.registry.all():
            raise ZhikuError(f"no knowledge base named {name!r} that you may read")
        return self.kbs.get(name)

    def create_collection(self, request, name: str, folder: str, groups: str, title: str) -> str:
        """Admins only: register a knowledge base and index its folder; returns its name."""
        if self.kbs is None or not self.reader(request).is_admin:
            raise ZhikuError("only an admin may create knowledge bases")
        created = self.kbs.registry.create(name, Path(folder), groups, title)
        self.kbs.builder.build(created.folder, collection=created.name)
        return created.name
