"""The `zhiku` command line as people use it: serve options over env vars, an answer printed once,
an index build that shows progress and no library chatter."""

from __future__ import annotations

import io
import json
import re

import pytest
from rich.console import Console
from typer.testing import CliRunner

from rag.records import Answer, Found
from rag.settings import Settings
from tests.conftest import MODEL_CACHE
from ui import cli
from ui.terminal import show_answer

QUESTION = "2023年中国汽车出口了多少辆？"
ERASE_LINE = "\x1b[2K"  # what rich's live display writes before it redraws


def _final_frame(terminal_output: str) -> str:
    """What a terminal shows at the end: the text after the live region's last redraw, unwrapped."""
    return terminal_output.rsplit(ERASE_LINE, 1)[-1].replace("\n", "")


# --- serve ---------------------------------------------------------------------------------


@pytest.fixture
def served(monkeypatch) -> list[Settings]:
    """The settings `zhiku serve` would start the server with (uvicorn is not started)."""
    seen: list[Settings] = []
    monkeypatch.setattr(cli, "_serve", seen.append)
    return seen


def test_serve_options_beat_env_vars_and_env_vars_stay_the_defaults(served, monkeypatch):
    monkeypatch.setenv("ZHIKU_PORT", "9001")
    monkeypatch.setenv("ZHIKU_HOST", "127.0.0.2")
    monkeypatch.setenv("ZHIKU_ANSWERER", "llm")
    runner = CliRunner()

    assert runner.invoke(cli.app, ["serve", "--host", "0.0.0.0", "--answerer", "extractive"]).exit_code == 0
    assert runner.invoke(cli.app, ["serve", "--port", "8123"]).exit_code == 0

    assert [(s.host, s.port, s.answerer) for s in served] == [
        ("0.0.0.0", 9001, "extractive"),
        ("127.0.0.2", 8123, "llm"),
    ]


def test_serve_refuses_an_unknown_answerer_and_a_bad_port(served):
    runner = CliRunner()
    assert runner.invoke(cli.app, ["serve", "--answerer", "gpt"]).exit_code == 2
    assert runner.invoke(cli.app, ["serve", "--port", "70000"]).exit_code == 2
    assert served == []


# --- ask -------------------------------------------------------------------------------------


@pytest.fixture
def over_fixture_index(monkeypatch, fixture_index, embedder):
    monkeypatch.setattr("rag.components.make_embedder", lambda settings: embedder)  # loaded once per session
    monkeypatch.setenv("ZHIKU_INDEX_DIR", str(fixture_index))
    monkeypatch.setenv("ZHIKU_CACHE_DIR", str(MODEL_CACHE.parent))
    monkeypatch.setenv("ZHIKU_ANSWERER", "llm")  # --answerer extractive must win
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)


def _ask(*options: str, env: dict | None = None) -> str:
    result = CliRunner().invoke(cli.app, ["ask", QUESTION, "--answerer", "extractive", *options], env=env)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.model
def test_ask_prints_the_answer_once_in_every_mode(over_fixture_index):
    answer = json.loads(_ask("--json"))
    text = answer["answer"]
    assert "491万辆" in text and answer["answerer"] == "extractive"

    scripted = _ask("--no-stream")
    piped = _ask()  # stdout is not a terminal: the same as --no-stream
    terminal = _ask(env={"TTY_COMPATIBLE": "1"})  # streamed into a live region

    assert scripted.count(text) == 1 and scripted.startswith(text)
    assert piped == scripted
    assert "\x1b[?25l" in terminal  # the live region hid the cursor: this was the streaming path
    assert _final_frame(terminal).count(text) == 1
    for output in (scripted, piped, terminal):
        assert "核对引用后的回答" not in output
        assert "[1] 中国汽车出口跃居全球第一 (auto_exports.txt)" in output


def _events(draft: list[str], checked: str) -> list:
    return [*draft, Answer(question=QUESTION, text=checked, answerer="llm")]


def test_a_streamed_draft_is_replaced_by_the_checked_answer_on_a_terminal():
    terminal = io.StringIO()
    out = Console(file=terminal, force_terminal=True, width=60)
    err = Console(file=io.StringIO())

    draft = ["2023年出口491万辆[1]，", "其中电动车800万辆[2]。"]  # the invented figure is dropped on checking
    answer = show_answer(_events(draft, "2023年出口491万辆[1]。"), out, err, stream=True)

    final = _final_frame(terminal.getvalue())
    assert answer.text == "2023年出口491万辆[1]。"
    assert "其中电动车800万辆" in terminal.getvalue()  # it was streamed...
    assert "800万辆" not in final and final.count("2023年出口491万辆[1]。") == 1  # ...and taken back


def test_on_a_terminal_the_extract_shows_first_and_the_models_text_replaces_it():
    terminal = io.StringIO()
    out = Console(file=terminal, force_terminal=True, width=80)
    found = Found([], "中国汽车出口491万辆，同比增长57.9%[1]。")
    events = [found, *_events(["按资料，", "2023年出口491万辆[1]。"], "按资料，2023年出口491万辆[1]。")]
    for piped in (False, True):
        plain = io.StringIO()
        answer = show_answer(iter(events), Console(file=plain, width=80) if piped else out, Console(file=io.StringIO()),
                             stream=not piped)
        assert answer.text == "按资料，2023年出口491万辆[1]。"
    assert "摘录：中国汽车出口491万辆" in terminal.getvalue()  # shown at once, labelled...
    final = _final_frame(terminal.getvalue())
    assert "摘录" not in final and final.count("按资料，2023年出口491万辆[1]。") == 1  # ...and replaced
    assert plain.getvalue() == "按资料，2023年出口491万辆[1]。\n"  # a pipe gets the checked answer only


def test_without_streaming_only_the_checked_answer_is_printed():
    plain = io.StringIO()
    show_answer(_events(["草稿800万辆"], "核对后的回答[1]。"), Console(file=plain, width=60), Console(file=io.StringIO()),
                stream=False)
    assert plain.getvalue() == "核对后的回答[1]。\n"


# --- index build -------------------------------------------------------------------------------


@pytest.mark.model
def test_index_build_shows_progress_and_no_library_debug_lines(tmp_path, corpus, monkeypatch, capfd):
    monkeypatch.setenv("ZHIKU_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("ZHIKU_CACHE_DIR", str(MODEL_CACHE.parent))  # its own model load, as a user's run

    result = CliRunner().invoke(cli.app, ["index", "build", str(corpus)])

    assert result.exit_code == 0, result.output
    assert re.search(r"reading files .* 3/3", result.stderr)
    assert re.search(r"embedding chunks .* (\d+)/\1", result.stderr)
    assert "added 3" in result.stdout
    # straight to the process's stderr as well as through sys.stderr: jieba's handler holds the real one
    everything = result.output + "".join(capfd.readouterr())
    for chatter in ("DEBUG", "Building prefix dict", "Batches", "Loading weights"):
        assert chatter not in everything
