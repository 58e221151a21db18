"""Developer machine and `make demo`: debug on, SQLite in var/ unless DATABASE_URL says otherwise."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="insecure-local-only-key-do-not-use-in-production")
# `make demo` serves static files as production does (CHITIEU_HASHED_STATIC=true after collectstatic):
# hashed names cached for a year, with gzip copies. Without it, plain names, so that a server
# started without collectstatic (tests, benchmarks) still finds every file.
_HASHED = env.bool("CHITIEU_HASHED_STATIC", default=False)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if _HASHED
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 - whitenoise warns when it is missing
