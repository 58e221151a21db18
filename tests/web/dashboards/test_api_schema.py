"""Schemathesis against /api/openapi.json, in process: generated requests never cause a server error.

Bounded: a few examples per operation, no shrinking, and a deadline per example, so
the whole run stays within seconds on two cores.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from web.api.services import token_create

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())
# Valid requests by the schema, with a valid token: the point is that no input the schema
# allows makes the server fail. (Requests without a token are covered in test_api.py.)
schema.config.generation.update(modes=[GenerationMode.POSITIVE], no_shrink=True)
schema.config.phases.coverage.enabled = False


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """The app is called as plain WSGI, whose request signals close the database connection;
    inside a test that would close the test's transaction (PostgreSQL), so, like Django's
    own test client, keep it open for the duration of the test."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def bearer(figures, coordinator):
    return {"Authorization": f"Bearer {token_create(user=coordinator, name='schemathesis')[1]}"}


@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,  # the same requests on every run: no flake, and a failure reproduces
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_api_has_no_server_errors_and_keeps_its_schema(case, bearer, figures):
    if case.path_parameters and "plan_id" in case.path_parameters:
        case.path_parameters["plan_id"] = figures.pk  # reach the real plan, not only 404s
    case.call_and_validate(
        headers=bearer,
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )
