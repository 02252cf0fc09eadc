"""Version folders sort in the order they were made, whatever the clock does: prune() deletes
every version that sorts after the current one as a killed build, so a new version sorting
before the one in service would cost the server its index."""

from __future__ import annotations

import time

from index.versions import current_version, new_version_dir, prune, publish


def clock(monkeypatch, *readings: int) -> None:
    ticks = iter(readings)
    monkeypatch.setattr(time, "time_ns", lambda: next(ticks))


def test_a_version_made_just_before_a_second_ends_sorts_before_the_next(tmp_path, monkeypatch):
    second = 1_780_000_000 * 10**9
    clock(monkeypatch, second - 1, second + 1)
    first, then = new_version_dir(tmp_path), new_version_dir(tmp_path)
    assert first.name < then.name
    assert first.name.endswith("-999999999") and then.name.endswith("-000000001")


def test_a_clock_set_back_still_makes_a_later_version_and_keeps_the_one_in_service(tmp_path, monkeypatch):
    now = 1_780_000_000 * 10**9
    clock(monkeypatch, now, now - 3600 * 10**9, now - 3599 * 10**9)
    serving = new_version_dir(tmp_path)
    publish(tmp_path, serving)
    behind = new_version_dir(tmp_path)
    assert behind.name > serving.name
    publish(tmp_path, behind)
    prune(tmp_path)
    assert serving.is_dir() and current_version(tmp_path) == behind
    assert new_version_dir(tmp_path).name > behind.name


def test_a_name_from_an_older_release_in_local_time_is_still_followed(tmp_path, monkeypatch):
    (tmp_path / "versions" / "20991231-235959-999999999").mkdir(parents=True)
    clock(monkeypatch, 1_780_000_000 * 10**9)
    assert new_version_dir(tmp_path).name == "21000101-000000-000000000"
