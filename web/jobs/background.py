"""Stale verdicts judged again beside the requests, in laptop mode (no job queue).

With no queue, the verdicts a committed change made stale (web.rollups.verdicts) were judged again
in the request that made the change: nothing for a district, but one approval in a national plan
kept its user waiting 47–171 s at 5 % of the country. Here one thread per process and plan judges
them after the response; changes that come while it works are merged into its next round, so a
coordinator approving twenty reports in a row costs two judgings, not twenty, and never two at once.

Meanwhile the writer's transaction has marked the stale verdicts: the dashboards show them as being
updated, everything else asks the engine (web.rollups.verdicts). The threads are not daemons, so a
management command (``load_country``) waits for its judging before the process ends; a server killed
mid-way leaves the verdicts marked stale, and the first page to read them once they are older than
any judging takes has them judged again: the store is a cache of the engine's answers, never the
only copy of anything.
"""

from __future__ import annotations

import logging
import threading
import time

from django.db import OperationalError, connections

from web.rollups.verdicts import store_verdicts

log = logging.getLogger(__name__)

_lock = threading.Lock()
# plan id → (areas, None for all; views) waiting for the plan's thread
_waiting: dict[int, tuple[set[int] | None, set[str]]] = {}
_threads: dict[int, threading.Thread] = {}


def judge_later(plan_id: int, areas: list[int] | None, views: list[str]) -> None:
    """Have ``store_verdicts(plan_id, areas, views)`` run on the plan's thread, merged with any
    change still waiting for it."""
    with _lock:
        _wait_again(plan_id, areas, views)
        if plan_id in _threads:
            return  # its next round takes this change
        thread = threading.Thread(target=_rounds, args=(plan_id,), name=f"chitieu-verdicts-{plan_id}")
        _threads[plan_id] = thread
    thread.start()


BUSY_RETRIES = 5  # rounds in a row that found the database busy before one is given up


def _wait_again(plan_id: int, areas, views) -> None:
    """Add to what waits for the plan's next round; the caller holds ``_lock``."""
    before_areas, before_views = _waiting.get(plan_id, (set(), set()))
    merged = None if areas is None or before_areas is None else before_areas | set(areas)
    _waiting[plan_id] = (merged, before_views | set(views))


def _rounds(plan_id: int) -> None:
    busy = 0
    try:
        while True:
            with _lock:
                entry = _waiting.pop(plan_id, None)
                if entry is None:
                    del _threads[plan_id]
                    return
            areas, views = entry
            try:
                store_verdicts(plan_id, sorted(areas) if areas is not None else None, sorted(views))
                busy = 0
            except OperationalError:
                # A writer held the tables (SQLite locks them while a transaction writes): its own
                # round comes after its commit, but may not cover these areas; try them again.
                busy += 1
                if busy > BUSY_RETRIES:
                    log.exception("judging the verdicts of plan %s again failed", plan_id)
                    busy = 0
                    continue
                with _lock:
                    _wait_again(plan_id, areas, views)
                time.sleep(0.1 * busy)
            except Exception:  # left marked stale; the next change, or a page reading them, tries again
                log.exception("judging the verdicts of plan %s again failed", plan_id)
    finally:
        with _lock:  # left by an error outside a round: the next change starts a new thread
            if _threads.get(plan_id) is threading.current_thread():
                del _threads[plan_id]
        connections.close_all()  # this thread's own connection, not left to the garbage collector


def wait(timeout: float | None = None) -> bool:
    """Wait for every judging of this process to end; False if some still run after ``timeout``."""
    while True:
        with _lock:
            running = list(_threads.values())
        if not running:
            return True
        for thread in running:
            thread.join(timeout)
            if thread.is_alive():
                return False
