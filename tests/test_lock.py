"""requirements.lock is what runs: it agrees with pyproject.toml, and the venv holds exactly it.

A fresh machine installs the lock and nothing else (Makefile), so a range in pyproject.toml that the
lock does not satisfy, or a dependency added without `make lock`, fails here instead of on a new
user's machine.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

from ui.lockfile import declared_requirements, disagreements, drift, locked_versions

ROOT = Path(__file__).resolve().parents[1]


def test_the_check_catches_a_missing_and_an_out_of_range_pin() -> None:
    locked = locked_versions("foo==1.2.0 \\\n    --hash=sha256:00\nbar-baz==2.0\n")
    assert locked == {"foo": Version("1.2.0"), "bar-baz": Version("2.0")}
    assert disagreements([Requirement("foo>=1,<2"), Requirement("Bar_Baz>=2")], locked) == []
    assert disagreements([Requirement("foo>=1.3"), Requirement("qux")], locked) == [
        "foo>=1.3 but requirements.lock pins 1.2.0",
        "qux is not in requirements.lock",
    ]


def test_every_dependency_of_pyproject_is_locked_within_its_range() -> None:
    locked = locked_versions((ROOT / "requirements.lock").read_text(encoding="utf-8"))
    problems = disagreements(declared_requirements(), locked)
    assert not problems, "pyproject.toml and requirements.lock disagree (run `make lock`):\n" + "\n".join(problems)


def test_every_locked_pin_carries_a_hash() -> None:
    text = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    entries = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n\n", 1)[-1])
    unhashed = [e.split()[0] for e in entries if "==" in e.split("\n")[0] and "--hash=sha256:" not in e]
    assert not unhashed, f"pins without a hash (pip's --require-hashes refuses them): {unhashed}"


def test_the_installed_environment_is_the_locked_one() -> None:
    if Path(sys.prefix).resolve() != (ROOT / ".venv").resolve():
        pytest.skip("not running from the project's .venv")
    locked = locked_versions((ROOT / "requirements.lock").read_text(encoding="utf-8"))
    drift_lines = drift(locked)
    assert not drift_lines, "the venv is not the locked set (run `make setup` or `make clean test`):\n" + "\n".join(drift_lines)
