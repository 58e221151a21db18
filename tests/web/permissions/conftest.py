"""The matrix world, built once per module inside a transaction that is rolled back afterwards."""

from __future__ import annotations

import pytest

from tests.web.once import rolled_back

from .world import build_world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with rolled_back(django_db_blocker):
        yield build_world()


@pytest.fixture
def as_role(world, db, client):
    """A client logged in as ``role`` (anonymous: not logged in)."""

    def login(role: str):
        user = world.users[role]
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return login
