"""``chitieu synth --structure 2026|reform``: the country after the July 2025 reform, and the file between."""

from __future__ import annotations

import csv
import io
import subprocess
import sys

from chitieu.issues import has_errors
from chitieu.reorganisation import UnitFacts, check_reorganisation, read_reorganisation, table_from_csv
from chitieu.synth import SynthOptions, build_country
from chitieu.synth_reform import reform


def _facts(country) -> dict[str, UnitFacts]:
    units = list(country.units())
    children: dict[str, list[str]] = {}
    for unit in units:
        children.setdefault(unit.parent_code, []).append(unit.code)
    return {
        u.code: UnitFacts(u.code, u.name, u.kind, u.parent_code, children=tuple(children.get(u.code, ())))
        for u in units
    }


def test_the_2026_country_has_34_provinces_about_3321_communes_and_no_districts():
    country = build_country(SynthOptions())
    after = reform(country, SynthOptions()).after.counts()
    assert after["province"] == 34 and after["district"] == 0
    assert abs(after["commune"] - 3321) < 60, after


def test_the_reorganisation_file_is_accepted_by_the_upload_s_check_and_makes_the_2026_tree():
    options = SynthOptions(scale=0.06)
    country = build_country(options)
    changed = reform(country, options)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(
        [("loai", "ma_moi", "ten_moi", "ma_cu", "ma_cap_tren", "ngay_hieu_luc"), *changed.lines]
    )
    rows, issues = read_reorganisation(table_from_csv(buffer.getvalue()))
    plan, more = check_reorganisation(rows, _facts(country))
    assert not has_errors(issues + more), (issues + more)[:3]
    kinds = {r.kind.value for r in rows}
    assert kinds == {"merge", "dissolve"}
    # Every district closes; the communes open (or move) under the new provinces.
    closed = {c.code for c in plan.closed}
    assert {d.code for d in country.districts} <= closed
    provinces = {p.unit.code for p in changed.after.provinces}
    assert {u.parent_code for u in plan.opened if u.kind == "commune"} <= provinces


def test_the_default_is_unchanged_and_reform_writes_its_files(tmp_path):
    def synth(out, *extra):
        args = [sys.executable, "-m", "chitieu", "synth", str(out), "--scale", "0.01", "--quiet", *extra]
        done = subprocess.run(args, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return {p.name for p in out.iterdir()}

    assert synth(tmp_path / "plain") == {
        "units.csv",
        "plan.txt",
        "assignments.csv",
        "observations.csv",
        "manifest.json",
    }
    files = synth(tmp_path / "reform", "--structure", "reform", "--years", "2025")
    assert {"reorganisation.csv", "units-2026.csv", "observations-2026.csv"} <= files
    # The old units report until 30 June 2025, the new ones from 1 July.
    old = (tmp_path / "reform" / "observations.csv").read_text(encoding="utf-8")
    new = (tmp_path / "reform" / "observations-2026.csv").read_text(encoding="utf-8")
    assert ",2025-Q2," in old and ",2025-Q3," not in old
    assert ",2025-Q3," in new and ",2026," in new and ",2025-Q2," not in new
