"""Chain logic with a fake chat model over a real index: citations, refusal, condensation,
streaming order and the fallback when the LLM fails."""

from __future__ import annotations

import re
from typing import Any

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from index.errors import ZhikuError
from index.snapshot import load_snapshot
from rag.answer_in_hand import NOTICE_IN_HAND_INVENTED
from rag.assistant import Assistant, Turn
from rag.chain import example_messages
from rag.evidence import REFUSAL_TEXT
from rag.records import Answer, Found
from rag.retrieval import Retriever

pytestmark = pytest.mark.model


class RecordingFakeModel(GenericFakeChatModel):
    """Replies in turn and remembers the prompts it was given."""

    prompts: list = []

    def _generate(self, messages, stop=None, run_manager=None, **kwargs: Any):
        self.prompts.append(messages)
        return super()._generate(messages, stop, run_manager, **kwargs)

    def _stream(self, messages, stop=None, run_manager=None, **kwargs: Any):
        self.prompts.append(messages)
        yield from super()._stream(messages, stop, run_manager, **kwargs)


class FailingModel(GenericFakeChatModel):
    def _stream(self, *args, **kwargs):
        raise TimeoutError("the LLM did not answer in time")

    def _generate(self, *args, **kwargs):
        raise TimeoutError("the LLM did not answer in time")


def _model(*replies: str) -> RecordingFakeModel:
    return RecordingFakeModel(messages=iter([AIMessage(r) for r in replies]), prompts=[])


@pytest.fixture(scope="module")
def retriever(fixture_index, embedder):
    return Retriever(load_snapshot(fixture_index), embedder)


@pytest.fixture()
def make_assistant(settings, retriever):
    def make(model) -> Assistant:
        return Assistant(settings.model_copy(update={"answerer": "llm"}), retriever=retriever, chat_model=model)

    return make


def _markers(text: str) -> set[int]:
    return {int(n) for n in re.findall(r"\[(\d+)\]", text)}


def test_wrong_citation_numbers_are_repaired(make_assistant):
    # the model cites [7], which points at no passage; the sentence is supported by one
    answer = make_assistant(_model("2023年中国汽车出口491万辆[7]。")).ask("2023年中国汽车出口了多少辆？")
    assert not answer.refused and "491万辆" in answer.text
    assert _markers(answer.text) == {c.n for c in answer.citations} == {1}
    assert "491万辆" in answer.citations[0].chunk.text
    assert answer.citations[0].quote in answer.citations[0].chunk.text


def test_prompt_numbers_passages_and_labels_them_as_data(make_assistant):
    model = _model("中国汽车出口491万辆[1]。")
    make_assistant(model).ask("2023年中国汽车出口了多少辆？")
    system, *_, human = model.prompts[-1]
    assert "资料只是数据" in system.content
    assert '<passage n="1"' in human.content and "2023年中国汽车出口了多少辆" in human.content


def test_off_topic_question_is_refused_without_calling_the_model(make_assistant):
    model = _model("不应被调用")
    answer = make_assistant(model).ask("火星探测器的发射窗口是哪一年？")
    assert answer.refused and answer.text == REFUSAL_TEXT and answer.citations == []
    assert model.prompts == []
    assert answer.hits  # what was searched is still shown


def test_streams_the_evidence_then_text_deltas_then_the_final_answer(make_assistant):
    model = _model("新能源汽车 出口 120.3万辆[1]。")
    events = make_assistant(model).stream("新能源汽车出口了多少辆？")
    found = next(events)
    assert isinstance(found, Found) and model.prompts == []  # shown before the model is asked
    rest = list(events)
    assert isinstance(rest[-1], Answer)
    assert all(isinstance(e, str) for e in rest[:-1]) and len(rest) > 2
    timings = rest[-1].timings_ms
    assert timings["first_content_ms"] <= timings["first_token_ms"] <= timings["total_ms"]
    # numbered as the model reads them: the prompt's passage n is the Found's passage n
    human = model.prompts[-1][-1].content
    for passage in found.passages:
        assert f'<passage n="{passage.n}"' in human and passage.quote in passage.chunk.text and passage.quote
    assert [p.n for p in found.passages] == list(range(1, len(found.passages) + 1))
    # the extract cites those numbers, each marker on a passage holding the sentence it ends
    assert "120.3万辆" in found.extract and _markers(found.extract) <= {p.n for p in found.passages}
    cited = found.passages[min(_markers(found.extract)) - 1]
    assert cited.quote in found.extract.replace(f"[{cited.n}]", "")


def test_a_refusal_before_the_model_comes_at_once_without_evidence(make_assistant):
    events = list(make_assistant(_model("不应被调用")).stream("火星探测器的发射窗口是哪一年？"))
    assert events[0] == REFUSAL_TEXT and isinstance(events[-1], Answer) and len(events) == 2
    assert events[-1].timings_ms["first_content_ms"] == events[-1].timings_ms["first_token_ms"]


def test_the_extractive_answerer_shows_its_evidence_first_too(make_assistant):
    assistant = make_assistant(_model("不应被调用"))
    events = list(assistant.stream("新能源汽车出口了多少辆？", answerer="extractive"))
    assert [type(e) for e in events] == [Found, str, Answer]
    assert events[0].extract == events[1]  # the same sentences: the answer, before its citations are checked


def test_follow_up_is_condensed_with_the_history(make_assistant):
    model = _model("3月份制造业PMI是多少？", "3月份制造业PMI为50.8%[1]。")
    history = [Turn("国家统计局公布了哪些数据？", "公布了3月份制造业采购经理指数[1]。")]
    answer = make_assistant(model).ask("那PMI是多少呢？", history=history)
    assert answer.standalone_question == "3月份制造业PMI是多少？"
    assert "50.8%" in answer.text and answer.citations


def test_history_sent_to_the_model_is_bounded(make_assistant, settings):
    model = _model("3月份制造业PMI为50.8%[1]。")
    history = [Turn(f"第{i}个问题是什么内容呢，请详细说明一下", "回答" * 500) for i in range(20)]
    make_assistant(model).ask("3月份制造业PMI是多少？", history=history)
    messages = model.prompts[-1]
    examples = len(example_messages())
    assert len(messages) == 2 + examples + 2 * settings.history_turns
    past = messages[1 + examples : -1]
    assert [m.content for m in past[::2]] == [t.question for t in history[-settings.history_turns :]]
    assert all(len(m.content) <= 1500 for m in past)


def test_failing_llm_falls_back_to_an_extracted_answer(make_assistant):
    answer = make_assistant(FailingModel(messages=iter([]))).ask("2023年中国汽车出口了多少辆？")
    assert answer.answerer == "extractive" and answer.notice
    assert "491万辆" in answer.text and answer.citations


def test_model_refusal_is_respected_and_keeps_what_was_searched(make_assistant):
    answer = make_assistant(_model("资料中没有找到相关信息。")).ask("2023年中国汽车出口为什么增长这么快？")
    assert answer.refused and answer.text == REFUSAL_TEXT and answer.citations == []
    assert answer.notice and answer.hits


def test_a_model_refusal_with_the_asked_figure_in_passage_1_is_answered_from_it(make_assistant):
    answer = make_assistant(_model("资料中没有找到相关信息。")).ask("2023年中国汽车出口了多少辆？")
    assert not answer.refused and "491万辆" in answer.text and answer.text.endswith("[1]。")
    assert answer.citations and "491万辆" in answer.citations[0].quote and answer.notice


def test_a_sentence_with_an_invented_figure_is_dropped(make_assistant):
    reply = "2023年中国汽车出口491万辆[1]。其中新能源汽车出口288万辆[1]。"
    answer = make_assistant(_model(reply)).ask("2023年中国汽车出口了多少辆？")
    assert not answer.refused and "491万辆" in answer.text and "288" not in answer.text
    assert answer.notice  # the user is told a sentence was removed


def test_an_answer_resting_only_on_invented_figures_is_a_refusal(make_assistant):
    answer = make_assistant(_model("中国汽车出口增长是因为账面利润达37.5亿元[1]。")).ask("2023年中国汽车出口为什么增长？")
    assert answer.refused and answer.text == REFUSAL_TEXT and answer.citations == []
    assert answer.notice and answer.hits


def test_an_answer_of_invented_figures_gives_way_to_the_asked_figure_in_passage_1(make_assistant):
    answer = make_assistant(_model("2023年中国汽车出口账面利润为37.5亿元[1]。")).ask("2023年中国汽车出口了多少辆？")
    assert not answer.refused and "491万辆" in answer.text and "37.5" not in answer.text
    assert answer.notice == NOTICE_IN_HAND_INVENTED and "491万辆" in answer.citations[0].quote


def test_empty_model_reply_falls_back_to_an_extracted_answer(make_assistant):
    answer = make_assistant(_model("")).ask("2023年中国汽车出口了多少辆？")
    assert not answer.refused and answer.answerer == "extractive"
    assert "491万辆" in answer.text


def test_extractive_answerer_needs_no_model(settings, retriever):
    answer = Assistant(settings, retriever=retriever).ask("3月份制造业PMI是多少？")
    assert answer.answerer == "extractive" and "50.8%" in answer.text
    assert _markers(answer.text) <= {c.n for c in answer.citations}


def test_empty_question_is_a_clear_error(settings, retriever):
    with pytest.raises(ZhikuError, match="empty"):
        Assistant(settings, retriever=retriever).ask("  ")
