"""The in-database half of the national benchmark, run by bench_national in a child process.

``python -m bench.national_django prepare DIR`` — accounts, an API token, one district's
own plan (for the report) and the ids the HTTP measurements need, printed as JSON.
``python -m bench.national_django settle`` — on PostgreSQL, ``VACUUM (ANALYZE)`` once the load
and its roll-ups are stored, and its seconds, printed as JSON.
``python -m bench.national_django evaluate PLAN_ID --period 2024 --runs 3`` — seconds for
the roll-up rebuild and for the nation's evaluation of one year, printed as JSON.

DJANGO_SETTINGS_MODULE and DATABASE_URL come from the environment.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import os
import sys
import time
from datetime import date
from pathlib import Path

PASSWORD = "Bench@2024-chitieu"
COORDINATOR, VIEWER = "bench.dieuphoi", "bench.lanhdao"


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "web.config.settings.local")
    import django

    django.setup()


def _observations_file(folder: Path) -> Path:
    plain = folder / "observations.csv"
    return plain if plain.is_file() else folder / "observations.csv.gz"


def _open_text(path: Path):
    return gzip.open(path, "rt", encoding="utf-8") if path.suffix == ".gz" else path.open(encoding="utf-8")


def _district_rows(folder: Path, codes: set[str], out: Path) -> int:
    """The figures of one district's units, as a tidy CSV of their own."""
    count = 0
    with (
        _open_text(_observations_file(folder)) as source,
        out.open("w", encoding="utf-8", newline="") as sink,
    ):
        reader = csv.reader(source)
        writer = csv.writer(sink, lineterminator="\n")
        writer.writerow(next(reader))
        for row in reader:
            if row[2] in codes:
                writer.writerow(row)
                count += 1
    return count


def prepare(folder: Path, api_units: list[str], report_district: str) -> dict:
    from chitieu.approval import Role
    from web.accounts.services import user_ensure
    from web.api.services import token_create
    from web.data.loading.assignments import assignments_load
    from web.data.loading.observations import observations_load
    from web.orgs.models import OrgUnit, UnitKind
    from web.plans.models import Plan
    from web.plans.selectors import core_plan, plan_version_active
    from web.plans.services import plan_import, plan_version_confirm

    nation = OrgUnit.objects.get(kind=UnitKind.NATION)
    plan = Plan.objects.filter(area=nation).order_by("pk").first()
    admin, _ = user_ensure(
        username="bench.quantri", password=PASSWORD, role=Role.ADMINISTRATOR, org_unit=None
    )
    coordinator, _ = user_ensure(
        username=COORDINATOR, password=PASSWORD, role=Role.COORDINATOR, org_unit=nation
    )
    user_ensure(username=VIEWER, password=PASSWORD, role=Role.VIEWER, org_unit=nation)
    _token, raw = token_create(user=coordinator, name="bench")

    district = OrgUnit.objects.get(code=report_district)
    province = district.parent
    # One district's own plan, as a district would run it, for the annual report.
    district_plan = Plan.objects.filter(area=district).first()
    if district_plan is None:
        annex = (folder / "plan.txt").read_bytes()
        version = plan_import(actor=coordinator, data=annex, filename="plan.txt", area=district)
        version = plan_version_confirm(actor=coordinator, version=version)
        assignments_load(version=version, rows_or_path=folder / "assignments.csv", actor=admin)
        codes = {district.code, *OrgUnit.objects.filter(parent=district).values_list("code", flat=True)}
        rows = folder.parent / f"district-{district.code}.csv"
        _district_rows(folder, codes, rows)
        observations_load(plan=version.plan, rows_or_path=rows, actor=admin, state="approved")
        district_plan = version.plan
    ids = dict(OrgUnit.objects.filter(code__in=api_units).values_list("code", "id"))
    indicators = core_plan(plan_version_active(plan)).indicators
    # Indicator pages for the readers: the first indicator, and one judged per unit (6.3) if any.
    shown = [indicators[0].code, *(i.code for i in indicators if i.per_unit)][:2]
    return {
        "indicators": shown,
        "plan": plan.pk,
        "district_plan": district_plan.pk,
        "nation": nation.pk,
        "province": province.pk,
        "district": district.pk,
        "token": raw,
        "unit_ids": ids,
        "users": {"coordinator": COORDINATOR, "viewer": VIEWER, "password": PASSWORD},
    }


