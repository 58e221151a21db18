"""The cluster tests start their own PostgreSQL, Redis and gunicorns: once, in the SQLite pass."""

import pytest

from tests.web.cluster import support as cluster
from tests.web.faults import support

needs_cluster = pytest.mark.skipif(
    support.on_postgres() or cluster.unavailable() is not None,
    reason=cluster.unavailable() or "runs in the SQLite pass (it starts its own PostgreSQL)",
)
