"""The chat as staff use it, in real headless Chromium over real HTTP (#21.1): every word in the
product's language whatever the browser's, accessible names without HTML, the keyboard, copy and
regenerate, past conversations reopened, and refusals that say what the knowledge base holds —
never a title the asker may not read. One server for the module; each point is shot at 1400×900
and at 390 px into test-artifacts/ (gitignored)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.browser import BROWSER_MODULE, screenshot
from tests.test_api import Live, live_server, server_settings

pytestmark = BROWSER_MODULE

HR_TITLE = "青松计划年假细则"
HR_ARTICLE = f"# {HR_TITLE}\n\n试用期员工享有三天特别调休假，此项安排称为青松计划，由人力资源部统一登记。\n"
HR_QUESTION = "试用期员工的特别调休假有几天？"
LIBRARY = "图书馆周一开放吗？"
ABSENT = "公司食堂的早餐几点开始供应？"  # no article says
SIZES = {"desktop": {"width": 1400, "height": 900}, "phone": {"width": 390, "height": 844}}

# Gradio's own English, as it shows on a page nobody translated (tooltips, screen-reader texts)
ENGLISH = ["Drop File Here", "Click to Upload", "Click to upload", "drop files", "File", "Clear", "Like", "Dislike", "Copy message", "Retry", "Undo",
           "chatbot conversation", "'s message", "More tabs", "Use via API", "Built with Gradio", "Loading",
           "Textbox", "Dropdown", "Radio", "Chatbot", "Submit", "Error"]
I18N_KEY = re.compile(r"\b(common|chatbot|upload_text|blocks|file|dropdown|radio|errors)\.[a-z_]+\b")


@pytest.fixture(scope="module")
def server(tmp_path_factory, fixture_index, embedder) -> Iterator[Live]:
    """The fixture articles for everyone, an HR knowledge base for the hr group; users named by
    the (loopback) proxy's X-User / X-Groups headers."""
    from rag.components import make_builder, make_registry

    root = tmp_path_factory.mktemp("chat-browser")
    settings = server_settings(root, fixture_index, trusted_user_header="X-User", trusted_groups_header="X-Groups")
    hr = root / "hr"
    hr.mkdir()
    (hr / "leave.md").write_text(HR_ARTICLE, encoding="utf-8")
    make_registry(settings).create("hr", hr, "hr", title="人事制度")
    make_builder(settings, embedder).build(hr, collection="hr")
    with live_server(settings, embedder) as live:
        yield live


@pytest.fixture()
def open_chat(browser, server):
    """open_chat(user, size="desktop", groups="staff") -> a page on the chat, its browser in English."""
    contexts = []

    def open_(user: str, size: str = "desktop", groups: str = "staff"):
        context = browser.new_context(viewport=SIZES[size], locale="en-US",
                                      extra_http_headers={"X-User": user, "X-Groups": groups},
                                      permissions=["clipboard-read", "clipboard-write"])
        contexts.append(context)
        page = context.new_page()
        page.goto(server.url)
        page.wait_for_selector("#zk-question textarea")
        page.wait_for_function("() => window.__zkChat === true")  # the page script has run
        return page

    yield open_
    for context in contexts:
        context.close()


def answers(page) -> int:
    return page.locator("#zk-chatbot .zk-answer:not(.zk-streaming)").count()


def ask(page, question: str, key: str = "Enter") -> None:
    before = answers(page)
    page.fill("#zk-question textarea", question)
    page.press("#zk-question textarea", key)
    page.wait_for_function("n => document.querySelectorAll('#zk-chatbot .zk-answer:not(.zk-streaming)').length > n",
                           arg=before, timeout=60_000)
    page.wait_for_timeout(300)  # the buttons under the answer and the page script's names


def shoot(page, point: str, size: str) -> None:
    screenshot(page, f"chat-{point}-{size}.png")


def words_on_page(page) -> list[str]:
    """What a reader or a screen reader meets: visible text, accessible names, tooltips, placeholders
    and the screen-reader-only status lines."""
    return page.evaluate("""() => {
        const out = [document.body.innerText];
        document.querySelectorAll('[aria-label],[title],[placeholder],.sr-only').forEach(el => {
            for (const a of ['aria-label', 'title', 'placeholder']) if (el.getAttribute(a)) out.push(el.getAttribute(a));
            if (el.classList.contains('sr-only')) out.push(el.textContent);
        });
        return out; }""")


def accessible_names(page) -> list[str]:
    return page.evaluate("() => [...document.querySelectorAll('[aria-label]')].map(el => el.getAttribute('aria-label'))")


# --- 1. the page speaks Chinese in an English browser, to people and to screen readers -----------


