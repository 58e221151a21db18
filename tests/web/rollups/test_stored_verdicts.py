"""Stored verdicts (web.rollups.verdicts) are the engine's, whatever the figures and their moves.

After random figures and random submit / approve / return / unlock sequences (each written by
the summary's own writer, which refreshes the verdicts in its transaction), every stored
verdict equals the engine's result for the same area, period and view, fed as the pages fed it
before verdicts were stored, on any "as of" from which the store claims to answer; before that
date the store declines. (That the summary-fed engine equals the engine on every raw figure is
test_equal_to_engine's claim.) A rebuild writes the same verdicts as the moves did, and an amended
target moves them.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chitieu.evaluate import evaluate_plan
from chitieu.evaluation import packed
from chitieu.evaluation.packed import Packed
from tests.web.rollups.conftest import NEXT, build_tree, examples, move, plan_for, random_figures

VIEWS = {"A": ("approved",), "P": ("submitted", "approved")}


@pytest.fixture(autouse=True)
def stored_verdicts(settings, monkeypatch):
    """The store is on (the default; a deployment may turn it off), and every list of a result
    is packed, however short (at scale the nation's and provinces' are: chitieu.evaluation.packed)."""
    settings.CHITIEU_STORED_VERDICTS = True
    monkeypatch.setattr(packed, "PACKED_FROM", 1)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Calls a writer and then runs what it left for after its commit (the verdicts judged again,
    at once: laptop mode), as its commit would; the test's own transaction never commits."""

    def call(writer, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return writer(*args, **kwargs)

    return call


def approve_all(submissions) -> None:
    """Approves them in one transaction, judged once after it: the figures a test starts from. (Each
    move judged after its own commit is what test_stored_verdicts_follow_random_moves and
    test_moves_and_an_amended_target_move_the_stored_verdicts check.)"""
    with transaction.atomic():
        for submission in submissions:
            move(submission, "approved")


def stored_snapshot(plan) -> dict:
    from web.rollups.models import Verdict

    fields = ["status", "actual", "achievement", "progress", "provisional", "units_meeting_share"]
    fields += ["trajectory_band", "projected", "digest", "horizon", "result"]
    return {
        (v.view, v.unit_id, v.period_key, v.indicator_code, v.sex): tuple(
            bytes(x) if isinstance(x, memoryview) else x for x in (getattr(v, n) for n in fields)
        )
        for v in Verdict.objects.filter(plan=plan)
    }


def assert_stored_equal_engine(plan, rng: random.Random) -> int:
    """Every stored (area, period, view) against the engine; returns how many were compared."""
    from web.dashboards.selectors import core_plan, plan_version_active
    from web.data.models import Submission
    from web.orgs.models import OrgUnit
    from web.rollups.models import Verdict
    from web.rollups.selectors import (
        STORED_KINDS,
        area_observations,
        commune_labels,
        stored_evaluation,
        stored_valid_from,
    )
    from web.rollups.verdicts import stored_periods

    core = core_plan(plan_version_active(plan))
    compared = 0
    for view, states in VIEWS.items():
        heads = {
            (v.unit_id, v.period_key): v.horizon
            for v in Verdict.objects.filter(plan=plan, view=view, indicator_code="")
        }
        has_figures = Submission.objects.filter(plan=plan, state__in=states).exists()
        areas = list(OrgUnit.objects.filter(kind__in=STORED_KINDS).order_by("pk"))
        # Nothing left out: every area and listed period is stored once the view has figures.
        expected = {(a.pk, p) for a in areas for p in stored_periods(core)} if has_figures else set()
        assert set(heads) == expected, view
        for (area_id, period_key), horizon in sorted(heads.items()):
            area = OrgUnit.objects.get(pk=area_id)
            valid = stored_valid_from(period_key, horizon)
            as_of = valid + timedelta(days=rng.choice([0, 1, 40, 800]))
            stored = stored_evaluation(plan, core, area, period_key, as_of=as_of, states=states)
            units = commune_labels(area, period_key)
            rows = area_observations(plan, core, area, period_key, states=states)
            engine = evaluate_plan(core, rows, period_key, as_of=as_of, units=units)
            assert stored is not None, (area.name, period_key, view)
            for mine, theirs in zip(stored.as_dict()["results"], engine.as_dict()["results"], strict=True):
                differ = {k: (mine[k], theirs.get(k)) for k in mine if mine[k] != theirs.get(k)}
                assert not differ, (area.name, period_key, view, as_of, mine["indicator"], differ)
            assert stored.as_dict() == engine.as_dict(), (area.name, period_key, view, as_of)
            assert stored.issues == engine.issues
            # Long lists are read back packed, built only when read (chitieu.evaluation.packed).
            long_lists = [len(r.units) >= packed.PACKED_FROM for r in stored.results]
            assert [isinstance(r.units, Packed) for r in stored.results] == long_lists
            _columns_agree(plan, view, area_id, period_key, engine)
            before = valid - timedelta(days=1)
            assert stored_evaluation(plan, core, area, period_key, as_of=before, states=states) is None
            compared += 1
    return compared


def _columns_agree(plan, view, area_id, period_key, engine) -> None:
    from web.rollups.models import Verdict

    rows = {
        (v.indicator_code, v.sex): v
        for v in Verdict.objects.filter(plan=plan, view=view, unit_id=area_id, period_key=period_key)
    }
    for result in engine.results:
        row = rows[(result.indicator, "")]
        assert row.status == result.status.value
        assert row.provisional == result.provisional
        for name in ("actual", "achievement", "progress", "units_meeting_share"):
            value = getattr(result, name)
            got = getattr(row, name)
            assert (got is None) == (value is None) and (value is None or got == round(value, 10)), name
        for part in result.by_sex:
            if part.key in ("F", "M"):
                assert rows[(result.indicator, part.key)].status == part.status.value


@pytest.mark.django_db
@settings(
    max_examples=examples(5), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    shape=st.lists(st.lists(st.integers(0, 3), min_size=1, max_size=2), min_size=1, max_size=2),
    seed=st.integers(0, 10**6),
    steps=st.integers(0, 12),
)
def test_stored_verdicts_follow_random_moves(admin, committed, shape, seed, steps):
    from web.rollups.services import rollup_rebuild

    rng = random.Random(seed)
    with transaction.atomic():
        nation = build_tree(shape)
        plan = committed(plan_for, nation, admin)
        submissions = random_figures(plan, nation, rng, density=0.5)
        for _ in range(steps if submissions else 0):
            submission = rng.choice(submissions)
            committed(move, submission, rng.choice(NEXT[submission.state]))
        assert_stored_equal_engine(plan, rng)
        incremental = stored_snapshot(plan)
        committed(rollup_rebuild, plan=plan)  # what a bulk load and a reorganisation end with
        assert stored_snapshot(plan) == incremental
        transaction.set_rollback(True)


def test_moves_and_an_amended_target_move_the_stored_verdicts(admin, committed):
    """Approve, return, unlock and an amended target each change what the store answers."""
    from web.dashboards.selectors import core_plan, plan_version_active
    from web.plans.models import Target
    from web.plans.services import target_update
    from web.rollups.selectors import stored_evaluation

    nation = build_tree([[1, 1]])
    plan = committed(plan_for, nation, admin)
    rng = random.Random(5)
    submissions = random_figures(plan, nation, rng, density=0.4)
    as_of = date(2030, 1, 1)

    def shown(states=("approved",)):
        core = core_plan(plan_version_active(plan))
        return stored_evaluation(plan, core, nation, "2024", as_of=as_of, states=states)

    assert shown() is None  # nothing approved yet: nothing stored, the engine answers
    for submission in submissions:
        committed(move, submission, "submitted")
    assert shown(VIEWS["P"]) is not None and shown() is None
    for submission in submissions:
        committed(move, submission, "approved")
    approved = shown()
    assert approved is not None
    assert_stored_equal_engine(plan, rng)
    committed(move, submissions[0], "draft")  # unlock
    assert_stored_equal_engine(plan, rng)
    target = Target.objects.filter(
        indicator__version__plan=plan, indicator__code="2.1", period_key="2024"
    ).first()
    if target is None:
        target = Target.objects.filter(indicator__version__plan=plan, period_key="2024").first()
    before = shown().result(target.indicator.code).target
    committed(
        target_update,
        actor=admin,
        target=target,
        comparator=target.comparator,
        value=Decimal("42.5"),
        reason="sửa",
    )
    after = shown()
    assert after is not None and after.result(target.indicator.code).target != before
    assert after.result(target.indicator.code).target.value == Decimal("42.5")
    assert_stored_equal_engine(plan, rng)


def test_until_judged_again_the_stale_verdicts_are_shown_as_updating_and_nothing_else_reads_them(
    admin, committed, django_capture_on_commit_callbacks
):
    """A move marks the verdicts it made stale in its transaction; the judging waits for the
    commit. Meanwhile a page (``updating_ok``) is shown the verdicts judged before the move, with
    since when they are being updated; every other reader (reports, the API, exports) gets the
    engine's answer on the new figures. Once judged, both get the new verdicts, marked current."""
    from web.dashboards.selectors import core_plan, plan_version_active
    from web.rollups.cache import page_version
    from web.rollups.models import Verdict
    from web.rollups.selectors import stored_evaluation, unit_evaluation

    nation = build_tree([[1, 1], [1]])
    plan = committed(plan_for, nation, admin)
    rng = random.Random(11)
    submissions = random_figures(plan, nation, rng, density=0.6)
    committed(approve_all, submissions)
    assert_stored_equal_engine(plan, rng)
    core = core_plan(plan_version_active(plan))
    late = date(2030, 1, 1)
    judged_before = stored_evaluation(plan, core, nation, "2024", as_of=late, states=("approved",))
    assert judged_before is not None
    page_before = page_version(plan.pk)
    with django_capture_on_commit_callbacks(execute=False) as waiting:
        above = _unlock_a_province(nation, submissions)  # its commit has not happened yet
    assert waiting  # the judging waits for the commit
    stale = set(
        Verdict.objects.filter(plan=plan, view="A", stale_since__isnull=False).values_list(
            "unit_id", flat=True
        )
    )
    current = set(  # the mark is on each area × period's head row
        Verdict.objects.filter(plan=plan, view="A", indicator_code="", stale_since__isnull=True).values_list(
            "unit_id", flat=True
        )
    )
    assert stale == above and current and not (current & above)  # kept, marked; the others untouched
    engine = _engine(plan, core, nation, late)
    assert engine.as_dict() != judged_before.as_dict()  # the move changed the nation's verdicts
    assert stored_evaluation(plan, core, nation, "2024", as_of=late, states=("approved",)) is None
    read = unit_evaluation(plan, core, nation, "2024", as_of=late)
    assert read.evaluation.as_dict() == engine.as_dict() and read.updating_since is None
    shown = unit_evaluation(plan, core, nation, "2024", as_of=late, updating_ok=True)
    assert shown.updating_since is not None
    assert shown.evaluation.as_dict() == judged_before.as_dict()
    for callback in waiting:
        callback()
    assert_stored_equal_engine(plan, rng)
    assert not Verdict.objects.filter(plan=plan, stale_since__isnull=False).exists()
    shown = unit_evaluation(plan, core, nation, "2024", as_of=late, updating_ok=True)
    assert shown.updating_since is None and shown.evaluation.as_dict() == engine.as_dict()
    # The pages shown meanwhile were cached under the count of judgings, which moved on.
    assert page_version(plan.pk) != page_before


def _engine(plan, core, area, as_of):
    from web.rollups.selectors import APPROVED_STATES, area_observations, commune_labels

    rows = area_observations(plan, core, area, "2024", states=APPROVED_STATES)
    return evaluate_plan(core, rows, "2024", as_of=as_of, units=commune_labels(area, "2024"))


def test_verdicts_judged_while_a_change_commits_are_judged_again(admin, committed, monkeypatch):
    """Another writer commits while the verdicts are judged (a queue worker is slow): what was
    judged on the old figures is not written; they are judged again on the new ones."""
    from web.rollups import verdicts

    nation = build_tree([[1, 1]])
    plan = committed(plan_for, nation, admin)
    rng = random.Random(3)
    submissions = random_figures(plan, nation, rng, density=0.6)
    committed(approve_all, submissions[1:])
    judged = []
    judge = verdicts._judge

    def judge_while_another_commits(*args):
        result = judge(*args)
        if not judged:  # the first judging: a change lands before the write (its own refresh waits)
            move(submissions[0], "approved")
        judged.append(args)
        return result

    monkeypatch.setattr(verdicts, "_judge", judge_while_another_commits)
    verdicts.store_verdicts(plan.pk)
    monkeypatch.setattr(verdicts, "_judge", judge)  # not undo(): the store's own patch stays
    assert len(judged) == 2
    assert_stored_equal_engine(plan, rng)


def test_areas_still_changing_after_every_attempt_are_handed_on_not_lost(admin, committed, monkeypatch):
    """Changes keep landing while the verdicts are judged (a coordinator approving report after
    report): after its last attempt the judging hands its areas to whoever judges next; the
    changes that moved the version on judge only their own areas, so leaving it there lost these."""
    from web.rollups import verdicts
    from web.rollups.models import Verdict

    nation = build_tree([[1, 1]])
    plan = committed(plan_for, nation, admin)
    rng = random.Random(3)
    submissions = random_figures(plan, nation, rng, density=0.6)
    movers = submissions[: verdicts.ATTEMPTS]
    committed(approve_all, submissions[verdicts.ATTEMPTS :])
    judge = verdicts._judge

    def judge_while_another_commits(*args):
        judged = judge(*args)
        if movers:  # a change lands before each write; its own judging never comes (not committed)
            move(movers.pop(0), "approved")
        return judged

    monkeypatch.setattr(verdicts, "_judge", judge_while_another_commits)
    verdicts.store_verdicts(plan.pk)
    assert not movers
    assert not Verdict.objects.filter(plan=plan, stale_since__isnull=False).exists()
    assert_stored_equal_engine(plan, rng)


def test_every_area_at_once_reads_the_stored_verdicts(admin, committed, django_assert_max_num_queries):
    """``evaluation_all_units`` answers stored areas from the store (the dashboard's full verdicts,
    in a few queries whatever the number of areas) and the others (communes; a date before the
    store answers) from the engine."""
    from web.dashboards.selectors import core_plan, plan_version_active
    from web.orgs.models import OrgUnit, UnitKind
    from web.rollups.selectors import STORED_KINDS, evaluation_all_units

    nation = build_tree([[1, 2], [1]])
    plan = committed(plan_for, nation, admin)
    rng = random.Random(8)
    committed(approve_all, random_figures(plan, nation, rng, density=0.6))
    core = core_plan(plan_version_active(plan))
    late = date(2030, 1, 1)
    with django_assert_max_num_queries(8):
        stored = evaluation_all_units(plan=plan, period_key="2024", as_of=late)
    areas = OrgUnit.objects.filter(kind__in=STORED_KINDS)
    assert set(stored) == set(areas.values_list("pk", flat=True))
    for area in areas:
        assert stored[area.pk].as_dict() == _engine(plan, core, area, late).as_dict(), area.name
    everywhere = evaluation_all_units(plan=plan, period_key="2024", as_of=late, include_communes=True)
    communes = OrgUnit.objects.filter(kind=UnitKind.COMMUNE)
    assert set(everywhere) == set(stored) | set(communes.values_list("pk", flat=True))
    early = evaluation_all_units(plan=plan, period_key="2024", as_of=date(2024, 6, 30))
    assert all(r.trajectory is None for e in early.values() for r in e.results)  # the lean engine's


def test_many_writes_in_one_transaction_are_judged_once_after_it(admin, committed, monkeypatch):
    """A country's load confirms a plan and rebuilds its summary in one transaction, and a batch
    may move many submissions: the verdicts are judged once per plan, for every area touched."""
    from web.jobs import services as jobs
    from web.rollups.services import rollup_rebuild

    calls = []
    store = jobs.store_verdicts
    monkeypatch.setattr(jobs, "store_verdicts", lambda *args: calls.append(args) or store(*args))
    nation = build_tree([[1, 1]])
    rng = random.Random(9)

    def load():
        plan = plan_for(nation, admin)
        for submission in random_figures(plan, nation, rng, density=0.5):
            move(submission, "approved")
        rollup_rebuild(plan=plan)
        return plan

    plan = committed(load)
    assert [(plan_id, areas) for plan_id, areas, _views in calls] == [(plan.pk, None)]
    assert_stored_equal_engine(plan, rng)


def _unlock_a_province(nation, submissions):
    """Every 2024 report of the first province's communes back to draft (the nation's 2024
    verdicts move), in the caller's transaction; returns the areas above them."""
    from web.orgs.models import OrgUnit, UnitKind

    province = OrgUnit.objects.filter(kind=UnitKind.PROVINCE).order_by("pk").first()
    unlocked = [
        s
        for s in submissions
        if s.org_unit.kind == UnitKind.COMMUNE
        and s.org_unit.parent.parent_id == province.pk
        and s.period_key.startswith("2024")
    ]
    for submission in unlocked:
        move(submission, "draft")
    return {nation.pk, province.pk} | {s.org_unit.parent_id for s in unlocked}


def _statuses(html: str) -> dict[str, str]:
    import re

    return dict(re.findall(r'<tr data-indicator="([^"]+)" data-status="([^"]+)"', html))


def test_a_dashboard_says_its_verdicts_are_being_updated_and_then_shows_the_new_ones(
    admin, committed, client, django_capture_on_commit_callbacks
):
    """Between a committed change and its judging, the nation's dashboard and indicator page show
    the verdicts judged before the change, saying so; once judged, the same address shows the new
    verdicts without the notice (not the cached page, nor a 304 for it)."""
    from django.urls import reverse

    from web.dashboards.selectors import core_plan, plan_version_active

    nation = build_tree([[1, 1], [1]])
    plan = committed(plan_for, nation, admin)
    rng = random.Random(11)
    submissions = random_figures(plan, nation, rng, density=0.6)
    committed(approve_all, submissions)
    core = core_plan(plan_version_active(plan))
    client.force_login(admin)
    dashboard = reverse("dashboards:plan", args=[plan.pk]) + f"?period=2024&area={nation.pk}"
    before = client.get(dashboard)
    assert before.status_code == 200 and "data-updating" not in before.content.decode()
    with django_capture_on_commit_callbacks(execute=False) as waiting:
        _unlock_a_province(nation, submissions)
    engine = {r.indicator: r.status.value for r in _engine(plan, core, nation, date.today()).results}
    assert engine != _statuses(before.content.decode())  # the unlocking moved the nation's verdicts
    during = client.get(dashboard)
    html = during.content.decode()
    assert "data-updating" in html and "đang được tính lại" in html
    assert _statuses(html) == _statuses(before.content.decode())  # the verdicts judged before
    moved = next(code for code, status in engine.items() if _statuses(html)[code] != status)
    indicator = reverse("dashboards:indicator", args=[plan.pk, moved]) + f"?period=2024&area={nation.pk}"
    assert "data-updating" in client.get(indicator).content.decode()
    for callback in waiting:
        callback()
    after = client.get(dashboard, HTTP_IF_NONE_MATCH=during["ETag"])
    assert after.status_code == 200
    assert "data-updating" not in after.content.decode()
    assert _statuses(after.content.decode()) == engine
    assert "data-updating" not in client.get(indicator).content.decode()


def test_verdicts_left_stale_are_judged_again_when_a_page_reads_them(
    admin, committed, client, django_capture_on_commit_callbacks
):
    """A judging that never came (its worker was killed): a page that reads verdicts stale for
    longer than any judging takes has them judged again; fresher stale ones are only shown."""
    from django.core.cache import cache
    from django.urls import reverse
    from django.utils import timezone

    from web.rollups.models import Verdict
    from web.rollups.selectors import RETRY_AFTER

    nation = build_tree([[1, 1], [1]])
    plan = committed(plan_for, nation, admin)
    rng = random.Random(11)
    submissions = random_figures(plan, nation, rng, density=0.6)
    committed(approve_all, submissions)
    with django_capture_on_commit_callbacks(execute=False):  # the judging is lost
        above = _unlock_a_province(nation, submissions)
    client.force_login(admin)
    dashboard = reverse("dashboards:plan", args=[plan.pk]) + f"?period=2024&area={nation.pk}"
    assert "data-updating" in client.get(dashboard).content.decode()
    stale = Verdict.objects.filter(plan=plan, view="A", stale_since__isnull=False)
    assert set(stale.values_list("unit_id", flat=True)) == above  # a recent mark: only shown
    stale.update(stale_since=timezone.now() - timedelta(seconds=RETRY_AFTER + 60))
    cache.clear()  # a page shown as updating is kept UPDATING_TIMEOUT seconds: they have passed
    with django_capture_on_commit_callbacks(execute=True):
        client.get(dashboard)  # shown as updating once more, and sent to be judged
    assert not stale.filter(unit_id=nation.pk).exists()
    assert "data-updating" not in client.get(dashboard).content.decode()
    assert set(stale.values_list("unit_id", flat=True)) == above - {nation.pk}  # not read: left


def test_an_amended_target_shows_at_once_on_pages_that_keep_the_plan(admin, committed, client):
    """The dashboards keep the plan in force between changes (``plan_in_force``); a target amended
    in force is on the next page, not the kept plan's."""
    from django.urls import reverse

    from web.plans.models import Target
    from web.plans.selectors import plan_version_active
    from web.plans.services import target_update
    from web.rollups.cache import plan_in_force

    nation = build_tree([[1, 1]])
    plan = committed(plan_for, nation, admin)
    committed(approve_all, random_figures(plan, nation, random.Random(5), density=0.4))
    target = Target.objects.get(indicator__version__plan=plan, indicator__code="2.1", period_key="2024")
    client.force_login(admin)
    dashboard = reverse("dashboards:plan", args=[plan.pk]) + f"?period=2024&area={nation.pk}"
    assert "42,5" not in client.get(dashboard).content.decode()  # the plan is kept from here on
    amended = {"comparator": target.comparator, "value": Decimal("42.5"), "reason": "sửa"}
    committed(target_update, actor=admin, target=target, **amended)
    assert "42,5" in client.get(dashboard).content.decode()
    kept = plan_in_force(plan_version_active(plan))
    assert kept.indicator("2.1").target_for("2024").value == Decimal("42.5")


def test_verdict_rows_are_written_as_bulk_create_writes_them(admin, committed):
    """``_insert`` (COPY on PostgreSQL, one statement for every row on SQLite) stores what
    ``bulk_create`` stores, value for value, whatever the types and the missing values."""
    from web.rollups.models import Verdict
    from web.rollups.verdicts import _insert, _verdict

    nation = build_tree([[1]])
    plan = committed(plan_for, nation, admin)
    Verdict.objects.filter(plan=plan).delete()
    rows = [
        _verdict(
            plan_id=plan.pk,
            view="A",
            unit_id=nation.pk,
            period_key="2021-2025",
            indicator_code=code,
            sex=sex,
            status="exceeded",
            actual=Decimal("-12345678901234567890.0123456789") if sex else None,
            achievement=Decimal("0E-10"),
            progress=Decimal("1E+3"),
            provisional=bool(sex),
            units_meeting_share=None,
            trajectory_band="on_track" if sex else "",
            digest="3:abc",
            horizon=date(2024, 12, 31) if sex else None,
            result=bytes(range(256)) * 3 if sex else None,
        )
        for code, sex in [("1.1", ""), ("1.1", "F"), ("6.3", "M")]
    ]
    fields = [f.attname for f in Verdict._meta.concrete_fields if not f.primary_key]

    def written() -> list:
        found = Verdict.objects.filter(plan=plan).order_by("indicator_code", "sex").values_list(*fields)
        return [tuple(bytes(v) if isinstance(v, memoryview) else v for v in row) for row in found]

    _insert(rows)
    mine = written()
    Verdict.objects.filter(plan=plan).delete()
    Verdict.objects.bulk_create([Verdict(**dict(zip(fields, row, strict=True))) for row in rows])
    assert mine == written() and len(mine) == 3


def test_verdicts_judged_over_several_processes_are_those_judged_in_one(
    admin, committed, settings, monkeypatch
):
    """A country's areas are judged in forked processes (``web.rollups.processes``): the rows they
    store are the very rows one process stores, both views, every area and period."""
    from web.rollups import processes, verdicts

    nation = build_tree([[2, 1], [1, 1]])
    plan = committed(plan_for, nation, admin)
    submissions = random_figures(plan, nation, random.Random(11), density=0.6)
    committed(approve_all, submissions[: len(submissions) // 2])
    for submission in submissions[len(submissions) // 2 :]:
        committed(move, submission, "submitted")  # the views differ: each judged on its own
    settings.CHITIEU_JUDGING_PROCESSES = 1
    verdicts.store_verdicts(plan.pk)
    alone = stored_snapshot(plan)
    settings.CHITIEU_JUDGING_PROCESSES = 2
    monkeypatch.setattr(processes, "APART_FROM", 2)
    assert processes.processes_for(len({key[1] for key in alone})) == 2
    verdicts.store_verdicts(plan.pk)
    assert stored_snapshot(plan) == alone
    assert {key[0] for key in alone} == {"A", "P"}
    approve_all(submissions)  # every figure approved: both views judged once, alike
    verdicts.store_verdicts(plan.pk)
    alike = stored_snapshot(plan)
    settings.CHITIEU_JUDGING_PROCESSES = 1
    verdicts.store_verdicts(plan.pk)
    assert stored_snapshot(plan) == alike != alone
    assert_stored_equal_engine(plan, random.Random(3))


def test_the_other_areas_are_judged_grouped_by_province(admin, committed):
    """The processes judge consecutive parts of the areas, each working out the per-unit series of
    the communes it meets: each province comes with its districts, not every province before every
    district (each process then met nearly every commune of the country)."""
    from web.orgs.models import OrgUnit, UnitKind
    from web.plans.selectors import core_plan, plan_version_active
    from web.rollups.selectors import APPROVED_STATES
    from web.rollups.verdicts import _stages

    nation = build_tree([[2, 1], [1, 1], [1]])
    plan = committed(plan_for, nation, admin)
    core = core_plan(plan_version_active(plan))
    areas = list(OrgUnit.objects.exclude(kind__in=[UnitKind.COMMUNE, UnitKind.OFFICE]).order_by("pk"))
    # In the order of their ids in a country loaded from a file: every province, then every district.
    areas.sort(key=lambda a: (a.kind == UnitKind.DISTRICT, a.pk))
    (_, first), (_, others) = _stages(plan, core, areas, states=APPROVED_STATES)
    assert first == [nation.pk]
    codes = dict(OrgUnit.objects.values_list("pk", "code"))
    assert [codes[pk] for pk in others] == ["01", "101", "102", "02", "201", "202", "03", "301"]


def test_the_rows_made_in_place_are_the_rows_named_value_by_value():
    """``_rows`` builds each row as a tuple in the model's order (a country's judging makes 230,000):
    the same rows ``_verdict`` makes from the values named, for a head, results with and without a
    trajectory, and rows by sex (a total part "T" has none)."""
    from chitieu.evaluate import IndicatorResult, PlanEvaluation
    from chitieu.evaluation.results import Flag, PartResult
    from chitieu.evaluation.trajectory import Trajectory
    from chitieu.evaluation.verdict import Status
    from chitieu.plan import Comparator, Target
    from web.rollups.verdicts import _Blobs, _rows, _verdict

    target = Target("2021-2025", Comparator.GE, Decimal(60), "≥ 60%")
    tracked = IndicatorResult(
        indicator="1.1",
        period="2024",
        status=Status.NOT_ACHIEVED,
        actual=Decimal("59.123456789012345"),
        achievement=Decimal("98.5"),
        progress=Decimal("-0.25"),
        units_meeting_share=Decimal("33.3333333333333333"),
        trajectory=Trajectory(
            target, 2025, ((2023, Decimal(50)),), projected=Decimal("61.55"), band="moderate"
        ),
        by_sex=(
            PartResult("F", Status.ACHIEVED, actual=Decimal("60.00000000001")),
            PartResult("T", Status.NO_DATA),
            PartResult("M", Status.NOT_ACHIEVED),
        ),
        flags=(Flag("small_numbers", "ít", provisional=True),),
    )
    untracked = IndicatorResult(indicator="2.1", period="2024", status=Status.NO_DATA)
    banded = IndicatorResult(
        indicator="3.1",
        period="2024",
        status=Status.EXCEEDED,
        trajectory=Trajectory(target, 2025, ()),
    )
    evaluation = PlanEvaluation("2024", (tracked, untracked, banded))
    horizon = date(2025, 12, 31)
    pickled = _Blobs()
    made = _rows(7, "P", 11, "2024", "3:abc", evaluation, horizon, pickled)
    common = {"plan_id": 7, "view": "P", "unit_id": 11, "period_key": "2024"}
    named = [
        _verdict(**common, digest="3:abc", horizon=horizon, result=pickled.of(evaluation.issues)),
        _verdict(
            **common,
            indicator_code="1.1",
            status="not_achieved",
            actual=Decimal("59.1234567890"),
            achievement=Decimal("98.5"),
            progress=Decimal("-0.25"),
            provisional=True,
            units_meeting_share=Decimal("33.3333333333"),
            trajectory_band="moderate",
            projected=Decimal("61.55"),
            result=pickled.of(tracked, packed=True),
        ),
        _verdict(**common, indicator_code="1.1", sex="F", status="achieved", actual=Decimal("60.0000000000")),
        _verdict(**common, indicator_code="1.1", sex="M", status="not_achieved"),
        _verdict(**common, indicator_code="2.1", status="no_data", result=pickled.of(untracked, packed=True)),
        _verdict(**common, indicator_code="3.1", status="exceeded", result=pickled.of(banded, packed=True)),
    ]
    assert made == named
    assert [type(v) for row in made for v in row] == [type(v) for row in named for v in row]


def test_every_areas_statuses_are_read_with_the_cyclic_collector_paused(admin, committed):
    """``stored_statuses`` reads a country's 15,000 rows without the cyclic garbage collector, which
    otherwise went through everything the process held (0.5 s after a country's judging), and puts
    it back after."""
    import gc

    from django.db import connection

    from web.rollups.verdicts import stored_statuses

    nation = build_tree([[1]])
    plan = committed(plan_for, nation, admin)
    collecting: list[bool] = []

    def wrapper(execute, sql, params, many, context):
        if "rollups_verdict" in sql:
            collecting.append(gc.isenabled())
        return execute(sql, params, many, context)

    assert gc.isenabled()
    with connection.execute_wrapper(wrapper):
        stored_statuses(plan, "2024", "A")
    assert collecting == [False]
    assert gc.isenabled()
