"""Long work as jobs, in-process (laptop mode, no CHITIEU_REDIS_URL): started from the plan's jobs
page, progress on the job's page, the file downloaded; a run again after a crash is idempotent."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.urls import reverse

from web.jobs.models import Job
from web.jobs.services import job_run
from web.orgs.selectors import communes_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator_client(client, kon_ray):
    version, accounts = kon_ray
    client.force_login(accounts["dieuphoi"])
    return client, version.plan


def test_rollup_runs_in_process_and_the_page_says_done(coordinator_client, settings):
    settings.CHITIEU_REDIS_URL = ""
    client, plan = coordinator_client
    response = client.post(reverse("jobs:start", args=[plan.pk, "rollup"]))
    job = Job.objects.get()
    assert response.url == reverse("jobs:detail", args=[job.pk])
    assert (job.status, job.percent, job.attempts) == ("done", 100, 1)
    page = client.get(response.url).content.decode()
    assert "100%" in page and "Đã tính lại bảng tổng hợp" in page
    assert 'hx-trigger="every 1s"' not in page  # finished: the page stops asking


def test_reports_zip_has_one_report_per_unit_and_a_rerun_replaces_it(coordinator_client, settings):
    settings.CHITIEU_REDIS_URL = ""
    client, plan = coordinator_client
    client.post(reverse("jobs:start", args=[plan.pk, "reports"]), {"period": "2024", "fmt": "xlsx"})
    job = Job.objects.get()
    assert job.status == "done", job.message
    names = zipfile.ZipFile(
        io.BytesIO(b"".join(client.get(reverse("jobs:result", args=[job.pk]))))
    ).namelist()
    communes = communes_of(plan.area, *_year(2024))
    assert len(names) == 1 + communes.count()
    assert all(n.endswith(".xlsx") for n in names)
    assert any("-xa-dak-" in n for n in names), names  # "Xã Đăk …": Đ read as D in the file names

    # A worker died mid-run: the row says running; the queue runs the job again from nothing.
    first = job.result.name
    Job.objects.filter(pk=job.pk).update(status="running", done=3)
    job_run(job.pk)
    job.refresh_from_db()
    assert (job.status, job.attempts, job.result.name.rsplit("/", 1)[-1]) == (
        "done",
        2,
        first.rsplit("/", 1)[-1],
    )
    assert job.result.storage.listdir(f"jobs/{job.pk}")[1] == [first.rsplit("/", 1)[-1]]  # one file


def _docx_text(data: bytes) -> str:
    from docx import Document

    document = Document(io.BytesIO(data))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_each_report_in_the_zip_is_the_one_its_unit_would_download(coordinator_client, kon_ray, settings):
    """The district's report is its single download (the plan's header and signer, the dashboard's
    verdicts); a commune's is issued by the commune, under the district, not signed for it."""
    from django.utils import timezone

    from web.reports.services import annual_report_file, report_settings_save

    settings.CHITIEU_REDIS_URL = ""
    client, plan = coordinator_client
    report_settings_save(
        actor=kon_ray[1]["dieuphoi"],
        plan=plan,
        data={"signer": "Nguyễn Văn An", "signer_title": "Chủ tịch", "signer_authority": "TM."},
        revision=0,
    )
    client.post(reverse("jobs:start", args=[plan.pk, "reports"]), {"period": "2024", "fmt": "docx"})
    job = Job.objects.get()
    assert job.status == "done", job.message
    archive = zipfile.ZipFile(io.BytesIO(b"".join(client.get(reverse("jobs:result", args=[job.pk])))))
    names = archive.namelist()
    alone = annual_report_file(plan, "2024", "docx", as_of=timezone.localdate())
    district = _docx_text(archive.read(names[0]))
    assert district == _docx_text(alone.data)
    assert "Nguyễn Văn An" in district
    commune_name = next(n for n in names if "-xa-dak-koi" in n)
    commune = _docx_text(archive.read(commune_name))
    assert "Nguyễn Văn An" not in commune
    assert "XÃ ĐĂK KÔI" in commune.upper() and "HUYỆN KON RẪY" in commune.upper()


def test_a_year_outside_the_plan_is_refused_in_vietnamese(coordinator_client, settings):
    settings.CHITIEU_REDIS_URL = ""
    client, plan = coordinator_client
    response = client.post(
        reverse("jobs:start", args=[plan.pk, "reports"]), {"period": "1990", "fmt": "docx"}, follow=True
    )
    assert (
        "không phải là năm của kế hoạch" in response.content.decode() or "1990" in response.content.decode()
    )
    assert not Job.objects.exists()


def test_a_reporter_may_not_rebuild(client, kon_ray, make_user, district):
    version, _accounts = kon_ray
    from chitieu.approval import Role

    client.force_login(make_user("xa.test", Role.REPORTER, district))
    assert client.post(reverse("jobs:start", args=[version.plan.pk, "rollup"])).status_code == 403
    assert not Job.objects.exists()


def _year(year: int):
    from datetime import date

    return date(year, 1, 1), date(year, 12, 31)
