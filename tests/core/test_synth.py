"""``chitieu synth``: the synthetic country's tree, its determinism and its figures."""

import csv
import gzip
import json
import re
import subprocess
import sys
from collections import Counter, defaultdict
from decimal import Decimal

import pytest

from chitieu import konray
from chitieu.issues import Severity
from chitieu.observation_csv import read_observations_csv, read_observations_for_plan
from chitieu.planfile import read_plan_file
from chitieu.synth import (
    NATIONAL,
    OFFICES,
    SynthError,
    SynthOptions,
    build_country,
    national_assignments,
    parse_years,
    write_country,
)

SMALL = SynthOptions(provinces=1, communes_per_district=3, first_year=2023, last_year=2024)


@pytest.fixture(scope="module")
def plan():
    plan, _ = read_plan_file(konray.ANNEX)
    return plan


@pytest.fixture(scope="module")
def national():
    return build_country(SynthOptions())


def test_the_national_tree_has_the_official_totals(national):
    assert national.counts() == {
        "nation": 1,
        "province": 63,
        "district": 705,
        "office": 705 * len(OFFICES),
        "commune": 10_599,
    }
    per_province = Counter(d.parent_code for d in national.districts)
    per_district = Counter(c.unit.parent_code for c in national.communes)
    assert len(set(per_province.values())) > 5 and len(set(per_district.values())) > 10  # uneven


def test_codes_are_gso_shaped_unique_and_parents_come_first(national):
    units = list(national.units())
    codes = [u.code for u in units]
    assert len(codes) == len(set(codes))
    pattern = {
        "nation": r"VN",
        "province": r"\d{2}",
        "district": r"\d{3}",
        "commune": r"\d{5}",
        "office": r"\d{3}-[A-Z]+",
    }
    seen = set()
    for unit in units:
        assert re.fullmatch(pattern[unit.kind], unit.code), unit
        assert unit.parent_code == "" if unit.kind == "nation" else unit.parent_code in seen
        seen.add(unit.code)
    office = next(u for u in units if u.kind == "office")
    assert office.code.startswith(office.parent_code + "-")


def test_names_have_their_prefix_are_unique_among_siblings_and_repeat_across_the_country(national):
    prefixes = {
        "province": ("Tỉnh ", "Thành phố "),
        "district": ("Huyện ", "Quận ", "Thị xã ", "Thành phố "),
        "commune": ("Xã ", "Phường ", "Thị trấn "),
        "office": tuple(o.name for o in OFFICES),
    }
    siblings = defaultdict(list)
    for unit in national.units():
        if unit.kind != "nation":
            assert unit.name.startswith(prefixes[unit.kind]), unit
            siblings[unit.parent_code].append(unit.name)
    for names in siblings.values():
        assert len(names) == len(set(names))
    commune_names = Counter(c.unit.name for c in national.communes)
    assert commune_names.most_common(1)[0][1] > 1  # as "Xã Tân Lập" exists in many provinces
    kinds = Counter(c.unit.name.split(" ")[0] for c in national.communes)
    assert kinds["Xã"] > kinds["Phường"] > kinds["Thị"] > 300  # Thị trấn


def test_a_smaller_country_is_the_first_provinces_of_the_larger_one(national):
    two = build_country(SynthOptions(provinces=2))
    province_of = {p.unit.code: p.unit.code for p in national.provinces}
    for unit in national.units():  # parents come first, so each parent's province is known
        if unit.kind not in ("nation", "province"):
            province_of[unit.code] = province_of[unit.parent_code]
    first_two = {p.unit.code for p in national.provinces[:2]}
    expected = [u for u in national.units() if u.kind == "nation" or province_of[u.code] in first_two]
    assert list(two.units()) == expected


def test_scale_and_communes_per_district_size_the_country():
    tenth = build_country(SynthOptions(scale=0.1)).counts()
    assert (tenth["province"], tenth["district"], tenth["commune"]) == (6, 70, 1060)
    fixed = build_country(SynthOptions(provinces=3, communes_per_district=4)).counts()
    assert fixed["commune"] == 4 * fixed["district"]


def test_assignments_put_commune_figures_on_communes_and_the_rest_on_the_lead_office(plan):
    made = {a.indicator: a for a in national_assignments(plan)}
    assert set(made) == {i.code for i in plan.indicators}
    assert made["3.2a"].reporters == "communes" and made["3.2a"].frequency == "quarter"
    assert made["6.3"].reporters == "communes" and made["6.3"].frequency == "quarter"
    assert made["6.4"].reporters == "offices" and made["6.4"].frequency == "month"
    assert made["4.1"].reporters == "communes"
    assert made["5.1"].office == "Phòng Giáo dục và Đào tạo" and made["5.1"].frequency == "year"
    assert made["5.2a"].by_sex and not made["4.1"].by_sex
    names = {o.name for o in OFFICES}
    assert all(a.office in names for a in made.values() if a.reporters == "offices")


def test_the_same_seed_writes_the_same_bytes_and_another_seed_does_not(plan, tmp_path):
    def files(options, name):
        out = tmp_path / name
        write_country(out, plan, options)
        return {p.name: p.read_bytes() for p in sorted(out.iterdir())}

    first = files(SMALL, "a")
    assert first == files(SMALL, "b")
    assert set(first) == {"units.csv", "plan.txt", "assignments.csv", "observations.csv", "manifest.json"}
    other = files(SynthOptions(**{**SMALL.__dict__, "seed": 7}), "c")
    assert other["observations.csv"] != first["observations.csv"]
    zipped = SynthOptions(**{**SMALL.__dict__, "gzip": True})
    assert files(zipped, "d")["observations.csv.gz"] == files(zipped, "e")["observations.csv.gz"]
    assert gzip.decompress(files(zipped, "f")["observations.csv.gz"]) == first["observations.csv"]


