"""Bulk loading (issue 7.2): a small synthetic country written here by hand, loaded, read back.

Every test runs on SQLite and again on PostgreSQL in the second pass of
scripts/run-tests.sh, where the loader writes with COPY.
"""

from __future__ import annotations

import csv
import gc
import gzip
import io
import shutil
import sqlite3
from decimal import Context, Decimal, localcontext

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from chitieu import konray
from chitieu.approval import Role
from chitieu.figures import FigureRefused
from web.core.audit import audit_for
from web.core.models import AuditEntry
from web.data.loading import area, observations, writers
from web.data.loading.errors import LoadError
from web.data.loading.observations import observations_load
from web.data.loading.units import units_load
from web.data.models import Observation, Submission
from web.orgs.models import OrgUnit
from web.plans.models import Plan

UNITS = [
    ("VN", "Việt Nam", "nation", ""),
    ("62", "Tỉnh Kon Tum", "province", "VN"),
    ("611", "Huyện Kon Rẫy", "district", "62"),
    ("612", "Huyện Đăk Hà", "district", "62"),
    ("23500", "Xã Đăk Kôi", "commune", "611"),
    ("23501", "Xã Tân Lập", "commune", "611"),
    ("23600", "Xã Tân Lập", "commune", "612"),  # the same name in another district
    ("23601", "Xã Đăk Mar", "commune", "612"),
    ("611-YT", "Phòng Y tế", "office", "611"),
    ("612-YT", "Phòng Y tế", "office", "612"),
    ("611-LD", "Phòng Lao động - Thương binh và Xã hội", "office", "611"),
    ("612-LD", "Phòng Lao động - Thương binh và Xã hội", "office", "612"),
]
ASSIGNMENTS = [
    ("6.3", "communes", "quarter", "0", ""),
    ("4.2", "offices", "year", "0", "Phòng Y tế"),
    ("2.1", "offices", "year", "0", "Phòng Lao động - Thương binh và Xã hội"),
    ("5.2a", "offices", "year", "1", "Phòng Y tế"),
]
HEADER = ["indicator", "period", "org_unit", "sex", "numerator", "denominator", "value", "note"]


def figures() -> list[list[str]]:
    rows = []
    for n, commune in enumerate(("23500", "23501", "23600", "23601")):
        for quarter in range(1, 5):
            rows.append(["6.3", f"2024-Q{quarter}", commune, "", "", "", str(3 + (n + quarter) % 3), ""])
    for office, (num, den) in (("611-YT", (1, 1450)), ("612-YT", (0, 980))):
        rows.append(["4.2", "2024", office, "", str(num), str(den), "", ""])
    for year, (num, den) in ((2023, (1000, 2050)), (2024, (1200, 2300))):
        rows.append(["2.1", str(year), "611-LD", "", str(num), str(den), "", "theo báo cáo năm"])
    rows.append(["5.2a", "2024", "611-YT", "F", "196", "200", "", ""])
    rows.append(["5.2a", "2024", "611-YT", "M", "210", "210", "", ""])
    return rows


def write_csv(path, rows, header=HEADER, delimiter=","):
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_country(folder, observations=None, gz=False):
    folder.mkdir(exist_ok=True)
    write_csv(folder / "units.csv", UNITS, header=["code", "name", "kind", "parent_code"])
    shutil.copy(konray.ANNEX, folder / "plan.txt")
    write_csv(
        folder / "assignments.csv",
        ASSIGNMENTS,
        header=["indicator", "reporters", "frequency", "by_sex", "office"],
    )
    rows = figures() if observations is None else observations
    if gz:
        text = io.StringIO()
        csv.writer(text).writerows([HEADER, *rows])
        (folder / "observations.csv.gz").write_bytes(gzip.compress(text.getvalue().encode()))
    else:
        write_csv(folder / "observations.csv", rows)
    return folder


