"""Who is an admin (the insights tab, the admin API, starting evaluation runs), in one place, on
top of the reader ui/identity.py makes of every request (through ui/access.py):
- `ZHIKU_ADMIN_USERS` set: the signed-in users it names, and nobody else;
- else a signed-in reader (the admin token `ZHIKU_TOKEN`, an API token, a widget token, a proxy
  sign-in): admin as identity says (the admin token, an `--admin` API token);
- else (no sign-in configured: a local single-user server): requests from this machine
  (loopback) only, so a server opened to the network without a token does not hand its log to
  everyone.

Usage: `if not is_admin(request, settings): raise HTTPException(403, ...)` (FastAPI or gr.Request).
"""

from __future__ import annotations

import ipaddress

from rag.settings import Settings
from ui.identity import Reader


def reader_behind(request) -> Reader | None:
    """The reader ui/access.py resolved for this request (ui/identity.py): on the request's state,
    or, for a Gradio event, worked out again from its cookie and headers by the server's identity."""
    state = getattr(request, "state", None)
    reader = getattr(state, "reader", None) if state is not None else None
    if isinstance(reader, Reader):
        return reader
    app_state = getattr(getattr(request, "app", None), "state", None)
    identity = getattr(app_state, "identity", None) if app_state is not None else None
    return identity.page_reader(request) if identity is not None else None


def user_name(request, settings: Settings) -> str:
    """The signed-in user (a token's name or the trusted proxy's user); '' when unknown."""
    if request is None:
        return ""
    reader = reader_behind(request)  # a proxy's user header counts only from ZHIKU_TRUSTED_PROXIES
    return reader.user if reader is not None else ""


def is_admin(request, settings: Settings) -> bool:
    if request is None:
        return False
    if settings.admin_users:
        name = user_name(request, settings)
        return bool(name) and name in settings.admin_users
    reader = reader_behind(request)
    if reader is not None and reader.via != "open":  # a token or a proxy sign-in: what identity says
        return reader.is_admin
    if settings.token:  # a token is required, and nothing above proved this is its holder
        return False
    client = getattr(request, "client", None)
    return _is_loopback(getattr(client, "host", "") or "")


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host in ("localhost", "testclient")