@pytest.fixture(scope="module")
def small_country(plan, tmp_path_factory):
    out = tmp_path_factory.mktemp("country")
    manifest = write_country(out, plan, SynthOptions(provinces=1, communes_per_district=4))
    return out, manifest


def test_observations_read_without_any_issue_and_match_the_manifest(plan, small_country):
    out, manifest = small_country
    observations, issues = read_observations_for_plan(plan, out / "observations.csv")
    assert issues == []
    assert len(observations) == manifest.observations
    written = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert written["observations"] == manifest.observations and written["seed"] == 2024
    with (out / "units.csv").open(encoding="utf-8") as f:
        units = {row["code"]: row for row in csv.DictReader(f)}
    assert Counter(u["kind"] for u in units.values()) == {k: n for k, n in manifest.counts.items()}
    assert {o.org_unit for o in observations} <= set(units)
    assert {o.period[:4] for o in observations} == {str(y) for y in range(2021, 2026)}


def test_figures_are_plausible(plan, small_country):
    out, _ = small_country
    observations, _ = read_observations_csv(out / "observations.csv")
    by = defaultdict(list)
    for o in observations:
        by[o.indicator].append(o)
    percent = {i.code for i in plan.indicators if i.measure.value == "percent"}
    for code in percent:
        assert all(0 <= o.numerator <= o.denominator for o in by[code]), code
    boys = sum(o.numerator for o in by["4.1"])
    girls = sum(o.denominator for o in by["4.1"])
    assert Decimal(103) < 100 * boys / girls < Decimal(118)  # sex ratio at birth
    deaths = sum(o.numerator for o in by["4.2"]) * Decimal(100_000) / sum(o.denominator for o in by["4.2"])
    assert deaths < 300  # per 100,000 live births
    teen = sum(o.numerator for o in by["4.3"]) * 1000 / sum(o.denominator for o in by["4.3"])
    assert 5 < teen < 120  # per 1,000 girls aged 15-19
    assert {o.sex.value for o in by["5.2a"]} == {"F", "M"} and all(o.sex is None for o in by["4.1"])
    assert all(o.value is not None and o.value >= 0 for o in by["6.3"])


def test_a_few_reports_are_missing(small_country):
    out, manifest = small_country
    communes = manifest.counts["commune"]
    quarters = 20
    with (out / "observations.csv").open(encoding="utf-8") as f:
        sent = {(r["org_unit"], r["period"]) for r in csv.DictReader(f) if r["indicator"] == "2.1"}
    missing = 1 - len(sent) / (communes * quarters)
    assert 0.01 < missing < 0.07


@pytest.mark.parametrize(
    ("text", "expected"), [("2021-2025", (2021, 2025)), ("2024", (2024, 2024)), ("2021–2023", (2021, 2023))]
)
def test_years_option(text, expected):
    assert parse_years(text) == expected


@pytest.mark.parametrize(
    "options",
    [
        SynthOptions(scale=0),
        SynthOptions(scale=1.5),
        SynthOptions(provinces=64),
        SynthOptions(communes_per_district=0),
        SynthOptions(first_year=2025, last_year=2021),
    ],
)
def test_impossible_options_are_refused(options):
    with pytest.raises(SynthError):
        options.checked()


def chitieu(*args):
    return subprocess.run([sys.executable, "-m", "chitieu", *map(str, args)], capture_output=True, text=True)


def test_the_command_writes_a_country_that_evaluate_accepts(tmp_path):
    out = tmp_path / "vn"
    done = chitieu("synth", out, "--provinces", "1", "--communes-per-district", "2", "--years", "2023-2024")
    assert done.returncode == 0, done.stderr
    assert "xã/phường/thị trấn" in done.stdout and "100%" in done.stderr
    evaluated = chitieu("evaluate", out / "plan.txt", out / "observations.csv", "--period", "2024", "--json")
    assert evaluated.returncode == 0, evaluated.stderr
    results = json.loads(evaluated.stdout)["results"]
    assert all(r["status"] != "no_data" for r in results)
    again = chitieu("synth", out, "--provinces", "1")
    assert again.returncode == 1 and "--force" in again.stderr
    assert (
        chitieu(
            "synth", out, "--provinces", "1", "--communes-per-district", "2", "--force", "--quiet"
        ).returncode
        == 0
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--scale", "abc"], "--scale: 'abc' không phải là một số"),
        (["--scale", "2"], "--scale phải lớn hơn 0"),
        (["--provinces", "0"], "--provinces phải từ 1 đến 63"),
        (["--communes-per-district", "x"], "không phải là một số nguyên"),
        (["--years", "2025-2021"], "không phải khoảng năm"),
        (["--seed", "1.5"], "--seed"),
    ],
)
def test_bad_options_get_a_vietnamese_message_and_exit_2(tmp_path, args, message):
    done = chitieu("synth", tmp_path / "out", *args)
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()


def test_a_file_in_the_way_is_refused(tmp_path):
    target = tmp_path / "taken"
    target.write_text("x", encoding="utf-8")
    done = chitieu("synth", target)
    assert done.returncode == 1 and "không phải thư mục" in done.stderr


def test_national_constants_match_the_country():
    assert (NATIONAL.provinces, NATIONAL.districts, NATIONAL.communes) == (63, 705, 10_599)
    assert all(issue.severity is not Severity.ERROR for issue in read_plan_file(konray.ANNEX)[1])