def run(name, *args):
    """(exit code, stdout, stderr) of a management command."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(name, *[str(a) for a in args], stdout=out, stderr=err)
        code = 0
    except SystemExit as exit:
        code = exit.code
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def country(db, tmp_path):
    """The country loaded by load_country, with no figures yet: the plan to load files into."""
    folder = write_country(tmp_path / "country", observations=[])
    code, _out, err = run("load_country", folder, "--plan-name", "Kế hoạch thử")
    assert code == 0, err
    return Plan.objects.get(name="Kế hoạch thử")


def stored() -> list[tuple]:
    """Every stored figure as a CSV row of the loader's input (codes for units)."""
    rows = Observation.objects.select_related("submission__org_unit").order_by("pk")
    return sorted(
        (
            o.indicator_code,
            o.submission.period_key,
            o.submission.org_unit.code,
            o.sex,
            o.numerator,
            o.denominator,
            o.value,
            o.note,
        )
        for o in rows
    )


def expected(rows) -> list[tuple]:
    """The file's rows with the value each must have (numerator ÷ denominator × factor)."""
    factor = {"6.3": None, "4.2": 100000, "2.1": 100, "5.2a": 100}
    out = []
    for code, period, unit, sex, num, den, value, note in rows:
        n = Decimal(num) if num else None
        d = Decimal(den) if den else None
        v = Decimal(value) if value else (n / d * factor[code]).quantize(Decimal("0.000001"))
        out.append((code, period, unit, sex, n, d, v, note))
    return sorted(out)


def as_stored(value: Decimal | None) -> Decimal | None:
    """The value as the database gives it back: SQLite keeps 15 significant digits (a REAL)."""
    if value is None or connection.vendor != "sqlite":
        return value
    with localcontext() as context:
        context.prec = 15
        return (+value).quantize(Decimal("0.000001"), context=Context(prec=40))


def snapshot() -> tuple:
    return (
        Observation.objects.count(),
        Submission.objects.count(),
        AuditEntry.objects.count(),
        list(Observation.objects.order_by("pk").values_list("pk", "numerator", "value", "note")),
    )


# ------------------------------------------------------------------ the country command


def test_load_country_stores_the_file_as_written(db, tmp_path):
    folder = write_country(tmp_path / "vn", gz=True)
    code, out, err = run("load_country", folder)
    assert code == 0, err
    assert "số liệu mới" in out and "dòng/s" in err
    plan = Plan.objects.get()
    assert plan.area.code == "VN" and plan.versions.get().status == "active"
    assert stored() == expected(figures())
    assert set(Submission.objects.values_list("state", flat=True)) == {"approved"}
    # offices → the office of that name in every district, as lead units
    health = plan.versions.get().indicators.get(code="4.2").assignment
    assert sorted(health.lead_units.values_list("code", flat=True)) == ["611-YT", "612-YT"]
    assert plan.versions.get().indicators.get(code="5.2a").assignment.by_sex
    loads = AuditEntry.objects.filter(action="bulk_load", subject_type="plan")
    assert loads.count() == 1 and loads.get().new == str(len(figures()))


def test_load_country_twice_does_not_duplicate(db, tmp_path):
    folder = write_country(tmp_path / "vn")
    assert run("load_country", folder)[0] == 0
    before = snapshot(), OrgUnit.objects.count(), Plan.objects.count()
    code, out, _err = run("load_country", folder)
    assert code == 0 and "đã được nạp" in out
    assert (snapshot(), OrgUnit.objects.count(), Plan.objects.count()) == before


def test_load_country_with_a_bad_line_stores_nothing_at_all(db, tmp_path):
    rows = figures()
    rows[3][0] = "9.9"
    folder = write_country(tmp_path / "vn", observations=rows)
    code, _out, err = run("load_country", folder)
    assert code == 1
    assert "observations.csv, dòng 5: mã chỉ tiêu không có trong kế hoạch" in err
    assert "Traceback" not in err
    assert (OrgUnit.objects.count(), Plan.objects.count(), Observation.objects.count()) == (0, 0, 0)


def test_load_country_names_the_missing_files(db, tmp_path):
    folder = tmp_path / "empty"
    folder.mkdir()
    code, _, err = run("load_country", folder)
    assert code == 1 and "units.csv" in err and "observations.csv" in err


# ------------------------------------------------------------------ observations_load


