"""The synthetic country after the July 2025 reform (``chitieu synth --structure 2026|reform``).

From the country ``chitieu synth`` builds (63 provinces, districts, about 10.600
communes), the reform merges provinces into 34 (each group keeps its first
province's code and name, as Quảng Ngãi kept 51 when Kon Tum merged into it),
merges the communes of each district three or four at a time (about 3.321 left;
a merged commune keeps its first member's code), dissolves every district (its
offices' duties pass to the new province, whose departments carry the same
names) and puts the communes directly under the provinces. Deterministic: the
same options give the same bytes. The default ``chitieu synth`` does not come here.
"""

from __future__ import annotations

import csv
import random
import shutil
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from chitieu import __version__, konray
from chitieu.periods import parse_period
from chitieu.plan import Plan
from chitieu.synth import (
    OBSERVATION_HEADER,
    OFFICES,
    Commune,
    Country,
    Manifest,
    Province,
    SynthOptions,
    Unit,
    _write_assignments,
    _write_units,
    build_country,
    national_assignments,
    observation_lines,
    write_country,
)

REFORM_DATE = "01/07/2025"
REFORM_DAY = date(2025, 7, 1)
NEW_PROVINCES = 34
NEW_COMMUNES = 3_321
STRUCTURES = ("2026", "reform")


@dataclass(frozen=True)
class Reform:
    after: Country  # the 2026 tree: nation, provinces, their offices and communes; no districts
    lines: list[tuple[str, str, str, str, str, str]]  # the reorganisation file's rows


def _groups(rng: random.Random, items: list, count: int) -> list[list]:
    """``items`` in ``count`` consecutive groups of near-equal size (order kept, sizes shuffled)."""
    count = max(1, min(count, len(items)))
    base, extra = divmod(len(items), count)
    sizes = [base + 1] * extra + [base] * (count - extra)
    rng.shuffle(sizes)
    groups, start = [], 0
    for size in sizes:
        groups.append(items[start : start + size])
        start += size
    return groups


def reform(country: Country, options: SynthOptions) -> Reform:
    rng = random.Random(f"{options.seed}/reform")
    provinces = _groups(rng, country.provinces, round(NEW_PROVINCES * len(country.provinces) / 63))
    lines: list[tuple[str, str, str, str, str, str]] = []
    new_of: dict[str, Province] = {}
    after = Country(country.nation, [], [], [], [])
    for group in provinces:
        head = group[0]
        if len(group) > 1:
            codes = ";".join(p.unit.code for p in group)
            lines.append(("sáp nhập", head.unit.code, head.unit.name, codes, "", REFORM_DATE))
        for member in group:
            new_of[member.unit.code] = head
        after.provinces.append(head)
        after.offices += [
            Unit(f"{head.unit.code}-{o.short}", o.name, "office", head.unit.code) for o in OFFICES
        ]
    by_district: dict[str, list[Commune]] = {}
    for commune in country.communes:
        by_district.setdefault(commune.unit.parent_code, []).append(commune)
    ratio = 10_599 / NEW_COMMUNES  # about 3,2 old communes to a new one
    for district in country.districts:
        communes = by_district.get(district.code, [])
        province = new_of[district.parent_code]
        for group in _groups(rng, communes, max(1, round(len(communes) / ratio))):
            head = group[0]
            if len(group) > 1:
                codes = ";".join(c.unit.code for c in group)
                lines.append(
                    ("sáp nhập", head.unit.code, head.unit.name, codes, province.unit.code, REFORM_DATE)
                )
            merged = Commune(
                Unit(head.unit.code, head.unit.name, "commune", province.unit.code),
                province,
                sum(c.population for c in group),
                round(sum(c.bias for c in group) / len(group), 3),
            )
            after.communes.append(merged)
        lines.append(("giải thể", province.unit.code, "", district.code, province.unit.code, REFORM_DATE))
    return Reform(after, lines)


def _write_reorganisation(path: Path, lines) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(("loai", "ma_moi", "ten_moi", "ma_cu", "ma_cap_tren", "ngay_hieu_luc"))
        writer.writerows(lines)


def after_reform(line: str) -> bool:
    """A figure of a period that starts on or after 1 July 2025 (quarter 3/2025, 2025-H2, 2026…)."""
    return parse_period(line.split(",", 2)[1]).start >= REFORM_DAY


def _write_observations(path: Path, country: Country, plan: Plan, options: SynthOptions, keep=None) -> int:
    count = 0
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write(OBSERVATION_HEADER)
        for _code, lines in observation_lines(country, plan, national_assignments(plan), options):
            kept = [line for line in lines if keep is None or keep(line)]
            f.writelines(kept)
            count += len(kept)
    return count


def write_reformed(out_dir: str | Path, plan: Plan, options: SynthOptions, structure: str) -> Manifest:
    """``2026``: the post-reform country with its 2026 figures; ``reform``: before, the file, and after."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    country = build_country(options)
    changed = reform(country, options)
    year_2026 = replace(options, first_year=2026, last_year=2026, gzip=False)
    if structure == "2026":
        for name in ("manifest.json", "observations.csv.gz"):
            (out / name).unlink(missing_ok=True)
        _write_units(out / "units.csv", changed.after)
        shutil.copyfile(konray.ANNEX, out / "plan.txt")
        _write_assignments(out / "assignments.csv", national_assignments(plan))
        count = _write_observations(out / "observations.csv", changed.after, plan, year_2026)
        counts = changed.after.counts()
        options_used = {"scale": options.scale, "provinces": options.provinces, "years": "2026"}
    else:
        # Before 1 July 2025 the old units report; from then on the new ones (2025's second half and 2026).
        manifest = write_country(out, plan, replace(options, gzip=False))
        (out / "manifest.json").unlink()
        old_file = out / "observations.csv"
        with old_file.open(encoding="utf-8") as f:
            header, *lines = f.readlines()
        before = [line for line in lines if not after_reform(line)]
        old_file.write_text(header + "".join(before), encoding="utf-8")
        _write_reorganisation(out / "reorganisation.csv", changed.lines)
        _write_units(out / "units-2026.csv", changed.after)
        since = replace(options, first_year=REFORM_DAY.year, last_year=2026, gzip=False)
        count = len(before) + _write_observations(
            out / "observations-2026.csv", changed.after, plan, since, keep=after_reform
        )
        counts = country.counts() | {f"{k}_2026": v for k, v in changed.after.counts().items()}
        options_used = manifest.options
    manifest = Manifest(
        seed=options.seed,
        options={**options_used, "structure": structure},
        counts=counts,
        observations=count,
        observations_file="observations.csv",
        chitieu_version=__version__,
    )
    (out / "manifest.json").write_text(manifest.as_json(), encoding="utf-8")
    return manifest
