"""Signing in as a person does, in real headless Chromium: a server with a token shows a Chinese
sign-in page (not JSON) to a browser without one; the token typed there opens the chat and leaves
the address bar; a session that no longer holds says 会话已过期. API clients still get JSON."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser import launched, needs_chromium, screenshot
from tests.test_api import Live, live_server, server_settings

TOKEN = "signin-token-3d9"

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              needs_chromium]


@pytest.fixture(scope="module")
def server(tmp_path_factory, fixture_index, embedder) -> Iterator[Live]:
    settings = server_settings(tmp_path_factory.mktemp("signin"), fixture_index, token=TOKEN)
    with live_server(settings, embedder) as live:
        yield live


def test_api_clients_still_get_json(server):
    with server.client() as http:
        response = http.get("/api/kb", headers={"Accept": "text/html"})
        assert response.status_code == 401 and "access token" in response.json()["detail"]
        page = http.get("/", headers={"Accept": "text/html"})
    assert page.status_code == 401 and "登录智库" in page.text and "detail" not in page.text


def test_a_person_signs_in_and_the_token_leaves_the_address_bar(server):
    with launched() as browser:
        context = browser.new_context(viewport={"width": 1200, "height": 800}, locale="zh-CN")
        page = context.new_page()
        page.goto(server.url + "/")
        assert page.get_by_role("heading").inner_text() == "登录智库"
        assert "{" not in page.locator("body").inner_text()  # no raw JSON
        screenshot(page, "signin.png")
        page.get_by_label("访问令牌").fill("wrong")
        page.get_by_role("button", name="登录").click()
        page.get_by_role("alert").wait_for()
        assert "令牌无效" in page.get_by_role("alert").inner_text()
        page.get_by_label("访问令牌").fill(TOKEN)
        page.get_by_role("button", name="登录").click()
        page.locator("#zk-llm-banner").wait_for(state="attached", timeout=60_000)  # the chat loaded
        page.wait_for_function("!location.search.includes('token')")
        assert "token" not in page.url
        page.reload()  # the session cookie holds it now
        page.locator("#zk-llm-banner").wait_for(state="attached", timeout=60_000)
        context.add_cookies([{"name": "zhiku_session", "value": "a.stale", "url": server.url}])
        page.goto(server.url + "/")
        assert "会话已过期" in page.get_by_role("alert").inner_text()
        screenshot(page, "signin-expired.png")
