"""The engine's work over many areas split over forked processes, where that is safe and pays.

Judging a country (every province and district, each period) is minutes of the pure engine over
rows read beforehand: on a machine of several cores, forked processes each judge a part of the
areas, reading nothing but what the caller read before the fork (handed to them as forked, not
pickled), and send back only their answers.

Safe from a thread too (laptop mode judges on a thread of the server, ``web.jobs.background``):
a forked process runs only the engine, touches no connection, lock or file of its parent, and
ends without running any exit handler (``multiprocessing``'s fork start ends it with
``os._exit``), so the parent's database connection is never used or closed by it.
"""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from django.conf import settings

# Areas: fewer are judged in a moment (a province's plan), not worth starting processes for.
APART_FROM = 64

# What the forked processes work on: set before they are forked, read by them as they were forked.
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
    work: Callable[[Any, Sequence], Any], shared: Any, items: Sequence, *, ahead: int = 0
) -> Iterator:
    """``work(shared, part)`` for parts of ``items`` (consecutive, in no particular order of
    completion), in forked processes when ``processes_for`` says so, else here in one part.
    ``work`` is a module's function (named in each task); ``shared`` is never pickled. The first
    ``ahead`` items are done here before the others are forked: what they leave in ``shared``
    (the nation leaves every commune's series worked out) is not worked out again by each process."""
    processes = processes_for(len(items))
    if processes <= 1:
        yield work(shared, items)
        return
    if ahead:
        yield work(shared, items[:ahead])
        items = items[ahead:]
    global _FORKED
    _FORKED = (work, shared)
    try:
        context = multiprocessing.get_context("fork")
        with context.Pool(processes, initializer=_started) as pool:
            yield from pool.imap_unordered(_part, _parts(items, processes))
    finally:
        _FORKED = None


def _parts(items: Sequence, processes: int) -> list[Sequence]:
    """Consecutive items (an area's communes shared by those next to it) in parts small enough
    that no process waits long for the last: the nation alone costs as much as many districts."""
    size = max(1, len(items) // (processes * 8))
    return [items[i : i + size] for i in range(0, len(items), size)]


def _started() -> None:
    gc.disable()  # a process that ends once its share is done: what it made is freed with it


def _part(items: Sequence) -> Any:
    assert _FORKED is not None, "run only in a process forked by forked_map"
    work, shared = _FORKED
    return work(shared, items)
