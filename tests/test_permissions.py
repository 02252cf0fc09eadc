"""Knowledge bases and permissions, attacked over real HTTP: two collections — the public digest
(the fixture articles, `default`) and an "HR" folder holding one unique fact — and two users: an
HR user signed in by the reverse proxy (or holding an HR token), and everyone else. The HR fact and
its title must reach the HR user only, on every endpoint.

The reverse proxy is played by a client bound to 127.0.0.2 (ZHIKU_TRUSTED_PROXIES); a client on
127.0.0.1 forging the same headers is an untrusted address.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from tests.browser import launched, needs_chromium
from tests.test_api import QUESTION, Live, live_server, server_settings, sse_events

pytestmark = [pytest.mark.model, pytest.mark.timeout(300)]

ADMIN = "admin-token-kb-7f3"
PROXY = "127.0.0.2"
SECRET_WORD = "青松计划"  # in the HR article's title and text only
HR_TITLE = "青松计划年假细则"
HR_ARTICLE = f"# {HR_TITLE}\n\n试用期员工享有三天特别调休假，此项安排称为{SECRET_WORD}，由人力资源部统一登记。\n"
HR_QUESTION = "试用期员工的特别调休假有几天？"  # names nothing secret: the answer would


@pytest.fixture(scope="module")
def server(tmp_path_factory, fixture_index, embedder) -> Iterator[Live]:
    from rag.components import make_builder, make_registry

    root = tmp_path_factory.mktemp("permissions")
    settings = server_settings(root, fixture_index, token=ADMIN, trusted_user_header="X-Forwarded-User",
                               trusted_groups_header="X-Forwarded-Groups", trusted_proxies=[PROXY])
    hr = root / "hr"
    hr.mkdir()
    (hr / "leave.md").write_text(HR_ARTICLE, encoding="utf-8")
    make_registry(settings).create("hr", hr, "hr,managers", title="人事制度")
    make_builder(settings, embedder).build(hr, collection="hr")
    with live_server(settings, embedder) as live:
        yield live


def proxied(server: Live, user: str, groups: str) -> httpx.Client:
    """A request through the trusted reverse proxy, signed in as `user` of `groups`."""
    transport = httpx.HTTPTransport(local_address=PROXY)
    return server.client(transport=transport, headers={"X-Forwarded-User": user.encode(),
                                                       "X-Forwarded-Groups": groups})


@pytest.fixture(scope="module")
def hr_user(server) -> Iterator[httpx.Client]:
    with proxied(server, "李四", "hr") as client:
        yield client


@pytest.fixture(scope="module")
def staff(server) -> Iterator[httpx.Client]:
    with proxied(server, "王五", "sales") as client:
        yield client


@pytest.fixture(scope="module")
def tokens(server) -> dict[str, str]:
    """API tokens minted by the admin over HTTP: one for the digest only, one for HR."""
    with server.client(headers={"Authorization": f"Bearer {ADMIN}"}) as admin:
        made = {}
        for name, scope in (("digest", ["default"]), ("hr", ["hr", "default"])):
            response = admin.post("/api/tokens", json={"name": name, "collections": scope})
            assert response.status_code == 200, response.text
            made[name] = response.json()["token"]
        return made


def bearer(server: Live, token: str) -> httpx.Client:
    return server.client(headers={"Authorization": f"Bearer {token}"})


def everything_said(client: httpx.Client) -> str:
    """Every endpoint's answer to the HR question, and every listing, as one text."""
    texts = [client.post("/api/ask", json={"question": HR_QUESTION}).text,
             client.post("/api/ask/stream", json={"question": HR_QUESTION}).text,
             client.post("/v1/chat/completions", json={"model": "zhiku", "messages": [
                 {"role": "user", "content": HR_QUESTION}]}).text,
             client.post("/v1/chat/completions", json={"model": "zhiku", "stream": True, "messages": [
                 {"role": "user", "content": HR_QUESTION}]}).text,
             client.get("/api/kb").text,
             client.get("/api/collections").text,
             client.get("/preview", params={"source": "hr/leave.md"}).text,
             client.get("/preview/page.png", params={"source": "hr/leave.md"}).text]
    return "".join(texts)


def leaks(text: str) -> list[str]:
    """What of the HR article a text gives away (as is, or JSON-escaped)."""
    secrets = [SECRET_WORD, HR_TITLE, "hr/leave.md"]
    return [s for s in secrets if s in text or json.dumps(s)[1:-1] in text]


# --- the HR fact reaches the HR user, and only them ------------------------------------------------


