"""Two people changing the same thing at the same moment, on PostgreSQL, through a live server.

Each round: both open the same page (or read the same API revision), wait at a
barrier, then send their change at once from two threads, each with its own
HTTP connection and its own database connection on the server side. Exactly
one change is stored; the other person gets the conflict message in
Vietnamese, and the audit trail shows only the winner's change.
"""

from __future__ import annotations

import http.cookies
import json
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client

from web.core.models import AuditEntry
from web.data import services as data
from web.data.models import Observation, Submission
from web.plans.models import PlanVersion

from .world import World, build_world

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL only"),
]

ROUNDS = 8
STALE_FIGURES = "Có người đã thay đổi số liệu này sau khi bạn mở trang"
STALE_DECISION = "Có người đã thay đổi báo cáo này sau khi bạn mở trang"
STALE_REVIEW = "Có người khác đã lưu"  # the review form's own message


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One person's browser: its cookies (session, CSRF, messages); redirects are not followed."""

    def __init__(self, base: str, user):
        client = Client()
        client.force_login(user)
        self.base = base
        self.opener = urllib.request.build_opener(_NoRedirect)
        self.cookies = {"sessionid": client.cookies["sessionid"].value}
        self.csrf = ""

    def _send(self, request: urllib.request.Request) -> tuple[int, str]:
        request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        try:
            with self.opener.open(request, timeout=60) as response:
                status, headers, body = response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:  # 302 (not followed), 4xx
            status, headers, body = error.code, error.headers, error.read()
        for line in headers.get_all("Set-Cookie") or []:
            cookie = http.cookies.SimpleCookie(line)
            for name, morsel in cookie.items():
                self.cookies[name] = morsel.value
        return status, body.decode()

    def get(self, path: str) -> str:
        status, body = self._send(urllib.request.Request(self.base + path))
        assert status == 200, (path, status)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        if token:
            self.csrf = token.group(1)
        return body

    def post(self, path: str, fields: dict) -> tuple[int, str]:
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": self.csrf, **fields}, doseq=True).encode()
        request = urllib.request.Request(self.base + path, data=body, method="POST")
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
        request.add_header("Referer", self.base + path)
        return self._send(request)


def _together(*calls):
    """Run each ``(function, *arguments)`` at the same instant from its own thread; results in order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        function, *arguments = call
        barrier.wait()
        results[i] = function(*arguments)

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def _form(page: str) -> dict:
    """The entry form's fields as the page shows them (inputs only; no evidence)."""
    fields = {}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page):
        if name != "csrfmiddlewaretoken":
            fields[name] = value
    for name in re.findall(r'<input[^>]*name="([nd]-[^"]+)"', page):
        fields.setdefault(name, "")
    return fields


def _last_audit_id() -> int:
    return AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0


def _field(indicator_pk: int, part: str) -> str:
    return f"{part}-{indicator_pk}-T"  # the total (no sex split) of 3.2a


@pytest.fixture
def live_world(live_server, transactional_db) -> World:
    return build_world()


def test_two_people_saving_the_same_figure_one_wins_the_other_is_told(live_server, live_world):
    world = live_world
    unit = world.unit_a
    path = f"/entry/{unit.pk}/2024-Q2/"
    indicator = world.version.indicators.get(code="3.2a")
    reporter = Browser(live_server.url, world.users["reporter_a"])
    coordinator = Browser(live_server.url, world.users["coordinator"])
    winners = []
    for n in range(ROUNDS):
        forms = []
        for who, value in ((reporter, 10 + n), (coordinator, 50 + n)):
            fields = _form(who.get(path))
            fields[_field(indicator.pk, "n")] = str(value)
            fields[_field(indicator.pk, "d")] = "100"
            forms.append(fields)
        before = _last_audit_id()
        results = _together((reporter.post, path, forms[0]), (coordinator.post, path, forms[1]))
        statuses = sorted(status for status, _ in results)
        assert statuses == [200, 302], f"round {n}: {statuses}"
        loser = next(text for status, text in results if status == 200)
        assert STALE_FIGURES in loser and "CHƯA được lưu" in loser
        winner = 0 if results[0][0] == 302 else 1
        winners.append(winner)
        stored = Observation.objects.get(
            submission__org_unit=unit, submission__period_key="2024-Q2", indicator_code="3.2a"
        )
        assert stored.numerator == Decimal(10 + n if winner == 0 else 50 + n)
        changes = list(
            AuditEntry.objects.order_by("id").filter(
                id__gt=before, action="figure_change", field__startswith="3.2a/"
            )
        )
        actor = world.users["reporter_a" if winner == 0 else "coordinator"]
        assert changes and {c.actor_id for c in changes} == {actor.pk}
        numerator_change = next(c for c in changes if c.field == "3.2a//numerator")
        assert Decimal(numerator_change.new) == stored.numerator
    print(f"figures: {ROUNDS} rounds, reporter won {winners.count(0)}, coordinator won {winners.count(1)}")


def _reset_to_submitted(world: World, key: str) -> Submission:
    submission = Submission.objects.get(pk=world.submissions[key].pk)
    coordinator, reporter = world.users["coordinator"], world.users["reporter_a"]
    if submission.state == "approved":
        submission = data.submission_unlock(actor=coordinator, submission=submission, reason="vòng mới")
    if submission.state in ("draft", "returned"):
        submission = data.submission_submit(
            actor=reporter, submission=submission, revision=submission.revision
        )
    return submission


def test_two_coordinators_deciding_at_once_one_decision_applies(live_server, live_world):
    world = live_world
    path = f"/entry/{world.unit_a.pk}/2024-Q1/"
    first = Browser(live_server.url, world.users["coordinator"])
    second = Browser(live_server.url, world.users["administrator"])
    for n in range(ROUNDS):
        submission = _reset_to_submitted(world, "a_submitted")
        for who in (first, second):
            who.get(path)
        revision = str(submission.revision)
        approve = {"action": "approve", "revision": revision}
        give_back = {"action": "return", "reason": f"Kiểm tra lại lần {n}", "revision": revision}
        before = _last_audit_id()
        results = _together(
            (first.post, path + "decide/", approve), (second.post, path + "decide/", give_back)
        )
        assert [s for s, _ in results] == [302, 302]
        pages = [first.get(path), second.get(path)]
        told = [STALE_DECISION in page for page in pages]
        assert sorted(told) == [False, True], f"round {n}: {told}"
        state = Submission.objects.get(pk=submission.pk).state
        decisions = list(AuditEntry.objects.order_by("id").filter(id__gt=before, field="state"))
        assert len(decisions) == 1 and decisions[0].new == state
        assert decisions[0].actor_id == world.users["administrator" if told[0] else "coordinator"].pk


def test_two_api_clients_with_the_same_revision_one_is_refused_as_stale(live_server, live_world):
    world = live_world
    url = f"{live_server.url}/api/plans/{world.plan.pk}/observations"

    def send(role: str, value: int, revision: int):
        row = {
            "indicator": "3.2a",
            "period": "2024-Q2",
            "org_unit_id": world.unit_a.pk,
            "numerator": str(value),
            "denominator": "100",
            "revision": revision,
        }
        request = urllib.request.Request(url, data=json.dumps({"rows": [row]}).encode(), method="POST")
        request.add_header("Content-Type", "application/json")
        request.add_header("Authorization", f"Bearer {world.tokens[role]}")
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())

    for n in range(ROUNDS):
        revision = Submission.objects.get(pk=world.submissions["a_draft"].pk).revision
        results = _together((send, "reporter_a", 20 + n, revision), (send, "coordinator", 70 + n, revision))
        saved = [r["saved"] for r in results]
        assert sorted(saved) == [0, 1], f"round {n}: {results}"
        loser = results[saved.index(0)]
        assert [e["code"] for e in loser["errors"]] == ["stale"]
        assert "đã bị người khác thay đổi" in loser["errors"][0]["message"]
        stored = Observation.objects.get(submission=world.submissions["a_draft"], indicator_code="3.2a")
        assert stored.numerator == Decimal((20 if saved[0] else 70) + n)
        assert Submission.objects.get(pk=world.submissions["a_draft"].pk).revision == revision + 1


def test_two_coordinators_reviewing_the_same_draft_one_is_told(live_server, live_world):
    from web.plans.views import _review_forms

    from .world import form_data

    world = live_world
    path = f"/plans/v/{world.draft.pk}/"
    first = Browser(live_server.url, world.users["coordinator"])
    second = Browser(live_server.url, world.users["administrator"])
    for n in range(ROUNDS // 2):
        version = PlanVersion.objects.get(pk=world.draft.pk)
        base = {"revision": str(version.revision)}
        for _indicator, form, targets in _review_forms(version):
            base.update(form_data(form))
            for _target, target_form in targets:
                base.update(form_data(target_form))
        name_field = next(k for k in base if k.endswith("-name"))
        mine, theirs = dict(base), dict(base)
        mine[name_field], theirs[name_field] = f"Tên A {n}", f"Tên B {n}"
        first.get(path), second.get(path)
        results = _together((first.post, path, mine), (second.post, path, theirs))
        statuses = sorted(s for s, _ in results)
        assert statuses == [200, 302], f"round {n}: {statuses}"
        loser = next(text for s, text in results if s == 200)
        assert STALE_REVIEW in loser
        assert PlanVersion.objects.get(pk=world.draft.pk).revision == version.revision + 1
