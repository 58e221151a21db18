"""Data built once per module for the tests that only read it (and roll back what they change)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction


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


def read_again(value):
    """``value`` with every model instance read again from the database (no stale attributes), in
    the dicts, lists and tuples it is made of: what a module-scoped fixture hands each test."""
    from django.db.models import Model

    if isinstance(value, Model):
        return type(value)._default_manager.get(pk=value.pk)
    if isinstance(value, dict):
        return {key: read_again(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(read_again(item) for item in value)
    return value