def test_the_hr_user_signed_in_by_the_proxy_gets_the_hr_fact_cited(hr_user):
    answer = hr_user.post("/api/ask", json={"question": HR_QUESTION}).json()
    assert not answer["refused"] and "三天" in answer["answer"]
    assert [c["source"] for c in answer["citations"]] == ["hr/leave.md"]
    assert answer["citations"][0]["title"] == HR_TITLE
    preview = hr_user.get("/preview", params={"source": "hr/leave.md"})
    assert preview.status_code == 200 and SECRET_WORD in preview.text


@pytest.mark.parametrize("who", ["staff", "digest_token"])
def test_no_endpoint_gives_the_hr_fact_or_its_title_to_anyone_else(who, staff, server, tokens):
    client = staff if who == "staff" else bearer(server, tokens["digest"])
    assert leaks(everything_said(client)) == []
    refused = client.post("/api/ask", json={"question": HR_QUESTION}).json()
    assert refused["refused"] and all(h["source"] != "hr/leave.md" for h in refused["hits"])
    # the public digest still answers
    assert "491万" in client.post("/api/ask", json={"question": QUESTION}).json()["answer"]


def test_an_hr_token_reads_hr_and_narrowing_to_the_digest_leaves_it_out(server, tokens):
    with bearer(server, tokens["hr"]) as client:
        assert "三天" in client.post("/api/ask", json={"question": HR_QUESTION}).json()["answer"]
        narrowed = client.post("/api/ask", json={"question": HR_QUESTION, "collections": ["default"]}).json()
        assert narrowed["refused"] and leaks(json.dumps(narrowed, ensure_ascii=False)) == []
        completion = client.post("/v1/chat/completions", json={
            "model": "zhiku", "metadata": {"collections": "hr"}, "messages": [{"role": "user", "content": HR_QUESTION}]})
        assert "三天" in completion.json()["choices"][0]["message"]["content"]
        events = sse_events(client.post("/api/ask/stream", json={"question": HR_QUESTION, "collections": ["hr"]}).text)
        assert "三天" in events[-1][1]["answer"]


def test_narrowing_to_a_collection_one_may_not_read_is_refused_like_one_that_does_not_exist(staff):
    forbidden = staff.post("/api/ask", json={"question": HR_QUESTION, "collections": ["hr"]})
    missing = staff.post("/api/ask", json={"question": HR_QUESTION, "collections": ["nosuch"]})
    assert forbidden.status_code == missing.status_code == 400
    assert forbidden.json()["detail"].replace("'hr'", "X") == missing.json()["detail"].replace("'nosuch'", "X")


# --- attacks ------------------------------------------------------------------------------------


def test_sign_in_headers_from_an_untrusted_address_are_ignored(server, tokens):
    forged = {"X-Forwarded-User": "mallory", "X-Forwarded-Groups": "hr,managers"}
    with server.client(headers=forged) as client:  # from 127.0.0.1, not the proxy
        response = client.post("/api/ask", json={"question": HR_QUESTION})
        assert response.status_code == 401
    with server.client(headers={**forged, "Authorization": f"Bearer {tokens['digest']}"}) as client:
        answer = client.post("/api/ask", json={"question": HR_QUESTION}).json()
        assert answer["refused"] and leaks(json.dumps(answer, ensure_ascii=False)) == []


def test_a_guessed_file_path_is_a_404_as_for_a_file_that_does_not_exist(staff):
    for params in ({"source": "hr/leave.md"}, {"source": "hr/nosuch.md"}, {"source": "../hr/leave.md"}):
        assert staff.get("/preview", params=params).status_code == 404
        assert staff.get("/preview/page.png", params=params).status_code == 404
    assert staff.get("/api/kb", params={"collection": "hr"}).status_code == 404
    assert staff.delete("/api/kb/hr/leave.md").status_code == 404
    said = [staff.delete(f"/api/kb/hr/{name}").json()["detail"].replace(name, "X") for name in ("leave.md", "nosuch.md")]
    assert said[0] == said[1]


def test_a_non_admin_cannot_create_collections_or_tokens(hr_user, server, tokens, tmp_path):
    with bearer(server, tokens["hr"]) as token_user:
        for client in (hr_user, token_user):
            made = client.post("/api/collections", json={"name": "leak", "folder": str(tmp_path)})
            assert made.status_code == 403, made.text
            assert client.post("/api/tokens", json={"name": "x", "collections": ["*"], "admin": True}).status_code == 403
            assert client.delete("/api/collections/hr").status_code == 403
    assert "leak" not in server.app.state.registry.all()


