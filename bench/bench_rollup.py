"""Roll-ups at a moderate scale: rebuilding the summary and evaluating every area for one year.

A synthetic tree (``ROLLUP_BENCH_COMMUNES`` communes, 2,000 by default, in provinces
of districts of 14 communes with two offices each) with the Kon Rẫy plan and
2020–2024 figures — yearly shares from the communes and the offices, girls and
boys from the offices, news items per commune and quarter — written with
bulk_create into a fresh database: SQLite in a temporary file, or the database of
``DATABASE_URL`` when it is set (PostgreSQL; its tables are emptied first, so give
it a throwaway database).

Measured, medians of several runs:
- ``rollup_rebuild(plan=…)``: the whole summary, set-based SQL;
- ``evaluation_all_units(plan=…, period_key="2024")``: nation, provinces and districts;
- ``unit_evaluation`` of the nation (what the dashboard does per request);
- the pure engine on every raw figure of the nation, once, for comparison — and
  the verdicts of both must agree.
"""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import time
from datetime import date
from decimal import Decimal

COMMUNES_PER_DISTRICT = 14
DISTRICTS_PER_PROVINCE = 11
YEARS = ("2020", "2021", "2022", "2023", "2024")
AS_OF = date(2025, 2, 10)


def _setup() -> str:
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='chitieu-bench-')}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "web.config.settings.local")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            tables = "rollups_rollupfigure, rollups_unitancestor, data_observation, data_submission"
            cursor.execute(f"TRUNCATE {tables} CASCADE")
    return connection.vendor


