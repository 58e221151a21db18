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


def test_production_settings_pass_the_deploy_check():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_extra={
            "DJANGO_SETTINGS_MODULE": "web.config.settings.production",
            "DJANGO_SECRET_KEY": "k" * 20 + "Zq8#xP2!vLm9@rT4$wN7&yB1*cF6^hJ3",
            "DJANGO_ALLOWED_HOSTS": "chitieu.example.vn",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_a_missing_secret_key():
    result = _manage(
        "check",
        env_extra={
            "DJANGO_SETTINGS_MODULE": "web.config.settings.production",
            "DJANGO_SECRET_KEY": "",
            "DJANGO_ALLOWED_HOSTS": "x",
        },
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


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
