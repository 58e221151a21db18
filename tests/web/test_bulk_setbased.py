"""Set-based loading (issue 14 item 2): the staging table of a PostgreSQL load, all or nothing with
every bad line named, and a roll-up rebuild limited to the periods the load wrote to."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from tests.web import test_bulk
from tests.web.explained import explained_plans
from tests.web.test_bulk import HEADER, figures, snapshot
from web.core import hooks
from web.data.loading import observations, stage, writers
from web.data.loading.errors import LoadError
from web.data.loading.observations import observations_load
from web.data.models import Observation
from web.orgs.models import OrgUnit
from web.rollups.models import RollupFigure
from web.rollups.services import rollup_rebuild

country = test_bulk.country  # the fixture: the small country of test_bulk, no figures yet


def _staging_tables() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE tablename LIKE 'data\\_load\\_%%'")
        return [name for (name,) in cursor.fetchall()]


def _communes(year: int) -> list[list[str]]:
    return [
        ["6.3", f"{year}-Q{q}", c, "", "", "", str(q), ""]
        for q in range(1, 5)
        for c in ("23500", "23501", "23600", "23601")
    ]


def test_a_bad_figure_in_the_middle_stores_nothing_and_is_named_with_its_line(country, monkeypatch):
    rows = _communes(2024)
    rows[7][6] = "3,5"  # line 9: 6.3 is a count, and a count is whole
    rows[11][4], rows[11][5], rows[11][6] = "5", "", ""  # line 13: a count given as a numerator: fine
    seen: list[list[str]] = []
    if connection.vendor == "postgresql":
        monkeypatch.setattr(observations, "PROGRESS_EVERY", 4)
    before = snapshot()
    with pytest.raises(LoadError) as caught:
        observations_load(
            plan=country,
            rows_or_path=[HEADER, *rows],
            actor=None,
            progress=lambda *_: seen.append(_staging_tables()) if connection.vendor == "postgresql" else None,
        )
    assert [(i.line, i.code) for i in caught.value.issues] == [(9, "not_whole")]
    assert "dòng 9: Số đếm phải là số nguyên: 3,5" in caught.value.lines()[0]
    assert snapshot() == before
    if connection.vendor == "postgresql":
        assert seen and all(len(tables) == 1 for tables in seen)  # one staging table while reading
        assert _staging_tables() == []  # and none once the load failed


def test_a_good_load_leaves_no_staging_table_and_stores_every_line(country):
    rows = _communes(2024)
    result = observations_load(plan=country, rows_or_path=[HEADER, *rows], actor=None)
    assert result.observations_created == Observation.objects.count() == len(rows)
    assert result.periods == {f"2024-Q{q}" for q in range(1, 5)}
    if connection.vendor == "postgresql":
        assert _staging_tables() == []


def test_a_load_rebuilds_only_the_periods_it_wrote_to(country):
    observations_load(plan=country, rows_or_path=[HEADER, *figures()], actor=None)  # 2023 and 2024
    kept = {
        r.pk: r.period_key
        for r in RollupFigure.objects.filter(plan=country).exclude(period_key__startswith="2025")
    }
    assert {p[:4] for p in kept.values()} == {"2023", "2024"}
    observations_load(plan=country, rows_or_path=[HEADER, *_communes(2025)], actor=None)
    rows = RollupFigure.objects.filter(plan=country)
    # The rows of 2023 and 2024 are the same rows (not deleted and written again); 2025's are new.
    assert {r.pk: r.period_key for r in rows if not r.period_key.startswith("2025")} == kept
    assert {r.period_key for r in rows if r.period_key.startswith("2025")} == {
        f"2025-Q{q}" for q in range(1, 5)
    }
    # And what was left alone is what a full rebuild gives.
    partial = sorted(_figures(rows))
    rollup_rebuild(plan=country)
    assert sorted(_figures(RollupFigure.objects.filter(plan=country))) == partial


def test_a_load_rebuilds_only_the_areas_above_the_units_it_wrote_to(country, monkeypatch):
    """A second load of 2025 for the communes of Kon Rẫy (611) leaves Đăk Hà's (612) rows of 2025
    as they were (the same rows), writes Kon Rẫy's, the province's and the nation's again, and
    the whole summary is then what a full rebuild gives; the verdicts hear the touched areas."""
    first = [r for r in _communes(2025) if r[2] in ("23600", "23601")]
    observations_load(plan=country, rows_or_path=[HEADER, *figures(), *first], actor=None)
    units = {u.code: u.pk for u in OrgUnit.objects.all()}
    kept = {r.pk for r in RollupFigure.objects.filter(plan=country, period_key__startswith="2025")}
    untouched = {
        r.pk
        for r in RollupFigure.objects.filter(plan=country, period_key__startswith="2025", unit=units["612"])
    }
    assert untouched
    heard: list[object] = []
    monkeypatch.setitem(
        hooks._listeners,
        hooks.SUMMARY_WRITTEN,
        [*hooks._listeners.get(hooks.SUMMARY_WRITTEN, []), lambda **d: heard.append(d["areas"])],
    )
    second = [r for r in _communes(2025) if r[2] in ("23500", "23501")]
    result = observations_load(plan=country, rows_or_path=[HEADER, *second], actor=None)
    assert result.units == {units["23500"], units["23501"]}
    assert heard == [sorted([units["VN"], units["62"], units["611"]])]
    rows = RollupFigure.objects.filter(plan=country, period_key__startswith="2025")
    assert untouched <= {r.pk for r in rows}  # Đăk Hà's rows were not written again
    assert not (kept - untouched) & {r.pk for r in rows}  # the province's and the nation's were
    partial = sorted(_figures(RollupFigure.objects.filter(plan=country)))
    rollup_rebuild(plan=country)
    assert sorted(_figures(RollupFigure.objects.filter(plan=country))) == partial


def _figures(rows) -> list[tuple]:
    return [
        (r.view, r.unit_id, r.period_key, r.indicator_code, r.sex, r.own, r.n_rows, r.sum_value, r.sum_count)
        for r in rows
    ]


def _observation_keys() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = 'data_observation'::regclass AND contype = 'f'"
        )
        return sorted(cursor.fetchall())


def test_a_big_load_checks_the_foreign_key_once_and_keeps_it(country, monkeypatch):
    """Past BIG_LOAD the key is dropped and added again around the INSERT (validated set-based, not
    queued row by row for the COMMIT): the same key afterwards, and it still refuses an orphan."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL pass only")
    monkeypatch.setattr(stage, "BIG_LOAD", 1)
    keys = _observation_keys()
    assert any("data_submission" in definition for _, definition in keys)
    result = observations_load(plan=country, rows_or_path=[HEADER, *_communes(2024)], actor=None)
    assert result.observations_created == Observation.objects.count() == 16
    assert _observation_keys() == keys
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "INSERT INTO data_observation (submission_id, indicator_code, sex, note)"
            " VALUES (-1, '6.3', '', '')"
        )


