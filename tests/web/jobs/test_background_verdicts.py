"""Laptop mode: an approval does not wait for the verdicts it made stale (web.jobs.background).

A thread of the process judges them after the commit; approvals that come meanwhile are merged
into its next round; what it stores equals the engine, as the queue worker's does."""

from __future__ import annotations

import random
import threading
import time

import pytest
from django.db import transaction

from chitieu.approval import Role
from tests.web.rollups.conftest import build_tree, move, plan_for, random_figures
from tests.web.rollups.test_stored_verdicts import assert_stored_equal_engine
from web.core import hooks
from web.jobs import background
from web.rollups.models import Verdict

HELD = 20  # seconds a round may be held by the test before it gives up


@pytest.fixture
def admin(make_user):
    return make_user("quan-tri", Role.ADMINISTRATOR)


@pytest.fixture
def in_thread(settings):
    settings.CHITIEU_STORED_VERDICTS = True
    settings.CHITIEU_VERDICTS_IN_THREAD = True
    yield
    assert background.wait(120), "a judging thread outlived its test"


def _approve(submission) -> None:
    with transaction.atomic():  # the writer's transaction: the judging is left for after its commit
        move(submission, "approved")


def _until(condition, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the judging thread did not start"
        time.sleep(0.02)


@pytest.mark.django_db(transaction=True)
def test_approvals_return_before_their_verdicts_are_judged_and_merge(admin, in_thread):
    nation = build_tree([[1, 1]])
    with transaction.atomic():
        plan = plan_for(nation, admin)
    assert background.wait(120)  # the confirmed plan's (empty) judging
    rng = random.Random(7)
    submissions = random_figures(plan, nation, rng, density=0.6)
    assert len(submissions) >= 3

    release = threading.Event()
    rounds: list[str] = []

    def held(*, plan_id: int, **_: object) -> None:
        rounds.append(threading.current_thread().name)
        release.wait(HELD)  # the round stays open until the test has approved the rest

    hooks.listen(hooks.VERDICTS_STORED, held)
    try:
        _approve(submissions[0])  # returns while its round is held: it ran elsewhere
        _until(lambda: rounds)
        assert rounds[0] != threading.current_thread().name
        assert not release.is_set()
        for submission in submissions[1:]:
            _approve(submission)
        release.set()
        assert background.wait(120)
    finally:
        hooks.unlisten(hooks.VERDICTS_STORED, held)
    # The first round, then one round for every approval that came while it ran.
    assert len(rounds) == 2, rounds
    assert assert_stored_equal_engine(plan, rng) > 0


@pytest.mark.django_db(transaction=True)
def test_a_failed_round_ends_and_the_next_change_judges(admin, in_thread):
    """A round that fails ends the plan's thread; the next change starts another, which stores right."""
    nation = build_tree([[1, 1]])
    with transaction.atomic():
        plan = plan_for(nation, admin)
    assert background.wait(120)
    rng = random.Random(11)
    submissions = random_figures(plan, nation, rng, density=0.6)

    def broken(**_: object) -> None:
        raise RuntimeError("the disk is full")

    hooks.listen(hooks.VERDICTS_STORED, broken)
    try:
        _approve(submissions[0])
        assert background.wait(120)
    finally:
        hooks.unlisten(hooks.VERDICTS_STORED, broken)
    for submission in submissions[1:]:
        _approve(submission)
    assert background.wait(120)
    assert assert_stored_equal_engine(plan, rng) > 0


# From test_jobs.py, whose other tests share one Kon Rẫy plan (tests/web/once.py): this one commits.
@pytest.mark.django_db(transaction=True)
def test_a_committed_move_has_its_verdicts_judged_again_at_once_in_laptop_mode(make_user, settings):
    """Laptop mode (no queue): once a move is committed, its stale verdicts are judged again in the
    same process (web.jobs listens for hooks.VERDICTS_STALE); until then they are marked stale."""
    settings.CHITIEU_REDIS_URL = ""
    settings.CHITIEU_STORED_VERDICTS = True
    nation = build_tree([[1, 1]])
    plan = plan_for(nation, make_user("quan-tri", Role.ADMINISTRATOR))
    submissions = random_figures(plan, nation, random.Random(4), density=0.6)
    for submission in submissions:
        move(submission, "approved")  # each in its own commit (autocommit)
    assert Verdict.objects.filter(plan=plan, view="A", unit=nation, indicator_code="").exists()
    with transaction.atomic():
        move(submissions[0], "draft")
        nation_rows = Verdict.objects.filter(plan=plan, view="A", unit=nation)
        heads = nation_rows.filter(indicator_code="")
        assert heads.exists() and not heads.filter(stale_since__isnull=True).exists()  # each marked
        # Only the heads: marking every row of a country's areas cost a rebuild 7 s.
        assert not nation_rows.exclude(indicator_code="").filter(stale_since__isnull=False).exists()
    assert Verdict.objects.filter(plan=plan, view="A", unit=nation, indicator_code="").exists()
    assert not Verdict.objects.filter(plan=plan, stale_since__isnull=False).exists()  # judged again