def test_bad_rows_are_all_reported_with_their_lines_and_nothing_is_stored(country, tmp_path):
    rows = figures()
    rows[0][0] = "9.9"  # line 2: unknown indicator
    rows[2][1] = "2024-Q7"  # line 4: bad period
    rows[4][2] = "Xã Tân Lập"  # line 6: two communes have this name
    rows[5][2] = "Xã Không Có"  # line 7: unknown unit
    rows[16][4], rows[16][5] = "", "1450"  # line 18: a denominator without numerator
    rows[18][4] = "3000"  # line 20: 2.1 is a percent, numerator above denominator
    rows[20][3] = ""  # line 22: 5.2a is reported by sex
    rows.append(rows[1])  # line 24: the same figure twice
    rows.append(["4.2", "2024", "23500", "", "1", "100", "", ""])  # line 25: not the commune's duty
    rows.append(["6.3", "2024-Q1", "23600", "x", "", "", "3", ""])  # line 26: bad sex
    before = snapshot()
    with pytest.raises(LoadError) as caught:
        observations_load(plan=country, rows_or_path=write_csv(tmp_path / "d.csv", rows), actor=None)
    lines = [i.line for i in caught.value.issues]
    assert lines == [2, 4, 6, 7, 18, 20, 22, 24, 25, 26]
    codes = [i.code for i in caught.value.issues]
    assert codes == [
        "unknown_indicator",
        "bad_period",
        "ambiguous_unit",
        "unknown_unit",
        "missing_numerator",
        "numerator_above_denominator",
        "sex_required",
        "duplicate",
        "not_assigned",
        "bad_sex",
    ]
    assert "d.csv, dòng 6: tên đơn vị 'Xã Tân Lập' trùng với 2 đơn vị" in caught.value.lines()[2]
    assert snapshot() == before


def test_units_found_by_code_then_by_any_spelling_of_a_unique_name(country):
    rows = [
        ["6.3", "2024-Q1", "23601", "", "", "", "3", ""],
        ["6.3", "2024-Q2", "xa dak mar", "", "", "", "4", ""],
        ["6.3", "2024-Q3", "Xã Đắk Mar", "", "", "", "5", ""],
        ["6.3", "2024-Q1", "Xã Đăk Kôi", "", "", "", "6", ""],
    ]
    result = observations_load(plan=country, rows_or_path=[HEADER, *rows], actor=None)
    assert result.observations_created == 4
    units = dict(
        Submission.objects.values_list("period_key", "org_unit__code").filter(org_unit__code="23601")
    )
    assert units == {"2024-Q1": "23601", "2024-Q2": "23601", "2024-Q3": "23601"}


def test_a_name_that_is_another_units_code_means_the_code(country):
    OrgUnit.objects.filter(code="23601").update(name="23500", name_key="23500")
    observations_load(
        plan=country, rows_or_path=[HEADER, ["6.3", "2024-Q1", "23500", "", "", "", "3", ""]], actor=None
    )
    assert Submission.objects.get().org_unit.code == "23500"


def test_vietnamese_spellings_decimal_commas_and_not_applicable(country, tmp_path):
    rows = [
        ["6.3", "Quý 2/2024", "Xã Đăk Kôi", "", "", "", "4", ""],
        ["2.1", "Năm 2024", "611-LD", "", "1.200", "2.300", "", ""],
        ["5.2a", "2024", "611-YT", "nữ", "196", "200", "98,0", ""],
        ["5.2a", "2024", "611-YT", "nam", "210", "210", "", ""],
        ["4.2", "2024", "611-YT", "", "", "", "không áp dụng", ""],
    ]
    path = write_csv(tmp_path / "vi.csv", rows, delimiter=";")
    observations_load(plan=country, rows_or_path=path, actor=None)
    got = {(o.indicator_code, o.sex): o for o in Observation.objects.all()}
    assert got[("6.3", "")].value == 4
    assert (got[("2.1", "")].numerator, got[("2.1", "")].denominator) == (1200, 2300)
    assert got[("2.1", "")].value == Decimal("52.173913")
    assert got[("5.2a", "F")].value == 98 and got[("5.2a", "M")].value == 100
    na = got[("4.2", "")]
    assert (na.numerator, na.denominator, na.value, na.note) == (None, None, None, "không áp dụng")
    assert Submission.objects.get(org_unit__code="23500").period_key == "2024-Q2"


