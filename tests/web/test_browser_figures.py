"""The entry form's live preview in real Chromium: a figure the rule refuses shows in red, box outlined."""

from __future__ import annotations

import pytest

from .test_browser import _entry_url, _field

pytestmark = pytest.mark.browser

RED = "rgb(176, 0, 32)"


def test_preview_warns_in_red_and_outlines_the_box(login, live_server):
    reporter = login("xa.daktolung")
    reporter.goto(_entry_url(live_server, "Xã Đăk Tơ Lung", "2024-Q2"))
    numerator, denominator = _field(reporter, "3.2a", "n"), _field(reporter, "3.2a", "d")
    preview = reporter.locator("[id='ind-3.2a'] .preview").first

    numerator.fill("7")
    denominator.fill("5")
    warning = preview.locator(".preview-problem")
    warning.filter(has_text="= 140 %").wait_for()
    assert "Tử số lớn hơn mẫu số" in warning.inner_text()
    assert warning.evaluate("e => getComputedStyle(e).color") == RED
    assert numerator.get_attribute("aria-invalid") == "true"
    assert "is-invalid" in numerator.get_attribute("class")

    numerator.fill("-1")
    warning.filter(has_text="= −20 %").wait_for()

    numerator.fill("1")
    denominator.fill("0")
    warning.filter(has_text="Mẫu số bằng 0").wait_for()
    assert denominator.get_attribute("aria-invalid") == "true"
    assert numerator.get_attribute("aria-invalid") is None

    numerator.fill("1")
    denominator.fill("2")
    preview.filter(has_text="= 50 %").wait_for()
    assert preview.locator(".preview-problem").count() == 0
    assert numerator.get_attribute("aria-invalid") is None
    assert denominator.get_attribute("aria-invalid") is None

    count = _field(reporter, "6.3", "n")
    count.fill("45,5")
    reporter.locator("[id='ind-6.3'] .preview-problem", has_text="số nguyên").wait_for()
    assert count.get_attribute("aria-invalid") == "true"
