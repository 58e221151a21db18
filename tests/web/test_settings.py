"""Settings come from the environment and fail loudly; /healthz names the database."""

import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from web.config.settings.base import database_from_url


def test_healthz_answers_with_the_database_engine(client, db):
    from django.db import connection

    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": connection.vendor}


def test_healthz_answers_on_an_app_servers_own_address(client, db):
    """A monitor asks each app server by its address (docs/deployment.md, "What to watch"), which
    is not one of DJANGO_ALLOWED_HOSTS; every other page keeps the host check."""
    response = client.get("/healthz", HTTP_HOST="10.0.0.21:8001")
    assert response.status_code == 200, response.content[:300]
    assert response.json()["status"] == "ok"
    assert client.get("/login/", HTTP_HOST="10.0.0.21:8001").status_code == 400


@pytest.mark.parametrize(
    ("url", "engine"),
    [
        ("sqlite:////tmp/x.sqlite3", "django.db.backends.sqlite3"),
        ("postgres://u:p@127.0.0.1:5432/chitieu", "django.db.backends.postgresql"),
    ],
)
def test_database_url_is_honoured(url, engine):
    assert database_from_url(url)["ENGINE"] == engine


@pytest.mark.parametrize("url", ["mysql://u:secret@h/db", "nonsense", "postgres://u:secret@h:5432/"])
def test_bad_database_url_fails_with_a_clear_message_and_hides_the_password(url):
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL") as caught:
        database_from_url(url)
    assert "secret" not in str(caught.value)


def _manage(*args, env_extra=None):
    import os

    drop = {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "manage.py", *args], capture_output=True, text=True, env=env)


def test_server_refuses_to_start_on_a_bad_database_url():
    result = _manage("check", env_extra={"DATABASE_URL": "oracle-ish:/nowhere"})
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr


PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "web.config.settings.production",
    "DJANGO_SECRET_KEY": "k" * 20 + "Zq8#xP2!vLm9@rT4$wN7&yB1*cF6^hJ3",
    "DJANGO_ALLOWED_HOSTS": "chitieu.example.vn",
    "DATABASE_URL": "sqlite:////tmp/chitieu-deploy-check.sqlite3",
}


def test_production_settings_pass_the_deploy_check():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env_extra=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_settings_are_hardened():
    import json

    names = [
        "DEBUG",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "CSRF_COOKIE_HTTPONLY",
        "SESSION_COOKIE_SAMESITE",
        "SESSION_EXPIRE_AT_BROWSER_CLOSE",
        "SESSION_COOKIE_AGE",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "X_FRAME_OPTIONS",
        "SECURE_CONTENT_TYPE_NOSNIFF",
        "SECURE_REFERRER_POLICY",
        "CHITIEU_CONTENT_SECURITY_POLICY",
        "PASSWORD_HASHERS",
        "MIDDLEWARE",
    ]
    code = (
        "import json; from django.conf import settings as s; "
        f"print(json.dumps({{n: getattr(s, n) for n in {names!r}}}))"
    )
    result = _manage("shell", "-c", code, env_extra=PRODUCTION)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])  # after shell's own notice
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]
    assert values["SESSION_COOKIE_HTTPONLY"] and values["CSRF_COOKIE_HTTPONLY"]
    assert values["SESSION_COOKIE_SAMESITE"] == "Lax" and values["SESSION_EXPIRE_AT_BROWSER_CLOSE"]
    assert values["SESSION_COOKIE_AGE"] <= 8 * 60 * 60
    assert values["SECURE_SSL_REDIRECT"] and values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["X_FRAME_OPTIONS"] == "DENY" and values["SECURE_CONTENT_TYPE_NOSNIFF"]
    assert values["SECURE_REFERRER_POLICY"] == "same-origin"
    assert "script-src 'self';" in values["CHITIEU_CONTENT_SECURITY_POLICY"]
    assert values["PASSWORD_HASHERS"][0].endswith("Argon2PasswordHasher")
    middleware = values["MIDDLEWARE"]
    assert "web.core.middleware.ContentSecurityPolicyMiddleware" in middleware
    assert "axes.middleware.AxesMiddleware" in middleware


@pytest.mark.parametrize(
    ("missing", "value"),
    [
        ("DJANGO_SECRET_KEY", ""),
        ("DJANGO_SECRET_KEY", "short"),
        ("DATABASE_URL", ""),
        ("DJANGO_ALLOWED_HOSTS", ""),
        ("DJANGO_ALLOWED_HOSTS", "*"),
    ],
)
def test_production_refuses_to_start_without_its_secrets_and_hosts(missing, value):
    result = _manage("check", env_extra={**PRODUCTION, missing: value})
    assert result.returncode != 0
    assert missing in result.stderr
    assert PRODUCTION["DJANGO_SECRET_KEY"] not in result.stderr  # secrets are not echoed


def test_passwords_are_hashed_with_argon2_outside_tests():
    from web.config.settings import base

    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_vietnamese_formats(settings):
    from decimal import Decimal

    from django.utils import formats, translation

    with translation.override("vi"):
        assert (
            formats.number_format(Decimal("1234567.5"), 1, use_l10n=True, force_grouping=True)
            == "1.234.567,5"
        )
        import datetime

        assert formats.date_format(datetime.date(2024, 3, 9), "SHORT_DATE_FORMAT") == "09/03/2024"
        assert "%d/%m/%Y" in formats.get_format("DATE_INPUT_FORMATS")


def test_the_test_settings_remove_their_evidence_folder_when_the_process_ends():
    """Each process on the test settings (a pytest worker, a command a test runs) makes its own
    evidence folder; a hundred of them were left in /tmp. The folder is there while the process
    runs and gone after it."""
    import os
    from pathlib import Path

    script = (
        "from pathlib import Path\n"
        "from django.conf import settings\n"
        "(Path(settings.MEDIA_ROOT) / 'a.txt').write_text('x')\n"
        "print(settings.MEDIA_ROOT)\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "web.config.settings.test"}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True)
    folder = Path(done.stdout.strip())
    assert folder.name.startswith("chitieu-test-media-")
    assert not folder.exists()
