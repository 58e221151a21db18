"""The database's own work in a bulk load (issue 14, bench/LOAD-PROFILE.md session 18): no index that
nothing reads is kept up for every report, and the reports' ids are taken from their sequence without
looking the sequence up again for each id."""

from __future__ import annotations

import sys

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.web import test_bulk
from tests.web.test_bulk import HEADER, figures, stored
from web.accounts.models import User
from web.data.loading import writers
from web.data.loading.errors import LoadError
from web.data.loading.observations import observations_load
from web.data.models import Observation, Submission

country = test_bulk.country

_USER_COLUMNS = ("submitted_by_id", "decided_by_id")


def _submission_constraints() -> dict:
    with connection.cursor() as cursor:
        return connection.introspection.get_constraints(cursor, Submission._meta.db_table)


def test_the_reports_user_columns_have_no_index_and_keep_their_keys(db):
    """Nothing reads the reports by who sent or decided them: no index of either column is kept up
    (a bulk load wrote both for every report). Their foreign keys stay."""
    constraints = _submission_constraints()
    indexed = [
        name
        for name, c in constraints.items()
        if c["index"] and not c["primary_key"] and c["columns"] and c["columns"][0] in _USER_COLUMNS
    ]
    assert indexed == []
    keys = {c["columns"][0]: c["foreign_key"] for c in constraints.values() if c["foreign_key"]}
    assert keys["submitted_by_id"][0] == keys["decided_by_id"][0] == User._meta.db_table


def test_an_approved_load_still_names_its_actor_on_every_report(country):
    actor = User.objects.filter(is_superuser=True).order_by("pk").first()
    result = observations_load(plan=country, rows_or_path=[HEADER, *figures()], actor=actor)
    reports = Submission.objects.filter(plan=country)
    assert result.submissions_created == reports.count() > 0
    assert set(reports.values_list("state", "submitted_by_id", "decided_by_id")) == {
        ("approved", actor.pk, actor.pk)
    }


def test_the_ids_of_a_load_come_from_the_sequence_named_once(country, monkeypatch):
    """PostgreSQL: the block of report ids is one nextval of the sequence given as a constant, not
    ``nextval(pg_get_serial_sequence(…))`` evaluated for every id (5.9 against 0.6 µs an id)."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite numbers the reports as it inserts them")
    monkeypatch.setattr(writers.PostgresWriter, "batch", 4)  # several batches, several blocks
    with CaptureQueriesContext(connection) as queries:
        result = observations_load(plan=country, rows_or_path=[HEADER, *figures()], actor=None)
    blocks = [q["sql"] for q in queries.captured_queries if "generate_series" in q["sql"]]
    assert blocks and not [sql for sql in blocks if "pg_get_serial_sequence" in sql]
    ids = sorted(Submission.objects.values_list("pk", flat=True))
    assert len(ids) == len(set(ids)) == result.submissions_created
    later = Submission.objects.create(
        plan=country,
        org_unit=Submission.objects.first().org_unit,
        period_key="2019",
        period_start="2019-01-01",
        period_end="2019-12-31",
    )
    assert later.pk > ids[-1]  # the sequence moved past every id the load took
    assert Observation.objects.count() == result.observations_created == len(stored())


def test_the_writing_thread_has_begun_a_batch_when_flush_returns(country, monkeypatch):
    """PostgreSQL: a batch handed to the writing thread is under way before the reading thread reads
    on. Before, the writing thread did not get the interpreter's lock until the reader next blocked
    (a batch later): reading and writing alternated instead of overlapping."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite writes in the loading thread")
    begun: list[int] = []
    write = writers.PostgresWriter.write

    def recorded(self, copies, *rest):
        begun.append(len(copies))
        return write(self, copies, *rest)

    monkeypatch.setattr(writers.PostgresWriter, "write", recorded)
    monkeypatch.setattr(writers.PostgresWriter, "batch", 4)
    seen: list[int] = []
    flush = writers.PostgresWriter.flush

    def flushed(self):
        before = len(begun)
        flush(self)
        if self.in_flight is not None:  # a batch was handed over (the last flush may have none)
            seen.append(len(begun) - before)  # read at once, in the reading thread

    monkeypatch.setattr(writers.PostgresWriter, "flush", flushed)
    result = observations_load(plan=country, rows_or_path=[HEADER, *figures()], actor=None)
    assert seen and all(n == 1 for n in seen)
    assert result.observations_created == Observation.objects.count() == len(figures())


