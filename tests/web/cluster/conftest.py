"""The cluster tests start their own PostgreSQL, Redis and gunicorns: once, in the SQLite pass."""

import pytest

from tests.web.cluster import support as cluster
from tests.web.faults import support

needs_cluster = pytest.mark.skipif(
    support.on_postgres() or cluster.unavailable() is not None,
    reason=cluster.unavailable() or "runs in the SQLite pass (it starts its own PostgreSQL)",
)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory, worker_id):
    # The demo in SQLite, built once per run and shared with the fault tests (same folder and lock).
    base = tmp_path_factory.getbasetemp()
    return support.sqlite_template(base.parent if worker_id != "master" else base)
