"""Synthetic but plausible figures for a district plan: 7 communes, 2021–2024.

Deterministic (seeded), so tests and the benchmark see the same data. Gaps are
left on purpose, as in real reporting: one indicator without 2024 figures and
one "for boys and girls" indicator without the boys' figure, so the report
has something to say about missing data.
"""

from __future__ import annotations

import csv
import io
import random
from decimal import Decimal

from chitieu import konray
from chitieu.observations import Observation
from chitieu.plan import Comparator, Indicator, Measure, Plan, Sex

COMMUNES = konray.COMMUNES
YEARS = (2021, 2022, 2023, 2024)
ANNEX = konray.ANNEX


def kon_ray_plan() -> Plan:
    from chitieu.importer import read_plan

    plan = read_plan(ANNEX).plan
    assert plan is not None
    return plan


def _level(indicator: Indicator, year: int, rng: random.Random) -> float:
    """A figure near the phase target, drifting towards it year by year, sometimes short of it."""
    target = next((t for t in indicator.targets if t.period != str(year)), indicator.targets[0])
    goal = float(target.value)
    better = -1 if target.comparator is Comparator.LE else 1
    distance = (2024 - year) * 0.04 + rng.uniform(-0.08, 0.06)
    return max(0.0, goal * (1 - better * distance))


def _share_rows(indicator: Indicator, year: int, rng: random.Random, sexes) -> list[Observation]:
    rows = []
    for unit in COMMUNES:
        for sex in sexes:
            denominator = rng.randint(80, 900)
            share = min(100.0, _level(indicator, year, rng)) / 100
            numerator = min(denominator, round(denominator * share))
            rows.append(
                Observation(indicator.code, str(year), unit, sex, Decimal(numerator), Decimal(denominator))
            )
    return rows


def _rate_rows(indicator: Indicator, year: int, rng: random.Random) -> list[Observation]:
    per = indicator.per or 1
    rows = []
    for unit in COMMUNES:
        denominator = rng.randint(120, 400) if per < 100000 else rng.randint(2000, 4000)
        numerator = round(_level(indicator, year, rng) * denominator / per)
        rows.append(
            Observation(indicator.code, str(year), unit, None, Decimal(numerator), Decimal(denominator))
        )
    return rows


def _count_rows(indicator: Indicator, year: int, rng: random.Random) -> list[Observation]:
    months = 3 if indicator.per_period and indicator.per_period.value == "quarter" else 1
    keys = [f"{year}-Q{q}" for q in range(1, 5)] if months == 3 else [f"{year}-{m:02d}" for m in range(1, 13)]
    units = COMMUNES if indicator.per_unit else ("",)
    return [
        Observation(indicator.code, key, unit, None, value=Decimal(rng.choice((2, 3, 3, 4, 5))))
        for key in keys
        for unit in units
    ]


def observations(plan: Plan, *, seed: int = 2024, gaps: bool = True) -> list[Observation]:
    rng = random.Random(seed)
    rows: list[Observation] = []
    indicators = plan.indicators
    silent = indicators[len(indicators) // 2].code if gaps else None  # no 2024 figures
    for indicator in indicators:
        for year in YEARS:
            if indicator.code == silent and year == 2024:
                continue
            if indicator.measure is Measure.PERCENT:
                sexes = (Sex.FEMALE, Sex.MALE) if indicator.by_sex else (None,)
                if gaps and indicator.by_sex and indicator is [i for i in indicators if i.by_sex][-1]:
                    sexes = (Sex.FEMALE,)
                rows += _share_rows(indicator, year, rng, sexes)
            elif indicator.measure in (Measure.RATE, Measure.RATIO):
                rows += _rate_rows(indicator, year, rng)
            elif indicator.measure is Measure.TIMES:
                value = Decimal(str(round(_level(indicator, year, rng), 2)))
                rows.append(Observation(indicator.code, str(year), value=value, note="Khảo sát hộ gia đình"))
            else:
                rows += _count_rows(indicator, year, rng)
    return rows


def to_csv(rows: list[Observation]) -> str:
    """The tidy CSV of docs/interfaces.md §3."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["indicator", "period", "org_unit", "sex", "numerator", "denominator", "value", "note"])
    for o in rows:
        writer.writerow(
            [
                o.indicator,
                o.period,
                o.org_unit,
                o.sex.value if o.sex else "",
                o.numerator if o.numerator is not None else "",
                o.denominator if o.denominator is not None else "",
                o.value if o.value is not None else "",
                o.note,
            ]
        )
    return out.getvalue()
