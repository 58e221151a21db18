"""Every door takes the same figures and stores the same value (issue 13, "done when").

Hypothesis writes one random row (an indicator, a numerator, a denominator, a value,
as people type them) and gives it to every channel: the entry form's fields and
service, the API's JSON rows, the API's CSV upload, the bulk loader and the core
CSV reader behind ``chitieu evaluate``. All must accept it or all refuse it, and
whatever is stored must be the same value. Each channel runs in a transaction
that is rolled back, so the next one starts from the same database.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django import forms
from django.contrib.auth import get_user_model
from django.db import transaction
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from chitieu import konray
from chitieu.importer import read_plan
from chitieu.issues import Severity
from chitieu.observation_csv import read_observations_for_plan
from chitieu.observations import observation_value
from web.api.services import token_create
from web.core.forms import VietnameseDecimalField
from web.data.loading.errors import LoadError
from web.data.loading.observations import observations_load
from web.data.models import Observation, Submission
from web.data.services import FigureError, FigureInput, submission_save
from web.orgs.models import OrgUnit

from .test_bulk import HEADER, as_stored
from .test_bulk import country as country  # the fixture: the small country, no figures yet

# indicator → (unit code, period, measure's kind): the country of test_bulk assigns these
ROWS = {"2.1": ("611-LD", "2024"), "4.2": ("611-YT", "2024"), "6.3": ("23500", "2024-Q1")}
CORE_PLAN = read_plan(konray.ANNEX).plan


def _number_text(whole: int, fraction: str, negative: bool) -> str:
    """A number as a Vietnamese reporter types it: decimal comma, never exactly three decimals."""
    text = str(whole) + ("," + fraction if fraction else "")
    return "-" + text if negative else text


numbers = st.one_of(
    st.just(""),
    st.builds(
        _number_text,
        st.one_of(st.integers(0, 3000), st.integers(0, 10**16)),
        st.sampled_from(["", "5", "25", "0001", "12345", "000001", "1234567"]),
        st.integers(0, 9).map(lambda n: n == 0),  # now and then a negative number
    ),
)


@st.composite
def rows(draw):
    code = draw(st.sampled_from(sorted(ROWS)))
    if code == "6.3":
        return code, "", "", draw(numbers)
    return code, draw(numbers), draw(numbers), ""


def _decimal(text: str) -> Decimal | None:
    return Decimal(text.replace(",", ".")) if text else None


class _Rollback(Exception):
    pass


def _in_rollback(run):
    """Run ``run`` in a transaction that is always rolled back; its result survives."""
    out = {}
    try:
        with transaction.atomic():
            out["result"] = run()
            raise _Rollback
    except _Rollback:
        pass
    return out["result"]


def _stored(code: str):
    observation = Observation.objects.filter(indicator_code=code).first()
    return ("stored", observation.value) if observation else ("refused", None)


@pytest.fixture
def world(country, client):
    admin = get_user_model().objects.create_superuser("quan-tri", password="mat-khau-2024")
    token = token_create(user=admin, name="t")[1]
    version = country.versions.get(status="active")
    indicators = {i.code: i for i in version.indicators.all()}
    return country, admin, {"HTTP_AUTHORIZATION": f"Bearer {token}"}, indicators


def _form(world, code, num, den, value):
    plan, admin, _, indicators = world
    unit_code, period = ROWS[code]
    field = VietnameseDecimalField()
    try:
        parts = [field.clean(t) for t in (num, den, value)]
    except forms.ValidationError:
        return ("refused", None)
    unit = OrgUnit.objects.get(code=unit_code)
    existing = Submission.objects.filter(plan=plan, org_unit=unit, period_key=period).first()
    try:
        submission_save(
            actor=admin,
            plan=plan,
            unit=unit,
            period_key=period,
            revision=existing.revision if existing else 0,
            figures={(indicators[code], ""): FigureInput(*parts)},
        )
    except FigureError:
        return ("refused", None)
    return _stored(code)


def _api_json(world, client, code, num, den, value):
    plan, _, headers, _ = world
    unit_code, period = ROWS[code]
    row = {"indicator": code, "period": period, "org_unit_id": OrgUnit.objects.get(code=unit_code).pk}
    for name, text in (("numerator", num), ("denominator", den), ("value", value)):
        if text:
            row[name] = text.replace(",", ".")  # JSON numbers are written the English way
    response = client.post(
        f"/api/plans/{plan.pk}/observations", {"rows": [row]}, content_type="application/json", **headers
    )
    if response.status_code == 422:
        return ("refused", None)
    assert response.status_code == 200, response.content
    return _stored(code)


def _csv(code, num, den, value, unit):
    text = io.StringIO()
    writer = csv.writer(text, delimiter=";")
    writer.writerow(HEADER)
    writer.writerow([code, ROWS[code][1], unit, "", num, den, value, ""])
    return text.getvalue()


def _api_csv(world, client, code, num, den, value):
    plan, _, headers, _ = world
    unit = OrgUnit.objects.get(code=ROWS[code][0]).name
    response = client.post(
        f"/api/plans/{plan.pk}/observations/import",
        _csv(code, num, den, value, unit),
        content_type="text/csv",
        **headers,
    )
    if response.status_code == 422:
        return ("refused", None)
    assert response.status_code == 200, response.content
    return _stored(code)


def _bulk(world, code, num, den, value):
    plan = world[0]
    lines = list(csv.reader(io.StringIO(_csv(code, num, den, value, ROWS[code][0])), delimiter=";"))
    try:
        observations_load(plan=plan, rows_or_path=lines, actor=None, state="draft")
    except LoadError:
        return ("refused", None)
    return _stored(code)


def _core(code, num, den, value):
    text = _csv(code, num, den, value, "")
    observations, issues = read_observations_for_plan(CORE_PLAN, text)
    if any(i.severity is Severity.ERROR for i in issues) or not observations:
        return ("refused", None)
    return ("stored", as_stored(observation_value(CORE_PLAN.indicator(code), observations[0])))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(row=rows())
def test_every_channel_accepts_the_same_figures_and_stores_the_same_value(world, client, row):
    code, num, den, value = row
    assume(num or den or value)  # an empty row: the form stores nothing, the files name it an error
    answers = {
        "form": _in_rollback(lambda: _form(world, code, num, den, value)),
        "api json": _in_rollback(lambda: _api_json(world, client, code, num, den, value)),
        "api csv": _in_rollback(lambda: _api_csv(world, client, code, num, den, value)),
        "bulk load": _in_rollback(lambda: _bulk(world, code, num, den, value)),
        "core reader": _core(code, num, den, value),
    }
    assert len(set(answers.values())) == 1, (row, answers)