def test_the_reports_carry_the_moment_of_the_load_exactly(country):
    """The moment is copied as ISO text on PostgreSQL (not a datetime formatted per report): the
    same instant is stored, to the microsecond, on both databases."""
    actor = User.objects.filter(is_superuser=True).order_by("pk").first()
    moments = set()
    capture = (
        writers.PostgresWriter.adapt if connection.vendor == "postgresql" else writers.SqliteWriter.adapt
    )

    def kept(self, moment):
        moments.add(moment)
        return capture(self, moment)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            writers.PostgresWriter if connection.vendor == "postgresql" else writers.SqliteWriter,
            "adapt",
            kept,
        )
        observations_load(plan=country, rows_or_path=[HEADER, *figures()], actor=actor)
    (moment,) = moments
    stored_moments = set(Submission.objects.values_list("submitted_at", "decided_at"))
    assert stored_moments == {(moment, moment)}
    if connection.vendor == "postgresql":
        assert isinstance(writers.PostgresWriter.adapt(None, moment), str)


def test_a_batch_that_fails_before_it_begins_is_raised_not_waited_for(country, monkeypatch):
    """The reading thread waits for the writing one to begin a batch; a batch that ends before it
    began (an error at once) does not leave it waiting: the load fails and stores nothing."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite writes in the loading thread")

    def broken(self, copies, started=None):
        raise RuntimeError("the writing thread failed")

    monkeypatch.setattr(writers.PostgresWriter, "write", broken)
    monkeypatch.setattr(writers.PostgresWriter, "batch", 4)
    with pytest.raises(RuntimeError, match="the writing thread failed"):
        observations_load(plan=country, rows_or_path=[HEADER, *figures()], actor=None)
    assert Observation.objects.count() == Submission.objects.count() == 0


def test_a_load_hands_the_interpreter_over_often_and_restores_the_interval(country, monkeypatch):
    """PostgreSQL: while the two threads read and write, Python's switch interval is short (the
    writing thread waited up to 5 ms for the lock after each chunk it sent); after the load, as
    before, whether it stored or failed."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite writes in the loading thread")
    intervals: list[float] = []
    write = writers.PostgresWriter.write

    def recorded(self, copies, *rest):
        intervals.append(sys.getswitchinterval())
        return write(self, copies, *rest)

    monkeypatch.setattr(writers.PostgresWriter, "write", recorded)
    monkeypatch.setattr(writers.PostgresWriter, "batch", 4)
    before = sys.getswitchinterval()
    observations_load(plan=country, rows_or_path=[HEADER, *figures()], actor=None)
    assert intervals and max(intervals) <= writers.SWITCH_INTERVAL < before
    assert sys.getswitchinterval() == before
    bad = figures()
    bad[3][6] = "3,5"
    with pytest.raises(LoadError):
        observations_load(plan=country, rows_or_path=[HEADER, *bad], actor=None)
    assert sys.getswitchinterval() == before


def test_two_loads_at_once_keep_the_interval_short_until_the_last_ends(db):
    """Two loads on two threads of one process: the interval is put back when the last one ends, to
    what it was before the first (not to the other's short one, nor under a load still running)."""
    before = sys.getswitchinterval()
    short = writers._short_switch
    short.enter()
    short.enter()
    short.leave()
    assert sys.getswitchinterval() == pytest.approx(writers.SWITCH_INTERVAL)
    short.leave()
    assert sys.getswitchinterval() == before
