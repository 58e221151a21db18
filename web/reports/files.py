"""Finished report files kept in Django's cache, per everything that decides their bytes.

A district's annual report is downloaded again and again between two changes to its figures
(by the district, the province, the ministry), and building one costs a second or more (the
workbook lists thousands of figures). What decides the file: the plan and its version in force,
the year, the format, the "as of" day (printed in the text), the view (approved / provisional),
the figures (the plan's summary version, which every approval, return, unlock, rebuild, amended
plan and renamed or moved unit bumps in its own transaction) and the report settings (their
revision). Who asks does not change the file — whoever may read the plan gets the whole plan's
report, and only those who may see provisional figures get that view (the view checks both
before asking) — so no person or language is in the key. A change makes the old keys
unreachable; they age out.

The summary version is read before any figure, as the dashboards' cache does: a change committed
while a file is built leaves that file under the old version, which nobody asks for again.
"""

from __future__ import annotations

import hashlib
from datetime import date

from django.core.cache import cache

from web.plans.models import Plan as PlanRecord
from web.plans.selectors import plan_version_active
from web.reports.models import PlanReportSettings
from web.rollups.cache import summary_version

FILE_TIMEOUT = 24 * 3600  # an old key is never asked for again: it only waits to expire


def report_file_key(
    plan: PlanRecord, kind: str, period: str, fmt: str, *, as_of: date, provisional: bool
) -> str:
    version = plan_version_active(plan)
    settings = PlanReportSettings.objects.filter(plan=plan).values_list("revision", flat=True).first()
    parts = (
        plan.pk,
        summary_version(plan.pk),
        version.pk if version is not None else "-",
        settings or 0,
        kind,
        period,
        fmt,
        as_of.isoformat(),
        int(provisional),
    )
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:40]
    return f"reports:file:{plan.pk}:{digest}"


def cached_file(key: str):
    return cache.get(key)


def remember_file(key: str, file) -> None:
    cache.set(key, file, FILE_TIMEOUT)
