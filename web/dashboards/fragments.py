"""Whole dashboard fragments cached per what they show, and answered with 304 when unchanged.

A plan dashboard's body (and an indicator page's, all but its list of figures reported) depends
on the plan (its version in force), the area, the period, the "as of" date, the view (approved /
provisional), the figures (the plan's summary version, bumped in every transaction that changes
them, an amended plan included, and how many times verdicts were judged again: a page may show
verdicts being updated, web.rollups.verdicts), the language and what the person may see (their role and unit
decide the areas listed and the links offered). That tuple is the fragment's cache key: two
people who may see different things never share a fragment, and a change to the figures makes
every older fragment unreachable.

The dashboard's ETag is that key with what the page around the fragment shows of the person (who
they are, their CSRF cookie), so a browser revalidating an unchanged page gets 304 Not Modified
and nothing is evaluated or rendered. An indicator page has none: its list of figures reported
changes with drafts, which the summary does not hold.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from datetime import date

from django.core.cache import cache
from django.middleware.csrf import get_token
from django.template import engines
from django.utils.translation import get_language

from web.orgs.access import can_manage_plan, may_see_provisional

FRAGMENT_TIMEOUT = 24 * 3600  # keys of older versions are never asked again: they only wait to expire


def visibility_scope(user, plan) -> str:
    """What decides which areas, views and links a person is shown on a plan's pages."""
    role = user.chitieu_role.value
    unit = "*" if role == "administrator" else str(user.org_unit_id or "-")
    return f"{role}:{unit}:{int(can_manage_plan(user, plan))}:{int(may_see_provisional(user, plan))}"


def fragment_key(
    *,
    plan_id: int,
    version_id: int,
    area_id: int,
    period: str,
    as_of: date,
    provisional: bool,
    summary: str,
    scope: str,
    page: str = "plan",
) -> str:
    """``page``: which body (the plan's dashboard, or "indicator:CODE" for one indicator's page)."""
    parts = (plan_id, version_id, area_id, period, as_of.isoformat(), int(provisional), summary)
    return f"dashboards:{page}:" + ":".join(str(p) for p in (*parts, get_language() or "", scope))


LIST_TIMEOUT = 60  # seconds: a change committed out of audit-number order shows within a minute


def list_key(*, plan_id: int, code: str, area_id: int, scope: str, changes: int) -> str:
    """An indicator page's list of figures reported: drafts, notes and evidence change it without
    changing the summary, so it is kept per audited change (``last_entry_number``), and briefly."""
    parts = (plan_id, code, area_id, changes, get_language() or "", scope)
    return "dashboards:figures:" + ":".join(str(p) for p in parts)


def remember_list(key: str, html: str, *, updating: bool = False) -> None:
    # ``updating`` only to share ``fragment_or_build``'s way of keeping: a list shows no verdicts.
    cache.set(key, html, LIST_TIMEOUT)


def _shell(request) -> str:
    """What the project's own context processors put around the fragment (the header's unread
    notices): a new notice must not be answered by a 304 that keeps the old count on screen."""
    processors = engines["django"].engine.template_context_processors
    return repr([sorted(p(request).items()) for p in processors if p.__module__.startswith("web.")])


def etag_for(key: str, request) -> str:
    user = request.user
    person = (user.pk, user.get_full_name(), user.chitieu_role.value, user.org_unit_id)
    get_token(request)  # the page carries the CSRF secret: set it now, as rendering would, and hash it
    seen = f"{key}|{person}|{request.META.get('CSRF_COOKIE', '')}|{_shell(request)}"
    return '"' + hashlib.sha256(seen.encode()).hexdigest()[:32] + '"'


def cached_fragment(key: str) -> str | None:
    return cache.get(key)


# A page showing verdicts being updated is replaced as soon as they are judged (its key holds the
# count of judgings); kept briefly all the same, so that a judging that never comes (a worker killed)
# is noticed by the next reader (web.rollups.selectors.judge_again_if_forgotten).
UPDATING_TIMEOUT = 30


def remember_fragment(key: str, html: str, *, updating: bool = False) -> None:
    cache.set(key, html, UPDATING_TIMEOUT if updating else FRAGMENT_TIMEOUT)


# One reader builds a page that is not cached; the others asking for it meanwhile (on any server:
# the lock is in the shared cache) wait for it rather than build it too. At the nation a first view
# costs seconds of CPU: fifty readers arriving after a change, each building the same page at once on
# two cores, all waited past thirty seconds.
BUILD_LOCK_TIMEOUT = 120  # seconds: a builder killed midway holds the lock no longer than this
BUILD_WAIT = 20.0  # seconds a reader waits for another's build before building the page itself
BUILD_POLL = 0.05


def fragment_or_build(
    key: str,
    build: Callable[[], tuple[str, bool]],
    remember: Callable[..., None] = remember_fragment,
) -> str:
    """The cached fragment under ``key``, or the one another reader is building, or built now:
    ``build`` gives (html, whether it shows verdicts being updated), ``remember`` keeps it."""
    body = cached_fragment(key)
    if body is not None:
        return body
    lock = key + ":building"
    if not cache.add(lock, 1, BUILD_LOCK_TIMEOUT):
        deadline = time.monotonic() + BUILD_WAIT
        while time.monotonic() < deadline:
            time.sleep(BUILD_POLL)
            body = cached_fragment(key)
            if body is not None:
                return body
    try:
        html, updating = build()
        remember(key, html, updating=updating)
    finally:
        cache.delete(lock)
    return html
