"""Evaluating the 20 Kon Rẫy indicators over 7 communes × 4 years (2021-2024).

Synthetic figures: every share, rate and ratio per commune and year (per sex for
5.2a/5.2b), 6.3 per commune and quarter, 6.4 per commune and month, plus a 2020
baseline. Measured: reading the tidy CSV, evaluating the year 2024 (with baselines
and trajectories), evaluating the whole phase 2021-2025, and completeness.
Goal: instantaneous for a person (well under 100 ms for an evaluation).
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal

from chitieu.completeness import completeness, expected_reports
from chitieu.evaluate import evaluate_plan
from chitieu.observation_csv import read_observations_csv
from chitieu.observations import Observation
from chitieu.plan import Measure, Plan, Sex
from tests.core.konray import COMMUNES, konray_plan

YEARS = (2020, 2021, 2022, 2023, 2024)


def synthetic_observations(plan: Plan, seed: int = 9) -> list[Observation]:
    rng = random.Random(seed)
    rows: list[Observation] = []

    def add(code: str, period: str, unit: str, sex: Sex | None, num: int | None, den: int | None, value=None):
        rows.append(
            Observation(
                code,
                period,
                unit,
                sex,
                None if num is None else Decimal(num),
                None if den is None else Decimal(den),
                None if value is None else Decimal(value),
                source=f"line {len(rows) + 2}",
            )
        )

    for indicator in plan.indicators:
        for unit in COMMUNES:
            if indicator.code == "6.3":
                for year in YEARS[1:]:
                    for q in (1, 2, 3, 4):
                        add("6.3", f"{year}-Q{q}", unit, None, None, None, rng.randint(2, 6))
            elif indicator.code == "6.4":
                for year in YEARS[1:]:
                    for m in range(1, 13):
                        add("6.4", f"{year}-{m:02d}", unit, None, None, None, rng.randint(0, 3))
            else:
                for year in YEARS:
                    sexes = (Sex.FEMALE, Sex.MALE) if indicator.by_sex else (None,)
                    for sex in sexes:
                        den = rng.randint(50, 900)
                        top = den if indicator.measure is Measure.PERCENT else den * 2
                        add(indicator.code, str(year), unit, sex, rng.randint(0, top), den)
    return rows


def as_csv(rows: list[Observation]) -> str:
    lines = ["indicator;period;org_unit;sex;numerator;denominator;value;note"]
    for o in rows:
        cells = [
            o.indicator,
            o.period,
            o.org_unit,
            o.sex.value if o.sex else "",
            o.numerator,
            o.denominator,
            o.value,
        ]
        lines.append(";".join("" if c is None else str(c) for c in cells) + ";")
    return "\n".join(lines) + "\n"


def _median_ms(work: Callable[[], object], runs: int) -> tuple[float, float, float]:
    """Median and max wall time, and median CPU time (steadier on a shared machine)."""
    work()  # warm-up
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        work()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return statistics.median(wall), max(wall), statistics.median(cpu)


def main() -> None:
    plan = konray_plan()
    rows = synthetic_observations(plan)
    text = as_csv(rows)
    expected = expected_reports(plan, "2024", units=COMMUNES, per_unit_all=True)
    print(
        f"{len(rows)} observations, {len(plan.indicators)} indicators, {len(COMMUNES)} communes,"
        f" years {YEARS}"
    )
    cases = [
        ("read tidy CSV", lambda: read_observations_csv(text), 10),
        (
            "evaluate 2024 (baselines, trajectories)",
            lambda: evaluate_plan(plan, rows, "2024", as_of=date(2024, 12, 31)),
            20,
        ),
        (
            "evaluate phase 2021-2025",
            lambda: evaluate_plan(plan, rows, "2021-2025", as_of=date(2024, 12, 31)),
            20,
        ),
        ("completeness 2024", lambda: completeness(expected, rows), 20),
    ]
    for label, work, runs in cases:
        median, worst, cpu = _median_ms(work, runs)
        print(f"{label:42s} median {median:7.2f} ms  max {worst:7.2f} ms  cpu {cpu:7.2f} ms  ({runs} runs)")


if __name__ == "__main__":
    main()
