"""Vietnamese first: an English browser still gets Vietnamese until the user switches."""

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def test_an_english_browser_gets_the_vietnamese_login_page(client):
    page = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "Đăng nhập" in page
    assert "Log in" not in page


def test_the_language_switch_turns_english_on_and_back_off(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "Log in" in client.get("/login/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    client.post("/i18n/setlang/", {"language": "vi", "next": "/login/"})
    assert "Đăng nhập" in client.get("/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_an_unknown_language_cookie_falls_back_to_vietnamese(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    assert "Đăng nhập" in client.get("/login/").content.decode()
