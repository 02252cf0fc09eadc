"""Access over real HTTP: the token on every route but /healthz, allowed origins for CORS, the
API and framing, and the token kept out of cookies, logs and errors."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import httpx
import pytest

from tests.test_api import QUESTION, Live, live_server, server_settings

pytestmark = [pytest.mark.model, pytest.mark.timeout(180)]
TOKEN = "tok-9d2b7c41e5"
ALLOWED = "http://intranet.example"
EVIL = "http://evil.example"


@pytest.fixture(scope="module")
def server(tmp_path_factory, fixture_index, embedder) -> Iterator[Live]:
    settings = server_settings(tmp_path_factory.mktemp("access"), fixture_index, token=TOKEN,
                               allowed_origins=[ALLOWED], trusted_user_header="X-Forwarded-User")
    with live_server(settings, embedder) as live:
        yield live


@pytest.fixture(scope="module")
def open_server(tmp_path_factory, fixture_index, embedder) -> Iterator[Live]:
    """No token, no allowed origins: same-origin only."""
    with live_server(server_settings(tmp_path_factory.mktemp("open"), fixture_index), embedder) as live:
        yield live


@pytest.fixture()
def http(server) -> Iterator[httpx.Client]:
    with server.client() as c:
        yield c


AUTH = {"Authorization": f"Bearer {TOKEN}"}
ROUTES = [
    ("POST", "/api/ask", {"question": QUESTION}),
    ("POST", "/api/ask/stream", {"question": QUESTION}),
    ("POST", "/api/feedback", {"rating": "up", "question": "q", "answer": "a"}),
    ("GET", "/api/kb", None),
    ("POST", "/api/kb/upload", None),
    ("DELETE", "/api/kb/auto_exports.txt", None),
    ("POST", "/v1/chat/completions", {"messages": [{"role": "user", "content": QUESTION}]}),
    ("GET", "/v1/models", None),
    ("GET", "/embed", None),
    ("GET", "/widget.js", None),
    ("GET", "/widget-demo", None),
    ("GET", "/", None),  # the Gradio chat
    ("GET", "/config", None),  # Gradio's own routes under the mount
    ("POST", "/gradio_api/queue/join", {}),
    ("GET", "/docs", None),
    ("GET", "/openapi.json", None),
    ("GET", "/no/such/page", None),
]


@pytest.mark.parametrize(("method", "path", "body"), ROUTES, ids=[f"{m} {p}" for m, p, _ in ROUTES])
def test_every_route_but_healthz_refuses_requests_without_the_token(http, method, path, body):
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"}):
        response = http.request(method, path, json=body, headers=headers)
        assert response.status_code == 401, (headers, response.text)
        assert "token" in response.json()["detail"]
        assert TOKEN not in response.text
    assert http.request(method, path + "?token=nope", json=body).status_code == 401


def test_healthz_stays_open(http):
    assert http.get("/healthz").status_code == 200


@pytest.mark.parametrize("how", ["header", "query"])
def test_the_token_opens_the_api_by_header_or_query(http, how):
    kwargs = {"headers": AUTH} if how == "header" else {"params": {"token": TOKEN}}
    response = http.post("/api/ask", json={"question": QUESTION}, **kwargs)
    assert response.status_code == 200 and "491万" in response.json()["answer"]
    assert http.get("/v1/models", **kwargs).status_code == 200
    assert http.get("/widget.js", **kwargs).status_code == 200


def test_the_pages_open_with_the_token_and_the_chat_is_mounted(http):
    for path in ("/embed", "/widget-demo", "/"):
        response = http.get(path, params={"token": TOKEN}, follow_redirects=True)
        assert response.status_code == 200, path
        assert "text/html" in response.headers["content-type"]


def test_a_page_load_with_the_token_sets_a_session_cookie_without_the_token(server):
    with server.client() as browser:
        first = browser.get("/", params={"token": TOKEN})
        assert first.status_code == 200
        cookie = browser.cookies.get("zhiku_session")
        assert cookie and TOKEN not in cookie
        set_cookie = first.headers["set-cookie"]
        assert "HttpOnly" in set_cookie and "SameSite=Strict" in set_cookie
        assert browser.get("/config").status_code == 200  # what the Gradio front end fetches next
    with server.client(cookies={"zhiku_session": "0" * 64}) as forged:
        assert forged.get("/config").status_code == 401


def test_the_session_cookie_does_not_open_the_api(server):
    """Only pages use the cookie: API calls need the token itself, so a cookie cannot be ridden (CSRF)."""
    with server.client() as browser:
        browser.get("/embed", params={"token": TOKEN})
        assert browser.cookies.get("zhiku_session")
        assert browser.post("/api/ask", json={"question": QUESTION}).status_code == 401


# --- origins -------------------------------------------------------------------------------------


def test_cors_headers_only_for_allowed_origins(http):
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization,content-type"}
    allowed = http.options("/api/ask", headers={"Origin": ALLOWED, **preflight})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == ALLOWED
    assert "authorization" in allowed.headers["access-control-allow-headers"].lower()
    evil = http.options("/api/ask", headers={"Origin": EVIL, **preflight})
    assert "access-control-allow-origin" not in evil.headers

    ok = http.post("/api/ask", json={"question": QUESTION}, headers={"Origin": ALLOWED, **AUTH})
    assert ok.status_code == 200 and ok.headers["access-control-allow-origin"] == ALLOWED


def test_api_calls_from_other_sites_are_refused_even_with_the_token(http):
    response = http.post("/api/ask", json={"question": QUESTION}, headers={"Origin": EVIL, **AUTH})
    assert response.status_code == 403
    assert "ZHIKU_ALLOWED_ORIGINS" in response.json()["detail"]
    assert "access-control-allow-origin" not in response.headers


def test_same_origin_calls_need_no_listing(server, http):
    response = http.post("/api/ask", json={"question": QUESTION}, headers={"Origin": server.url, **AUTH})
    assert response.status_code == 200


def test_embed_may_be_framed_by_allowed_origins_only(http):
    csp = http.get("/embed", params={"token": TOKEN}).headers["content-security-policy"]
    assert f"frame-ancestors 'self' {ALLOWED}" in csp
    assert EVIL not in csp
    assert "script-src 'nonce-" in csp and "unsafe-inline" not in csp


def test_other_pages_may_only_be_framed_by_the_server_itself(http):
    response = http.get("/widget-demo", params={"token": TOKEN})
    assert "frame-ancestors 'self'" in response.headers["content-security-policy"]
    assert ALLOWED not in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "SAMEORIGIN"


def test_without_allowed_origins_everything_is_same_origin(open_server):
    with open_server.client() as http:
        embed = http.get("/embed")
        assert embed.status_code == 200  # no token configured: open
        assert "frame-ancestors 'self';" in embed.headers["content-security-policy"] + ";"
        assert embed.headers["x-frame-options"] == "SAMEORIGIN"
        preflight = http.options("/api/ask", headers={"Origin": ALLOWED, "Access-Control-Request-Method": "POST"})
        assert "access-control-allow-origin" not in preflight.headers
        assert http.post("/api/ask", json={"question": QUESTION}, headers={"Origin": ALLOWED}).status_code == 403
        assert http.post("/api/ask", json={"question": QUESTION}).status_code == 200


def test_malformed_allowed_origins_are_refused_at_start(tmp_path):
    from index.errors import ZhikuError
    from rag.settings import Settings
    from ui.server import create_app

    bad = Settings(data_dir=tmp_path, index_dir=tmp_path / "index", allowed_origins=["http://a.example; script-src *"])
    with pytest.raises(ZhikuError, match="allowed origin"):
        create_app(bad)


# --- the token is never written down ----------------------------------------------------------------


def test_feedback_records_the_trusted_user_and_never_the_token(server, http):
    response = http.post("/api/feedback", headers={**AUTH, "X-Forwarded-User": "张三".encode()}, json={
        "rating": "down", "question": QUESTION, "answer": "2023年，中国汽车出口491万辆[1]。",
        "comment": "想看分月数据", "citations": [{"n": 1, "title": "中国汽车出口跃居全球第一", "source": "auto_exports.txt"}],
    }, params={"token": TOKEN})
    assert response.status_code == 200, response.text
    row = server.app.state.feedback.recent(1)[0]
    assert row["user"] == "张三" and row["rating"] == "down" and row["comment"] == "想看分月数据"
    db = server.settings.data_dir / "feedback.sqlite3"
    stored = b"".join(p.read_bytes() for p in db.parent.glob("feedback.sqlite3*"))
    assert stored and TOKEN.encode() not in stored


def test_the_access_log_never_shows_the_token():
    from ui.access import RedactTokenFilter

    logger = logging.getLogger("test.zhiku.access")
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append
    logger.addHandler(handler)
    logger.addFilter(RedactTokenFilter())
    # uvicorn's access log call: '%s - "%s %s HTTP/%s" %d' with the path and query as one argument
    logger.warning('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5", "GET", f"/embed?lang=zh&token={TOKEN}", "1.1", 200)
    logger.warning(f"GET /widget.js?token={TOKEN}")
    assert records and all(TOKEN not in r.getMessage() for r in records)
    assert "token=***" in records[0].getMessage()
