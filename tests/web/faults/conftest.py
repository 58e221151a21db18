"""Fixtures of the fault and backup tests: the demo site built once per run and copied per test.

They run in the pass of scripts/run-tests.sh that matches their database: SQLite ones in
the first pass, PostgreSQL ones in the second (DATABASE_URL names the throwaway server),
so that nothing runs twice.
"""

import os

import pytest

from tests.web.faults import support

postgres_pass = pytest.mark.skipif(
    not support.on_postgres(), reason="runs in the PostgreSQL pass (DATABASE_URL=postgres://…)"
)
sqlite_pass = pytest.mark.skipif(support.on_postgres(), reason="runs in the SQLite pass")


@pytest.fixture(scope="session")
def shared(tmp_path_factory, worker_id):
    # The parent of the per-worker temporary directory is shared by the xdist workers.
    base = tmp_path_factory.getbasetemp()
    return base.parent if worker_id != "master" else base


@pytest.fixture(scope="session", autouse=True)
def backup_key(shared):
    """The installation's backup key for `chitieu backup`/`restore`, kept out of the repository's var/."""
    path = shared / "backup.key"
    os.environ["CHITIEU_BACKUP_KEY_FILE"] = str(path)
    return path


@pytest.fixture(scope="session")
def sqlite_template(shared):
    return support.sqlite_template(shared)


@pytest.fixture(scope="session")
def postgres_template(shared):
    return support.postgres_template(shared, os.environ["DATABASE_URL"])


@pytest.fixture
def sqlite_demo(sqlite_template, tmp_path):
    return support.sqlite_site(sqlite_template, tmp_path / "site")


@pytest.fixture
def postgres_demo(postgres_template, tmp_path, request):
    name = f"faults_{abs(hash(request.node.nodeid)) % 10**10}_{os.getpid()}"
    site = support.postgres_site(postgres_template, tmp_path / "site", name)
    yield site
    support.pg_admin(site.url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