def test_a_database_refusal_late_in_the_load_leaves_everything_as_it_was(country, monkeypatch):
    """Rows are written in batches; the database refuses the 45th figure after 40 are written."""
    monkeypatch.setattr(writers.SqliteWriter, "batch", 10)
    monkeypatch.setattr(writers.PostgresWriter, "batch", 10)
    rows = [
        ["6.3", f"{year}-Q{q}", commune, "", "", "", str(n), ""]
        for n, (year, q, commune) in enumerate(
            (y, q, c)
            for y in (2022, 2023, 2024)
            for q in range(1, 5)
            for c in ("23500", "23501", "23600", "23601")
        )
    ]
    assert rows[44][6] == "44"
    _refuse_value(44)
    before = snapshot()
    with pytest.raises(LoadError) as caught:
        observations_load(plan=country, rows_or_path=[HEADER, *rows], actor=None)
    assert caught.value.issues[0].code == "database"
    assert "cơ sở dữ liệu từ chối ghi" in str(caught.value)
    assert snapshot() == before


def _refuse_value(value: int) -> None:
    """A trigger that refuses one figure: a constraint the loader cannot see coming."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION bulk_test_refuse() RETURNS trigger AS $$ BEGIN"
                f" IF NEW.value = {value} THEN RAISE EXCEPTION 'refused by test'; END IF; RETURN NEW; END"
                " $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER bulk_test_refuse BEFORE INSERT ON data_observation"
                " FOR EACH ROW EXECUTE FUNCTION bulk_test_refuse()"
            )
        else:
            cursor.execute(
                "CREATE TRIGGER bulk_test_refuse BEFORE INSERT ON data_observation"
                f" WHEN NEW.value = {value} BEGIN SELECT RAISE(ABORT, 'refused by test'); END"
            )


def test_an_interrupted_load_stores_nothing(country, monkeypatch):
    monkeypatch.setattr(observations, "PROGRESS_EVERY", 5)
    monkeypatch.setattr(writers.SqliteWriter, "batch", 4)
    monkeypatch.setattr(writers.PostgresWriter, "batch", 4)
    before = snapshot()
    calls = []

    def stop(lines, done, total):
        calls.append(lines)
        if lines >= 15:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        observations_load(plan=country, rows_or_path=[HEADER, *figures()], actor=None, progress=stop)
    assert calls == [5, 10, 15]
    assert snapshot() == before


def test_loading_again_updates_drafts_with_an_audit_entry_per_changed_value(country):
    first = observations_load(plan=country, rows_or_path=[HEADER, *figures()], actor=None, state="draft")
    assert first.observations_created == len(figures())
    revision = Submission.objects.get(org_unit__code="611-LD", period_key="2024").revision
    changed = figures()
    changed[19][4] = "1250"  # 2.1 in 2024: 1200 → 1250
    changed.append(["6.3", "2025-Q1", "23500", "", "", "", "7", ""])  # a new report
    again = observations_load(plan=country, rows_or_path=[HEADER, *changed], actor=None, state="draft")
    assert (again.observations_created, again.observations_updated) == (1, 1)
    assert again.observations_unchanged == len(figures()) - 1
    assert stored() == expected(changed)
    submission = Submission.objects.get(org_unit__code="611-LD", period_key="2024")
    assert submission.revision == revision + 1  # a form opened before the load is now stale
    history = AuditEntry.objects.filter(action="figure_change", subject_id=submission.pk)
    assert sorted((e.field, e.old, e.new) for e in history) == [
        ("2.1//numerator", "1200", "1250"),
        ("2.1//value", "52.173913", "54.347826"),
    ]


def test_approved_and_submitted_reports_are_not_overwritten_unless_asked(country):
    observations_load(plan=country, rows_or_path=[HEADER, *figures()], actor=None, state="approved")
    before = snapshot()
    changed = [["4.2", "2024", "611-YT", "", "2", "1450", "", ""]]
    with pytest.raises(LoadError) as caught:
        observations_load(plan=country, rows_or_path=[HEADER, *changed], actor=None, state="approved")
    assert caught.value.issues[0].code == "locked" and caught.value.issues[0].line == 2
    assert "đã được duyệt (khóa)" in caught.value.issues[0].message
    assert snapshot() == before
    observations_load(plan=country, rows_or_path=[HEADER, *changed], actor=None, allow_locked=True)
    assert Observation.objects.get(indicator_code="4.2", submission__org_unit__code="611-YT").numerator == 2


def test_a_reporter_cannot_bulk_load(country, make_user):
    from django.core.exceptions import PermissionDenied

    from chitieu.approval import Role

    reporter = make_user("bao-cao", Role.REPORTER, OrgUnit.objects.get(code="23500"))
    with pytest.raises(PermissionDenied):
        observations_load(plan=country, rows_or_path=[HEADER, *figures()], actor=reporter)


def test_one_audit_entry_per_load_names_the_file_and_the_count(country, tmp_path, make_user):
    from chitieu.approval import Role

    admin = make_user("quan-tri", Role.ADMINISTRATOR)
    path = write_csv(tmp_path / "so-lieu-2024.csv", figures())
    before = AuditEntry.objects.count()
    observations_load(plan=country, rows_or_path=path, actor=admin)
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.latest("id")
    assert (entry.actor, entry.action, entry.field, entry.new) == (
        admin,
        "bulk_load",
        "so-lieu-2024.csv",
        str(len(figures())),
    )


@pytest.mark.postgres
def test_postgresql_loads_with_copy(country):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL pass only")
    writer = writers.writer_for_connection()
    try:
        assert isinstance(writer, writers.PostgresWriter)
    finally:
        writer.close()  # left open, its short switch interval stayed for the rest of the process
    rows = [
        ["6.3", f"{y}-Q{q}", c, "", "", "", str(q), ""]
        for y in range(2021, 2026)
        for q in range(1, 5)
        for c in ("23500", "23501", "23600", "23601")
    ]
    observations_load(plan=country, rows_or_path=[HEADER, *rows], actor=None)
    assert Observation.objects.count() == len(rows) and Submission.objects.count() == len(rows)


# ------------------------------------------------------------------ load_observations command


def test_load_observations_command(country, tmp_path):
    path = write_csv(tmp_path / "so-lieu.csv", figures())
    code, out, err = run("load_observations", country.pk, path, "--state", "submitted")
    assert code == 0, err
    assert f"Đã nạp {len(figures())} dòng" in out
    assert "so-lieu.csv:" in err and "dòng/s" in err  # the progress line
    assert set(Submission.objects.values_list("state", flat=True)) == {"submitted"}


def test_load_observations_command_refuses_clearly(country, tmp_path):
    rows = figures()
    rows[1][1] = "quý năm"
    path = write_csv(tmp_path / "so-lieu.csv", rows)
    code, _, err = run("load_observations", country.pk, path)
    assert code == 1 and "lỗi: so-lieu.csv, dòng 3: kỳ báo cáo không hợp lệ" in err and "Traceback" not in err
    assert Observation.objects.count() == 0
    code, _, err = run("load_observations", 999999, path)
    assert code == 1 and "không có kế hoạch số 999999" in err
    code, _, err = run("load_observations", country.pk, tmp_path / "khong-co.csv")
    assert code == 1 and "không mở được tệp" in err
    code, _, err = run("load_observations", country.pk, path, "--user", "ai-do")
    assert code == 1 and "không có tài khoản 'ai-do'" in err


# ------------------------------------------------------------------ units_load


def test_units_load_reports_every_bad_line_and_creates_nothing(db):
    rows = [
        ["code", "name", "kind", "parent_code"],
        ["VN", "Việt Nam", "nation", ""],
        ["62", "Tỉnh Kon Tum", "tinh", "VN"],
        ["611", "Huyện Kon Rẫy", "district", "99"],
        ["VN", "Việt Nam", "nation", ""],
        ["", "Không mã", "commune", "VN"],
    ]
    with pytest.raises(LoadError) as caught:
        units_load(rows_or_path=rows)
    assert [i.line for i in caught.value.issues] == [3, 4, 5, 6]
    assert OrgUnit.objects.count() == 0


def test_the_unit_load_is_audited_through_the_audit_helper(db, make_user):
    """The bulk loads write their audit entries with web.core.audit, like every service: the entry
    is found from the unit's own history (``audit_for``), under the name the helper gives it."""
    admin = make_user("quan-tri", Role.ADMINISTRATOR)
    units_load(rows_or_path=[["code", "name", "kind", "parent_code"], *UNITS], actor=admin)
    entries = list(audit_for(OrgUnit.objects.get(code="VN")))
    assert [(e.action, e.actor, e.new) for e in entries] == [("units_load", admin, str(len(UNITS)))]


