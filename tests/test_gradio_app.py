"""The Gradio app over a real index, launched on a loopback port and driven over HTTP with
gradio_client, the way a browser session uses it (one Client = one browser session)."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
from pathlib import Path

import pytest

from rag.records import Chunk
from tests.browser import launched, needs_chromium
from tests.conftest import FIXTURE_ARTICLES
from ui.examples import KNOWN_QUESTIONS, example_questions
from ui.i18n import UIText

TOKEN = "s3cret-token-never-stored"
HOSTILE_ARTICLE = """# 少儿阅览室<script>alert('title')</script>维修通知<img src=x onerror=alert(1)>

自8月1日起，少儿阅览室每周三上午闭馆维修<img src=x onerror=alert(2)>，下午照常开放。![p](http://evil.example/p.png) ${alert(3)}
"""
UPLOADED_ARTICLE = "# 食堂供餐时间调整\n\n自9月1日起，职工食堂早餐供应时间调整为7:00至8:30，午餐为11:30至13:00。\n"
PAYLOAD_QUESTION = "<img src=x onerror=alert(1)>图书馆周一开放吗？"


# --- examples (no model) -------------------------------------------------------------------------


def _chunk(source: str, title: str, text: str = "正文。") -> Chunk:
    return Chunk(id=f"{source}-{title}", source=source, title=title, text=text, start=0, end=len(text))


def test_examples_turn_titles_into_questions_one_file_at_a_time():
    chunks = [_chunk("a.txt", "中国汽车出口跃居全球第一"), _chunk("a.txt", "新能源车企加速布局海外工厂"),
              _chunk("b.md", "图书馆开放时间调整"), _chunk("c.txt", "c"), _chunk("d.txt", "d")]
    assert example_questions(chunks, UIText("zh"), limit=3) == [
        "「中国汽车出口跃居全球第一」讲了什么？", "「图书馆开放时间调整」讲了什么？", "「新能源车企加速布局海外工厂」讲了什么？"]


def test_examples_prefer_known_questions_whose_answer_is_indexed():
    question, phrase = KNOWN_QUESTIONS[0]
    chunks = [_chunk("x.txt", "图书馆开放时间调整"), _chunk("y.txt", "某标题", f"前文。{phrase[:3]} {phrase[3:]}后文。")]
    assert example_questions(chunks, UIText("zh"), limit=2) == [question, "「图书馆开放时间调整」讲了什么？"]


def test_examples_skip_file_names_and_overlong_titles_and_survive_an_empty_index():
    chunks = [_chunk("report.pdf", "report"), _chunk("x.txt", "很长" * 40)]
    assert example_questions(chunks, UIText("zh")) == []
    assert example_questions([], UIText("en")) == []


def test_the_app_builds_without_an_index_and_in_english(tmp_path):
    from index.knowledge_base import KnowledgeBase
    from rag.assistant import Assistant
    from rag.components import make_builder
    from rag.settings import Settings
    from ui.feedback import FeedbackStore
    from ui.gradio_app import build_gradio_app

    settings = Settings(data_dir=tmp_path, corpus_dir=tmp_path / "articles", index_dir=tmp_path / "index",
                        language="en")
    demo = build_gradio_app(Assistant(settings), settings, FeedbackStore(tmp_path / "f.sqlite3"),
                            KnowledgeBase(make_builder(settings), settings.corpus_dir))
    config = demo.get_config_file()
    text = json.dumps(config, ensure_ascii=False, default=str)
    assert "New conversation" in text and "Knowledge base" in text
    assert not re.search(r"[\u4e00-\u9fff]", text)  # not one Chinese word on the English page
    chatbot = next(c for c in config["components"] if c.get("props", {}).get("elem_id") == "zk-chatbot")
    # the chatbot renders Markdown: LaTeX off, sanitising on, no copy button (it would copy HTML)
    assert chatbot["props"]["latex_delimiters"] == [] and chatbot["props"]["sanitize_html"] is True
    assert chatbot["props"]["examples"] in (None, [])


# --- the running app -------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app(tmp_path_factory, embedder):
    """The app over an index of the fixture articles plus one hostile article, launched for real."""
    from index.knowledge_base import KnowledgeBase
    from rag.assistant import Assistant
    from rag.components import make_builder, open_retriever
    from rag.settings import Settings
    from ui.feedback import FeedbackStore
    from ui.gradio_app import build_gradio_app

    root = tmp_path_factory.mktemp("gradio-app")
    corpus = root / "articles"
    shutil.copytree(FIXTURE_ARTICLES, corpus)
    (corpus / "hostile.md").write_text(HOSTILE_ARTICLE, encoding="utf-8")
    settings = Settings(data_dir=root, corpus_dir=corpus, index_dir=root / "index", answerer="extractive",
                        cache_dir=root / "cache", token=TOKEN)
    make_builder(settings, embedder).build(corpus)
    assistant = Assistant(settings, retriever=open_retriever(settings, embedder))
    feedback = FeedbackStore(root / "feedback.sqlite3")
    demo = build_gradio_app(assistant, settings, feedback, KnowledgeBase(make_builder(settings, embedder), settings.corpus_dir))
    port = _free_port()
    demo.launch(prevent_thread_lock=True, server_name="127.0.0.1", server_port=port, quiet=True)
    try:
        yield {"url": f"http://127.0.0.1:{port}/", "settings": settings, "feedback": feedback,
               "assistant": assistant, "root": root}
    finally:
        demo.close()
        feedback.close()


@pytest.fixture()
def client(app):
    from gradio_client import Client

    return Client(app["url"], verbose=False)


def _text(message: dict) -> str:
    content = message["content"]
    return "".join(part.get("text", "") for part in content) if isinstance(content, list) else str(content)


def ask(client, question: str) -> tuple[list[dict], str]:
    chat, sources, _question, *_ = client.predict(question, api_name="/ask")
    return chat, sources



@pytest.mark.model
def test_an_answer_streams_in_then_arrives_with_a_linked_citation(client):
    job = client.submit("图书馆周一开放吗？", api_name="/ask")
    updates = list(job)
    chat, sources = job.result()[:2]
    assert any("zk-streaming" in _text(u[0][-1]) for u in updates if u[0])  # shown while working
    answer = _text(chat[-1])
    assert "周一闭馆" in answer and "zk-streaming" not in answer
    assert 'class="zk-cite" href="#zk0-s1"' in answer
    assert 'id="zk0-s1"' in sources and "<mark>" in sources and "culture.md" in sources


@pytest.mark.model
def test_feedback_is_stored_with_the_answer_and_settings_but_never_the_token(client, app):
    ask(client, "图书馆周一开放吗？")
    _comment, status = client.predict("down", "时间不够具体", api_name="/feedback")
    assert "谢谢" in status
    row = app["feedback"].recent(1)[0]
    assert (row["rating"], row["comment"], row["question"]) == ("down", "时间不够具体", "图书馆周一开放吗？")
    assert "周一闭馆" in row["answer"] and row["channel"] == "chat"
    assert row["citations"][0]["source"] == "culture.md" and row["citations"][0]["quote"]
    assert row["produced_by"]["answerer"] == "extractive" and row["produced_by"]["embedding_model"]
    assert TOKEN.encode() not in (app["root"] / "feedback.sqlite3").read_bytes()


@pytest.mark.model
def test_feedback_without_an_answer_is_politely_refused(client, app):
    before = len(app["feedback"].recent(1000))
    _comment, status = client.predict("up", "", api_name="/feedback")
    assert "无法评价" in status and len(app["feedback"].recent(1000)) == before


@pytest.mark.model
def test_the_conversation_is_kept_per_session_until_a_new_one_starts(client, app):
    from gradio_client import Client

    ask(client, "图书馆周一开放吗？")
    chat, sources = ask(client, "那周末呢？")
    assert len(chat) == 4 and 'id="zk1-s1"' in sources  # a second exchange, its own anchors
    other_session, _ = ask(Client(app["url"], verbose=False), "图书馆周一开放吗？")
    assert len(other_session) == 2
    client.predict(api_name="/new_chat")
    chat, _ = ask(client, "图书馆周一开放吗？")
    assert len(chat) == 2


@pytest.mark.model
def test_a_question_carrying_html_comes_back_escaped(client):
    chat, _ = ask(client, PAYLOAD_QUESTION)
    shown = _text(chat[0])
    assert "<img" not in shown and "&lt;img src=x onerror=alert&#40;1&#41;&gt;" in shown


@pytest.mark.model
def test_an_article_carrying_html_renders_inert_in_chat_and_sources(client):
    chat, sources = ask(client, "少儿阅览室每周三上午开放吗？")
    for html in (_text(chat[-1]), sources):
        assert "<script" not in html and "<img" not in html and "](" not in html and "${" not in html
    assert "&lt;script&gt;" in sources and "hostile.md" in sources


@pytest.mark.model
def test_an_empty_question_leaves_no_bubble_to_rate(app):
    """A hint (a toast), not an exchange: nothing in the conversation, no thumbs on a notice."""
    from gradio_client import Client

    client = Client(app["url"], verbose=False)
    ask(client, "图书馆周一开放吗？")
    chat, _ = ask(client, "   ")
    assert chat == {"__type__": "update"}  # the chat is left as it was
    chat, _ = ask(client, "那周末呢？")
    assert len(chat) == 4  # two exchanges: the empty question left nothing behind


@pytest.mark.model
def test_a_comment_after_a_thumb_updates_its_row(app, client):
    """Thumb, then comment: one row per answer, the comment on it (also for the question log)."""
    import gradio as gr

    from ui.chat_tab import ChatHandlers
    from ui.i18n import UIText

    store = app["feedback"]
    exchanges = [{"ok": True, "question": "图书馆周一开放吗？", "text": "周一闭馆[1]。", "citations": [],
                  "produced_by": {}, "conversation_id": "c1"}]
    handlers = ChatHandlers(None, app["settings"], store, UIText("zh"))
    before = len(store.recent(10_000))
    pending, _rating, _row, thanks = handlers.on_like(exchanges, gr.LikeData(target=None, data={"index": 1, "value": "", "liked": False}))
    _comment, said = handlers.submit_feedback("down", "时间不够具体", pending, exchanges)
    rows = store.recent(10_000)
    assert len(rows) == before + 1 and "谢谢" in thanks and "谢谢" in said
    assert (rows[0]["rating"], rows[0]["comment"]) == ("down", "时间不够具体")


@pytest.mark.model
def test_assistant_errors_show_as_messages_never_tracebacks(client, app, monkeypatch):
    from index.errors import ZhikuError

    def fail(*_args, **_kwargs):
        raise ZhikuError("the index is being rebuilt: try again in a minute")
        yield  # a generator, like the real stream

    monkeypatch.setattr(app["assistant"], "stream", fail)
    chat, _ = ask(client, "图书馆周一开放吗？")
    assert "抱歉，无法回答：the index is being rebuilt" in _text(chat[-1])

    def crash(*_args, **_kwargs):
        raise RuntimeError("secret internals")
        yield

    monkeypatch.setattr(app["assistant"], "stream", crash)
    chat, _ = ask(client, "图书馆周一开放吗？")
    assert "内部错误" in _text(chat[-1]) and "secret internals" not in _text(chat[-1])
    assert "Traceback" not in json.dumps(chat, ensure_ascii=False)


@pytest.mark.model
def test_an_uploaded_file_is_indexed_answered_from_and_removable(client, app, tmp_path):
    from gradio_client import handle_file

    article = tmp_path / "食堂 通知.md"
    article.write_text(UPLOADED_ARTICLE, encoding="utf-8")
    empty = tmp_path / "empty.md"
    empty.write_bytes(b"")
    log, summary, files, _choice, _files = client.predict([handle_file(article), handle_file(empty)],
                                                          api_name="/upload")
    assert "✅ 食堂 通知.md：已索引" in log and "❌ empty.md：the file is empty" in log
    assert "uploads/食堂 通知.md" in files
    chat, sources = ask(client, "职工食堂早餐几点供应？")
    assert "7:00" in _text(chat[-1]) and "uploads/食堂 通知.md" in sources

    log, *_ = client.predict("uploads/食堂 通知.md", api_name="/remove")
    assert "已从索引中删除" in log
    _chat, sources = ask(client, "职工食堂早餐几点供应？")
    assert "uploads/食堂 通知.md" not in sources


@pytest.mark.model
def test_an_upload_of_a_refused_type_is_rejected_before_indexing(client, app, tmp_path):
    from gradio_client import handle_file
    from gradio_client.exceptions import AppError

    tool = tmp_path / "tool.exe"
    tool.write_bytes(b"MZ\x90\x00")
    with pytest.raises(AppError, match="Invalid file type"):
        client.predict([handle_file(tool)], api_name="/upload")
    assert not (app["settings"].corpus_dir / "uploads" / "tool.exe").exists()


@pytest.mark.model
def test_the_eval_tab_lists_runs_with_headline_metrics_and_report_links(client, app):
    run = app["root"] / "eval" / "2026-01-02-demo"
    run.mkdir(parents=True)
    (run / "run.json").write_text(json.dumps({"kind": "run", "created": "2026-01-02T10:00:00", "dataset": "/x/demo.jsonl",
                                              "answerer": "extractive", "n": 40}), encoding="utf-8")
    (run / "metrics.json").write_text(json.dumps({"retrieval.hit@5": 0.875, "latency.p50_ms": 123.4}), encoding="utf-8")
    (run / "report.html").write_text("<html></html>", encoding="utf-8")
    html = client.predict(api_name="/eval_runs")
    assert 'href="/eval-reports/2026-01-02-demo/report.html"' in html
    assert "0.875" in html and "123 ms" in html and "demo.jsonl" in html


@pytest.mark.model
@pytest.mark.browser
@needs_chromium
def test_in_a_browser_escaped_text_stays_text_and_markers_reach_their_source(app, tmp_path):
    """Gradio's chatbot renders Markdown and HTML: the escaped payloads must not come back to life."""
    with launched() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 950})
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(app["url"])
        page.wait_for_selector("#zk-question textarea")
        for question in (PAYLOAD_QUESTION, "少儿阅览室每周三上午开放吗？"):
            page.fill("#zk-question textarea", question)
            page.click("#zk-send")
            page.wait_for_function(
                "n => document.querySelectorAll('#zk-chatbot .zk-answer:not(.zk-streaming)').length >= n",
                arg=1 if question == PAYLOAD_QUESTION else 2, timeout=20000)
        page.wait_for_timeout(500)
        assert page.locator("#zk-chatbot img, #zk-sources img, #zk-chatbot script, #zk-sources script").count() == 0
        assert page.locator("#zk-chatbot .zk-question").first.text_content() == PAYLOAD_QUESTION
        assert "<script>alert('title')</script>" in page.locator("#zk-sources").text_content()
        page.locator("#zk-chatbot a.zk-cite").last.click()
        assert page.url.endswith("#zk1-s1")
        page.screenshot(path=str(Path(os.environ.get("ZHIKU_ARTIFACTS", tmp_path)) / "gradio-chat.png"))
    assert dialogs == []