@pytest.mark.parametrize("size", SIZES)
def test_the_zh_page_has_no_english_gradio_words_and_no_html_in_accessible_names(open_chat, size):
    page = open_chat("amy", size)
    ask(page, LIBRARY)
    shoot(page, "answer", size)
    page.get_by_role("tab", name="知识库").click()  # the upload box: Gradio's "Drop File Here"
    page.wait_for_selector("#zk-question textarea", state="hidden")
    page.wait_for_timeout(500)
    shoot(page, "kb-tab", size)
    found = "\n".join(words_on_page(page))
    assert "将文件拖放到此处" in found
    page.get_by_role("tab", name="对话").click()
    page.wait_for_selector("#zk-question textarea")
    found += "\n".join(words_on_page(page))
    leftovers = [w for w in ENGLISH if re.search(rf"(?<![A-Za-z]){re.escape(w)}(?![a-z])", found)]
    assert leftovers == [] and not I18N_KEY.search(found), leftovers or I18N_KEY.search(found).group()
    names = accessible_names(page)
    assert not [n for n in names if "<" in n or "&lt;" in n or "class=" in n], names
    assert f"您的问题：{LIBRARY}" in names and any(n.startswith("回答：") and "周一闭馆" in n for n in names)
    assert {"有帮助", "没帮助", "复制回答", "重新生成", "对话记录"} <= set(names)


# --- keyboard ------------------------------------------------------------------------------------


def test_enter_sends_shift_enter_breaks_the_line_and_enter_while_composing_does_not_send(open_chat):
    page = open_chat("ben")
    box = "#zk-question textarea"
    page.fill(box, "图书馆")
    page.press(box, "Shift+Enter")
    page.keyboard.type("周一开放吗？")
    assert page.input_value(box) == "图书馆\n周一开放吗？" and answers(page) == 0
    # a pinyin input method's Enter picks the characters: it must not send the half-typed question
    page.evaluate("""() => document.querySelector('#zk-question textarea').dispatchEvent(new KeyboardEvent(
        'keydown', {key: 'Enter', code: 'Enter', keyCode: 229, isComposing: true, bubbles: true, cancelable: true}))""")
    page.wait_for_timeout(800)
    assert answers(page) == 0 and page.locator("#zk-chatbot .zk-question").count() == 0
    page.press(box, "Enter")
    page.wait_for_function("() => document.querySelectorAll('#zk-chatbot .zk-answer:not(.zk-streaming)').length == 1")
    assert page.input_value(box) == ""


# --- 2. copy and regenerate ---------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
def test_copy_answer_copies_its_text_and_sources_not_html(open_chat, size):
    page = open_chat("cat", size)
    ask(page, LIBRARY)
    page.locator("#zk-chatbot .message-buttons-left button[aria-label=复制回答]").last.click()
    page.wait_for_selector("#zk-chatbot button[aria-label=已复制]")  # the click is seen to work
    shoot(page, "copied", size)
    copied = page.evaluate("navigator.clipboard.readText()")
    text, _, sources = copied.partition("\n\n引用来源：\n")
    assert "周一闭馆" in text and "[1]" in text and "<" not in copied and "未使用生成模型" not in copied
    assert sources.splitlines()[0] == "[1] 图书馆开放时间调整"
    # questions have no copy button: nothing there to copy that the user did not just type
    assert page.locator("#zk-chatbot .message-buttons-right button[aria-label=复制回答]").is_hidden()


def test_regenerate_asks_again_in_the_same_conversation_and_replaces_the_answer(open_chat, server):
    page = open_chat("dan")
    ask(page, LIBRARY)
    ask(page, "那周末呢？")
    page.locator("#zk-chatbot button[aria-label=重新生成]").click()
    page.wait_for_function("() => document.querySelectorAll('#zk-chatbot .zk-answer.zk-streaming').length == 0"
                           " && document.querySelectorAll('#zk-chatbot .zk-question').length == 2")
    page.wait_for_timeout(1000)
    shoot(page, "regenerated", "desktop")
    assert page.locator("#zk-chatbot .zk-question").all_inner_texts() == [LIBRARY, "那周末呢？"]
    rows = logged(server, "dan")
    assert [r["question"] for r in rows] == [LIBRARY, "那周末呢？", "那周末呢？"]
    assert len({r["conversation_id"] for r in rows}) == 1  # asked again in the same conversation


def logged(server: Live, user: str) -> list[dict]:
    log = server.app.state.question_log
    log.flush(5.0)
    with log.reader() as db:
        rows = db.execute("SELECT question, conversation_id FROM questions WHERE user = ? ORDER BY id", (user,))
        return [dict(zip(("question", "conversation_id"), r)) for r in rows.fetchall()]


