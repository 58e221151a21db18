"""Tests: plain static storage (no manifest needed), fast hashing, files in a temporary place."""

import tempfile

from .local import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; production uses Argon2
MEDIA_ROOT = tempfile.mkdtemp(prefix="chitieu-test-media-")
AXES_ENABLED = True
# Tests open connections in threads that never close them; kept connections would outlive the test database.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
AXES_FAILURE_LIMIT = 5
# Stale verdicts judged again at once after the commit, so a test reads them; web.jobs.background's
# own tests turn the thread on.
CHITIEU_VERDICTS_IN_THREAD = False
