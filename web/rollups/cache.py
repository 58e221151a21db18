"""The dashboards' evaluations, cached per plan, area, period, date, states and summary version.

Most pages read stored verdicts (web.rollups.verdicts) and never get here: this cache serves
what is evaluated at read time (communes, quarters and months, a date before the stored
verdicts answer).

Evaluating a plan for an area costs the engine 0.3–0.5 s of CPU; the pages ask for
the same few evaluations again and again between two changes to the figures. The
cache key holds every input of ``unit_evaluation``, the plan's content (a digest of
the core plan, so an amended version is a new key) and the plan's summary version
(``RollupVersion``), which every writer of the summary bumps in its own transaction:
an approval, a return, an unlock or a rebuild makes the old entries unreachable,
and they age out. What is cached is the engine's immutable result, never who may
see it: callers check permissions before asking.

Django's cache framework holds the entries. The default LocMemCache is per process;
with several servers use a shared cache (Redis, or DatabaseCache after
``manage.py createcachetable``) so that each does not evaluate on its own.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence
from datetime import date

from django.core.cache import cache
from django.db import connection
from django.db.models import F, QuerySet
from django.db.models.expressions import RawSQL

from chitieu.plan import Plan as CorePlan
from web.plans.models import Plan, PlanVersion
from web.plans.selectors import core_plan, versions_in_force
from web.rollups.models import RollupVersion

EVALUATION_TIMEOUT = 24 * 3600  # entries of old versions are never read again: they only wait to expire


def _summary_rows() -> QuerySet[RollupVersion]:
    """A plan's summary version is the first of its rows here (there is one per plan)."""
    return RollupVersion.objects.order_by("pk")


def summary_version(plan_id: int) -> int:
    number = _summary_rows().filter(plan_id=plan_id).values_list("number", flat=True).first()
    return number or 0


def page_version(plan_id: int) -> str:
    """What a page of the plan's verdicts is cached under: the summary version, and how many times
    verdicts were judged again (a page may show verdicts being updated: web.rollups.verdicts)."""
    found = _summary_rows().filter(plan_id=plan_id).values_list("number", "judged").first()
    return "{}.{}".format(*found) if found else "0.0"


def with_page_state(plans: QuerySet[Plan]) -> QuerySet[Plan]:
    """``plans`` each with what a cached page of it is keyed by, read in the plan's own query (a
    cached dashboard asked three: the plan, its version in force, its summary version):
    ``in_force_id``, the version ``plan_version_active`` gives (None: none in force), and
    ``summary_number`` / ``summary_judged``, the row ``summary_version`` and ``page_version`` read
    (None: no row yet). ``page_state`` reads them. A test holds them equal to the separate reads."""
    return plans.annotate(
        **{name: RawSQL(sql, params) for name, (sql, params) in _page_state_sql(connection.vendor).items()}
    )


@functools.cache
def _page_state_sql(vendor: str) -> dict[str, tuple[str, tuple]]:
    """``with_page_state``'s subqueries, compiled once per process from the very queries the
    separate reads make (``versions_in_force``: the rule of the version in force stays in one
    place). Once, because Django spent 2 ms of every cached page compiling them as ``Subquery``
    annotations, more than the queries they save (session 17). ``vendor``: SQL is per database."""
    name = connection.ops.quote_name
    plan = RawSQL(f"{name(Plan._meta.db_table)}.{name('id')}", ())

    def compiled(query: QuerySet) -> tuple[str, tuple]:
        sql, params = query.query.sql_with_params()
        return sql, tuple(params)

    summary = _summary_rows().filter(plan_id=plan)
    return {
        "in_force_id": compiled(versions_in_force().filter(plan_id=plan).values("pk")[:1]),
        "summary_number": compiled(summary.values("number")[:1]),
        "summary_judged": compiled(summary.values("judged")[:1]),
    }


def page_state(plan: Plan) -> tuple[int, str]:
    """(``summary_version``, ``page_version``) of a plan read through ``with_page_state``."""
    if plan.summary_number is None:  # type: ignore[attr-defined]
        return 0, "0.0"
    number, judged = plan.summary_number, plan.summary_judged  # type: ignore[attr-defined]
    return number or 0, f"{number}.{judged}"


def plan_in_force(version: PlanVersion) -> CorePlan:
    """``core_plan`` of the plan's version in force, kept per summary version: reading it costs a
    cached page a quarter of its time, and every change to it (a new version confirmed, a target or
    assignment amended) bumps that number in its own transaction (web.rollups.verdicts
    ``refresh_plan_verdicts``), as the cached pages themselves rely on. Drafts: ``core_plan``."""
    return core_in_force(version.pk, summary_version(version.plan_id), version)


def core_in_force(version_id: int, summary: int, version: PlanVersion | None = None) -> CorePlan:
    """``plan_in_force`` of the version ``version_id`` under the summary version ``summary`` (both
    read with the plan: ``with_page_state``); the version's row is read only if the core plan is not
    kept yet."""
    key = f"rollups:plan:{version_id}:{summary}"
    found = cache.get(key)
    if found is None:
        found = core_plan(version if version is not None else PlanVersion.objects.get(pk=version_id))
        cache.set(key, found, EVALUATION_TIMEOUT)
    return found


def summary_changed(plan_id: int) -> None:
    """Bump the plan's summary version; call inside the transaction that changes the summary."""
    if not RollupVersion.objects.filter(plan_id=plan_id).update(number=F("number") + 1):
        RollupVersion.objects.get_or_create(plan_id=plan_id)
        RollupVersion.objects.filter(plan_id=plan_id).update(number=F("number") + 1)


def summary_changed_all() -> None:
    """Bump every plan's version: the org tree changed, so every area's figures may have."""
    RollupVersion.objects.update(number=F("number") + 1)
    missing = Plan.objects.exclude(pk__in=RollupVersion.objects.values("plan_id")).values_list(
        "pk", flat=True
    )
    RollupVersion.objects.bulk_create(
        [RollupVersion(plan_id=pk, number=1) for pk in missing], ignore_conflicts=True
    )


def plan_digest(core) -> str:
    """A stable digest of the core plan's content (its repr: frozen dataclasses, tuples, Decimals)."""
    return hashlib.sha256(repr(core).encode()).hexdigest()[:32]


def evaluation_key(
    plan_id: int, core, area_id: int, period_key: str, *, as_of: date, states: Sequence[str]
) -> str:
    version = summary_version(plan_id)
    parts = (plan_id, version, plan_digest(core), area_id, period_key, as_of.isoformat(), ",".join(states))
    return "rollups:evaluation:" + ":".join(str(p) for p in parts)


def cached(key: str):
    return cache.get(key)


def remember(key: str, value) -> None:
    cache.set(key, value, EVALUATION_TIMEOUT)
