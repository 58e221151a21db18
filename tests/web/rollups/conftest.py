"""A small synthetic country with the Kon Rẫy plan, for checking roll-ups against the pure engine.

Every area is evaluated twice: by ``web.rollups`` (from the summary table) and by
``chitieu.evaluate`` on every raw figure of the area; the two must agree on every
indicator, sex, sub-period and unit.
"""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from django.db import connection

from chitieu import konray
from chitieu.approval import Role
from chitieu.periods import parse_period

YEARS = ("2020", "2021", "2022", "2023", "2024")
QUARTERS = tuple(f"2024-Q{q}" for q in range(1, 5))
MONTHS = ("2024-01", "2024-02", "2024-03", "2023-11")
AS_OF = "2025-02-10"
# (code, who reports it, periods)
DUTIES = (
    ("2.1", "office", YEARS),
    ("4.1", "office", YEARS[-2:]),
    ("5.2a", "office", YEARS[-3:]),
    ("3.1", "commune", YEARS[-2:]),
    ("2.2", "commune", ("2024", "2024-Q1", "2024-Q3")),
    ("6.3", "commune", (*QUARTERS, "2024-01")),
    ("6.4", "office", (*MONTHS, "2024-Q2")),
)
MONTHS_2024 = tuple(f"2024-{m:02d}" for m in range(1, 13))
# How a unit may report a level indicator over a year: whole, by quarters, by months, mixed kinds
# (a half, a quarter and months), a year and some of its quarters again, and parts of earlier years.
SHAPES = (
    ("2024",),
    QUARTERS,
    MONTHS_2024,
    ("2024-H1", "2024-Q3", "2024-10", "2024-11", "2024-12"),
    ("2024", "2024-Q2", "2024-Q4"),
    ("2023-Q4", "2024-Q1", "2024-03", "2024-Q2"),
    ("2022", "2023-H2", "2024-Q2", "2024-Q3"),
)
# Level indicators of every aggregation kind reported by parts of years, by communes and offices:
# stocks (5.2a by sex, 3.1), a flow (3.2a), rates (4.3; 4.2 pooled over a phase), a running total
# (6.1), shares of women (2.1, 2.3 stocks, 5.3 a flow) given by total, by sex, or both.
SUB_YEAR_DUTIES = (
    ("5.2a", "commune", SHAPES),
    ("3.1", "commune", SHAPES),
    ("3.2a", "commune", SHAPES),
    ("4.3", "commune", SHAPES),
    ("4.2", "office", SHAPES),
    ("6.1", "commune", SHAPES),
    ("2.1", "office", SHAPES),
    ("2.3", "commune", SHAPES),
    ("5.3", "commune", SHAPES),
    ("6.3", "commune", (*QUARTERS, "2024-01")),
)
NEXT = {  # the approval moves: (state, action) → state
    "draft": ("submitted",),
    "submitted": ("approved", "returned"),
    "approved": ("draft",),
    "returned": ("submitted",),
}