def test_units_load_is_idempotent_by_code(db):
    rows = [["code", "name", "kind", "parent_code"], *UNITS]
    assert units_load(rows_or_path=rows).created == len(UNITS)
    again = units_load(rows_or_path=rows)
    assert (again.created, again.existing) == (0, len(UNITS))
    commune = OrgUnit.objects.get(code="23600")
    assert (commune.parent.code, commune.kind, commune.names.get().name) == ("612", "commune", "Xã Tân Lập")


# ------------------------------------------------------------------ the quick path and the general one


def test_the_quick_path_and_the_general_reader_store_the_same_rows(country):
    """The same figures written plainly (quick path) and with Vietnamese spellings (general reader)."""
    plain = figures()
    observations_load(plan=country, rows_or_path=[HEADER, *plain], actor=None, state="draft")
    quick = stored()
    Observation.objects.all().delete()
    Submission.objects.all().delete()
    spelled = []
    for code, period, unit, sex, num, den, value, note in plain:
        quarter = period.split("-Q")
        period = f"Quý {quarter[1]}/{quarter[0]}" if len(quarter) == 2 else f"Năm {period}"
        sex = {"F": "nữ", "M": "Nam", "": ""}[sex]
        spelled.append([code, period, f" {unit} ", sex, num and f"{num},0", den and f"{den},0", value, note])
    observations_load(plan=country, rows_or_path=[HEADER, *spelled], actor=None, state="draft")
    assert stored() == quick == expected(plain)


