"""Builds the demo site the fault and backup tests copy: run as a script in a subprocess.

``python seed.py FACTS.json`` with DATABASE_URL and CHITIEU_MEDIA_ROOT set: migrates,
loads the Kon Rẫy demo (web.home.demo.load_demo), attaches two evidence files, makes
an API token for the coordinator and writes what the tests need to FACTS.json
(the token, the plan, and every unit × indicator × 2025 period the coordinator may fill).
"""

from __future__ import annotations

import json
import os
import sys
from datetime import date
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "web.config.settings.local")
sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

import django

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402

from web.api.services import token_create  # noqa: E402
from web.data.models import Submission  # noqa: E402
from web.data.selectors import _period_keys, duties, reporting_units  # noqa: E402
from web.data.services import evidence_add  # noqa: E402
from web.home.demo import load_demo  # noqa: E402

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
YEAR = 2025  # after the demo's 2021–2024 figures: nothing approved (locked) there yet


def main(out: Path) -> None:
    call_command("migrate", verbosity=0, interactive=False)
    demo = load_demo(reform=False)  # a district still at work in 2025: figures are entered for it
    version = demo["version"]
    coordinator = next(u for a, u, _ in demo["accounts"] if a.username == "dieuphoi")
    with transaction.atomic():
        for submission, (name, data) in zip(
            Submission.objects.order_by("pk")[:2], [("bien-ban.pdf", PDF), ("anh-chup.png", PNG)], strict=True
        ):
            evidence_add(actor=coordinator, submission=submission, upload=SimpleUploadedFile(name, data))
    _token, raw = token_create(user=coordinator, name="faults")
    cells = []
    for unit in reporting_units(version, date(YEAR, 1, 1), date(YEAR, 12, 31)):
        for duty in duties(version, unit):
            for period in _period_keys(duty.assignment.frequency, YEAR):
                cells.append(
                    {
                        "unit_id": unit.pk,
                        "unit": unit.name,
                        "indicator": duty.indicator.code,
                        "measure": duty.indicator.measure,
                        "by_sex": duty.assignment.by_sex,
                        "period": period,
                    }
                )
    facts = {"token": raw, "plan_id": version.plan_id, "cells": cells}
    out.write_text(json.dumps(facts, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
