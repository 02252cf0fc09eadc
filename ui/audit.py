"""The audit log: one JSON line per answered question — who asked (user, how they signed in, which
API token by id), through what (api, chat, widget, openai), which knowledge bases were searched,
and which articles were cited. Never a token, a secret or the answer's text; the question itself
belongs to the question log, not here.

    {"time": "2026-12-04T20:31:07+0000", "user": "张三", "via": "proxy", "channel": "chat",
     "collections": ["default", "hr"], "refused": false, "cited": [{"collection": "hr", "source": "hr/假期.md", "title": "年假制度"}]}

Usage: `AuditLog(settings.data_dir / "audit.log").record(reader, where, answer, "api")`.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from index.store import Where
from rag.records import Answer
from ui.identity import Reader

log = logging.getLogger(__name__)


class AuditLog:
    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()

    def record(self, reader: Reader, where: Where | None, answer: Answer, channel: str) -> None:
        cited = []
        for citation in answer.citations:
            item = {"collection": citation.chunk.collection, "source": citation.chunk.source,
                    "title": citation.chunk.title}
            if item not in cited:
                cited.append(item)
        line = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "user": reader.user,
            "via": reader.via,
            "token_id": reader.token_id,
            "channel": channel,
            "collections": list(where.collections) if where is not None and where.collections is not None else ["*"],
            "refused": answer.refused,
            "cited": cited,
        }
        try:
            with self._lock:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with open(self.path, "a", encoding="utf-8") as fh:
                    fh.write(json.dumps(line, ensure_ascii=False) + "\n")
        except OSError as exc:  # the answer still goes out; the admin sees why the line is missing
            log.error("audit log %s not written: %s", self.path, exc)

    def audited(self, events: Iterator, reader: Reader, where: Where | None, channel: str) -> Iterator:
        """`events` passed through, the final Answer recorded as it goes by."""
        for event in events:
            if isinstance(event, Answer):
                self.record(reader, where, event, channel)
            yield event


def audit_path(settings) -> Path:
    return settings.audit_log or settings.data_dir / "audit.log"