def test_the_per_load_value_rule_is_compute_value(country):
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from web.data.services import FigureError, FigureInput, compute_value

    rules = list(area.indicator_rules(country.versions.get()).values())
    amounts = st.none() | st.decimals(min_value=0, max_value=10**9, places=3, allow_nan=False)

    @settings(max_examples=300, deadline=None)
    @given(st.sampled_from(rules), amounts, amounts, amounts)
    def same(rule, num, den, value):
        try:
            expected = compute_value(rule.indicator, FigureInput(num, den, value))
        except FigureError as error:
            expected = error.code
        try:
            got = rule.value(num, den, value)
        except FigureError as error:
            got = error.code
        assert got == expected

    same()


def _plain_text(whole: int, places: int) -> str:
    return f"{Decimal(whole).scaleb(-places):f}" if places else str(whole)


plain_cells = st.one_of(
    st.just(""),
    st.builds(_plain_text, st.one_of(st.integers(0, 400), st.integers(0, 10**13 - 1)), st.just(0)),
    st.builds(_plain_text, st.integers(0, 10**8), st.integers(1, 6)),
)
QUICK_ROWS = {"2.1": ("611-LD", "2024"), "4.2": ("611-YT", "2024"), "6.3": ("23500", "2024-Q1")}
# Lines that make the loader meet each indicator, period and unit of QUICK_ROWS once (through the
# general reader, which caches them), so that the line under test takes the quick path.
PRIMING = [
    ["6.3", "2024-Q1", "23501", "", "", "", "3", ""],
    ["6.3", "2024-Q2", "23500", "", "", "", "3", ""],
    ["4.2", "2024", "612-YT", "", "1", "1450", "", ""],
    ["5.2a", "2024", "611-YT", "F", "196", "200", "", ""],
    ["2.1", "2023", "611-LD", "", "1000", "2050", "", ""],
]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(code=st.sampled_from(sorted(QUICK_ROWS)), num=plain_cells, den=plain_cells, value=plain_cells)
def test_the_quick_path_stores_what_the_figure_rule_accepts(country, monkeypatch, code, num, den, value):
    """Plain rows in a comma file, on the bulk loader's quick path: accepted and refused exactly as
    the indicator's FigureRule.accept says, with the value it gives."""
    assume(num or den or value)
    rule = area.indicator_rules(country.versions.get())[code].figure
    parts = [Decimal(t) if t else None for t in (num, den, value)]
    try:
        want = ("stored", as_stored(rule.accept(*parts)))
    except FigureRefused:
        want = ("refused", None)
    general_lines = []
    general = observations._Load.general
    monkeypatch.setattr(
        observations._Load,
        "general",
        lambda load, line, cells: general_lines.append(line) or general(load, line, cells),
    )
    unit, period = QUICK_ROWS[code]
    rows = [HEADER, *PRIMING, [code, period, unit, "", num, den, value, ""]]
    try:
        with transaction.atomic():
            observations_load(plan=country, rows_or_path=rows, actor=None, state="draft")
            got = (
                "stored",
                Observation.objects.get(
                    indicator_code=code, submission__org_unit__code=unit, submission__period_key=period
                ).value,
            )
            transaction.set_rollback(True)
    except LoadError:
        got = ("refused", None)
    assert got == want
    # The quick path reads whole numerators and denominators, and a value with decimals for a share;
    # such a line with a value to store never leaves it.
    quick_text = all(t.isdigit() or not t for t in (num, den)) and (value.isdigit() or code != "6.3")
    if want[1] is not None and quick_text:
        assert len(PRIMING) + 2 not in general_lines, (code, num, den, value)