def test_an_upload_into_a_collection_one_cannot_write_is_a_403_and_writes_nothing(hr_user, server, tokens):
    hr_folder = server.app.state.registry.get("hr").folder
    before = sorted(p.name for p in hr_folder.rglob("*"))
    files_before = server.app.state.kbs.get("hr").stats()["files"]
    for client in (hr_user, bearer(server, tokens["digest"])):
        response = client.post("/api/kb/upload", params={"collection": "hr"},
                               files={"file": ("planted.md", "# 植入\n\n这是一篇被植入的文章。".encode())})
        assert response.status_code == 403, response.text
    assert sorted(p.name for p in hr_folder.rglob("*")) == before
    assert server.app.state.kbs.get("hr").stats()["files"] == files_before


def test_the_admin_creates_a_collection_over_http_and_it_is_searchable_by_its_group_only(server, tmp_path_factory,
                                                                                       staff, hr_user):
    folder = tmp_path_factory.mktemp("finance-kb")
    (folder / "budget.md").write_text("# 紫藤预算\n\n紫藤项目的年度预算为八百万元。\n", encoding="utf-8")
    with server.client(headers={"Authorization": f"Bearer {ADMIN}"}) as admin:
        made = admin.post("/api/collections", json={"name": "finance", "folder": str(folder), "groups": "sales"})
        assert made.status_code == 200, made.text
        assert admin.post("/api/collections", json={"name": "finance", "folder": str(folder)}).status_code == 400
        assert admin.delete("/api/collections/default").status_code == 400  # and nothing of it dropped
    assert "八百万" in staff.post("/api/ask", json={"question": "紫藤项目的年度预算是多少？"}).json()["answer"]
    assert "491万" in staff.post("/api/ask", json={"question": QUESTION}).json()["answer"]
    other = hr_user.post("/api/ask", json={"question": "紫藤项目的年度预算是多少？"}).text
    assert "八百万" not in other and "finance/budget.md" not in other


def test_each_question_leaves_an_audit_line_without_secrets(server, hr_user, tokens):
    hr_user.post("/api/ask", json={"question": HR_QUESTION})
    lines = [json.loads(line) for line in (server.settings.data_dir / "audit.log").read_text("utf-8").splitlines()]
    mine = [x for x in lines if x["user"] == "李四" and x["cited"]]
    assert mine and mine[-1]["via"] == "proxy" and "hr" in mine[-1]["collections"]
    assert mine[-1]["cited"] == [{"collection": "hr", "source": "hr/leave.md", "title": HR_TITLE}]
    text = (server.settings.data_dir / "audit.log").read_text("utf-8")
    assert ADMIN not in text and not any(t in text for t in tokens.values())


# --- widget tokens --------------------------------------------------------------------------------

SITE = "https://intranet.example.com"


def mint(client: httpx.Client, **body) -> httpx.Response:
    return client.post("/api/widget-tokens", json={"origin": SITE, "user": "张三", "ttl_s": 600, **body})


def test_a_minted_widget_token_answers_from_its_site_within_its_scope(server, tokens):
    with bearer(server, tokens["digest"]) as back_end:
        minted = mint(back_end)
    assert minted.status_code == 200, minted.text
    assert minted.json()["collections"] == ["default"] and minted.json()["token"].startswith("zkw_")
    widget = {"Authorization": f"Bearer {minted.json()['token']}", "Origin": SITE}
    with server.client(headers=widget) as client:
        assert "491万" in client.post("/api/ask", json={"question": QUESTION}).json()["answer"]
        assert leaks(client.post("/api/ask/stream", json={"question": HR_QUESTION}).text) == []
        embed = client.get("/embed", params={"token": minted.json()["token"]})
        assert embed.status_code == 200 and embed.headers["content-security-policy"].endswith(f"frame-ancestors 'self' {SITE}")
    lines = (server.settings.data_dir / "audit.log").read_text("utf-8")
    assert '"user": "张三", "via": "widget"' in lines and minted.json()["token"] not in lines


def test_widget_tokens_are_minted_only_by_back_ends_within_their_own_scope(server, tokens, hr_user):
    with bearer(server, tokens["digest"]) as back_end:
        assert mint(back_end, collections=["hr"]).status_code == 400  # more than the minter may read
        assert mint(back_end, ttl_s=86401).status_code == 422  # at most a day
        assert mint(back_end, origin="*").status_code == 422
        widget = mint(back_end).json()["token"]
    assert mint(hr_user).status_code == 403  # a browser session cannot mint
    with server.client(headers={"Authorization": f"Bearer {widget}", "Origin": SITE}) as client:
        assert mint(client).status_code == 403  # nor can a widget


