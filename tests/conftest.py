"""Shared fixtures: the real packaged embedding model and a real index over tests/data."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"  # nothing in the tests may reach a model hub
# the session embedder below is float32 (Embedder's default), and so are the indexes it builds; a
# Settings() made by the code under test must agree (auto would pick bfloat16 on CPUs that have it)
os.environ["ZHIKU_EMBEDDING_DTYPE"] = "float32"
# fake chat models answer from a script, and the verification pass (on by default) would take a
# turn of it; the tests of the pass, and the packaged model's whole-path test, turn it on themselves
os.environ["ZHIKU_VERIFY"] = "false"

DATA = Path(__file__).parent / "data"
FIXTURE_ARTICLES = DATA / "articles"
DEMO_CORPUS = Path(__file__).parent.parent / "data" / "articles"
# the packaged model is materialised once per machine, like a user's ~/.cache/zhiku
MODEL_CACHE = Path(os.environ.get("ZHIKU_TEST_MODEL_CACHE", Path.home() / ".cache" / "zhiku" / "models"))


@pytest.fixture(scope="session")
def embedder():
    from index.embedding import PACKAGED_E5, Embedder

    return Embedder(PACKAGED_E5, MODEL_CACHE)


@pytest.fixture()
def corpus(tmp_path) -> Path:
    """A private copy of the fixture articles that a test may edit."""
    folder = tmp_path / "articles"
    shutil.copytree(FIXTURE_ARTICLES, folder)
    return folder


@pytest.fixture()
def settings(tmp_path, corpus):
    from rag.settings import Settings

    return Settings(
        data_dir=tmp_path,
        corpus_dir=corpus,
        index_dir=tmp_path / "index",
        cache_dir=MODEL_CACHE.parent,
        answerer="extractive",
    )


@pytest.fixture(scope="session")
def packaged_gguf() -> Path:
    """The packaged LLM weights assembled in MODEL_CACHE's cache folder, as the first start of
    `zhiku serve` leaves them (on a new machine no test may assume an earlier one did)."""
    from rag.llm.weights import assemble_packaged_gguf

    return assemble_packaged_gguf(MODEL_CACHE.parent)


@pytest.fixture(scope="session")
def fixture_index(tmp_path_factory, embedder):
    """A read-only index over tests/data/articles, built once per session."""
    from index.builder import IndexBuilder
    from index.pipeline import ChunkingConfig

    index_dir = tmp_path_factory.mktemp("fixture-index")
    IndexBuilder(index_dir, embedder, ChunkingConfig()).build(FIXTURE_ARTICLES)
    return index_dir


@pytest.fixture(scope="session")
def demo_chunks():
    """Every chunk of the shipped demo corpus (no model needed)."""
    from index.loaders import load_paths
    from index.pipeline import ChunkingConfig, chunk_document

    report = load_paths([DEMO_CORPUS], root=DEMO_CORPUS)
    return [c for doc in report.documents for c in chunk_document(doc, ChunkingConfig())[1]]


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium, one launch a test module (tests/browser.py)."""
    from tests.browser import launched

    with launched() as chromium:
        yield chromium
