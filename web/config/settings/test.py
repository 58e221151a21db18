"""Tests: plain static storage (no manifest needed), fast hashing, files in a temporary place."""

import atexit
import os
import shutil
import tempfile

from .local import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; production uses Argon2
# One evidence folder per process (each pytest worker, each command a test runs with these settings),
# removed when that process ends: nothing outside it knows the folder's name, so nothing needs it later.
MEDIA_ROOT = tempfile.mkdtemp(prefix="chitieu-test-media-")
_MEDIA_OWNER = os.getpid()


def _media_remove() -> None:
    if os.getpid() == _MEDIA_OWNER:  # not in a forked child, which inherits the hook but not the folder
        shutil.rmtree(MEDIA_ROOT, ignore_errors=True)


atexit.register(_media_remove)
AXES_ENABLED = True
# Tests open connections in threads that never close them; kept connections would outlive the test database.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
AXES_FAILURE_LIMIT = 5
# Stale verdicts judged again at once after the commit, so a test reads them; web.jobs.background's
# own tests turn the thread on.
CHITIEU_VERDICTS_IN_THREAD = False