def test_the_quick_path_judges_the_same_numbers_by_each_indicator_s_own_rule(country, monkeypatch):
    """The quick path keeps the figure rule's answers for numbers it has seen: 3 of 5 is a count of
    3 for 6.3, 60 % for 2.1 and 60,000 per 100,000 for 4.2, and 5 of 3 is refused for the percentage
    2.1 after a count took it."""
    general_lines: list[int] = []
    general = observations._Load.general
    monkeypatch.setattr(
        observations._Load,
        "general",
        lambda load, line, cells: general_lines.append(line) or general(load, line, cells),
    )
    quick = [
        ["6.3", "2024-Q1", "23500", "", "3", "5", "", ""],
        ["2.1", "2024", "611-LD", "", "3", "5", "", ""],
        ["4.2", "2024", "611-YT", "", "3", "5", "", ""],
    ]
    observations_load(plan=country, rows_or_path=[HEADER, *PRIMING, *quick], actor=None, state="draft")
    lines = range(len(PRIMING) + 2, len(PRIMING) + 2 + len(quick))
    assert not set(lines) & set(general_lines)  # all three were judged on the quick path
    got = {
        code: Observation.objects.get(
            indicator_code=code, submission__period_key=period, submission__org_unit__code=unit
        ).value
        for code, period, unit, *_ in quick
    }
    assert got == {"6.3": 3, "2.1": 60, "4.2": 60000}

    rows = [
        ["2.1", "2023", "612-LD", "", "1", "2", "", ""],  # 612-LD met once, by the general reader
        ["6.3", "2024-Q2", "23501", "", "5", "3", "", ""],
        ["2.1", "2024", "612-LD", "", "5", "3", "", ""],
    ]
    with pytest.raises(LoadError) as error:
        observations_load(plan=country, rows_or_path=[HEADER, *PRIMING, *rows], actor=None, state="draft")
    assert [(i.line, i.code) for i in error.value.issues] == [
        (len(PRIMING) + 4, "numerator_above_denominator")
    ]


@pytest.mark.parametrize("count", [0, 1, 142, 143, 2 * 142 + 5])
def test_sqlite_rows_insert_writes_every_row_once_in_order(count):
    """Many rows per INSERT statement on SQLite (writers._RowsInsert): whole statements and the rest."""
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE t (a, b, c, d, e, f, g)")
    rows = [(i, f"x{i}", None, i / 2, "", "F", 7) for i in range(count)]
    insert = writers._RowsInsert("INSERT INTO t (a, b, c, d, e, f, g)", 7)
    assert insert.per == 142
    insert.run(db, rows)
    assert db.execute("SELECT * FROM t ORDER BY rowid").fetchall() == rows


