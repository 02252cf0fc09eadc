"""From a staff question to a regression test, end to end, in real headless Chromium over real
HTTP: ask three questions in the chat (the articles do not answer one), thumbs-down another,
see both queues in the 洞察 tab, turn the refused question into a test case, run eval on that
file from the 评测 tab and from `zhiku eval run`. Screenshots go to test-artifacts/."""

from __future__ import annotations

import json

import httpx
import pytest

from eval.testset import load_testset
from tests.browser import BROWSER_MODULE, screenshot
from tests.test_api import live_server, server_settings

pytestmark = BROWSER_MODULE

QUESTIONS = ("2023年中国汽车出口多少辆？", "图书馆周一开放吗？", "公司的年假制度是怎样规定的？")
UNANSWERED = QUESTIONS[2]
COMMENT = "想知道周末的开放时间"


@pytest.fixture(scope="module")
def server(tmp_path_factory, fixture_index, embedder):
    # no token, loopback: the local single user is the admin
    settings = server_settings(tmp_path_factory.mktemp("qlog-browser"), fixture_index)
    with live_server(settings, embedder) as live:
        yield live


@pytest.fixture(scope="module")
def page(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    yield page
    page.close()


def test_a_refused_staff_question_becomes_a_passing_test_case(server, page, monkeypatch):
    page.goto(server.url)
    page.wait_for_selector("#zk-question textarea")
    for n, question in enumerate(QUESTIONS, 1):
        page.fill("#zk-question textarea", question)
        page.click("#zk-send")
        page.wait_for_function(
            "n => document.querySelectorAll('#zk-chatbot .zk-answer:not(.zk-streaming)').length >= n", arg=n,
            timeout=60_000)
    page.locator("#zk-chatbot button[aria-label=没帮助]").nth(1).click()  # thumbs down on the library answer
    page.locator("#zk-feedback textarea").fill(COMMENT)
    page.get_by_role("button", name="提交说明").click()
    page.wait_for_function("() => document.querySelector('#zk-feedback-status')?.innerText?.includes('谢谢')")

    page.get_by_text("历史对话").click()  # the user's own conversations, newest first
    page.locator("#zk-conversations label").first.wait_for()
    history = page.locator("#zk-conversations label").all_inner_texts()
    assert len(history) == 1 and QUESTIONS[0] in history[0] and "（3 问）" in history[0]  # one conversation
    screenshot(page, "qlog-chat-history.png")

    # the same over HTTP: both queues
    with httpx.Client(base_url=server.url, timeout=60) as c:
        data = c.get("/api/admin/insights").json()
    assert [q["question"] for q in data["unanswered"]] == [UNANSWERED]
    assert [(q["question"], q["comment"]) for q in data["disliked"]] == [(QUESTIONS[1], COMMENT)]

    page.get_by_role("tab", name="洞察").click()
    page.wait_for_function("q => document.querySelector('#zk-unanswered')?.innerText?.includes(q)", arg=UNANSWERED)
    page.wait_for_function("c => document.querySelector('#zk-disliked')?.innerText?.includes(c)", arg=COMMENT)
    assert "提问** 3" in page.locator("#zk-insights-figures").inner_text() or "提问 3" in page.locator(
        "#zk-insights-figures").inner_text()
    page.wait_for_timeout(1500)  # the charts draw after the data arrives (a picture only)
    screenshot(page, "qlog-insights.png")

    page.locator("#zk-unanswered").get_by_text(UNANSWERED).last.click()  # one click: the review form fills
    page.wait_for_function("q => document.querySelector('#zk-case-question textarea')?.value === q", arg=UNANSWERED)
    assert page.locator("#zk-case-unanswerable input").is_checked()  # refused: proposed as a content gap
    page.locator("#zk-case-set textarea").fill("e2e")
    page.click("#zk-case-save")
    page.wait_for_function("() => document.querySelector('#zk-case-status')?.innerText?.includes('已加入')")
    screenshot(page, "qlog-test-case.png")
    dataset = server.settings.data_dir / "testsets" / "e2e.jsonl"
    [item] = load_testset(dataset)
    assert (item.question, item.type) == (UNANSWERED, "unanswerable")
    assert json.loads(dataset.read_text(encoding="utf-8"))["log_id"] == data["unanswered"][0]["id"]

    page.get_by_role("tab", name="评测").click()
    page.get_by_role("button", name="刷新列表").click()
    page.locator("#zk-collected-set input").click()
    page.get_by_role("option", name="e2e").click()
    page.click("#zk-collected-run")
    page.wait_for_function("() => document.querySelector('#zk-collected-result')?.innerText?.includes('个用例通过')",
                           timeout=120_000)
    assert "1 / 1 个用例通过" in page.locator("#zk-collected-result").inner_text()
    screenshot(page, "qlog-eval-run.png")

    # and from the command line, as a script would
    from typer.testing import CliRunner

    from ui.cli import app

    for key, value in (("DATA_DIR", server.settings.data_dir), ("INDEX_DIR", server.settings.index_dir),
                       ("CACHE_DIR", server.settings.cache_dir), ("ANSWERER", "extractive")):
        monkeypatch.setenv(f"ZHIKU_{key}", str(value))
    out = server.settings.data_dir / "eval" / "cli-run"
    result = CliRunner().invoke(app, ["eval", "run", "--dataset", str(dataset), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads((out / "metrics.json").read_text())["refusal.accuracy"] == 1.0


def test_only_named_admins_see_the_insights_tab(tmp_path, fixture_index, embedder, page):
    settings = server_settings(tmp_path, fixture_index, trusted_user_header="X-User", admin_users=["alice"])
    with live_server(settings, embedder) as live:
        tabs = {}
        for user in ("alice", "bob"):
            context = page.context.browser.new_context(extra_http_headers={"X-User": user})
            other = context.new_page()
            other.goto(live.url)
            other.wait_for_selector("#zk-question textarea")
            if user == "alice":  # the page's load event shows her the tab
                other.get_by_role("tab", name="洞察").wait_for()
            else:  # the load events have run once the 历史 list is filled; then a grace period for the tab's
                other.get_by_text("历史对话").click()
                other.wait_for_function("() => document.querySelector('#zk-history')?.textContent?.includes('还没有')")
                other.wait_for_timeout(2000)
            tabs[user] = other.get_by_role("tab").all_inner_texts()
            context.close()
    assert "洞察" in tabs["alice"]
    assert "洞察" not in tabs["bob"] and "评测" in tabs["bob"]
