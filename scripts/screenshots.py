"""Screenshots of the main pages, taken from a running `make demo` (docs/screenshots/).

Usage: .venv/bin/python scripts/screenshots.py [http://127.0.0.1:8000]
Looks up ids in the demo database (var/chitieu.sqlite3), drives Debian's chromium.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "web.config.settings.local")

import django  # noqa: E402

django.setup()

from playwright.sync_api import sync_playwright  # noqa: E402

from web.data.models import Submission  # noqa: E402
from web.home.demo import ANNEX, DEMO_PASSWORD  # noqa: E402
from web.orgs.models import OrgUnit  # noqa: E402
from web.plans.models import PlanVersion  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
ARGS = [
    "--lang=vi",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def main(base: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    returned = Submission.objects.get(state="returned")
    waiting = Submission.objects.filter(state="submitted").first()
    office = OrgUnit.objects.get(name="Phòng Giáo dục và Đào tạo")
    active = PlanVersion.objects.get(status="active")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)

        def session(username: str | None):
            context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
            page = context.new_page()
            page.goto(f"{base}/login/")
            if username:
                page.fill("#id_username", username)
                page.fill("#id_password", DEMO_PASSWORD)
                page.click("button.primary")
                page.wait_for_url(f"{base}/")
            return page

        def shot(page, name: str, path: str | None = None):
            if path:
                page.goto(base + path)
            page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)
            print(OUT / f"{name}.png")

        shot(session(None), "01-login")
        coordinator = session("dieuphoi")
        shot(coordinator, "02-overview", "/?year=2024")
        reporter = session("xa.daktolung")
        shot(reporter, "03-data-entry-returned", f"/entry/{returned.org_unit_id}/{returned.period_key}/")
        reporter.goto(f"{base}/entry/{returned.org_unit_id}/{returned.period_key}/")
        reporter.locator("input[name^='d-']").first.fill("5")
        reporter.locator("input[name^='n-']").first.fill("3")
        reporter.wait_for_timeout(800)
        shot(reporter, "04-data-entry-preview")
        shot(session("phong.gddt"), "05-data-entry-by-sex", f"/entry/{office.pk}/2024/")
        if waiting is not None:
            shot(coordinator, "06-coordinator-review", f"/entry/{waiting.org_unit_id}/{waiting.period_key}/")
        shot(coordinator, "07-plan-in-force", f"/plans/v/{active.pk}/")
        coordinator.goto(f"{base}/plans/upload/")
        coordinator.set_input_files("#id_file", str(ANNEX))
        shot(coordinator, "08-plan-upload")
        coordinator.click("button.primary")
        coordinator.wait_for_url("**/plans/v/*/")
        shot(coordinator, "09-plan-review")
        coordinator.locator("[id='indicator-4.1']").scroll_into_view_if_needed()
        coordinator.screenshot(path=str(OUT / "10-plan-review-sex-ratio-flag.png"))
        coordinator.click("button.danger")  # discard the draft: the demo keeps its plan in force
        shot(
            session("lanhdao"), "11-viewer-read-only", f"/entry/{returned.org_unit_id}/{returned.period_key}/"
        )
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000")
