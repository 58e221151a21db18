"""Work shared over forked processes in stages (``web.rollups.processes.forked_map``): each
stage's processes work on what they were forked with, and a later stage is read while an
earlier one is worked on (the nation judged while the other areas' rows are read)."""

from __future__ import annotations

import multiprocessing

import pytest

from web.rollups import processes


def _tagged(shared, part: list[int]) -> list[tuple[str, int]]:
    started, tag = shared
    started.set()  # seen by the stages' reader: this stage is being worked on
    return [(tag, item) for item in part]


@pytest.fixture
def two_processes(settings, monkeypatch):
    settings.CHITIEU_JUDGING_PROCESSES = 2
    monkeypatch.setattr(processes, "APART_FROM", 2)


def _stages(started, read: list[str], *, wait: bool):
    read.append("first")
    yield (started, "first"), [1]
    # Asked for only once the first stage is at work in its own process.
    assert not wait or started.wait(timeout=30), "the first stage was not started before the second was read"
    read.append("second")
    yield (started, "second"), list(range(2, 40))


def test_each_stage_is_worked_on_with_what_it_was_forked_with_and_the_next_read_meanwhile(two_processes):
    started = multiprocessing.get_context("fork").Event()
    read: list[str] = []
    done = list(processes.forked_map(_tagged, _stages(started, read, wait=True), items=39))
    assert len(done) > 2  # in parts, over processes
    assert sorted(pair for part in done for pair in part) == [("first", 1)] + [
        ("second", i) for i in range(2, 40)
    ]
    assert read == ["first", "second"]


def test_in_one_process_each_stage_is_one_part(settings):
    settings.CHITIEU_JUDGING_PROCESSES = 1
    started = multiprocessing.get_context("fork").Event()
    done = list(processes.forked_map(_tagged, _stages(started, [], wait=False), items=39))
    assert done == [[("first", 1)], [("second", i) for i in range(2, 40)]]
