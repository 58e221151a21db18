"""Named moments a lower app announces so a higher one keeps its tables current, without an upward import.

The roll-ups (web.rollups) sit above orgs and data: the unit and figure services announce
"the tree changed" or "a submission moved", and the roll-ups, registered in their
``AppConfig.ready``, update their tables. Listeners run synchronously, in the caller's
transaction, in the order they were registered — the same as a direct call.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

TREE_CHANGED = "tree_changed"  # units added or moved: the closure table follows
NAMES_CHANGED = "names_changed"  # a unit renamed: cached evaluations carry names
SUBMISSION_MOVED = "submission_moved"  # submission=, old_state=, action=, actor=: inside the transaction
PLAN_CONFIRMED = "plan_confirmed"  # version=, previous= (the version it replaced, or None): inside it
PLAN_AMENDED = "plan_amended"  # version=: a target or assignment of a version changed, inside it
PLAN_LOADED = "plan_loaded"  # plan=, period_keys=, unit_ids= (what it wrote to): a bulk load stored
SUMMARY_WRITTEN = "summary_written"  # plan_id=, areas= (unit ids, None: all), views=: inside the transaction
VERDICTS_STALE = "verdicts_stale"  # plan_id=, areas=, views=: after the commit, verdicts to judge again
VERDICTS_STORED = "verdicts_stored"  # plan_id=, rows=: verdicts judged again were committed (by whom it ran)

_listeners: dict[str, list[Callable[..., Any]]] = {}


def listen(moment: str, listener: Callable[..., Any]) -> None:
    """Register ``listener`` for ``moment`` once (a second registration of the same one is ignored)."""
    listeners = _listeners.setdefault(moment, [])
    if listener not in listeners:
        listeners.append(listener)


def unlisten(moment: str, listener: Callable[..., Any]) -> None:
    """Remove ``listener`` from ``moment`` (nothing if it was not registered)."""
    listeners = _listeners.get(moment, [])
    if listener in listeners:
        listeners.remove(listener)


def announce(moment: str, **details: Any) -> None:
    for listener in _listeners.get(moment, ()):
        listener(**details)
