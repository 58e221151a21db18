"""PostgreSQL: a plain file is loaded in SQL without a line going through Python (issue 14 item 2),
and stores exactly what the line-by-line path stores; any other file is declined whole and loaded
line by line, so its bad lines are named with the same numbers and messages."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.web import test_bulk
from tests.web.test_bulk import HEADER, expected, figures, snapshot, stored, write_csv
from web.data.loading import line_pool
from web.data.loading.errors import LoadError
from web.data.loading.observations import observations_load
from web.data.models import Observation, Submission

country = test_bulk.country


@pytest.fixture(autouse=True)
def _in_sql(monkeypatch):
    monkeypatch.setenv("CHITIEU_LOAD_IN_SQL", "1")  # off by default (see plain_copy.enabled)


def _raw_tables() -> list[str]:
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE tablename LIKE 'data\\_load\\_%%'")
        return [name for (name,) in cursor.fetchall()]


def _by_lines(country, rows, **options):
    """The same rows given as cells (never copied as bytes): the line-by-line path."""
    return observations_load(plan=country, rows_or_path=[HEADER, *rows], actor=None, **options)


def _forget_figures() -> None:
    Observation.objects.all().delete()
    Submission.objects.all().delete()


@pytest.mark.parametrize(
    "encoding, newline, delimiter",
    [("utf-8", "\n", ","), ("utf-8-sig", "\r\n", ";"), ("utf-8", "\n", "\t")],
)
def test_a_plain_file_is_loaded_in_sql_and_stores_what_the_lines_path_stores(
    country, tmp_path, encoding, newline, delimiter
):
    rows = figures()  # a note in Vietnamese, shares, rates, counts, figures by sex, blank cells
    rows[0][7] = "Ghi chú: số liệu đã kiểm tra"
    text = "\n".join(delimiter.join(r) for r in [HEADER, *rows]) + "\n\n"  # a blank line at the end
    path = tmp_path / "plain.csv"
    path.write_bytes(text.replace("\n", newline).encode(encoding))
    result = observations_load(plan=country, rows_or_path=path, actor=None)
    assert result.set_based is (connection.vendor == "postgresql")
    assert result.rows == result.observations_created == len(rows)
    in_sql = stored()
    assert _raw_tables() == []
    _forget_figures()
    again = _by_lines(country, rows)
    assert not again.set_based
    assert stored() == in_sql
    assert (result.periods, result.submissions_created) == (again.periods, again.submissions_created)
    assert {u for u in result.units} == again.units
    assert len(in_sql) == len(expected(rows))


def test_the_path_is_off_unless_asked(country, tmp_path, monkeypatch):
    monkeypatch.delenv("CHITIEU_LOAD_IN_SQL")
    path = write_csv(tmp_path / "f.csv", figures())
    assert not observations_load(plan=country, rows_or_path=path, actor=None).set_based


def _texts() -> dict[str, tuple[str, bool]]:
    """Files written by hand: (text, taken set-based on PostgreSQL)."""
    rows = figures()
    lines = [",".join(r) for r in rows]
    no_note = "\n".join(",".join(r[:7]) for r in [HEADER, *rows]) + "\n"
    spaced_note = [r[:] for r in rows]
    spaced_note[3][7] = " ghi chú "  # stored stripped by the line path: not copied as it is
    return {
        # blank lines (CRLF too) and a line of empty cells between records: skipped, as line by line
        "blank_lines": (
            "\r\n".join([",".join(HEADER), *lines[:5], "", "", ",,,,,,,", *lines[5:]]) + "\r\n\r\n",
            True,
        ),
        "no_note_column": (no_note, True),
        "unknown_last_column": (
            "\n".join([",".join([*HEADER, "x"]), *(f"{line},y" for line in lines)]) + "\n",
            False,
        ),
        "spaced_note": ("\n".join(",".join(r) for r in [HEADER, *spaced_note]) + "\n", False),
        "empty_cells_and_a_code": ("\n".join([",".join(HEADER), *lines, "1.1,,,,,,,"]) + "\n", False),
    }


def _line_by_line(country, path):
    """The same file with the set-based path off."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("CHITIEU_LOAD_IN_SQL")
        return observations_load(plan=country, rows_or_path=path, actor=None)


