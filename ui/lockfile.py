"""Reading requirements.lock: what it pins, whether pyproject.toml agrees, whether the venv is it.

Shared by `zhiku doctor` (a user's install) and tests/test_lock.py (CI), so both judge the lock
the same way.
Usage: `drift(locked_versions(LOCK_FILE.read_text()))` -> lines like "torch: locked 2.13.0, installed 2.12.1".
"""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

# a checkout has the lock beside the packages; zhiku installed as a library has none
ROOT = Path(__file__).resolve().parents[1]
LOCK_FILE = ROOT / "requirements.lock"
PYPROJECT = ROOT / "pyproject.toml"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)", re.MULTILINE)


def locked_versions(text: str) -> dict[str, Version]:
    """Each `name==version` line of a pip-compiled file, by canonical name."""
    return {canonicalize_name(name): Version(version) for name, version in PIN.findall(text)}


def declared_requirements(pyproject: Path = PYPROJECT) -> list[Requirement]:
    """The project's dependencies and every extra's."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
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


def drift(locked: dict[str, Version]) -> list[str]:
    """Each locked package this interpreter lacks or has in another version."""
    problems = []
    for name, version in sorted(locked.items()):
        try:
            installed = Version(metadata.version(name))
        except metadata.PackageNotFoundError:
            problems.append(f"{name}: locked {version}, not installed")
            continue
        if installed != version:
            problems.append(f"{name}: locked {version}, installed {installed}")
    return problems
