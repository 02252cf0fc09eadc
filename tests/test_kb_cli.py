"""`zhiku kb` and `zhiku token` as an administrator uses them: a knowledge base created, indexed,
listed and removed without touching the default one; tokens created, listed without secrets,
revoked; bad input a one-line error and nothing written."""

from __future__ import annotations

import json
import shutil

import pytest
from typer.testing import CliRunner

from tests.conftest import FIXTURE_ARTICLES, MODEL_CACHE
from ui import cli

pytestmark = pytest.mark.model


@pytest.fixture()
def env(tmp_path, monkeypatch, fixture_index):
    corpus = tmp_path / "articles"
    shutil.copytree(FIXTURE_ARTICLES, corpus)
    shutil.copytree(fixture_index, tmp_path / "index")
    hr = tmp_path / "hr"
    hr.mkdir()
    (hr / "leave.md").write_text("# 年假细则\n\n试用期员工享有三天特别调休假。\n", encoding="utf-8")
    for name, value in {"DATA_DIR": tmp_path / "data", "CORPUS_DIR": corpus, "INDEX_DIR": tmp_path / "index",
                        "CACHE_DIR": MODEL_CACHE.parent}.items():
        monkeypatch.setenv(f"ZHIKU_{name}", str(value))
    return tmp_path


def run(*args: str):
    """Exit code, and what was printed or the ZhikuError `zhiku` would print as one line."""
    result = CliRunner().invoke(cli.app, list(args))
    return result.exit_code, result.output + (str(result.exception) if result.exception else "")


def test_a_knowledge_base_is_created_indexed_listed_and_removed_beside_the_default(env):
    code, said = run("kb", "create", "hr", "--folder", str(env / "hr"), "--groups", "hr,managers", "--title", "人事制度")
    assert code == 0, said
    code, said = run("kb", "list", "--json")
    rows = {r["name"]: r for r in json.loads(said)}
    assert rows["hr"]["groups"] == ["hr", "managers"] and rows["hr"]["files"] == 1
    assert rows["default"]["groups"] == ["*"] and rows["default"]["files"] == 3
    assert run("index", "build")[0] == 0  # the default's build leaves hr's files alone
    assert json.loads(run("kb", "list", "--json")[1])[1]["files"] == 1
    code, said = run("kb", "remove", "hr")
    assert code == 0 and "1 files dropped" in said
    assert [r["name"] for r in json.loads(run("kb", "list", "--json")[1])] == ["default"]
    assert (env / "hr" / "leave.md").exists()  # the folder is the organisation's: never touched


@pytest.mark.parametrize("args, words", [
    (["kb", "create", "HR!", "--folder", "{hr}"], "collection name"),
    (["kb", "create", "hr", "--folder", "{missing}"], "is not a folder"),
    (["kb", "create", "pub", "--folder", "{corpus}"], "overlaps the default"),
    (["kb", "create", "hr", "--folder", "{hr}", "--groups", " , "], "at least one group"),
    (["kb", "remove", "default"], "cannot be removed"),
    (["token", "create", "--name", "x", "--collections", "nosuch"], "no knowledge base named"),
    (["token", "create", "--name", "x", "--collections", "default", "--expires", "soon"], "duration"),
])
def test_bad_input_is_one_clear_line_and_writes_nothing(env, args, words):
    paths = {"hr": env / "hr", "missing": env / "nope", "corpus": env / "articles"}
    code, said = run(*[a.format(**{k: str(v) for k, v in paths.items()}) for a in args])
    assert code != 0 and words in said, said
    assert not (env / "data" / "collections.json").exists() and not (env / "data" / "tokens.json").exists()


def test_tokens_are_shown_once_stored_hashed_listed_and_revoked(env):
    code, said = run("token", "create", "--name", "portal", "--collections", "default", "--expires", "30d")
    assert code == 0
    token = said.strip().splitlines()[-1]
    assert token.startswith("zk_")
    stored = (env / "data" / "tokens.json").read_text("utf-8")
    assert token not in stored and oct((env / "data" / "tokens.json").stat().st_mode)[-3:] == "600"
    listed = json.loads(run("token", "list", "--json")[1])
    assert [(t["name"], t["collections"], t["active"]) for t in listed] == [("portal", ["default"], True)]
    assert "sha256" not in listed[0]
    assert run("token", "revoke", "portal")[0] == 0
    assert json.loads(run("token", "list", "--json")[1])[0]["active"] is False
    from ui.tokens import TokenStore

    assert TokenStore(env / "data" / "tokens.json").check(token) is None
