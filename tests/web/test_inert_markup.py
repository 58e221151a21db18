"""HTML, script and template syntax typed into any text field is shown as text, never run.

Hostile text goes in through the services (unit names, plan titles, indicator names, user
names, notes, reasons, evidence file names); every page that shows it must show it escaped.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from chitieu.approval import Role
from web.orgs.models import OrgUnit

SCRIPT = "<script>alert(document.domain)</script>"
IMG = '"><img src=x onerror=alert(document.domain)>'
TEMPLATE = "{{ 7|add:42 }}{% now 'Y' %}"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
RAW = ("<script>alert(document.domain)", "<img src=x onerror")
ESCAPED = (
    "&lt;script&gt;alert(document.domain)&lt;/script&gt;",
    "&lt;img src=x onerror=alert(document.domain)&gt;",
)


@pytest.fixture
def hostile(kon_ray):
    from web.accounts.services import user_ensure
    from web.data.services import FigureInput, submission_return, submission_save, submission_submit
    from web.orgs.services import unit_rename
    from web.plans.models import Indicator
    from web.plans.services import plan_import

    version, users = kon_ray
    coordinator = users["dieuphoi"]
    commune = OrgUnit.objects.get(name="Xã Đăk Tơ Lung")
    reporter, _ = user_ensure(
        username="xa.hostile",
        password="mat-khau-2024",
        role=Role.REPORTER,
        org_unit=commune,
        full_name=f"Nguyễn {SCRIPT}",
    )
    unit_rename(actor=coordinator, unit=commune, name=f"Xã Đăk Tơ Lung {IMG}", on=date(2024, 1, 1))
    indicator = Indicator.objects.get(version=version, code="6.3")
    submission = submission_save(
        actor=reporter,
        plan=version.plan,
        unit=commune,
        period_key="2024-Q2",
        revision=0,
        figures={(indicator, ""): FigureInput(value=Decimal(3), note=f"{SCRIPT} {TEMPLATE}")},
        evidence=[SimpleUploadedFile(f"bien-ban{IMG}.pdf", PDF)],
    )
    submission = submission_submit(actor=reporter, submission=submission, revision=submission.revision)
    submission_return(actor=coordinator, submission=submission, reason=f"Sai số {SCRIPT}")
    annex = ANNEX.read_text(encoding="utf-8").split("\n")
    annex[1] = f"KẾ HOẠCH {SCRIPT} {TEMPLATE}"
    draft = plan_import(
        actor=coordinator,
        data="\n".join(annex).replace("Tỷ lệ lao động nữ", f"Tỷ lệ {IMG} lao động nữ").encode(),
        filename=f"phu-luc{IMG}.txt",
        area=version.plan.area,
        amendment_note=f"Sửa {SCRIPT}",
        plan=version.plan,
    )
    return {"plan": version.plan, "draft": draft, "commune": commune, "coordinator": coordinator}


from tests.web.annex import ANNEX  # noqa: E402


def test_hostile_text_appears_escaped_on_every_page(client, hostile):
    plan, commune = hostile["plan"], hostile["commune"]
    client.force_login(hostile["coordinator"])
    pages = [
        "/",
        "/plans/",
        f"/plans/v/{hostile['draft'].pk}/",
        "/units/",
        f"/units/{commune.pk}/change/",
        f"/entry/{commune.pk}/2024-Q2/",
        f"/dashboards/plans/{plan.pk}/?period=2024",
        f"/dashboards/plans/{plan.pk}/indicators/6.3/?period=2024",
        f"/dashboards/plans/{plan.pk}/indicators/6.3/grid/?period=2024",
        f"/dashboards/plans/{plan.pk}/completeness/?period=2024",
        "/dashboards/tasks/",
    ]
    seen: dict[str, set[str]] = {}
    for path in pages:
        response = client.get(path, follow=True)
        assert response.status_code == 200, path
        html = response.content.decode()
        for raw in RAW:
            assert raw not in html, (path, raw)
        seen[path] = {e for e in ESCAPED if e in html}
        assert "{{ 7|add:42 }}" in html or TEMPLATE not in html  # template syntax stays literal
        assert "49" not in html.split("{{")[0][-3:]  # nothing evaluated it
    shown = set().union(*seen.values())
    assert shown == set(ESCAPED), seen  # the hostile data really was on the pages
    entry = client.get(f"/entry/{commune.pk}/2024-Q2/").content.decode()
    assert "{{ 7|add:42 }}{% now &#x27;Y&#x27; %}" in entry  # the note, literally
    assert "bien-ban&quot;&gt;&lt;img src=x onerror=alert(document.domain)&gt;.pdf" in entry  # evidence name
    assert "Sai số &lt;script&gt;" in entry  # the return reason