# --- 3. past conversations ----------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
def test_past_conversations_are_listed_for_their_owner_and_reopen_to_continue(open_chat, server, size):
    user = f"eve-{size}"
    page = open_chat(user, size)
    ask(page, "2023年中国汽车出口多少辆？")
    ask(page, "其中新能源汽车呢？")
    page.click("#zk-new-chat")
    page.wait_for_function("() => document.querySelectorAll('#zk-chatbot .zk-question').length == 0")
    ask(page, LIBRARY)

    page.get_by_text("历史对话").click()
    listed = page.locator("#zk-conversations label")
    listed.nth(1).wait_for()
    items = listed.all_inner_texts()
    assert len(items) == 2 and LIBRARY in items[0] and "（1 问）" in items[0]
    assert "2023年中国汽车出口多少辆？" in items[1] and "（2 问）" in items[1]
    listed.nth(1).click()  # reopen the older one
    page.wait_for_function("() => document.querySelectorAll('#zk-chatbot .zk-question').length == 2")
    assert page.locator("#zk-chatbot .zk-question").all_inner_texts() == ["2023年中国汽车出口多少辆？", "其中新能源汽车呢？"]
    assert "491" in page.locator("#zk-chatbot .zk-answer").first.inner_text()
    page.locator("#zk-chatbot a.zk-cite").first.wait_for()  # its markers still reach their passages
    page.locator("#zk-sources .zk-source").first.wait_for()
    shoot(page, "history", size)

    ask(page, "那2022年呢？")  # a follow-up continues the reopened conversation
    rows = logged(server, user)
    assert rows[-1]["conversation_id"] == rows[0]["conversation_id"] != rows[2]["conversation_id"]

    other = open_chat(f"fay-{size}", size)  # someone else sees none of it
    other.get_by_text("历史对话").click()
    other.wait_for_function("() => document.querySelector('#zk-history')?.innerText?.includes('还没有')")
    assert other.locator("#zk-conversations").is_hidden()


# --- 4. refusals that help ------------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
def test_a_refusal_suggests_what_the_reader_may_read_and_nothing_else(open_chat, size):
    staff = open_chat(f"gus-{size}", size, groups="sales")
    ask(staff, HR_QUESTION)  # the answer is in HR's knowledge base, which sales may not read
    notice = staff.locator("#zk-chatbot .zk-notice-refused").last.inner_text()
    shoot(staff, "refusal", size)
    assert "资料中没有找到相关信息" in notice and "知识库收录的是这类文章" in notice
    assert HR_TITLE not in notice and "人事制度" not in notice and "青松" not in staff.content()

    hr = open_chat(f"hal-{size}", size, groups="hr")
    ask(hr, ABSENT)
    notice = hr.locator("#zk-chatbot .zk-notice-refused").last.inner_text()
    shoot(hr, "refusal-two-bases", size)
    assert "您可以检索的知识库" in notice and "人事制度" in notice  # two to choose from: both named


# --- English, in a Chinese browser ------------------------------------------------------------------


def test_an_english_page_stays_english_in_a_chinese_browser(browser, tmp_path, fixture_index, embedder):
    settings = server_settings(tmp_path, fixture_index, language="en")  # the local admin: every tab
    with live_server(settings, embedder) as live:
        context = browser.new_context(viewport=SIZES["desktop"], locale="zh-CN")
        page = context.new_page()
        page.goto(live.url)
        page.wait_for_selector("#zk-question textarea")
        ask(page, "图书馆周一开放吗？")
        shoot(page, "english", "desktop")
        # everything but the Chinese question, answer and passages: controls, tabs, names, statuses
        controls = page.evaluate("""() => {
            const out = [];
            document.querySelectorAll('button, [role=tab], label, .sr-only, [placeholder], h1, #zk-sources .zk-sources-title')
                .forEach(el => out.push(el.innerText || '', el.getAttribute('aria-label') || '',
                                        el.getAttribute('title') || '', el.getAttribute('placeholder') || ''));
            return out.filter(Boolean); }""")
        names = accessible_names(page)
        page.get_by_role("tab", name="Insights").click()  # the admins' tab, in English too
        page.wait_for_function("() => document.querySelector('#zk-insights-figures')?.innerText?.includes('Asked')")
        shoot(page, "english-insights", "desktop")
        controls += page.evaluate("""() => [...document.querySelectorAll('#zk-insights label, #zk-insights button, '
            + '#zk-insights h4, #zk-insights th, #zk-insights-figures')].map(el => el.innerText)""")
        context.close()
    assert {"Helpful", "Not helpful", "Copy answer", "Regenerate", "Conversation"} <= set(names)
    assert "Your question: 图书馆周一开放吗？" in names
    chinese = [c for c in controls if re.search(r"[\u4e00-\u9fff]", c) and "图书馆周一开放吗" not in c]
    assert chinese == [], chinese
