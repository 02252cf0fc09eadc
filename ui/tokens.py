"""API tokens: named, scoped to knowledge bases, optionally admin, optionally expiring; stored hashed.

A token reads `zk_<id>_<secret>`; `tokens.json` under the data folder keeps its id, name, scope and
the SHA-256 of the whole token (the secret is 32 random bytes, so a plain hash is as strong as a
slow one), never the token itself: it is shown once, by `zhiku token create`. The file is written
whole and renamed into place, and re-read by a running server when the CLI changes it, so a
revoked token stops working at the next request.

Usage:
    store = TokenStore(data_dir / "tokens.json")
    plain, info = store.create("hr-bot", collections=["hr"], expires="30d")
    store.check(plain)   # -> ApiToken, or None when unknown, revoked or expired
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from index.errors import ZhikuError
from index.files import ChangedFile, write_atomically

PREFIX = "zk_"
_TOKEN = re.compile(r"^zk_([0-9a-f]{12})_([A-Za-z0-9_-]{20,100})$")
_DURATION = re.compile(r"^(\d+)\s*([smhdw])$")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_duration(value: str) -> int:
    """`30d`, `12h`, `90m`, `2w`, `3600s` -> seconds."""
    found = _DURATION.match((value or "").strip().lower())
    if not found or int(found.group(1)) <= 0:
        raise ZhikuError(f"duration {value!r}: use a number and a unit, e.g. 30d, 12h, 90m")
    return int(found.group(1)) * _SECONDS[found.group(2)]


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ApiToken:
    id: str
    name: str
    collections: tuple[str, ...]  # what it may read; ("*",) = every knowledge base
    admin: bool
    created_at: float
    expires_at: float | None = None
    revoked_at: float | None = None
    sha256: str = ""

    def active(self, now: float | None = None) -> bool:
        now = time.time() if now is None else now
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)

    def public(self) -> dict:
        """What `token list` shows: everything but the hash."""
        return {k: v for k, v in asdict(self).items() if k != "sha256"}


class TokenStore:
    def __init__(self, path: Path):
        self.path = Path(path)
        self._file: ChangedFile[dict[str, ApiToken]] = ChangedFile(self.path)

    def all(self) -> dict[str, ApiToken]:
        return self._file.read(self._read)

    def any_active(self) -> bool:
        return any(t.active() for t in self.all().values())

    def check(self, token: str) -> ApiToken | None:
        """The token's record when it is known, not revoked and not expired."""
        found = _TOKEN.match(token or "")
        if not found:
            return None
        record = self.all().get(found.group(1))
        if record is None or not hmac.compare_digest(record.sha256, digest(token)):
            return None
        return record if record.active() else None

    def check_id(self, token_id: str) -> ApiToken | None:
        """An active token by id (a session cookie or a widget token names its issuer by id)."""
        record = self.all().get(token_id)
        return record if record is not None and record.active() else None

    def create(self, name: str, collections: list[str], admin: bool = False,
               expires: str = "") -> tuple[str, ApiToken]:
        name = (name or "").strip()
        if not name or len(name) > 100 or not name.isprintable():
            raise ZhikuError("a token needs a name (up to 100 printable characters)")
        scope = tuple(dict.fromkeys(c.strip() for c in collections if c.strip()))
        if not scope:
            raise ZhikuError("name the knowledge bases the token may read: --collections a,b (or '*' for all)")
        token_id = secrets.token_hex(6)
        plain = f"{PREFIX}{token_id}_{secrets.token_urlsafe(32)}"
        now = time.time()
        record = ApiToken(token_id, name, scope, admin, now, now + parse_duration(expires) if expires else None,
                          sha256=digest(plain))
        self._write({**self.all(), token_id: record})
        return plain, record

    def revoke(self, name_or_id: str) -> list[ApiToken]:
        """Revoke by id, or every active token of that name."""
        tokens = self.all()
        chosen = [t for t in tokens.values() if t.revoked_at is None and name_or_id in (t.id, t.name)]
        if not chosen:
            raise ZhikuError(f"no active token with the id or name {name_or_id!r}: `zhiku token list` shows them")
        now = time.time()
        updated = dict(tokens)
        for t in chosen:
            updated[t.id] = ApiToken(**{**asdict(t), "revoked_at": now, "collections": t.collections})
        self._write(updated)
        return [updated[t.id] for t in chosen]

    def _read(self) -> dict[str, ApiToken]:
        if not self.path.exists():
            return {}
        try:
            items = json.loads(self.path.read_text(encoding="utf-8")).get("tokens", [])
            return {i["id"]: ApiToken(**{**i, "collections": tuple(i["collections"])}) for i in items}
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ZhikuError(f"{self.path} cannot be read ({exc}); fix or remove it") from exc

    def _write(self, tokens: dict[str, ApiToken]) -> None:
        data = {"tokens": [{**asdict(t), "collections": list(t.collections)} for t in tokens.values()]}
        write_atomically(self.path, json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"), private=True)
        self._file.forget()


def server_secret(data_dir: Path) -> bytes:
    """The key session cookies and widget tokens are signed with: 32 random bytes made once,
    kept in `<data_dir>/secret.key` (owner-only)."""
    path = Path(data_dir) / "secret.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(secrets.token_bytes(32))
        except FileExistsError:
            pass  # another process made it first
    key = path.read_bytes()
    if len(key) < 32:
        raise ZhikuError(f"{path} is damaged (shorter than 32 bytes); delete it to make a new one")
    return key