def nation_evaluation(plan, nation, period: str, as_of: date):
    """What the nation's dashboard evaluates: from the roll-up summary when it exists."""
    from web.dashboards.selectors import APPROVED, core_plan, plan_evaluate, plan_version_active

    try:
        from web.rollups.selectors import unit_evaluation
    except ImportError:
        return plan_evaluate(plan, period, as_of=as_of, states=APPROVED, within=nation)
    core = core_plan(plan_version_active(plan))
    return unit_evaluation(plan, core, nation, period, as_of=as_of, states=APPROVED)


def settle() -> dict:
    """Vacuum and analyse every table once the national load is stored, as an administrator would
    after a bulk import, so that the timed steps do not share the two cores with autovacuum.

    Left alone, autovacuum came by within a minute of the load (millions of new rows in the
    figures, the summary and the verdicts) and worked through them during the timed rebuild and
    evaluations (session 18: its runs on those tables ended inside the evaluate step). SQLite has no
    such background work: nothing to do there."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return {}
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")  # outside any transaction: Django is in autocommit here
    return {"settle": time.perf_counter() - started}


def evaluate(plan_id: int, period: str, runs: int) -> dict:
    from web.orgs.models import OrgUnit, UnitKind
    from web.plans.models import Plan

    plan = Plan.objects.get(pk=plan_id)
    nation = OrgUnit.objects.get(kind=UnitKind.NATION)
    as_of = date(int(period[:4]), 12, 31)
    timings: dict[str, list[float]] = {"evaluation": []}
    try:
        from web.rollups.services import rollup_rebuild
    except ImportError:  # before the roll-up summary exists, the dashboard evaluates in Python
        rollup_rebuild = None
    try:
        from web.rollups.selectors import evaluation_all_units
    except ImportError:
        evaluation_all_units = None
    try:
        from web.rollups.verdicts import store_verdicts as refresh_verdicts  # judged after the commit
        from web.rollups.verdicts import stored_statuses
    except ImportError:  # before verdicts were stored (or were judged in the writer's transaction)
        refresh_verdicts = stored_statuses = None
    try:  # the rebuild's own judging, on a thread of this process after its commit
        from web.jobs.background import wait as judged
        from web.rollups.models import Verdict
    except ImportError:
        judged = None
    if rollup_rebuild is not None:
        timings["rebuild"] = []
    if evaluation_all_units is not None:
        timings["all_areas"] = []
    for number in range(runs):
        if rollup_rebuild is not None and number == 0:  # minutes at full scale: once is enough
            started = time.perf_counter()
            rollup_rebuild(plan=plan, period_key=period)
            timings["rebuild"].append(time.perf_counter() - started)
            if judged is not None and refresh_verdicts is not None:
                # Timed as it happens after a rebuild, not judged a second time beside it (the two
                # shared one interpreter and the 600 s budget ran out at full scale).
                started = time.perf_counter()
                judged()
                timings["verdicts_refresh"] = [time.perf_counter() - started]
                timings["verdicts_rows"] = Verdict.objects.filter(plan=plan).count()
        started = time.perf_counter()
        evaluated = nation_evaluation(plan, nation, period, as_of)
        timings["evaluation"].append(time.perf_counter() - started)
        if evaluation_all_units is not None:  # the nation, every province and every district
            started = time.perf_counter()
            areas = evaluation_all_units(plan=plan, period_key=period, as_of=as_of)
            timings["all_areas"].append(time.perf_counter() - started)
            timings["areas"] = len(areas)
        if refresh_verdicts is not None and stored_statuses is not None:
            if number == 0 and "verdicts_refresh" not in timings:  # every area's verdicts, both views
                started = time.perf_counter()
                timings["verdicts_rows"] = refresh_verdicts(plan.pk)
                timings["verdicts_refresh"] = [time.perf_counter() - started]
            started = time.perf_counter()  # every area's stored verdicts for the year, as pages read them
            timings["stored_areas"] = len(stored_statuses(plan, period, "A"))
            timings.setdefault("stored_all_areas", []).append(time.perf_counter() - started)
    results = evaluated.evaluation.results if evaluated else ()
    timings["indicators_with_data"] = sum(r.status.value != "no_data" for r in results)
    return timings


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench.national_django")
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("prepare")
    p.add_argument("dir", type=Path)
    p.add_argument("--api-units", default="")
    p.add_argument("--report-district", required=True)
    commands.add_parser("settle")
    e = commands.add_parser("evaluate")
    e.add_argument("plan", type=int)
    e.add_argument("--period", default="2024")
    e.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    _setup()
    if args.command == "prepare":
        units = [u for u in args.api_units.split(",") if u]
        out = prepare(args.dir, units, args.report_district)
    elif args.command == "settle":
        out = settle()
    else:
        out = evaluate(args.plan, args.period, args.runs)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
