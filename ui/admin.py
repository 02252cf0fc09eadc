"""Who is an admin (the insights tab, the admin API, starting evaluation runs): one function, so
the knowledge-base work's `Reader` identity can replace it in one place.

Today's rule, from what ui/access.py knows:
- `ZHIKU_ADMIN_USERS` set: the users the trusted proxy header names in it, and nobody else;
- else `ZHIKU_TOKEN` set: a request presenting the token (header, `?token=`, or the session cookie
  a page load with the token set);
- else (no token: a local single-user server): requests from this machine (loopback) only, so a
  server opened to the network without a token does not hand its log to everyone.

Usage: `if not is_admin(request, settings): raise HTTPException(403, ...)` (FastAPI or gr.Request).
"""

from __future__ import annotations

import hmac
import ipaddress
from urllib.parse import parse_qs

from rag.settings import Settings
from ui.access import COOKIE, session_value, trusted_user


def user_name(request, settings: Settings) -> str:
    """The signed-in user as the trusted proxy names them; '' when unknown."""
    if request is None:
        return ""
    return trusted_user(request.headers, settings.trusted_user_header)


def is_admin(request, settings: Settings) -> bool:
    if request is None:
        return False
    if settings.admin_users:
        name = user_name(request, settings)
        return bool(name) and name in settings.admin_users
    if settings.token:
        return _presents_token(request, settings.token)
    client = getattr(request, "client", None)
    return _is_loopback(getattr(client, "host", "") or "")


def _presents_token(request, token: str) -> bool:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    candidates = [value.strip()] if scheme.lower() == "bearer" else []
    query = getattr(request, "query_params", None)
    if query is not None:
        candidates += query.getlist("token") if hasattr(query, "getlist") else parse_qs(str(query)).get("token", [])
    if any(hmac.compare_digest(c.encode("utf-8"), token.encode("utf-8")) for c in candidates):
        return True
    cookies = getattr(request, "cookies", None) or {}
    cookie = cookies.get(COOKIE, "")
    return bool(cookie) and hmac.compare_digest(cookie.encode(), session_value(token).encode())


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host in ("localhost", "testclient")