def test_expired_revoked_malformed_and_wrong_site_widget_tokens_are_refused_with_a_message(server, tokens):
    from ui.widget_tokens import mint as sign

    secret = server.app.state.identity.secret
    expired = sign(secret, SITE, ["default"], "张三", -5, "admin")
    issuer_plain, issuer = server.app.state.tokens.create("short-lived-portal", ["default"])
    with bearer(server, issuer_plain) as back_end:
        orphan = mint(back_end).json()["token"]
    server.app.state.tokens.revoke(issuer.id)
    good = sign(secret, SITE, ["default"], "张三", 600, "admin")
    tampered = good[:-3] + ("AAA" if not good.endswith("AAA") else "BBB")
    cases = {expired: (401, "请刷新页面"), orphan: (401, "请刷新页面"), "zkw_not.atoken": (401, "not valid"),
             tampered: (401, "not valid")}
    for token, (status, words) in cases.items():
        response = server.client().post("/api/ask", json={"question": QUESTION},
                                        headers={"Authorization": f"Bearer {token}", "Origin": SITE})
        assert (response.status_code, words in response.json()["detail"]) == (status, True), response.text
    wrong_site = server.client().post("/api/ask", json={"question": QUESTION},
                                      headers={"Authorization": f"Bearer {good}", "Origin": "https://evil.example"})
    assert wrong_site.status_code == 403 and SITE in wrong_site.json()["detail"]
    page = server.client().get("/embed", params={"token": expired})
    assert page.status_code == 401 and "请刷新页面" in page.text and page.headers["content-type"].startswith("text/html")


# --- the Gradio chat in Chromium -----------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.slow
@needs_chromium
def test_in_the_chat_the_hr_fact_reaches_the_hr_token_only(server, tokens):
    seen = {}
    with launched() as browser:
        for who in ("hr", "digest"):
            context = browser.new_context(viewport={"width": 1400, "height": 950})
            page = context.new_page()
            page.goto(f"{server.url}/?token={tokens[who]}")  # the session cookie carries who it is
            page.wait_for_selector("#zk-question textarea")
            page.fill("#zk-question textarea", HR_QUESTION)
            page.click("#zk-send")
            page.wait_for_function("() => document.querySelectorAll('#zk-chatbot .zk-answer:not(.zk-streaming)').length >= 1",
                                   timeout=30000)
            seen[who] = page.locator("#zk-chatbot").inner_text() + page.locator("#zk-sources").inner_text()
            context.close()
    assert "三天" in seen["hr"] and HR_TITLE in seen["hr"]
    assert leaks(seen["digest"]) == [] and "三天" not in seen["digest"]


def test_the_kb_tab_refuses_uploads_into_a_knowledge_base_one_cannot_write(server, tokens, tmp_path):
    from gradio_client import Client, handle_file

    planted = tmp_path / "planted.md"
    planted.write_text("# 植入\n\n这是一篇被植入的文章。\n", encoding="utf-8")
    hr_folder = server.app.state.registry.get("hr").folder
    before = sorted(p.name for p in hr_folder.rglob("*"))
    client = Client(server.url + "/", headers={"Authorization": f"Bearer {tokens['hr']}"}, verbose=False)
    said, *_ = client.predict([handle_file(str(planted))], "hr", api_name="/upload")
    assert "没有修改这个知识库的权限" in said
    assert sorted(p.name for p in hr_folder.rglob("*")) == before


@pytest.mark.browser
@pytest.mark.slow
@needs_chromium
def test_in_the_widget_an_expired_token_asks_to_reload_the_page(server, monkeypatch):
    import types

    import ui.widget_tokens
    from ui.widget_tokens import mint as sign

    token = sign(server.app.state.identity.secret, SITE, ["default"], "张三", 60, "admin")  # valid as the panel opens
    with launched() as browser:
        page = browser.new_page()
        page.goto(f"{server.url}/embed?token={token}")
        page.wait_for_selector("#question")
        # the visitor leaves the page open past the token's lifetime (the server's clock moves on an hour)
        later = ui.widget_tokens.time.time() + 3600
        monkeypatch.setattr(ui.widget_tokens, "time", types.SimpleNamespace(time=lambda: later))
        page.fill("#question", QUESTION)
        page.press("#question", "Enter")
        page.locator(".msg.bot .bubble.error").wait_for(timeout=30000)
        said = page.locator(".msg.bot .bubble.error").inner_text()
    assert "请刷新页面" in said


def test_the_widget_demo_page_never_carries_the_admin_token(server, staff):
    for client in (staff, server.client(headers={"Authorization": f"Bearer {ADMIN}"})):
        page = client.get("/widget-demo")
        assert page.status_code == 200 and ADMIN not in page.text and "zkw_" in page.text
    token = staff.get("/widget-demo").text.split("data-token=\"", 1)[1].split("\"", 1)[0]
    with server.client(headers={"Authorization": f"Bearer {token}"}) as widget:  # the viewer's own scope
        assert leaks(widget.post("/api/ask", json={"question": HR_QUESTION}).text) == []