def _tree(communes: int):
    from chitieu.names import name_key
    from web.orgs.models import OrgUnit, UnitKind

    def make(name, kind, parent, code):
        return OrgUnit(name=name, name_key=name_key(name), kind=kind, parent=parent, code=code)

    tag = f"B{random.Random().randrange(10**6):06d}"  # codes unique even in a reused database
    nation = make("Việt Nam (bench)", UnitKind.NATION, None, f"{tag}")
    nation.save()
    districts = -(-communes // COMMUNES_PER_DISTRICT)
    provinces = [
        make(f"Tỉnh {p}", UnitKind.PROVINCE, nation, f"{tag}-{p}")
        for p in range(-(-districts // DISTRICTS_PER_PROVINCE))
    ]
    OrgUnit.objects.bulk_create(provinces)
    district_units = [
        make(f"Huyện {d}", UnitKind.DISTRICT, provinces[d // DISTRICTS_PER_PROVINCE], f"{tag}-{d // 11}-{d}")
        for d in range(districts)
    ]
    OrgUnit.objects.bulk_create(district_units)
    offices, commune_units = [], []
    for d, district in enumerate(district_units):
        offices += [
            make("Phòng Y tế", UnitKind.OFFICE, district, f"{district.code}-YT"),
            make("Phòng Lao động - Thương binh và Xã hội", UnitKind.OFFICE, district, f"{district.code}-LD"),
        ]
        first = d * COMMUNES_PER_DISTRICT
        commune_units += [
            make(f"Xã {c % 97}", UnitKind.COMMUNE, district, f"{district.code}-{c}")
            for c in range(first, min(first + COMMUNES_PER_DISTRICT, communes))
        ]
    OrgUnit.objects.bulk_create(offices)
    OrgUnit.objects.bulk_create(commune_units, batch_size=2000)
    return nation, offices, commune_units


def _plan(nation):
    from chitieu import konray
    from chitieu.approval import Role
    from web.accounts.services import user_ensure
    from web.plans.services import plan_import, plan_version_confirm

    admin = user_ensure(
        username="bench-admin", password="bench-only-2024", role=Role.ADMINISTRATOR, org_unit=None
    )[0]
    version = plan_import(
        actor=admin, data=konray.ANNEX.read_bytes(), filename=konray.ANNEX.name, area=nation
    )
    plan_version_confirm(actor=admin, version=version)
    return version.plan


def _figures(plan, offices, communes) -> int:
    from chitieu.periods import parse_period
    from web.data.models import Observation, Submission

    rng = random.Random(2024)
    plan_rows: list[
        tuple[object, str, list[tuple[str, str, Decimal | None, Decimal | None, Decimal | None]]]
    ] = []
    for unit in communes:
        for year in YEARS:
            den = Decimal(rng.randint(50, 900))
            plan_rows.append(
                (
                    unit,
                    year,
                    [
                        ("3.1", "", Decimal(rng.randint(10, 30)), Decimal(rng.randint(5, 20)), None),
                        ("2.2", "", Decimal(rng.randint(0, int(den))), den, None),
                    ],
                )
            )
        for q in range(1, 5):
            plan_rows.append((unit, f"2024-Q{q}", [("6.3", "", None, None, Decimal(rng.randint(1, 6)))]))
    for unit in offices:
        for year in YEARS:
            den = Decimal(rng.randint(500, 5000))
            if unit.name == "Phòng Y tế":
                figures = [("4.1", "", Decimal(rng.randint(480, 560)), Decimal(rng.randint(450, 520)), None)]
            else:
                figures = [
                    ("2.1", "", Decimal(rng.randint(0, int(den))), den, None),
                    ("5.2a", "F", Decimal(rng.randint(80, 100)), Decimal(100), None),
                    ("5.2a", "M", Decimal(rng.randint(80, 100)), Decimal(100), None),
                ]
            plan_rows.append((unit, year, figures))
    submissions = []
    for unit, key, _ in plan_rows:
        period = parse_period(key)
        submissions.append(
            Submission(
                plan=plan,
                org_unit=unit,
                period_key=key,
                period_start=period.start,
                period_end=period.end,
                state="approved",
            )
        )
    Submission.objects.bulk_create(submissions, batch_size=5000)
    observations = [
        Observation(submission=s, indicator_code=c, sex=sex, numerator=n, denominator=d, value=v)
        for s, (_, _, figures) in zip(submissions, plan_rows, strict=True)
        for c, sex, n, d, v in figures
    ]
    Observation.objects.bulk_create(observations, batch_size=5000)
    return len(observations)


def _timed(fn, runs: int) -> tuple[float, float, object]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), (max(times) - min(times)), result


def main() -> None:
    vendor = _setup()
    from chitieu.evaluate import evaluate_plan
    from web.dashboards.selectors import core_plan, plan_version_active
    from web.rollups.selectors import (
        commune_labels,
        evaluation_all_units,
        raw_area_observations,
        unit_evaluation,
    )
    from web.rollups.services import rollup_rebuild, unit_closure_refresh

    communes = int(os.environ.get("ROLLUP_BENCH_COMMUNES", "2000"))
    started = time.perf_counter()
    nation, offices, commune_units = _tree(communes)
    plan = _plan(nation)
    count = _figures(plan, offices, commune_units)
    links = unit_closure_refresh()
    print(
        f"database: {vendor}; {communes} communes, {len(offices)} offices, {count} observations,"
        f" {links} closure rows; built in {time.perf_counter() - started:.1f} s"
    )
    core = core_plan(plan_version_active(plan))

    median, spread, rows = _timed(lambda: rollup_rebuild(plan=plan), 3)
    print(
        f"{'rollup_rebuild (whole plan)':44s} {median:7.3f} s  (spread {spread:.3f} s; {rows} summary rows)"
    )
    median, spread, results = _timed(
        lambda: evaluation_all_units(plan=plan, period_key="2024", as_of=AS_OF), 3
    )
    label = f"evaluation_all_units 2024 ({len(results)} areas)"
    print(f"{label:44s} {median:7.3f} s  (spread {spread:.3f} s)")
    median, spread, mine = _timed(lambda: unit_evaluation(plan, core, nation, "2024", as_of=AS_OF), 5)
    print(f"{'unit_evaluation, the nation':44s} {median:7.3f} s  (spread {spread:.3f} s)")

    def pure():
        raw = raw_area_observations(plan, nation, states=("approved",))
        return evaluate_plan(core, raw, "2024", as_of=AS_OF, units=commune_labels(nation, "2024"))

    median, _, engine = _timed(pure, 1)
    print(f"{'pure engine on every raw figure, the nation':44s} {median:7.3f} s  (one run)")
    same = all(
        (engine.result(r.indicator).status, engine.result(r.indicator).actual) == (r.status, r.actual)
        for r in mine.evaluation.results
    )
    print(f"verdicts and actuals equal to the pure engine's: {'yes' if same else 'NO'}")
