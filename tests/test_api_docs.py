"""The API documentation works on an intranet with no way out, and the readiness probe tells a load
balancer when questions are answered at full speed: /docs and /redoc render in real Chromium with
every request off the server refused, /readyz over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser import launched, needs_chromium, screenshot
from tests.test_api import Live, live_server, server_settings

TOKEN = "docs-token-7f2"


@pytest.fixture(scope="module")
def server(tmp_path_factory, fixture_index, embedder) -> Iterator[Live]:
    settings = server_settings(tmp_path_factory.mktemp("docs"), fixture_index, token=TOKEN)
    with live_server(settings, embedder) as live:
        yield live


def test_readyz_is_open_and_says_what_it_waits_for(server):
    with server.client() as http:
        response = http.get("/readyz")  # no token: probes carry none
    assert response.status_code == 200, response.text
    assert response.json() == {"ready": True, "waiting_for": [], "llm": "off"}


def test_readyz_is_503_while_there_is_no_index(tmp_path, fixture_index, embedder):
    import shutil

    settings = server_settings(tmp_path, fixture_index)
    with live_server(settings, embedder) as live, live.client() as http:
        assert http.get("/readyz").status_code == 200
        shutil.rmtree(settings.index_dir)  # say, an admin cleared it for a rebuild
        response = http.get("/readyz")
    assert response.status_code == 503
    assert response.json()["waiting_for"] == ["index"]


def test_docs_assets_come_from_the_server_itself(server):
    with server.client(headers={"Authorization": f"Bearer {TOKEN}"}) as http:
        for page, asset in (("/docs", "swagger-ui-bundle.js"), ("/redoc", "redoc.standalone.js")):
            html = http.get(page).text
            assert f"/static-offline-docs/{asset}" in html and "cdn.jsdelivr.net" not in html
            assert http.get(f"/static-offline-docs/{asset}").status_code == 200


@pytest.mark.browser
@pytest.mark.slow
@needs_chromium
def test_docs_and_redoc_render_with_no_network_beyond_the_server(server):
    outside: list[tuple[str, str]] = []

    def only_the_server(route):
        if route.request.url.startswith(server.url):
            route.continue_()
        else:
            outside.append((route.request.resource_type, route.request.url))
            route.abort()

    with launched() as browser:
        page = browser.new_page(viewport={"width": 1200, "height": 800})
        page.route("**/*", only_the_server)
        page.goto(f"{server.url}/docs?token={TOKEN}")
        page.locator(".swagger-ui .opblock-summary-path", has_text="/api/ask").first.wait_for(timeout=30_000)
        screenshot(page, "docs-swagger.png")
        page.goto(f"{server.url}/redoc?token={TOKEN}")
        page.get_by_text("/api/ask").first.wait_for(timeout=30_000)
        screenshot(page, "docs-redoc.png")
    # everything the pages need is served locally; ReDoc's "powered by" badge image alone points
    # at its CDN, and without it the page is whole
    assert [(kind, url) for kind, url in outside if kind != "image"] == []
