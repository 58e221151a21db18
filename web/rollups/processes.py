"""The engine's work over many areas split over forked processes, where that is safe and pays.

Judging a country (every province and district, each period) is minutes of the pure engine over
rows read beforehand: on a machine of several cores, forked processes each judge a part of the
areas, reading nothing but what the caller read before the fork (handed to them as forked, not
pickled), and send back only their answers. The work comes in stages, each forked once read:
the nation's processes start while the other areas' rows are still being read.

Safe from a thread too (laptop mode judges on a thread of the server, ``web.jobs.background``):
a forked process runs only the engine, touches no connection, lock or file of its parent, and
ends without running any exit handler (``multiprocessing``'s fork start ends it with
``os._exit``), so the parent's database connection is never used or closed by it.
"""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack
from typing import Any

from django.conf import settings

# Areas: fewer are judged in a moment (a province's plan), not worth starting processes for.
APART_FROM = 64

# What the forked processes work on: set while they are forked, read by them as they were forked.
_FORKED: tuple[Callable[[Any, Sequence], Any], Any] | None = None


def processes_for(items: int) -> int:
    """How many processes share ``items`` areas: ``settings.CHITIEU_JUDGING_PROCESSES`` for many
    areas where processes can be forked, else one (this process alone)."""
    wanted = settings.CHITIEU_JUDGING_PROCESSES
    if (
        wanted <= 1
        or items < APART_FROM
        or "fork" not in multiprocessing.get_all_start_methods()
        or multiprocessing.current_process().daemon  # such a process may not have children
    ):
        return 1
    return min(wanted, items)


def forked_map(
    work: Callable[[Any, Sequence], Any], stages: Iterable[tuple[Any, Sequence]], *, items: int
) -> Iterator:
    """``work(shared, part)`` for parts of each stage's items (consecutive, in no particular order
    of completion), in forked processes when ``processes_for(items)`` says so (``items``: of every
    stage), else here, one part per stage. ``work`` is a module's function (named in each task);
    a stage's ``shared`` is never pickled.

    Each stage's processes are forked as soon as ``stages`` hands it out, then the next stage is
    asked for: what ``stages`` reads for a later stage is read while the earlier ones are worked on
    (the nation, costing as much as a hundred districts, is judged while the other areas' rows
    are read). For that while there are more processes than cores; the work is the same."""
    processes = processes_for(items)
    if processes <= 1:
        for shared, part in stages:
            yield work(shared, part)
        return
    global _FORKED
    context = multiprocessing.get_context("fork")
    with ExitStack() as pools:
        running = []
        for shared, part in stages:
            _FORKED = (work, shared)
            try:  # forked now: each process keeps what it was forked with
                pool = pools.enter_context(context.Pool(min(processes, len(part)), initializer=_started))
            finally:
                _FORKED = None
            running.append(pool.imap_unordered(_part, _parts(part, processes)))
        for results in running:
            yield from results


def _parts(items: Sequence, processes: int) -> list[Sequence]:
    """Consecutive items (an area's communes shared by those next to it) in parts small enough
    that no process waits long for the last."""
    size = max(1, len(items) // (processes * 8))
    return [items[i : i + size] for i in range(0, len(items), size)]


def _started() -> None:
    gc.disable()  # a process that ends once its share is done: what it made is freed with it


def _part(items: Sequence) -> Any:
    assert _FORKED is not None, "run only in a process forked by forked_map"
    work, shared = _FORKED
    return work(shared, items)
