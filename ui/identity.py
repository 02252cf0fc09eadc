"""Who is asking: the one place a request becomes a `Reader` (user, groups, the knowledge bases
they may read, whether they are an admin). Every route, the chat and the widget use it.

A request proves who it is by, in this order:
1. a token (`Authorization: Bearer …` or `?token=…`): ZHIKU_TOKEN is the admin token; an API
   token (`zhiku token create`) reads what it was created for; a widget token
   (`POST /api/widget-tokens`) reads what it was minted for, from its one site;
2. the session cookie a page load with a token set (pages and the Gradio chat only);
3. a reverse proxy's sign-in headers (ZHIKU_TRUSTED_USER_HEADER, ZHIKU_TRUSTED_GROUPS_HEADER),
   honoured only when the request comes straight from an address in ZHIKU_TRUSTED_PROXIES;
4. nothing: on a server with no way to sign in configured (no ZHIKU_TOKEN, no API token, no
   proxy header) everyone is an anonymous reader of the collections open to everyone (`*`), as a
   fresh `make run` has always been; otherwise the request is refused (401).

Usage: `reader = identity.resolve(headers, client_host, query_token, cookie)`; routes read
`reader_of(request)` (ui/access.py put it on the request).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from collections.abc import Collection
from dataclasses import dataclass, field

from index.collections import EVERYONE, CollectionRegistry
from index.errors import ZhikuError
from index.store import Where
from ui.tokens import PREFIX as API_PREFIX, TokenStore
from ui.widget_tokens import PREFIX as WIDGET_PREFIX, WidgetTokenError, verify

ADMIN_USER = "admin"
COOKIE = "zhiku_session"


class AccessDenied(Exception):
    """A credential that was presented but cannot be used (expired, revoked, forged, wrong site)."""

    def __init__(self, message: str, status: int = 401, widget: bool = False):
        super().__init__(message)
        self.status = status
        self.widget = widget  # a widget token's: the widget's panel shows it as a page


@dataclass(frozen=True)
class Reader:
    """Who asks, and what they may read. `collections` is resolved against the registry."""

    user: str
    collections: frozenset[str]
    is_admin: bool = False
    groups: frozenset[str] = frozenset()
    via: str = "open"  # admin-token, api-token, widget, proxy, open
    origin: str = ""  # a widget token's one site
    token_id: str = field(default="", compare=False)  # which API token (never the token itself)

    def may_read(self, collection: str) -> bool:
        return self.is_admin or collection in self.collections

    def may_write(self, collection: str) -> bool:
        """Uploads and removals: admins anywhere; on an open server, anyone in what they may read
        (the knowledge-base tab of a fresh `make run` works as before)."""
        return self.is_admin or (self.via == "open" and collection in self.collections)

    def searchable(self, narrowed: Collection[str] | None = None) -> tuple[str, ...]:
        """What a question searches: everything this reader may read, or the part of it named.
        A name they may not read is refused with the same words as one that does not exist."""
        if not narrowed:
            return tuple(sorted(self.collections))
        unknown = [c for c in narrowed if c not in self.collections]
        if unknown:
            raise ZhikuError(f"no knowledge base named {unknown[0]!r} that you may read")
        return tuple(sorted(set(narrowed)))

    def where(self, narrowed: Collection[str] | None = None) -> Where:
        return Where(collections=self.searchable(narrowed))


class Identity:
    def __init__(self, settings, registry: CollectionRegistry, tokens: TokenStore, secret: bytes):
        self.settings = settings
        self.registry = registry
        self.tokens = tokens
        self.secret = secret
        self._proxies = [ipaddress.ip_network(p.strip(), strict=False) for p in settings.trusted_proxies if p.strip()]

    @property
    def required(self) -> bool:
        """Whether every request must prove who it is (some way to sign in is configured)."""
        return bool(self.settings.token or self.settings.trusted_user_header or self.tokens.any_active())

    # --- resolving -----------------------------------------------------------------------------

    def resolve(self, headers, client_host: str, presented: list[str], cookie: str = "") -> Reader | None:
        """The reader, or None when nothing proves who asks on a server that requires it.
        `presented`: tokens from the Authorization header and ?token= (in that order)."""
        for token in presented:
            reader = self._from_token(token, headers, client_host)
            if reader is not None:
                return reader
        if cookie:
            reader = self._from_cookie(cookie, headers, client_host)
            if reader is not None:
                return reader
        proxied = self._from_proxy(headers, client_host)
        if proxied is not None:
            return proxied
        if presented and self.required:
            raise AccessDenied("the access token is not valid (unknown, revoked or expired)")
        if self.required:
            return None
        return Reader("", frozenset(self.registry.readable(())), via="open")

    def page_reader(self, request) -> Reader:
        """The reader behind a Gradio event (its request carries the page's cookie and the proxy's
        headers, not the token). The access layer let the request in, so someone is behind it;
        when nothing proves who, they read nothing."""
        cookies = getattr(request, "cookies", None) or {}
        client = getattr(getattr(request, "client", None), "host", "") or ""
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        presented = [value.strip()] if scheme.lower() == "bearer" and value.strip() else []
        try:
            reader = self.resolve(request.headers, client, presented, cookies.get(COOKIE, ""))
        except AccessDenied:
            reader = None
        return reader or Reader("", frozenset(), via="none")

    def admin(self, user: str = ADMIN_USER) -> Reader:
        return Reader(user, frozenset(self.registry.all()), is_admin=True, via="admin-token")

    def _from_token(self, token: str, headers, client_host: str) -> Reader | None:
        if self.settings.token and hmac.compare_digest(token.encode("utf-8"), self.settings.token.encode("utf-8")):
            return self.admin(self.proxy_user(headers, client_host) or ADMIN_USER)
        if token.startswith(API_PREFIX):
            record = self.tokens.check(token)
            if record is None:
                raise AccessDenied("the API token is not valid (unknown, revoked or expired)")
            return self._token_reader(record)
        if token.startswith(WIDGET_PREFIX):
            return self._widget_reader(token, headers)
        return None

    def _token_reader(self, record) -> Reader:
        known = set(self.registry.all())
        readable = known if EVERYONE in record.collections or record.admin else known & set(record.collections)
        return Reader(record.name, frozenset(readable), is_admin=record.admin, via="api-token", token_id=record.id)

    def _widget_reader(self, token: str, headers) -> Reader:
        try:
            claims = verify(self.secret, token)
        except WidgetTokenError as exc:
            raise AccessDenied(str(exc), exc.status, widget=True) from None
        if claims.by != ADMIN_USER and self.tokens.check_id(claims.by) is None:
            raise AccessDenied("the widget token's issuer was revoked: reload the page (请刷新页面)", widget=True)
        origin = headers.get("origin")
        own = {headers.get("host", "").lower(), headers.get("x-forwarded-host", "").lower()} - {""}
        if origin and origin.lower() != claims.origin and origin.lower().split("://", 1)[-1] not in own:
            raise AccessDenied(f"this widget token is for {claims.origin}, not {origin[:100]}", 403, widget=True)
        readable = set(self.registry.all()) & set(claims.collections)
        return Reader(claims.user, frozenset(readable), via="widget", origin=claims.origin, token_id=claims.by)

    def _from_proxy(self, headers, client_host: str) -> Reader | None:
        user = self.proxy_user(headers, client_host)
        if not user:
            return None
        groups = frozenset()
        if self.settings.trusted_groups_header:
            raw = _header_text(headers.get(self.settings.trusted_groups_header, ""))
            groups = frozenset(g.strip() for g in raw.split(",") if g.strip() and g.strip() != EVERYONE)
        return Reader(user, frozenset(self.registry.readable(groups)), groups=groups, via="proxy")

    def proxy_user(self, headers, client_host: str) -> str:
        """The proxy's user name when the request came from a trusted proxy ('' otherwise)."""
        if not self.settings.trusted_user_header or not self.trusted(client_host):
            return ""
        return _header_text(headers.get(self.settings.trusted_user_header, ""))[:200]

    def trusted(self, client_host: str) -> bool:
        try:
            address = ipaddress.ip_address(client_host)
        except ValueError:
            return False
        return any(address in network for network in self._proxies)

    # --- session cookies -----------------------------------------------------------------------

    def session_for(self, reader: Reader) -> str:
        """What the session cookie holds for a reader who showed a token on a page load: proof,
        never the token. '' when the reader needs no cookie (proxy, open) or cannot have one."""
        if reader.via == "admin-token":
            return "a." + _mac(self.settings.token.encode("utf-8"), "zhiku-session-v1")
        if reader.via == "api-token":
            return f"t.{reader.token_id}.{_mac(self.secret, 'session.' + reader.token_id)}"
        return ""

    def _from_cookie(self, cookie: str, headers, client_host: str) -> Reader | None:
        kind, _, rest = cookie.partition(".")
        if kind == "a" and self.settings.token:
            if hmac.compare_digest(rest, _mac(self.settings.token.encode("utf-8"), "zhiku-session-v1")):
                return self.admin(self.proxy_user(headers, client_host) or ADMIN_USER)
        if kind == "t":
            token_id, _, mac = rest.partition(".")
            if hmac.compare_digest(mac, _mac(self.secret, "session." + token_id)):
                record = self.tokens.check_id(token_id)
                if record is not None:
                    return self._token_reader(record)
        return None


def _mac(key: bytes, message: str) -> str:
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).hexdigest()


def _header_text(value: str) -> str:
    try:  # HTTP headers arrive as latin-1; proxies send names like 张三 as UTF-8 bytes
        value = value.encode("latin-1").decode("utf-8")
    except UnicodeError:
        pass
    return "".join(ch for ch in value if ch.isprintable()).strip()


def reader_of(request) -> Reader:
    """The reader ui/access.py resolved for this request."""
    reader = getattr(request.state, "reader", None) if hasattr(request, "state") else None
    if reader is None:
        raise ZhikuError("no reader for this request: the access layer is not installed")
    return reader
