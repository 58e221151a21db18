"""Data built once per module for the tests that only read it (and roll back what they change)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import transaction

# Fixtures through which a test reaches the test database (pytest-django's, and what needs them).
DATABASE_FIXTURES = frozenset({"db", "transactional_db", "django_db_setup", "live_server"})


@contextmanager
def rolled_back(django_db_blocker) -> Iterator[None]:
    """An outer transaction for a module-scoped fixture, rolled back after the module: each test's
    ``db`` fixture nests a savepoint in it, so a test's own changes are undone after the test and
    what the fixture built is undone after the module. On-commit callbacks never run inside it, as
    inside any ``db`` test."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def read_again(value, _seen: dict | None = None):
    """``value`` with every model instance read again from the database (no stale attributes), in
    the dicts, lists and tuples it is made of: what a module-scoped fixture hands each test. The
    related objects the instance held (``plan.area`` after ``plan_import(area=…)``) are read again
    and held too, so a test counting its queries counts the same ones as on a freshly built object."""
    from django.db.models import Model

    seen = {} if _seen is None else _seen
    if isinstance(value, Model):
        key = (type(value), value.pk)
        if key not in seen:
            seen[key] = type(value)._default_manager.get(pk=value.pk)
            for name, related in value._state.fields_cache.items():
                seen[key]._state.fields_cache[name] = read_again(related, seen)
        return seen[key]
    if isinstance(value, dict):
        return {key: read_again(item, seen) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(read_again(item, seen) for item in value)
    return value


def commits(item: pytest.Item) -> bool:
    """Whether ``item`` runs on a committed database (a live server, ``transaction=True``): it cannot
    see what a module's outer transaction holds."""
    from pytest_django.plugin import validate_django_db

    marker = item.get_closest_marker("django_db")
    if marker is not None:
        transaction, reset_sequences, _, serialized_rollback, _ = validate_django_db(marker)
        if transaction or reset_sequences or serialized_rollback:
            return True
    return bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


def module_shares(request: pytest.FixtureRequest, name: str) -> bool:
    """Whether the data of fixture ``name`` may be built once for the requesting module: every test
    of the module that reaches the database asks for it (a test that does not would find it there
    all the same) and runs inside a transaction. Read from what the module's tests ask for, so a test
    added without it turns the sharing off for its module rather than see data it did not ask for."""
    here = [item for item in request.session.items if item.path == request.path]
    for item in here:
        names = set(getattr(item, "fixturenames", ()))
        if commits(item):
            return False
        if name not in names and (DATABASE_FIXTURES & names or item.get_closest_marker("django_db")):
            return False
    return True
