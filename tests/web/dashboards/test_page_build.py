"""One reader builds a page that is not cached; the others asking for it meanwhile wait for it.

In the national locust run fifty readers arrived after a change to the figures: each built the
same uncached nation page at once (seconds of CPU each, on two cores), and all of them waited
past thirty seconds. The lock is in the cache every server shares, so this holds across servers.
"""

from __future__ import annotations

import threading

import pytest
from django.core.cache import cache

from web.dashboards import fragments

KEY = "dashboards:test:page-build"


def _clean():
    cache.delete(KEY)
    cache.delete(KEY + ":building")


def test_a_reader_waits_for_the_page_another_is_building_instead_of_building_it_too():
    _clean()
    started, release = threading.Event(), threading.Event()
    built_by: list[str] = []
    answers: dict[str, str] = {}

    def build(name: str):
        def run() -> tuple[str, bool]:
            built_by.append(name)
            started.set()
            assert release.wait(10)
            return f"<p>{name}</p>", False

        return run

    first = threading.Thread(target=lambda: answers.update(a=fragments.fragment_or_build(KEY, build("a"))))
    first.start()
    assert started.wait(10)
    second = threading.Thread(target=lambda: answers.update(b=fragments.fragment_or_build(KEY, build("b"))))
    second.start()
    second.join(0.3)
    assert second.is_alive()  # waiting for the first reader's page, not building its own
    release.set()
    first.join(10)
    second.join(10)
    assert built_by == ["a"]
    assert answers == {"a": "<p>a</p>", "b": "<p>a</p>"}
    assert cache.get(KEY + ":building") is None  # the lock goes with the build
    _clean()


def test_a_lock_left_by_a_builder_that_died_only_delays_the_next_reader(monkeypatch):
    _clean()
    monkeypatch.setattr(fragments, "BUILD_WAIT", 0.2)
    cache.add(KEY + ":building", 1, 60)  # its builder was killed midway
    assert fragments.fragment_or_build(KEY, lambda: ("<p>mine</p>", False)) == "<p>mine</p>"
    assert fragments.cached_fragment(KEY) == "<p>mine</p>"
    _clean()


def test_a_build_that_fails_leaves_no_lock_behind():
    _clean()

    def broken() -> tuple[str, bool]:
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        fragments.fragment_or_build(KEY, broken)
    assert cache.get(KEY + ":building") is None and fragments.cached_fragment(KEY) is None
