"""Several app servers behind one address: production's settings plus what they must share.

Every server of a cluster reads and writes the same PostgreSQL (DATABASE_URL), the same Redis
(CHITIEU_REDIS_URL: the dashboards' evaluation cache and the job queue) and the same evidence
folder (CHITIEU_MEDIA_ROOT, a shared disk). Sessions are rows of the database (Django's default),
so a person logged in through one server is logged in on all of them. Nothing else is kept in a
server's memory between requests. docs/deployment.md explains the topology; `make cluster` runs it
on one machine.

Laptop mode (`make demo`, web.config.settings.local) uses none of this: no Redis, no queue.
"""

from django.core.exceptions import ImproperlyConfigured

from .production import *  # noqa: F403
from .production import env

CHITIEU_REDIS_URL = env.str("CHITIEU_REDIS_URL", default="").strip()
if not CHITIEU_REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(
        "CHITIEU_REDIS_URL must name the shared Redis of the cluster (redis://host:port/0)"
    )
if not env.str("CHITIEU_MEDIA_ROOT", default="").strip():
    raise ImproperlyConfigured(
        "CHITIEU_MEDIA_ROOT must name the evidence folder every app server shares (an absolute path)"
    )

# Django's own Redis backend (redis-py underneath). A key holds the plan's summary version, which
# every approval bumps in the database, so no server can read another's stale verdicts.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": CHITIEU_REDIS_URL,
        "KEY_PREFIX": "chitieu",
        "TIMEOUT": 24 * 3600,
    }
}
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Behind a reverse proxy that ends TLS the cookies stay Secure. `make cluster` and its test speak
# plain HTTP on loopback only, and say so with CHITIEU_COOKIES_SECURE=false.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.bool("CHITIEU_COOKIES_SECURE", default=True)
