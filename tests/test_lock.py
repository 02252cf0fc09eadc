"""requirements.lock is what runs: it agrees with pyproject.toml, and the venv holds exactly it.

A fresh machine installs the lock and nothing else (Makefile), so a range in pyproject.toml that the
lock does not satisfy, or a dependency added without `make lock`, fails here instead of on a new
user's machine.
"""

from __future__ import annotations

import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)", re.MULTILINE)


def locked_versions(text: str) -> dict[str, Version]:
    return {canonicalize_name(name): Version(version) for name, version in PIN.findall(text)}


def declared_requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        declared += extra
    return [Requirement(line) for line in declared]


def disagreements(requirements: list[Requirement], locked: dict[str, Version]) -> list[str]:
    """Each requirement the lock leaves out or pins outside its range, as a line a person can act on."""
    problems = []
    for req in requirements:
        version = locked.get(canonicalize_name(req.name))
        if version is None:
            problems.append(f"{req} is not in requirements.lock")
        elif not req.specifier.contains(version, prereleases=True):
            problems.append(f"{req} but requirements.lock pins {version}")
    return problems


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
    drift = []
    for name, version in sorted(locked.items()):
        try:
            installed = Version(metadata.version(name))
        except metadata.PackageNotFoundError:
            drift.append(f"{name}: locked {version}, not installed")
            continue
        if installed != version:
            drift.append(f"{name}: locked {version}, installed {installed}")
    assert not drift, "the venv is not the locked set (run `make setup` or `make clean test`):\n" + "\n".join(drift)
