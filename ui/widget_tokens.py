"""Short-lived widget tokens: what a host page's back end mints for one visitor and puts in the
script tag, instead of a long-lived token anyone could copy out of the page.

A widget token is signed, not stored: `zkw_<payload>.<signature>`, the payload (base64url JSON)
naming the one site it may be used from, the knowledge bases it may read, the visitor's name, its
expiry, and the API token that minted it (revoking that token ends its widget tokens too). The
signature is an HMAC-SHA256 under the server's secret (ui/tokens.py `server_secret`).

Usage:
    token = mint(secret, origin="https://intranet.example.com", collections=["default"], user="张三", ttl_s=3600, by="a1b2c3")
    claims = verify(secret, token)   # WidgetClaims, or raises WidgetTokenError (expired, malformed, forged)
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass

PREFIX = "zkw_"
MAX_TTL_S = 86400  # a day at most: the host page mints a fresh one on each page load
EXPIRED = "the widget token has expired: reload the page (请刷新页面)"


class WidgetTokenError(Exception):
    """A widget token that cannot be used; `status` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 401):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class WidgetClaims:
    origin: str
    collections: tuple[str, ...]
    user: str
    expires_at: float
    by: str  # the minting API token's id, or "admin" for ZHIKU_TOKEN


def mint(secret: bytes, origin: str, collections: list[str], user: str, ttl_s: int, by: str) -> str:
    payload = json.dumps({"o": origin, "c": list(collections), "u": user, "exp": int(time.time()) + int(ttl_s),
                          "by": by}, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    body = _b64(payload)
    return f"{PREFIX}{body}.{_sign(secret, body)}"


def verify(secret: bytes, token: str) -> WidgetClaims:
    body, dot, signature = token.removeprefix(PREFIX).partition(".")
    if not token.startswith(PREFIX) or not dot or not hmac.compare_digest(signature, _sign(secret, body)):
        raise WidgetTokenError("the widget token is not valid: mint a new one with POST /api/widget-tokens")
    try:
        data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        claims = WidgetClaims(str(data["o"]), tuple(str(c) for c in data["c"]), str(data["u"]),
                              float(data["exp"]), str(data["by"]))
    except (ValueError, KeyError, TypeError) as exc:
        raise WidgetTokenError("the widget token is not valid: mint a new one with POST /api/widget-tokens") from exc
    if time.time() >= claims.expires_at:
        raise WidgetTokenError(EXPIRED)
    return claims


def _sign(secret: bytes, body: str) -> str:
    return _b64(hmac.new(secret, b"zhiku-widget-v1." + body.encode("ascii"), hashlib.sha256).digest())


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")