def quarters(first: int, last: int) -> list[list[str]]:
    """6.3 (a count, every commune, each quarter) of four communes, for the years first..last."""
    return [
        ["6.3", f"{year}-Q{quarter}", commune, "", "", "", str(year % 7 + quarter), ""]
        for year in range(first, last + 1)
        for quarter in range(1, 5)
        for commune in ("23500", "23501", "23600", "23601")
    ]


def test_sqlite_writes_a_load_in_statements_of_many_rows(country):
    """SQLite: the figures are written in statements of as many rows as the connection binds: 656
    figures in one INSERT (142 a statement before)."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only: PostgreSQL copies (test_postgresql_loads_with_copy)")
    rows = quarters(2000, 2040)
    assert len(rows) == 656
    inserts: list[str] = []

    def traced(statement: str) -> None:
        if statement.startswith("INSERT INTO data_observation"):
            inserts.append(statement)

    connection.ensure_connection()
    connection.connection.set_trace_callback(traced)
    try:
        observations_load(plan=country, rows_or_path=[HEADER, *rows], actor=None)
    finally:
        connection.connection.set_trace_callback(None)
    assert len(inserts) == 1
    assert Observation.objects.count() == 656


def test_small_statements_and_batches_store_every_row_once(country, monkeypatch):
    """Batches of 10 figures, statements of 3 (SQLite: whole statements are written, the rest waits
    for the next batch): the same rows as the file."""
    monkeypatch.setattr(writers, "sqlite_variables", lambda db: 21)
    monkeypatch.setattr(writers.SqliteWriter, "batch", 10)
    monkeypatch.setattr(writers.PostgresWriter, "batch", 10)
    rows = quarters(2020, 2021)
    observations_load(plan=country, rows_or_path=[HEADER, *rows], actor=None)
    assert stored() == expected(rows)


def test_the_cycle_collector_is_off_while_the_lines_are_read_and_on_again_after(country, monkeypatch):
    """At national scale the collector went through every kept report again and again (6 s of the
    loading thread's CPU): it is off while the lines are read, back on after, also after a failure."""
    monkeypatch.setattr(observations, "PROGRESS_EVERY", 5)
    assert gc.isenabled()
    during: list[bool] = []

    def progress(lines, done, total):
        during.append(gc.isenabled())

    observations_load(
        plan=country, rows_or_path=[HEADER, *quarters(2020, 2021)], actor=None, progress=progress
    )
    assert len(during) > 2 and not any(during[:-1])  # the last call is after the reading
    assert gc.isenabled()
    with pytest.raises(LoadError):
        observations_load(
            plan=country, rows_or_path=[HEADER, *quarters(2022, 2022), ["9.9", "2022", "23500"]], actor=None
        )
    assert gc.isenabled()


# ------------------------------------------------------- the bulk command, one figure rule (test_figures.py)


@pytest.mark.parametrize(
    ("line", "words"),
    [
        (["6.3", "2024-Q1", "23500", "", "", "", "45.5", ""], "Số đếm phải là số nguyên: 45,5"),
        (["6.3", "2024-Q1", "23500", "", "", "", "45,5", ""], "Số đếm phải là số nguyên: 45,5"),
        (["2.1", "2024", "611-LD", "", "999999999999999", "1", "", ""], "tối đa 14 chữ số"),
        (["2.1", "2024", "611-LD", "", "1e309", "1", "", ""], "không phải là số"),
        (["2.1", "2024", "611-LD", "", "1.2.3", "5", "", ""], "3 chữ số"),
        (["2.1", "2024", "611-LD", "", "1,0000001", "5", "", ""], "tối đa 6 chữ số sau dấu phẩy"),
    ],
)
def test_load_observations_refuses_the_line_and_stores_nothing(country, tmp_path, line, words):
    rows = [*figures(), line]
    path = write_csv(tmp_path / "so-lieu.csv", rows)
    code, _, err = run("load_observations", country.pk, path)
    assert code == 1, err
    assert f"dòng {len(rows) + 1}" in err and words in err and "Traceback" not in err
    assert not Observation.objects.exists()
