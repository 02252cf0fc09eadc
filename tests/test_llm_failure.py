"""A broken LLM is told apart from a slow one: the notice, the log, /healthz and the chat banner say
which, so nobody takes an extracted answer for the model's, or a broken install for a slow one."""

from __future__ import annotations

import logging
import time

import httpx
import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from rag.llm.status import LLMStatus, describe_failure
from tests.test_api import QUESTION, live_server, server_settings

pytestmark = [pytest.mark.model, pytest.mark.timeout(180)]


class BrokenClient(GenericFakeChatModel):
    """What issue 14 saw: the OpenAI client rejects a parameter, at every call."""

    def _stream(self, *args, **kwargs):
        raise TypeError("Completions.create() got an unexpected keyword argument 'http_socket_options'")


def broken_model() -> BrokenClient:
    return BrokenClient(messages=iter([AIMessage("unused")]))


def test_timeouts_and_faults_are_described_apart() -> None:
    assert describe_failure(TimeoutError("the LLM wrote for more than 60 s")).timed_out
    assert describe_failure(httpx.ReadTimeout("read timed out")).timed_out
    fault = describe_failure(TypeError("bad\nkeyword   argument"))
    assert not fault.timed_out and fault.reason == "TypeError: bad keyword argument"
    assert str(LLMStatus("failed", fault.reason)) == "failed: TypeError: bad keyword argument"
    assert str(LLMStatus("ready")) == "ready"


def test_a_broken_client_gives_the_truthful_notice_logged_once(tmp_path, fixture_index, embedder, caplog) -> None:
    from rag.assistant import NOTICE_LLM_TIMEOUT, Assistant
    from rag.components import open_retriever

    settings = server_settings(tmp_path, fixture_index, answerer="llm")
    assistant = Assistant(settings, retriever=open_retriever(settings, embedder), chat_model=broken_model())
    with caplog.at_level(logging.WARNING, logger="rag.assistant"):
        first = assistant.ask(QUESTION)
        second = assistant.ask(QUESTION)
    assert first.answerer == "extractive" and "491万" in first.text
    assert first.notice != NOTICE_LLM_TIMEOUT
    assert "生成模型出错" in first.notice and "unexpected keyword argument" in first.notice
    assert "zhiku doctor" in first.notice
    assert second.notice == first.notice
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and "zhiku doctor" in errors[0].getMessage()  # once, with what to do
    assert assistant.llm_status.state == "failed"
    assert "unexpected keyword argument" in assistant.llm_status.reason


def test_a_model_that_cannot_start_is_reported_not_raised(tmp_path, fixture_index, embedder) -> None:
    from rag.assistant import Assistant
    from rag.components import open_retriever

    settings = server_settings(tmp_path, fixture_index, answerer="llm", llm_base_url="",
                               llm_gguf_path=str(tmp_path / "missing.gguf"))
    assistant = Assistant(settings, retriever=open_retriever(settings, embedder))
    answer = assistant.ask(QUESTION)
    assert answer.answerer == "extractive" and "491万" in answer.text
    assert "生成模型出错" in answer.notice and "missing.gguf" in answer.notice
    assert assistant.llm_status.state == "failed"


def test_healthz_and_the_api_say_the_llm_is_broken(tmp_path, fixture_index, embedder) -> None:
    settings = server_settings(tmp_path, fixture_index, answerer="llm")
    with live_server(settings, embedder, chat_model=broken_model()) as live, live.client() as http:
        assert http.get("/healthz").json()["llm"] == "ready"  # nothing has failed yet
        answer = http.post("/api/ask", json={"question": QUESTION}).json()
        assert answer["answerer"] == "extractive" and "生成模型出错" in answer["notice"]
        health = http.get("/healthz").json()
        assert health["status"] == "ok" and health["index"] and health["embedder"]
        assert health["llm"].startswith("failed: TypeError")


def test_the_chat_shows_a_banner_when_answers_are_extracted_because_the_llm_is_down(
    tmp_path, fixture_index, embedder
) -> None:
    from gradio_client import Client

    settings = server_settings(tmp_path, fixture_index, answerer="llm")
    with live_server(settings, embedder, chat_model=broken_model()) as live:
        client = Client(live.url + "/", verbose=False)
        assert client.predict(api_name="/llm_banner") == ""  # a working (or untried) model shows nothing
        client.predict(QUESTION, api_name="/ask")
        banner = client.predict(api_name="/llm_banner")
    assert "生成模型暂时无法使用" in banner and "zhiku doctor" in banner and "TypeError" in banner


def test_the_warm_up_loads_the_embedder_and_reports_an_unreachable_model(tmp_path, fixture_index, embedder) -> None:
    """With a configured endpoint that refuses connections, warm-up ends in `failed`, never raises."""
    from rag.assistant import Assistant
    from rag.components import open_retriever

    settings = server_settings(tmp_path, fixture_index, answerer="llm", llm_base_url="http://127.0.0.1:9/v1",
                               llm_timeout_s=5)
    assistant = Assistant(settings, retriever=open_retriever(settings, embedder))
    assistant.warm_up()
    for _ in range(300):  # a hang guard: the refused connection fails at once
        if assistant.llm_status.state == "failed" and assistant.embedder_loaded:
            break
        time.sleep(0.1)
    assert assistant.llm_status.state == "failed" and "Connection" in assistant.llm_status.reason
    assert assistant.embedder_loaded


def test_while_the_model_starts_the_banner_says_for_how_long(settings) -> None:
    """Cold start is not a silent wait: the chat's banner counts the seconds since the start began."""
    import dataclasses
    import time as clock

    from rag.assistant import Assistant
    from rag.llm.status import LLMHealth
    from ui.chat_tab import ChatHandlers
    from ui.i18n import UIText

    health = LLMHealth()
    health.starting()
    health.status = dataclasses.replace(health.status, since=clock.monotonic() - 12)
    health.starting()  # a second question while starting keeps the first start time
    assistant = Assistant(settings.model_copy(update={"answerer": "llm"}))
    assistant._health = health
    banner = ChatHandlers(assistant, assistant.settings, None, UIText("zh")).llm_banner()
    assert "正在启动生成模型" in banner and "已用 12 秒" in banner
