"""Evidence first, in every surface, over a real server (real index, packaged embedder) whose chat
model is held back until the test has seen the evidence: the SSE stream's passages and extract,
the Gradio chat's sources panel and 摘录 bubble, the widget's. Only then is the model let go, and
its text must replace the extract. The OpenAI-compatible stream carries none of it."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.browser import needs_chromium
from tests.fakes import gated_chat_model
from tests.test_api import QUESTION, Live, live_server, server_settings

pytestmark = [pytest.mark.model, pytest.mark.timeout(240)]

# a phrase no article holds: seen on the page, it can only be the model's text
MODEL_WORDS = "按资料所述，"
REPLY = f"{MODEL_WORDS} 2023年 中国汽车 出口 491万辆， 首次 超过 日本[1]。"


@pytest.fixture(scope="module")
def model():
    return gated_chat_model(REPLY)


@pytest.fixture(scope="module")
def server(tmp_path_factory, fixture_index, embedder, model) -> Iterator[Live]:
    settings = server_settings(tmp_path_factory.mktemp("evidence-first"), fixture_index, answerer="llm")
    with live_server(settings, embedder, chat_model=model) as live:
        yield live
        model.gate.set()  # nothing left waiting


@pytest.fixture()
def gate(model):
    """The model closed at the start of the test; the test opens it."""
    model.gate.clear()
    model.asked.clear()
    yield model.gate
    model.gate.set()


def read_events(lines: Iterator[str], until: str | None = None) -> list[tuple[str, dict]]:
    """SSE events from a line iterator, up to and including the first `until` event (or the end)."""
    events, kind = [], ""
    for line in lines:
        if line.startswith("event: "):
            kind = line.removeprefix("event: ")
        elif line.startswith("data: "):
            events.append((kind, json.loads(line.removeprefix("data: "))))
            if kind == until:
                break
    return events


def test_the_sse_stream_sends_passages_and_extract_before_the_model_writes_and_the_answer_last(server, gate):
    with server.client() as client, client.stream("POST", "/api/ask/stream", json={"question": QUESTION}) as response:
        assert response.status_code == 200
        lines = response.iter_lines()
        before = read_events(lines, until="extract")  # arrives while the model is held back
        assert [kind for kind, _ in before] == ["passages", "extract"]
        passages, extract = before[0][1]["passages"], before[1][1]["text"]
        cited = next(p for p in passages if f"[{p['n']}]" in extract)
        assert "491万" in cited["quote"] and cited["quote"] in cited["text"]
        assert cited["title"] == "中国汽车出口跃居全球第一" and cited["source"].endswith("auto_exports.txt")
        assert MODEL_WORDS not in extract
        gate.set()
        after = read_events(lines)
    kinds = [kind for kind, _ in after]
    assert kinds[-1] == "answer" and set(kinds[:-1]) == {"token"} and len(kinds) > 3
    assert "".join(data["text"] for _, data in after[:-1]).startswith(MODEL_WORDS)
    final = after[-1][1]
    assert final["answer"].startswith(MODEL_WORDS) and final["citations"][0]["n"] == 1


def test_the_openai_stream_carries_only_the_models_text_and_the_citations_at_the_end(server, gate):
    gate.set()
    with server.client() as client:
        text = client.post("/v1/chat/completions", json={"model": "zhiku", "stream": True,
                                                           "messages": [{"role": "user", "content": QUESTION}]}).text
    blocks = [b.removeprefix("data: ") for b in text.split("\n\n") if b]
    assert blocks[-1] == "[DONE]"
    chunks = [json.loads(b) for b in blocks[:-1]]
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    extra = [set(c) - {"id", "object", "created", "model", "choices"} for c in chunks]
    assert all(not keys for keys in extra[:-1]) and extra[-1] == {"citations", "answer"}
    assert all(set(c["choices"][0]["delta"]) <= {"role", "content"} for c in chunks)
    content = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
    assert content.startswith(MODEL_WORDS)  # the model's words first: no extract, no passages


# --- in a browser: the evidence on screen before the model's text -----------------------------------


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 1300, "height": 900}, locale="zh-CN")
    yield context.new_page()
    context.close()


@pytest.mark.browser
@pytest.mark.slow
@needs_chromium
def test_the_chat_shows_the_sources_and_an_extract_before_the_model_writes(server, gate, page):
    page.goto(server.url + "/")
    page.wait_for_selector("#zk-question textarea")
    page.fill("#zk-question textarea", QUESTION)
    page.click("#zk-send")
    extract = page.locator("#zk-chatbot .zk-extract").last
    extract.wait_for(timeout=60_000)  # while the model is held back
    assert "摘录" in extract.inner_text() and "491万" in extract.inner_text()
    found = page.locator("#zk-sources .zk-found")
    found.wait_for()
    assert "491万" in found.locator("mark").first.inner_text()  # its sentence, highlighted
    assert MODEL_WORDS not in page.locator("#zk-chatbot").inner_text()
    gate.set()
    done = page.locator("#zk-chatbot .zk-answer:not(.zk-streaming)").last
    done.wait_for(timeout=60_000)
    assert MODEL_WORDS in done.inner_text() and "摘录" not in done.inner_text()
    assert page.locator("#zk-chatbot .zk-extract").count() == 0  # replaced, not kept beside
    assert page.locator("#zk-sources .zk-found").count() == 0 and "491万" in page.locator("#zk-sources mark").first.inner_text()


@pytest.mark.browser
@pytest.mark.slow
@needs_chromium
def test_the_widget_shows_the_sources_and_an_extract_before_the_model_writes(server, gate, page):
    page.goto(server.url + "/embed")
    page.wait_for_selector("#question")
    page.fill("#question", QUESTION)
    page.press("#question", "Enter")
    bubble = page.locator(".msg.bot .bubble").last
    page.locator(".msg.bot .bubble.extract").wait_for(timeout=60_000)
    assert "摘录" in bubble.inner_text() and "491万" in bubble.inner_text()
    assert MODEL_WORDS not in bubble.inner_text()
    found = page.locator(".msg.bot .sources.found")
    assert "491万" in found.locator("mark").first.inner_text()
    page.locator(".msg.bot .bubble.extract a.cite").first.click()  # the extract's [n] reaches its passage
    gate.set()
    page.locator(".msg.bot .feedback").wait_for(timeout=60_000)
    assert bubble.inner_text().startswith(MODEL_WORDS) and "摘录" not in bubble.inner_text()
    assert page.locator(".msg.bot .sources.found").count() == 0
    assert "491万" in page.locator(".msg.bot .sources mark").first.inner_text()
