"""Settings shared by every environment, read from environment variables.

Bad configuration stops the server at start-up with a message saying which
variable is wrong, rather than failing on the first request.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from whitenoise.compress import Compressor

BASE_DIR = Path(__file__).resolve().parents[3]  # the repository root
WEB_DIR = BASE_DIR / "web"
env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

DEFAULT_SQLITE = BASE_DIR / "var" / "chitieu.sqlite3"
SUPPORTED_DATABASES = ("django.db.backends.sqlite3", "django.db.backends.postgresql")


def _redacted(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def database_from_url(url: str) -> dict:
    """DATABASES['default'] from a URL; ImproperlyConfigured with a clear message otherwise."""
    hint = "use sqlite:////absolute/path.sqlite3 or postgres://user:password@host:port/name"
    try:
        config = environ.Env.db_url_config(url)
    except (ValueError, KeyError, ImproperlyConfigured) as exc:
        raise ImproperlyConfigured(f"DATABASE_URL={_redacted(url)!r} is not a database URL ({hint})") from exc
    if config.get("ENGINE") not in SUPPORTED_DATABASES:
        raise ImproperlyConfigured(
            f"DATABASE_URL={_redacted(url)!r}: only SQLite and PostgreSQL are supported ({hint})"
        )
    if not config.get("NAME"):
        raise ImproperlyConfigured(f"DATABASE_URL={_redacted(url)!r} names no database ({hint})")
    config["ATOMIC_REQUESTS"] = False  # services open their own transactions
    return config


DATABASE_URL = env.str("DATABASE_URL", default=f"sqlite:///{DEFAULT_SQLITE}")
DATABASES = {"default": database_from_url(DATABASE_URL)}
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # Keep a connection between requests, and check it before reusing it: after PostgreSQL
    # restarts, the next request reconnects instead of failing on the dead connection.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # BEGIN IMMEDIATE: a writer takes the write lock when its transaction starts, so a second
    # writer waits (up to the busy timeout) instead of failing at its first write with
    # "database is locked" (which a deferred transaction cannot retry once it has read).
    DATABASES["default"].setdefault("OPTIONS", {}).update(timeout=20, transaction_mode="IMMEDIATE")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cached dashboard evaluations (web.rollups.cache). Per process by default; with several
# servers point CACHES at a shared cache: Redis
# (django.core.cache.backends.redis.RedisCache) or the database
# (django.core.cache.backends.db.DatabaseCache, after ``manage.py createcachetable``).
CACHES = {
    "default": {
        # LocMemCache bounded by bytes too (web.core.cache): an evaluation of the nation or a
        # report's charts are megabytes, and a count alone let a worker grow past 1 GB.
        "BACKEND": "web.core.cache.SizedLocMemCache",
        "LOCATION": "chitieu",
        "OPTIONS": {
            "MAX_ENTRIES": 500,
            "MAX_BYTES": env.int("CHITIEU_CACHE_MAX_MB", default=64) * 1024 * 1024,
        },
    }
}

INSTALLED_APPS = [
    "web.core.admin_site.ChitieuAdminConfig",  # django.contrib.admin, for administrators only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # widget templates, for FORM_RENDERER below
    "django_htmx",
    "axes",
    "web.core",
    "web.orgs",
    "web.accounts",
    "web.plans",
    "web.data",
]

MIDDLEWARE = [
    "web.core.middleware.RequestSizeLimitMiddleware",  # first: refuse a huge body before anything reads it
    "django.middleware.security.SecurityMiddleware",
    "web.core.staging.UploadsKeptIfSavedMiddleware",  # uploads of a rolled-back save do not stay on disk
    "web.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "web.core.middleware.VietnameseFirstLocaleMiddleware",
    "web.core.middleware.CommonMiddleware",  # Django's; /healthz skips the host check
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "web.core.middleware.MethodNotAllowedPageMiddleware",  # a page, not a blank 405
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]

ROOT_URLCONF = "web.config.urls"
WSGI_APPLICATION = "web.config.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [WEB_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "web.notices.views.unread",
            ],
        },
    },
]

# Widgets may use the project's templates (the translated file picker).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# Security headers (SECURITY.md, "Deployment settings"). Scripts only from our static files: no
# inline script, no eval, no CDN. Inline styles are allowed because plotly.js draws its charts with
# them; a style cannot run code. Frames: none, ours or anyone's (X-Frame-Options says the same).
CHITIEU_CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Sessions: cookie not readable by scripts, not sent by other sites' forms, ended after a working
# day or when the browser closes (Secure is added in production, where HTTPS is certain).
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env.int("CHITIEU_SESSION_SECONDS", default=8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_SAMESITE = "Lax"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "web.accounts.lockout.locked"  # a Vietnamese page saying the limit and the wait

# Vietnamese first; English for colleagues and developers.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [WEB_DIR / "locale"]
FORMAT_MODULE_PATH = ["web.config.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Ho_Chi_Minh")

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("CHITIEU_STATIC_ROOT", default=str(BASE_DIR / "var" / "static")))
STATICFILES_DIRS = [WEB_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("CHITIEU_MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Source maps (24 MB of the API docs' bundles) are for developers' tools, not worth compressing on
# every collectstatic: it took most of its minute.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*Compressor.SKIP_COMPRESS_EXTENSIONS, "map"]

# Evidence files: what a commune can attach to its figures.
# Upload limits, each with a message that says it (SECURITY.md, "Uploads"): per evidence file, per
# plan annex, per tidy CSV sent to the API; a whole request above CHITIEU_REQUEST_MAX_BYTES is refused
# from its Content-Length before it is read (web.core.middleware.RequestSizeLimitMiddleware).
CHITIEU_EVIDENCE_MAX_BYTES = env.int("CHITIEU_EVIDENCE_MAX_BYTES", default=10 * 1024 * 1024)
CHITIEU_PLAN_MAX_BYTES = env.int("CHITIEU_PLAN_MAX_BYTES", default=5 * 1024 * 1024)
CHITIEU_CSV_MAX_BYTES = env.int("CHITIEU_CSV_MAX_BYTES", default=20 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FILES = 10  # evidence files in one form
# JSON API requests per token ("600/m": per minute; s, m, h, d), counted in CACHES["default"];
# over it the API answers 429 with Retry-After (web.api.api.TokenRateThrottle).
CHITIEU_API_RATE_PER_TOKEN = env.str("CHITIEU_API_RATE_PER_TOKEN", default="600/m")
# The largest page the API's list endpoints give (?limit=): a page of this many observations
# is two SQL statements and a few megabytes of JSON.
CHITIEU_API_PAGE_MAX = env.int("CHITIEU_API_PAGE_MAX", default=10_000)
# An uploaded annex is parsed in a child process with these budgets (chitieu.importer.isolated):
# a file that slips past the package checks cannot take the worker down.
CHITIEU_PLAN_PARSE_MEMORY_MB = env.int("CHITIEU_PLAN_PARSE_MEMORY_MB", default=768)
CHITIEU_PLAN_PARSE_SECONDS = env.int("CHITIEU_PLAN_PARSE_SECONDS", default=60)
CHITIEU_REQUEST_MAX_BYTES = env.int(
    "CHITIEU_REQUEST_MAX_BYTES",
    default=max(
        CHITIEU_EVIDENCE_MAX_BYTES * DATA_UPLOAD_MAX_NUMBER_FILES,
        CHITIEU_PLAN_MAX_BYTES,
        CHITIEU_CSV_MAX_BYTES,
    )
    + 1024 * 1024,
)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024  # a form's fields or a JSON body, files aside
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024  # larger uploads go to a temporary file, not memory
# Deadlines are not a setting: every page uses Decree 09's calendar per level of the
# reporting unit (chitieu.periods.ReportingCalendar via web.data.selectors.deadline).

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}

# Dashboards, reminders, the JSON API and report downloads (web.dashboards, web.api, web.reports).
# "ninja" as an app: the API docs page uses its bundled Swagger UI, not a CDN.
INSTALLED_APPS += [
    "ninja",
    "web.dashboards",
    "web.api",
    "web.reports",
    "web.rollups",
    "web.jobs",  # long work: a queue worker with CHITIEU_REDIS_URL, in-process without
    "web.reorg",
    "web.notices",
    "web.home",  # the home page and the demo loader: the top layer
    "web.public",
]
# The chart library comes from var/vendor (`make vendor-js`: a pinned, checksummed npm package), not a CDN
# or a copy in the repository.
CHITIEU_VENDOR_DIR = Path(env.str("CHITIEU_VENDOR_DIR", default=str(BASE_DIR / "var" / "vendor")))
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "web.dashboards.finders.PlotlyFinder",
]
# Reminder e-mails: printed on the console unless SMTP is configured (EMAIL_URL=smtp://user:pw@host:587).
_EMAIL = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _EMAIL["EMAIL_BACKEND"]
EMAIL_HOST = _EMAIL.get("EMAIL_HOST") or "localhost"
EMAIL_PORT = _EMAIL.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _EMAIL.get("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = _EMAIL.get("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = _EMAIL.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _EMAIL.get("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="chitieu@localhost")
# Base of the links in reminder e-mails (cron has no request to take it from).
# Notices leave the site by these channels besides the in-app list (web.notices.channels): add an
# SMS or chat gateway's class here.
CHITIEU_NOTICE_CHANNELS = env.list("CHITIEU_NOTICE_CHANNELS", default=["web.notices.channels.EmailChannel"])
CHITIEU_SITE_URL = env.str("CHITIEU_SITE_URL", default="http://127.0.0.1:8000")
# Reminders for figures due within this many days (late ones are always reminded).
CHITIEU_REMIND_BEFORE_DAYS = env.int("CHITIEU_REMIND_BEFORE_DAYS", default=7)

# Verdicts stored where the figures change (web.rollups.verdicts), read by the pages and the API in one
# query. A writer (approval, return, unlock, rebuild, amendment) removes the verdicts it made stale in
# its own transaction; after the commit they are judged again by the job queue (RQ, with
# CHITIEU_REDIS_URL), or at once in the same process in laptop mode; pages ask the engine (cached)
# meanwhile. Off, nothing is judged again and pages always ask the engine.
CHITIEU_STORED_VERDICTS = env.bool("CHITIEU_STORED_VERDICTS", default=True)
# Laptop mode: judge them on a thread of the server process after the response (web.jobs.background),
# not in the request. Off: in the request, after its commit (the tests' default, to read them at once).
CHITIEU_VERDICTS_IN_THREAD = env.bool("CHITIEU_VERDICTS_IN_THREAD", default=True)
# Processes that judge a country's areas (web.rollups.processes: forked over the areas, for a plan of
# many areas: the stored verdicts); 1: in the judging process alone.
CHITIEU_JUDGING_PROCESSES = env.int("CHITIEU_JUDGING_PROCESSES", default=os.cpu_count() or 1)