@pytest.mark.parametrize("name", list(_texts()))
def test_a_file_stores_what_the_lines_path_stores_or_names_the_same_bad_lines(country, tmp_path, name):
    text, in_sql = _texts()[name]
    path = tmp_path / f"{name}.csv"
    path.write_bytes(text.encode())
    try:
        from_file = observations_load(plan=country, rows_or_path=path, actor=None)
    except LoadError as error:
        assert not in_sql and _raw_tables() == []
        file_issues = [(i.line, i.code, i.message) for i in error.issues]
        with pytest.raises(LoadError) as by_lines:
            _line_by_line(country, path)
        assert [(i.line, i.code, i.message) for i in by_lines.value.issues] == file_issues
        assert file_issues
        return
    assert from_file.set_based is (in_sql and connection.vendor == "postgresql")
    in_file = stored()
    _forget_figures()
    again = _line_by_line(country, path)
    assert not again.set_based
    assert (stored(), again.rows) == (in_file, from_file.rows)


def _bad_files() -> dict[str, list[list[str]]]:
    plain = figures()
    share_above = [r[:] for r in plain]
    share_above[19][4] = "3000"  # line 21: 2.1 is a share, 3000 of 2300 is above 100 %: refused in SQL
    repeated = [*plain, plain[3][:]]  # line 23 repeats line 5: the unique key refuses it
    count_fraction = [r[:] for r in plain]
    count_fraction[2][6] = "3.5"  # a count with a fraction: not plain for a count
    spaced = [r[:] for r in plain]
    spaced[4][2] = "\u00a023501 "  # a unit with a no-break space around it: a plain file still
    unknown = [r[:] for r in plain]
    unknown[6][0] = "9.9"
    return {
        "share_above": share_above,
        "repeated": repeated,
        "count_fraction": count_fraction,
        "spaced": spaced,
        "unknown": unknown,
    }


@pytest.mark.parametrize("name", list(_bad_files()))
def test_a_file_that_is_not_plain_is_declined_and_loaded_line_by_line(country, tmp_path, name):
    rows = _bad_files()[name]
    path = write_csv(tmp_path / f"{name}.csv", rows)
    before = snapshot()
    try:
        from_file = observations_load(plan=country, rows_or_path=path, actor=None)
    except LoadError as error:
        file_issues = [(i.line, i.code, i.message) for i in error.issues]
        assert snapshot() == before and _raw_tables() == []
        with pytest.raises(LoadError) as by_lines:
            _by_lines(country, rows)
        assert [(i.line, i.code, i.message) for i in by_lines.value.issues] == file_issues
        assert file_issues  # every bad line named, with its number
    else:
        # Names are read by Python's own strip, so a no-break space around one is no reason to decline.
        assert name == "spaced" and from_file.set_based is (connection.vendor == "postgresql")
        in_file = stored()
        _forget_figures()
        _by_lines(country, rows)
        assert stored() == in_file


def test_a_file_for_reports_already_there_goes_line_by_line(country, tmp_path):
    path = write_csv(tmp_path / "twice.csv", figures())
    first = observations_load(plan=country, rows_or_path=path, actor=None, state="draft")
    second = observations_load(plan=country, rows_or_path=path, actor=None, state="draft")
    assert first.set_based is (connection.vendor == "postgresql")
    assert not second.set_based
    assert second.observations_unchanged == len(figures())


def _bad_lines() -> list[list[str]]:
    rows = figures()
    rows[2][6] = "3,5"  # a count with a fraction
    rows[5][0] = "9.9"  # an unknown indicator
    rows.append(rows[7][:])  # a repeated line
    rows[19][4] = "3000"  # a share above 100 %
    return rows


@pytest.mark.parametrize("bad", [False, True])
def test_sqlite_worker_processes_store_and_refuse_exactly_as_one_process(country, tmp_path, monkeypatch, bad):
    """SQLite with CHITIEU_LOAD_WORKERS: the same stored rows, or the same refusals with their lines."""
    if connection.vendor != "sqlite":
        pytest.skip("the workers serve the SQLite load (PostgreSQL judges lines in SQL)")
    rows = [
        *(_bad_lines() if bad else figures()),
        *[
            ["6.3", f"2022-Q{q}", c, "", "", "", "4", "x"]
            for q in range(1, 5)
            for c in ("23500", "23501", "23600", "23601")
        ],
    ]
    path = write_csv(tmp_path / "pool.csv", rows)

    def load() -> object:
        try:
            observations_load(plan=country, rows_or_path=path, actor=None)
        except LoadError as error:
            return [(i.line, i.code, i.message) for i in error.issues], error.count
        got = stored()
        _forget_figures()
        return got

    monkeypatch.setattr(line_pool, "MIN_BYTES", 0)
    monkeypatch.setattr(line_pool, "CHUNK", 7)  # several chunks in flight at once, two workers
    monkeypatch.setenv("CHITIEU_LOAD_WORKERS", "0")
    alone = load()
    monkeypatch.setenv("CHITIEU_LOAD_WORKERS", "2")
    pooled = load()
    assert pooled == alone
    assert alone[0] if bad else len(alone) == len(rows)
