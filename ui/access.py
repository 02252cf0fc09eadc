"""Who may use the server and which sites may embed it.

- Allowed origins (settings.allowed_origins) drive CORS for the API, the `frame-ancestors` of the
  embeddable chat, and a 403 for API calls a browser makes from any other site. None = same-origin.
- Who asks is resolved by ui/identity.py into a `Reader` put on the request (`request.state.reader`):
  a token as `Authorization: Bearer <token>` or `?token=<token>`, or the session cookie a page
  load with a token sets (the Gradio front end cannot add headers to its own requests; the cookie
  opens pages, not /api or /v1), or a trusted proxy's sign-in headers. The cookie holds an HMAC,
  never the token; tokens are compared in constant time and never logged. /healthz stays open.

Usage: `install_access(app, identity, origins)` once, after the routes are added.
"""

from __future__ import annotations

import html
import json
import logging
import re
from urllib.parse import parse_qs, urlsplit

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from index.errors import ZhikuError
from ui.identity import COOKIE, AccessDenied, Identity, Reader
from ui.signin import signin_page

OPEN_PATHS = ("/healthz", "/readyz", "/widget/check")  # probes carry no token; the check names no content
API_PREFIXES = ("/api/", "/v1/")
EMBED_PATH = "/embed"
ADMIN_PATHS = ("/eval-reports",)
_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.\-]+(:\d{1,5})?$|^https?://\[[0-9A-Fa-f:.]+\](:\d{1,5})?$")
_TOKEN_IN_TEXT = re.compile(r"(token=)[^&\s\"']+", re.IGNORECASE)


def normalise_origins(origins: list[str]) -> list[str]:
    """`scheme://host[:port]` entries (or "*"), checked: they end up in CSP and CORS headers."""
    result = []
    for origin in origins:
        origin = origin.strip().rstrip("/")
        if origin == "*" or _ORIGIN.match(origin):
            result.append(origin.lower() if origin != "*" else origin)
        elif origin:
            raise ZhikuError(f"allowed origin {origin!r} is not of the form https://intranet.example.com[:port]")
    return result


def frame_ancestors(origins: list[str]) -> str:
    return "frame-ancestors " + ("*" if "*" in origins else " ".join(["'self'", *origins]))


