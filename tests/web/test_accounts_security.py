"""Accounts and sessions (SECURITY.md): Argon2, login throttling with a Vietnamese message, session
cookies, CSRF on forms, the API by token only, security headers including the Content-Security-Policy."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from chitieu.approval import Role
from web.config.settings import base

PASSWORD = "mat-khau-2024"


def test_a_new_password_is_hashed_with_argon2(make_user):
    with override_settings(PASSWORD_HASHERS=base.PASSWORD_HASHERS):
        user = make_user("argon", Role.VIEWER)
        user.set_password("mot-mat-khau-moi-2024")
        assert user.password.startswith("argon2$argon2id$")
        assert user.check_password("mot-mat-khau-moi-2024")


def _login(client, username, password):
    return client.post("/login/", {"username": username, "password": password})


def test_failed_logins_lock_the_account_from_that_address_then_cool_off(client, make_user, settings):
    from axes.models import AccessAttempt

    make_user("xa.tanlap", Role.REPORTER)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = _login(client, "xa.tanlap", "doan-sai")
        assert response.status_code == 200 and "Sai tên đăng nhập hoặc mật khẩu" in response.content.decode()
    locked = _login(client, "xa.tanlap", "doan-sai")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Đăng nhập bị tạm khóa trong 60 phút" in page and "(5 lần)" in page
    # The right password is refused too while the lock lasts …
    right = _login(client, "xa.tanlap", PASSWORD)
    assert right.status_code == 429 and "_auth_user_id" not in client.session
    # … another account from the same address is not locked (username + address) …
    make_user("xa.daktolung", Role.REPORTER)
    assert _login(Client(), "xa.daktolung", PASSWORD).status_code == 302
    # … and after the cool-off the right password works again.
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(hours=2))
    assert _login(client, "xa.tanlap", PASSWORD).status_code == 302


def test_session_cookie_is_httponly_lax_and_ends_with_the_working_day(client, make_user):
    make_user("lanh-dao", Role.VIEWER)
    response = _login(client, "lanh-dao", PASSWORD)
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert client.session.get_expire_at_browser_close()
    assert base.SESSION_COOKIE_AGE <= 8 * 60 * 60


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/login/", {"username": "x", "password": "y"}),
        ("/logout/", {}),
        ("/plans/upload/", {}),
        ("/i18n/setlang/", {"language": "en"}),
    ],
)
def test_forms_refuse_a_post_without_the_csrf_token(make_user, district, path, data):
    # The district's coordinator, without the Kon Rẫy plan: the token is checked before any view
    # runs, so what the views would find changes nothing (and a plan costs 2 s a case).
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("dieuphoi", Role.COORDINATOR, district))
    assert client.post(path, data).status_code == 403


def test_every_post_form_in_the_templates_carries_the_csrf_token():
    from pathlib import Path

    templates = Path(base.WEB_DIR).rglob("templates/**/*.html")
    for template in templates:
        text = template.read_text(encoding="utf-8")
        for form in text.split("<form")[1:]:
            head = form.split(">", 1)[0].lower()
            if 'method="post"' in head:
                assert "{% csrf_token %}" in form.split("</form>")[0], template


def test_the_api_ignores_the_session_cookie(client, kon_ray):
    """A logged-in browser cannot be made to call the API (CSRF): only a bearer token counts."""
    client.force_login(kon_ray[1]["dieuphoi"])
    assert client.get("/api/plans").status_code == 401
    plan = kon_ray[0].plan
    response = client.post(
        f"/api/plans/{plan.pk}/observations", {"rows": []}, content_type="application/json"
    )
    assert response.status_code == 401


@pytest.mark.parametrize("path", ["/login/", "/healthz", "/api/openapi.json", "/api/docs"])
def test_security_headers_on_every_response(client, db, path):
    response = client.get(path)
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-eval'" not in csp and "frame-ancestors 'none'" in csp
    assert "script-src 'self' 'unsafe-inline'" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_pages_have_no_inline_script_for_the_policy_to_block(client, kon_ray):
    client.force_login(kon_ray[1]["dieuphoi"])
    for path in ("/", "/plans/", "/units/", "/plans/upload/", "/dashboards/"):
        response = client.get(path, follow=True)
        assert response.status_code == 200, path
        page = response.content.decode()
        assert " onchange=" not in page and " onclick=" not in page and "javascript:" not in page, path
        for script in page.split("<script")[1:]:
            head, _body = script.split(">", 1)
            assert "src=" in head or "application/json" in head, (path, script[:80])


# From dashboards/test_api.py, whose other tests share one plan with figures (tests/web/once.py).
def test_api_docs_page_loads_nothing_from_a_cdn(client, db):
    html = client.get("/api/docs").content.decode()
    assert "swagger-ui-bundle.js" in html and "cdn." not in html and "https://" not in html
