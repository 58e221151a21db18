"""Tests: plain static storage (no manifest needed), fast hashing, files in a temporary place."""

import tempfile

from .local import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; production uses Argon2
MEDIA_ROOT = tempfile.mkdtemp(prefix="chitieu-test-media-")
AXES_ENABLED = True
AXES_FAILURE_LIMIT = 5