def test_a_big_load_copies_its_figures_in_with_the_key_checked_once(country, monkeypatch):
    """Past BIG_LOAD the figures of the quick path are copied straight in with the key dropped, and
    the key is added back at the end: every line stored, the same key, still refusing an orphan."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL pass only")
    monkeypatch.setattr(writers, "BIG_LOAD", 1)
    dropped: list[list] = []
    drop = writers.observation_keys_drop
    monkeypatch.setattr(
        writers, "observation_keys_drop", lambda cursor: dropped.append(drop(cursor)) or dropped[-1]
    )
    keys = _observation_keys()
    rows = _communes(2024)
    result = observations_load(plan=country, rows_or_path=[HEADER, *rows], actor=None)
    assert dropped == [keys]  # dropped once, by the writer
    assert result.observations_created == Observation.objects.count() == len(rows)
    assert _observation_keys() == keys
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "INSERT INTO data_observation (submission_id, indicator_code, sex, note)"
            " VALUES (-1, '6.3', '', '')"
        )


def test_a_big_load_with_a_bad_line_stores_nothing_and_keeps_the_key(country, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL pass only")
    monkeypatch.setattr(writers, "BIG_LOAD", 1)
    keys = _observation_keys()
    rows = _communes(2024)
    rows[13][6] = "3,5"  # line 15, after figures copied straight in: a count is whole
    before = snapshot()
    with pytest.raises(LoadError) as caught:
        observations_load(plan=country, rows_or_path=[HEADER, *rows], actor=None)
    assert [(i.line, i.code) for i in caught.value.issues] == [(15, "not_whole")]
    assert snapshot() == before
    assert _observation_keys() == keys


class _RolledBack(Exception):
    pass


def test_the_key_check_after_a_rolled_back_load_is_not_a_nested_loop(country, monkeypatch):
    """A load rolled back behind an ANALYZE leaves statistics of empty tables over pages of dead rows
    (ANALYZE writes them in place). The next big load's check of the observations' key, one anti-join
    of figures and reports, was then planned as a nested loop of every figure against every report:
    stopped after 8 minutes at 25 % of the country. Its plan is read here through auto_explain."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL pass only")
    monkeypatch.setattr(writers, "BIG_LOAD", 1)
    with pytest.raises(_RolledBack), transaction.atomic():
        observations_load(plan=country, rows_or_path=[HEADER, *_communes(2023)], actor=None)
        raise _RolledBack
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE data_observation, data_submission")  # the dead rows only: "empty"
    with explained_plans() as plans:
        observations_load(plan=country, rows_or_path=[HEADER, *_communes(2024)], actor=None)
    checks = [plan for plan in plans if "LEFT OUTER JOIN ONLY" in plan and "data_submission" in plan]
    assert checks, plans  # the key's check was seen
    assert not any("Nested Loop" in plan for plan in checks), checks
