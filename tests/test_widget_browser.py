"""The widget in real headless Chromium (Debian's package, driven by Playwright): the demo page,
the button, a streamed answer with a citation and its sources, hostile text rendered inert, and
the framing rules of allowed origins. Screenshots go to test-artifacts/."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator

import pytest

from tests.browser import BROWSER_MODULE, screenshot
from tests.test_api import Live, live_server, server_settings

TOKEN = "widget-token-51c"
HOSTILE = (
    "# <img src=x onerror=\"window.__pwned=1;alert('title')\">消防演练通知\n\n"
    "2024年5月，公司组织消防演练<script>window.__pwned=2;alert('body')</script>，"
    "共有<img src=x onerror=\"window.__pwned=3\">三百二十名员工参加疏散。\n"
)

PARKING = ("# 园区停车新规\n\n自2024年9月起，园区地下车库实行预约停车，每位员工每月可预约二十次，"
           "预约办法详见<https://intranet.example.com/parking>。\n")

pytestmark = BROWSER_MODULE


class IntranetSite:
    """Another site on loopback (another port = another origin) with the one-tag snippet."""

    def __init__(self):
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = site.html.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.html = ""
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)  # bound now: the origin is known
        self.origin = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def serve(self, zhiku_url: str) -> None:
        self.html = ("<!doctype html><html><head><meta charset='utf-8'><title>portal</title></head><body><h1>内网门户</h1>"
                     f"<script src='{zhiku_url}/widget.js?token={TOKEN}' data-position='bottom-left'></script></body></html>")
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def sites() -> Iterator[dict[str, IntranetSite]]:
    sites = {"allowed": IntranetSite(), "other": IntranetSite()}
    yield sites
    for site in sites.values():
        site.httpd.shutdown()
        site.httpd.server_close()


@pytest.fixture(scope="module")
def server(tmp_path_factory, fixture_index, embedder, sites) -> Iterator[Live]:
    from rag.components import make_builder

    settings = server_settings(tmp_path_factory.mktemp("browser"), fixture_index, token=TOKEN,
                               allowed_origins=[sites["allowed"].origin])
    (settings.corpus_dir / "safety.md").write_text(HOSTILE, encoding="utf-8")
    (settings.corpus_dir / "parking.md").write_text(PARKING, encoding="utf-8")
    make_builder(settings, embedder).build(settings.corpus_dir)
    with live_server(settings, embedder) as live:
        for site in sites.values():
            site.serve(live.url)
        yield live


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 1200, "height": 800}, locale="zh-CN")
    page = context.new_page()
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    yield page
    context.close()


def open_widget(page, url: str, closed_screenshot: str = ""):
    page.goto(url)
    if closed_screenshot:
        page.locator("[data-zhiku-widget] button").wait_for()
        screenshot(page, closed_screenshot)
    page.locator("[data-zhiku-widget] button").click()  # Playwright pierces the open shadow root
    handle = page.wait_for_selector("[data-zhiku-widget] iframe")
    frame = handle.content_frame()
    frame.wait_for_selector("#question")
    return frame


def ask(frame, question: str) -> None:
    asked = frame.locator(".msg.user").count()
    frame.fill("#question", question)
    frame.press("#question", "Enter")
    # done: the new answer has its feedback row, or shows an error
    frame.locator(".msg.bot").nth(asked).locator(".feedback, .bubble.error").wait_for(timeout=60_000)


def test_demo_page_widget_answers_with_a_citation_and_sources(server, page):
    frame = open_widget(page, f"{server.url}/widget-demo?token={TOKEN}", closed_screenshot="widget-closed.png")
    ask(frame, "2023年中国汽车出口多少辆？")
    bubble = frame.locator(".msg.bot .bubble").last
    assert "491万" in bubble.inner_text()
    link = bubble.locator("a.cite").first
    assert link.inner_text() == "[1]"
    source = frame.locator(".msg.bot .sources .source").first
    assert "中国汽车出口跃居全球第一" in source.locator(".src-title").inner_text()
    assert "auto_exports.txt" in source.locator(".src-meta").inner_text()
    assert "491万" in source.locator("mark").inner_text()  # the quote, highlighted in its passage
    link.click()
    assert frame.locator(".msg.bot .bubble.error").count() == 0
    assert screenshot(page, "widget-answer.png").stat().st_size > 10_000


def test_hostile_article_and_question_render_as_text(server, page):
    frame = open_widget(page, f"{server.url}/widget-demo?token={TOKEN}")
    scripts_before = frame.locator("script").count()
    question = "<img src=x onerror=\"window.__pwned=4;alert('q')\">消防演练有多少员工参加？<script>alert(5)</script>"
    ask(frame, question)
    assert frame.locator(".msg.user .bubble").last.inner_text() == question
    answer = frame.locator(".msg.bot").last
    assert "三百二十名" in answer.locator(".bubble").inner_text()
    assert "<script>" in answer.locator(".bubble").inner_text() or "<img" in answer.locator(".sources").inner_text()
    assert "<img src=x" in answer.locator(".src-title").first.inner_text()  # the title, as text
    page.wait_for_timeout(500)  # give any injected handler time to fire
    assert page.dialogs == []
    assert frame.evaluate("window.__pwned") is None and page.evaluate("window.__pwned") is None
    assert frame.locator("img").count() == 0
    assert frame.locator("script").count() == scripts_before
    screenshot(page, "widget-hostile.png")


def test_an_allowed_intranet_site_can_embed_the_widget(server, sites, page):
    frame = open_widget(page, sites["allowed"].origin + "/portal")
    ask(frame, "图书馆周一开放吗？")
    assert "周一闭馆" in frame.locator(".msg.bot .bubble").last.inner_text()
    screenshot(page, "widget-cross-origin.png")


def test_a_site_not_allowed_is_told_why_and_still_cannot_frame_the_chat(server, sites, page, caplog):
    """The web team sees which setting and which origin, not a broken frame; the server log says it once."""
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    other = sites["other"].origin
    page.goto(other + "/portal")
    page.locator("[data-zhiku-widget] button").click()
    alert = page.locator("[data-zhiku-widget] [role=alert]")
    alert.wait_for()
    assert "ZHIKU_ALLOWED_ORIGINS" in alert.inner_text() and other in alert.inner_text()
    assert page.locator("[data-zhiku-widget] iframe").count() == 0
    screenshot(page, "widget-origin-not-allowed.png")
    page.reload()
    page.locator("[data-zhiku-widget] button").click()
    page.locator("[data-zhiku-widget] [role=alert]").wait_for()
    warned = [r for r in caplog.records if "ZHIKU_ALLOWED_ORIGINS" in r.getMessage() and other in r.getMessage()]
    assert len(warned) == 1 and warned[0].levelname == "WARNING"
    # the check is a courtesy: the browser still refuses a frame the page makes by itself
    page.evaluate("u => { const f = document.createElement('iframe'); f.src = u; document.body.appendChild(f); }",
                  f"{server.url}/embed?token={TOKEN}")
    frame = page.wait_for_selector("body > iframe").content_frame()
    page.wait_for_timeout(1500)
    assert frame.locator("#question").count() == 0
    assert any("frame-ancestors" in line for line in console), console


def test_the_embedded_chat_speaks_english_when_asked(server, page):
    page.goto(f"{server.url}/embed?lang=en&token={TOKEN}")
    assert page.locator("#send").inner_text() == "Send"
    assert page.locator("#new").inner_text() == "New chat"


def test_a_citation_opens_its_passage_in_its_document(server, sites, page):
    frame = open_widget(page, sites["allowed"].origin + "/portal")  # another site: the token rides in the links
    ask(frame, "2023年中国汽车出口多少辆？")
    opener = frame.locator(".msg.bot .sources .source .src-open").first
    assert opener.inner_text() == "在原文中查看"
    with page.context.expect_page() as opened:
        opener.click()
    preview = opened.value
    preview.wait_for_load_state()
    marked = preview.locator("mark#zk-hit")
    assert "491万" in marked.inner_text()
    assert "auto_exports.txt" in preview.locator(".file").inner_text()
    assert preview.evaluate("document.getElementById('zk-hit').getBoundingClientRect().top") < 800  # in view
    screenshot(preview, "preview-text.png")


def test_links_in_passages_are_links_and_a_long_answer_shows_from_its_start(server, page):
    frame = open_widget(page, f"{server.url}/widget-demo?token={TOKEN}")
    ask(frame, "园区地下车库每位员工每月可以预约几次停车？")
    answer = frame.locator(".msg.bot").last
    link = answer.locator(".passage a.src-link").first
    assert link.get_attribute("href") == "https://intranet.example.com/parking"
    assert link.get_attribute("rel") == "noopener noreferrer" and "<https" not in answer.inner_text()
    # the answer's first line is in view, however long its sources run below it
    top = frame.evaluate("() => { const m = [...document.querySelectorAll('.msg.bot')].pop(), l = document.getElementById('log');"
                         " return m.getBoundingClientRect().top - l.getBoundingClientRect().top; }")
    assert top >= -2, top
    screenshot(page, "widget-answer-start.png")


def test_a_refusal_in_the_widget_says_what_the_knowledge_base_holds(server, page):
    frame = open_widget(page, f"{server.url}/widget-demo?token={TOKEN}")
    ask(frame, "公司食堂的早餐几点开始供应？")  # no article says
    answer = frame.locator(".msg.bot").last
    assert "资料中没有找到相关信息" in answer.inner_text()
    suggestion = answer.locator(".suggest")
    assert suggestion.inner_text().startswith("知识库收录的是这类文章，例如：")
    titles = suggestion.locator("li").all_inner_texts()
    assert 1 <= len(titles) <= 3 and len(set(titles)) == len(titles)
    screenshot(page, "widget-refusal.png")


def test_a_web_team_pastes_its_address_on_the_demo_page_and_the_tag_works_there(server, browser):
    """/widget-demo: a bad address gets a sentence, a real one a tag (here with a one-hour widget
    token minted for that site, since the server requires tokens) that opens and answers on a
    site named nowhere in ZHIKU_ALLOWED_ORIGINS."""
    site = IntranetSite()
    threading.Thread(target=site.httpd.serve_forever, daemon=True).start()  # its page is set below
    try:
        for size, viewport in (("desktop", {"width": 1400, "height": 900}), ("phone", {"width": 390, "height": 844})):
            context = browser.new_context(viewport=viewport, locale="zh-CN")
            demo = context.new_page()
            demo.goto(f"{server.url}/widget-demo?token={TOKEN}")
            demo.fill("#zk-site", "ftp://files.example.com")
            demo.click("#zk-snippet-form button")
            demo.wait_for_function("() => document.querySelector('#zk-snippet-status').innerText.startsWith('❌')")
            assert "请输入网站地址" in demo.inner_text("#zk-snippet-status")
            demo.fill("#zk-site", site.origin + "/portal/index.html")
            demo.click("#zk-snippet-form button")
            demo.wait_for_function("() => document.querySelector('#zk-snippet-status').innerText.startsWith('✅')")
            tag = demo.inner_text("#zk-snippet-tag")
            assert site.origin in demo.inner_text("#zk-snippet-status") and "/widget.js?token=zkw_" in tag
            demo.locator("#zk-snippet-card").scroll_into_view_if_needed()
            screenshot(demo, f"widget-demo-snippet-{size}.png")
            context.close()
        site.html = f"<!doctype html><html><head><meta charset='utf-8'><title>portal</title></head><body>{tag}</body></html>"
        context = browser.new_context(viewport={"width": 1200, "height": 800}, locale="zh-CN")
        page = context.new_page()
        frame = open_widget(page, site.origin + "/")
        ask(frame, "2023年中国汽车出口多少辆？")
        assert "491万" in frame.locator(".msg.bot .bubble").last.inner_text()
        screenshot(page, "widget-demo-snippet-works.png")
        context.close()
    finally:
        site.httpd.shutdown()
        site.httpd.server_close()


def test_the_snippet_endpoint_says_what_is_wrong_with_an_address(server):
    with server.client(headers={"Authorization": f"Bearer {TOKEN}"}) as client:
        bad = client.get("/widget/snippet", params={"origin": "javascript:alert(1)"})
        good = client.get("/widget/snippet", params={"origin": "intranet.example.com:8443/a/b?c=1"})
    assert bad.status_code == 400 and "请输入网站地址" in bad.json()["detail"]
    assert good.status_code == 200 and good.json()["origin"] == "https://intranet.example.com:8443"