def examples(on_sqlite: int) -> int:
    """How many random cases a property test of the roll-ups draws (hypothesis' ``max_examples``):
    all of them in the SQLite pass, which runs every test; a third, at least two, in the PostgreSQL
    pass, which runs the same tests again for the database's own SQL (summary upserts, the closure,
    row locks): each test still runs there, on fewer random trees."""
    if connection.vendor == "postgresql":
        return max(2, on_sqlite // 3)
    return on_sqlite


def build_tree(shape: list[list[int]]):
    """Nation → provinces → districts (each with an office) → communes; names repeat, codes do not."""
    from web.orgs.models import OrgUnit, UnitKind
    from web.rollups.services import unit_closure_refresh

    def unit(name, kind, parent, code=""):
        from chitieu.names import name_key

        return OrgUnit.objects.create(name=name, name_key=name_key(name), kind=kind, parent=parent, code=code)

    nation = unit("Việt Nam", UnitKind.NATION, None, "VN")
    for p, districts in enumerate(shape, start=1):
        province = unit(f"Tỉnh {p}", UnitKind.PROVINCE, nation, f"{p:02d}")
        for d, communes in enumerate(districts, start=1):
            district = unit(f"Huyện {d}", UnitKind.DISTRICT, province, f"{p}{d:02d}")
            unit("Phòng Y tế", UnitKind.OFFICE, district, f"{p}{d:02d}-YT")
            if d % 2 == 0:
                unit("Phòng Nội vụ", UnitKind.OFFICE, district, f"{p}{d:02d}-NV")
            for c in range(1, communes + 1):
                unit(
                    konray.COMMUNES[c % len(konray.COMMUNES)],
                    UnitKind.COMMUNE,
                    district,
                    f"{p}{d:02d}{c:02d}",
                )
    unit_closure_refresh()
    return nation


def plan_for(area, actor):
    from web.plans.services import plan_import, plan_version_confirm

    annex = konray.ANNEX
    version = plan_import(actor=actor, data=annex.read_bytes(), filename=annex.name, area=area)
    plan_version_confirm(actor=actor, version=version)
    return version.plan


def _figure(rng: random.Random, code: str):
    if code in ("6.3", "6.4"):
        kind = rng.random()
        if kind < 0.1:
            return None, None, None  # a row with no count: the engine finds the figure undefined
        if kind < 0.3:
            return Decimal(rng.randint(0, 6)), None, None
        return None, None, Decimal(rng.randint(0, 6))
    kind = rng.random()
    if kind < 0.1:
        return None, None, Decimal(rng.randint(0, 200)) / 2  # a value without its parts
    denominator = Decimal(rng.choice([0, 1, 3, 7, 40, 113]))
    numerator = Decimal(rng.randint(0, int(denominator) or 3))
    if kind < 0.15:
        return numerator, None, numerator  # a numerator without denominator
    return numerator, denominator, None


def random_figures(plan, nation, rng: random.Random, density: float = 0.5, duties=DUTIES):
    """Draft submissions with figures of every kind, some by sex, some partial; returns them.

    A duty's periods may be a choice of ``SHAPES``: each unit then reports one of them."""
    from web.data.models import Observation, Submission
    from web.orgs.models import OrgUnit, UnitKind

    units = list(OrgUnit.objects.exclude(kind=UnitKind.NATION).order_by("pk"))
    submissions = []
    for who in units:
        for code, reporter, choices in duties:
            wanted = who.kind == reporter or (who.kind == UnitKind.DISTRICT and rng.random() < 0.1)
            if not wanted:
                continue
            periods = rng.choice(choices) if isinstance(choices[0], tuple) else choices
            for period_key in periods:
                if rng.random() > density:
                    continue
                period = parse_period(period_key)
                submission, _ = Submission.objects.get_or_create(
                    plan=plan,
                    org_unit=who,
                    period_key=period_key,
                    defaults={"period_start": period.start, "period_end": period.end, "state": "draft"},
                )
                sexes = rng.choice([("",), ("",), ("F", "M"), ("F",), ("M",), ("", "F", "M")])
                for sex in sexes:
                    if Observation.objects.filter(
                        submission=submission, indicator_code=code, sex=sex
                    ).exists():
                        continue
                    numerator, denominator, value = _figure(rng, code)
                    Observation.objects.create(
                        submission=submission,
                        indicator_code=code,
                        sex=sex,
                        numerator=numerator,
                        denominator=denominator,
                        value=value,
                    )
                submissions.append(submission)
    return list({s.pk: s for s in submissions}.values())


def move(submission, state: str) -> None:
    """What web.data.services' transitions do to the roll-ups, without the actor checks."""
    from web.rollups.services import rollup_submission_moved

    old = submission.state
    submission.state = state
    submission.save(update_fields=["state"])
    rollup_submission_moved(submission=submission, old_state=old)


@pytest.fixture
def admin(make_user):
    return make_user("quan-tri", Role.ADMINISTRATOR)


@pytest.fixture
def country(db, admin):
    nation = build_tree([[2, 3], [1]])
    return nation, plan_for(nation, admin)
