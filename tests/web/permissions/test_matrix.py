"""Every URL and API operation × every role: the expected answer, and for writes whether anything changed.

Roles: anonymous, viewer (district leader), reporter of unit A, reporter of unit B,
coordinator of the district, administrator, and the coordinator of the district
next door. See ``matrix.py`` for the table and ``world.py`` for what exists.
"""

from __future__ import annotations

import pytest

from .matrix import ADMIN_LOGIN, LOGIN, REDIRECT, Probe, all_probes
from .routes import site_routes
from .world import ROLES

PROBES = all_probes()


def _cases():
    """Every probe as every role. On PostgreSQL, each probe runs once per path through its view: per
    answer, per whether the write must take effect, and per role where the body is checked (what a
    page shows depends on who asks); the other roles take the same path and run on SQLite only."""
    for probe in PROBES:
        paths = set()
        for role in ROLES:
            path = (probe.expect[role], role in probe.writers, role if probe.check else None)
            marks = [pytest.mark.any_database] if path in paths else []
            paths.add(path)
            yield pytest.param(probe, role, id=f"{probe.name}-{role}", marks=marks)


CASES = list(_cases())


def test_every_url_and_api_operation_has_a_decision():
    """A view added without a line in the matrix fails here (and a removed one leaves a stale line)."""
    decided = {probe.route for probe in PROBES}
    routes = site_routes()
    assert sorted(routes - decided) == [], "URL patterns or API operations missing from the matrix"
    assert sorted(decided - routes) == [], "matrix lines for URLs that no longer exist"


def test_every_probe_decides_every_role():
    for probe in PROBES:
        assert set(probe.expect) == set(ROLES), probe.name
        assert probe.writers <= {r for r, outcome in probe.expect.items() if outcome != LOGIN}, probe.name


def outcome(response) -> str:
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith("/admin/login/"):
            return ADMIN_LOGIN
        if location.startswith("/login/"):
            return LOGIN
        return REDIRECT
    return str(response.status_code)


def _request(client, world, probe: Probe, role: str):
    url = probe.url(world)
    headers = {}
    if probe.api and world.tokens[role]:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {world.tokens[role]}"
    send = getattr(client, probe.method)
    if probe.data is None:
        return send(url, **headers)
    if probe.content_type:
        return send(url, data=probe.data(world), content_type=probe.content_type, **headers)
    return send(url, probe.data(world), **headers)


@pytest.mark.parametrize(("probe", "role"), CASES)
def test_matrix(world, as_role, probe: Probe, role: str):
    client = as_role("anonymous" if probe.api else role)
    before = probe.snapshot(world) if probe.snapshot else None
    response = _request(client, world, probe, role)
    assert outcome(response) == probe.expect[role], (
        f"{probe.method.upper()} {probe.url(world)} as {role}: got {outcome(response)}, "
        f"expected {probe.expect[role]}"
    )
    if probe.snapshot is not None:
        after = probe.snapshot(world)
        if role in probe.writers:
            assert after != before, f"{probe.name}: {role}'s write did not take effect"
        else:
            assert after == before, f"{probe.name}: {role} changed {before!r} → {after!r}"
    if probe.check is not None:
        probe.check(world, role, response)
