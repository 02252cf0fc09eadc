"""A running assistant switches to a newer index version without a restart, and a slow load (a
million chunks take about a minute) never stops questions: they go on with the version they have."""

from __future__ import annotations

import threading

import pytest

import rag.assistant as assistant_module
from index.builder import IndexBuilder
from index.pipeline import ChunkingConfig
from rag.assistant import Assistant

NEW_FACT = "星河市图书馆自2026年3月起每周四延长开放至22:00。"


@pytest.fixture()
def built(settings, embedder, corpus):
    builder = IndexBuilder(settings.index_dir, embedder, ChunkingConfig())
    builder.build(corpus)
    assistant = Assistant(settings)
    assistant.retriever.embedder  # opened on the first version
    return assistant, builder, corpus


def _publish_new_version(builder, corpus):
    (corpus / "library.txt").write_text(f"星河市图书馆延长开放时间\n\n{NEW_FACT}\n", encoding="utf-8")
    builder.build(corpus)


def _sources(assistant):
    return {h.chunk.source for h in assistant.retriever.search("星河市图书馆周四开放到几点", top_k=3)}


def test_a_new_version_is_searched_by_the_next_question(built):
    assistant, builder, corpus = built
    assert "library.txt" not in _sources(assistant)
    _publish_new_version(builder, corpus)
    assert assistant.reload_if_changed() is True
    assert "library.txt" in _sources(assistant)
    assert assistant.reload_if_changed() is False  # nothing newer


def test_while_a_new_version_loads_questions_go_on_with_the_old_one(built, monkeypatch):
    assistant, builder, corpus = built
    old = assistant.retriever
    gate, opened = threading.Event(), []
    real_open = assistant_module.open_retriever

    def slow_open(*args, **kwargs):
        opened.append(1)
        gate.wait(30)  # a large index still loading
        return real_open(*args, **kwargs)

    monkeypatch.setattr(assistant_module, "open_retriever", slow_open)
    _publish_new_version(builder, corpus)
    assert assistant.reload_if_changed(wait_s=0.2) is False
    assert assistant.reload_if_changed(wait_s=0.2) is False  # the same load, not a second one
    assert opened == [1]
    assert assistant.retriever is old and "library.txt" not in _sources(assistant)
    gate.set()
    assert assistant.reload_if_changed(wait_s=30) is True
    assert "library.txt" in _sources(assistant)


def test_a_version_that_cannot_be_opened_leaves_the_old_one_answering(built, monkeypatch):
    assistant, builder, corpus = built
    old = assistant.retriever

    def broken_open(*args, **kwargs):
        raise OSError("a damaged version folder")

    monkeypatch.setattr(assistant_module, "open_retriever", broken_open)
    _publish_new_version(builder, corpus)
    assert assistant.reload_if_changed(wait_s=5) is False
    assert assistant.retriever is old
    assert _sources(assistant)  # still answering