class RedactTokenFilter(logging.Filter):
    """Blanks `token=...` in log lines (uvicorn's access log prints query strings)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_TOKEN_IN_TEXT.sub(r"\1***", a) if isinstance(a, str) else a for a in record.args)
        if isinstance(record.msg, str):
            record.msg = _TOKEN_IN_TEXT.sub(r"\1***", record.msg)
        return True


def redact_token_in_logs(logger_name: str = "uvicorn.access") -> None:
    logger = logging.getLogger(logger_name)
    if not any(isinstance(f, RedactTokenFilter) for f in logger.filters):
        logger.addFilter(RedactTokenFilter())


def install_access(app, identity: Identity, origins: list[str]) -> None:
    """Who asks is resolved inside (ui/identity.py), CORS outside (so preflights are answered and
    401s stay readable)."""
    app.add_middleware(AccessMiddleware, identity=identity, origins=origins)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=origins,
        allow_methods=["GET", "POST", "DELETE"],
        allow_headers=["Authorization", "Content-Type"],
        allow_credentials=False,
        max_age=600,
    )


class AccessMiddleware:
    def __init__(self, app: ASGIApp, identity: Identity, origins: list[str]):
        self.app = app
        self.identity = identity
        self.origins = origins

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        headers = Headers(scope=scope)
        if scope["type"] == "http" and scope["method"] == "OPTIONS" or path in OPEN_PATHS:
            await self.app(scope, receive, self._with_headers(send, path, "", scope))
            return
        try:
            reader, cookie = self._reader(scope, headers, cookie_ok=not path.startswith(API_PREFIXES))
        except AccessDenied as exc:  # in the widget's panel, a sentence a visitor can read, not JSON
            if not exc.widget and self._wants_page(scope, headers, path):
                await self._sign_in(send, path, "refused")
                return
            await self._refuse(scope, send, exc.status, str(exc), page=exc.widget and path == EMBED_PATH)
            return
        if reader is None:
            if self._wants_page(scope, headers, path):  # a person at a browser: a sign-in page, not JSON
                await self._sign_in(send, path, "expired" if _cookie(headers.get("cookie", ""), COOKIE) else "")
                return
            await self._refuse(scope, send, 401, "an access token is required: send the header "
                               "`Authorization: Bearer <token>` or add `?token=<token>` to the URL")
            return
        if path.startswith(API_PREFIXES) and reader.via != "widget" and not self._origin_allowed(headers):
            await self._refuse(scope, send, 403, f"requests from {headers.get('origin', '')[:100]} are not allowed: "
                               "add the site to ZHIKU_ALLOWED_ORIGINS")
            return
        if path.startswith(ADMIN_PATHS) and not (reader.is_admin or reader.via == "open"):
            await self._refuse(scope, send, 404, "Not Found")  # evaluation reports quote every hit
            return
        scope.setdefault("state", {})["reader"] = reader
        set_cookie = cookie if not path.startswith(API_PREFIXES) else ""
        await self.app(scope, receive, self._with_headers(send, path, set_cookie, scope, reader))

    # --- checks ------------------------------------------------------------------------------

    def _reader(self, scope: Scope, headers: Headers, cookie_ok: bool) -> tuple[Reader | None, str]:
        """The reader, and the session cookie to set ('' when none is due).

        The cookie opens pages and the Gradio app only: API calls carry the token themselves,
        so no other site can ride a signed-in browser's cookie into the API."""
        presented = []
        scheme, _, value = headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            presented.append(value.strip())
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        presented += [v for v in query.get("token", []) if v]
        cookie = _cookie(headers.get("cookie", ""), COOKIE) if cookie_ok else ""
        client = (scope.get("client") or ("", 0))[0]
        reader = self.identity.resolve(headers, client, presented, cookie)
        due = self.identity.session_for(reader) if reader is not None and presented else ""
        return reader, due

    def _origin_allowed(self, headers: Headers) -> bool:
        origin = headers.get("origin")
        if origin is None or "*" in self.origins or origin.lower() in self.origins:
            return True  # no Origin: not a cross-site browser request
        own_hosts = {headers.get("host", "").lower(), headers.get("x-forwarded-host", "").lower()} - {""}
        return urlsplit(origin).netloc.lower() in own_hosts

    @staticmethod
    def _wants_page(scope: Scope, headers: Headers, path: str) -> bool:
        """A browser loading a page (not the API, not the widget's frame, not a script or a file)."""
        return (scope["type"] == "http" and scope["method"] == "GET" and not path.startswith(API_PREFIXES)
                and path != EMBED_PATH and "text/html" in headers.get("accept", ""))

    # --- responses ---------------------------------------------------------------------------

    async def _sign_in(self, send: Send, path: str, why: str) -> None:
        body = signin_page(self.identity.settings.language, path, why).encode()
        await send({"type": "http.response.start", "status": 401, "headers": [
            (b"content-type", b"text/html; charset=utf-8"), (b"content-length", str(len(body)).encode()),
            (b"cache-control", b"no-store"), (b"referrer-policy", b"no-referrer"),
            (b"content-security-policy", b"default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
                                         b"frame-ancestors 'none'")]})
        await send({"type": "http.response.body", "body": body})

    async def _refuse(self, scope: Scope, send: Send, status: int, detail: str, page: bool = False) -> None:
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        if page:
            body = _REFUSED_PAGE.format(html.escape(detail)).encode()
            kind = b"text/html; charset=utf-8"
        else:
            body, kind = json.dumps({"detail": detail}).encode(), b"application/json"
        headers = [(b"content-type", kind), (b"content-length", str(len(body)).encode())]
        if status == 401:
            headers.append((b"www-authenticate", b"Bearer"))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def _with_headers(self, send: Send, path: str, session: str, scope: Scope, reader: Reader | None = None):
        """Framing rules and hygiene headers on every response; the session cookie when earned.
        The embedded chat opened with a widget token may be framed by that token's site only."""
        secure = "; Secure" if scope.get("scheme") in ("https", "wss") else ""
        cookie = f"{COOKIE}={session}; Path=/; HttpOnly; SameSite=Strict{secure}" if session else ""
        embed = path == EMBED_PATH
        framers = [reader.origin] if reader is not None and reader.via == "widget" else self.origins

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                if b"content-security-policy" not in names:
                    headers.append((b"content-security-policy", frame_ancestors(framers if embed else []).encode()))
                if b"x-frame-options" not in names and not (embed and framers):
                    # old browsers' fallback; it cannot name other sites, so /embed with origins omits it
                    headers.append((b"x-frame-options", b"SAMEORIGIN"))
                headers.append((b"x-content-type-options", b"nosniff"))
                headers.append((b"referrer-policy", b"no-referrer"))  # URLs may carry ?token=
                if cookie and message.get("status", 200) < 400:
                    headers.append((b"set-cookie", cookie.encode()))
                message = {**message, "headers": headers}
            await send(message)

        return wrapped


class BodyLimitMiddleware:
    """Refuses oversized request bodies with a 413: from Content-Length before the app reads a
    byte, otherwise as soon as the bytes read pass the limit. `limits` maps path prefixes to bytes.

    The rest of the body is read and dropped first (up to DRAIN_MAX): a server that answers and
    closes while the client is still sending makes the client see a reset instead of the 413."""

    DRAIN_MAX = 64 * 1024 * 1024

    def __init__(self, app: ASGIApp, limits: dict[str, int]):
        self.app = app
        self.limits = sorted(limits.items(), key=lambda item: -len(item[0]))  # most specific first

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = self._limit(scope.get("path", "")) if scope["type"] == "http" else None
        if limit is None:
            await self.app(scope, receive, send)
            return
        detail = f"the request is larger than the {_size(limit)} limit"
        headers = Headers(scope=scope)
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > limit:
            if "100-continue" not in headers.get("expect", "").lower() and int(length) <= self.DRAIN_MAX:
                await self._drain(receive, self.DRAIN_MAX)
            body = json.dumps({"detail": detail}).encode()
            await send({"type": "http.response.start", "status": 413, "headers": [
                (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                (b"connection", b"close")]})
            await send({"type": "http.response.body", "body": body})
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                if message.get("more_body"):
                    await self._drain(receive, self.DRAIN_MAX - received)
                raise HTTPException(413, detail)  # FastAPI turns it into the JSON error response
            return message

        await self.app(scope, limited, send)

    def _limit(self, path: str) -> int | None:
        return next((limit for prefix, limit in self.limits if path.startswith(prefix)), None)

    @staticmethod
    async def _drain(receive: Receive, budget: int) -> None:
        while budget > 0:
            message = await receive()
            budget -= len(message.get("body", b""))
            if message["type"] != "http.request" or not message.get("more_body"):
                return


_REFUSED_PAGE = ("<!doctype html><html lang='zh'><meta charset='utf-8'><body style='font-family:sans-serif;"
                 "padding:1em'><p role='alert'>{}</p></body></html>")


def _size(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MB" if n >= 1024 * 1024 else f"{n // 1024} KB"


def _cookie(header: str, name: str) -> str:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return ""
