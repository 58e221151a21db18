"""Report downloads: real files from the database's approved figures, behind the plan's permissions."""

from __future__ import annotations

import io
import shutil
import subprocess
from html.parser import HTMLParser

import pytest

from chitieu.approval import Role
from chitieu.periods import period_label
from chitieu.reports.model import Assessment

from ..dashboards.conftest import AS_OF, COMMUNES


def _url(plan, period="2024", fmt="xlsx") -> str:
    return f"/reports/{plan.pk}/{period}/{fmt}"


def _download(client, plan, fmt, **query):
    return client.get(_url(plan, fmt=fmt), {"as_of": AS_OF, **query})


class DashboardStatuses(HTMLParser):
    """data-indicator → data-status from the dashboard's table rows."""

    def __init__(self):
        super().__init__()
        self.statuses: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        if tag == "tr" and "data-indicator" in found:
            self.statuses[found["data-indicator"]] = found["data-status"]


def _dashboard_statuses(client, plan) -> dict[str, str]:
    response = client.get(f"/dashboards/plans/{plan.pk}/", {"period": "2024", "as_of": AS_OF})
    parser = DashboardStatuses()
    parser.feed(response.content.decode())
    return parser.statuses


def _xlsx_assessments(data: bytes) -> dict[str, str]:
    """Indicator code (STT column) → the "Đánh giá" label, read back with openpyxl."""
    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(data))["Kết quả"]
    header = next(r for r in sheet.iter_rows(values_only=True) if r[0] == "STT")
    column = header.index("Đánh giá")
    return {
        str(row[0]): row[column]
        for row in sheet.iter_rows(values_only=True)
        if row[0] not in (None, "STT") and row[column]
    }


def test_excel_annex_downloads_with_the_dashboards_verdicts(client, figures, coordinator):
    client.force_login(coordinator)
    response = _download(client, figures, "xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == 'attachment; filename="phu-luc-ket-qua-2024.xlsx"'
    shown = _dashboard_statuses(client, figures)
    labels = {a.value: a.label for a in Assessment}
    assert _xlsx_assessments(response.content) == {code: labels[s] for code, s in shown.items()}
    # The fixture makes several verdicts occur, 6.3 missed by two communes among the seven.
    assert shown["2.1"] == "exceeded" and shown["2.2"] == "not_achieved" and shown["6.3"] == "not_achieved"
    assert len(COMMUNES) == 7


def test_excel_annex_counts_only_approved_figures_unless_asked(client, figures, coordinator):
    """A sent but not yet approved figure is left out, as on the dashboard, unless provisional=1."""
    import openpyxl

    from web.data.models import Submission
    from web.orgs.selectors import unit_find

    Submission.objects.filter(org_unit=unit_find("Xã Tân Lập"), period_key="2024-Q3").update(
        state="submitted"
    )
    client.force_login(coordinator)

    def figures_of(data, unit, period):
        sheet = openpyxl.load_workbook(io.BytesIO(data))["Số liệu"]
        # The data sheet names periods as people do: "Quý 3/2024".
        return [r for r in sheet.iter_rows(values_only=True) if r[2] == unit and r[1] == period_label(period)]

    approved_only = _download(client, figures, "xlsx").content
    provisional = _download(client, figures, "xlsx", provisional="1").content
    assert figures_of(approved_only, "Xã Tân Lập", "2024-Q3") == []
    assert len(figures_of(provisional, "Xã Tân Lập", "2024-Q3")) == 1
    # A draft is never counted: Xã Đăk Kôi's Q4.
    assert figures_of(provisional, "Xã Đăk Kôi", "2024-Q4") == []
    assert len(figures_of(provisional, "Xã Đăk Kôi", "2024-Q3")) == 1


def test_word_report_downloads_and_opens(client, figures, coordinator):
    import docx

    client.force_login(coordinator)
    response = _download(client, figures, "docx")
    assert response.status_code == 200
    assert response["Content-Type"].endswith("wordprocessingml.document")
    assert 'filename="bao-cao-binh-dang-gioi-2024.docx"' in response["Content-Disposition"]
    document = docx.Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "bình đẳng giới năm 2024" in text and "huyện Kon Rẫy" in text
    cells = {c.text for t in document.tables for row in t.rows for c in row.cells}
    assert any("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in c for c in cells)  # the motto block
    assert {"Vượt", "Không đạt", "Chưa có số liệu"} <= cells


@pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils is installed by make system-deps"
)
def test_pdf_report_downloads_with_vietnamese_text(client, figures, coordinator, tmp_path):
    client.force_login(coordinator)
    response = _download(client, figures, "pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    pdf = tmp_path / "bao-cao.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "HUYỆN KON RẪY" in text and "Độc lập - Tự do - Hạnh phúc" in text
    assert "bình đẳng giới" in text and "Trang 1/" not in text  # Decree 30: no number on page 1


def test_dashboard_shows_the_three_buttons_for_the_year(client, figures, coordinator):
    client.force_login(coordinator)
    html = client.get(f"/dashboards/plans/{figures.pk}/", {"period": "2024", "as_of": AS_OF}).content.decode()
    for fmt, label in (
        ("docx", "Tải báo cáo Word"),
        ("pdf", "Tải báo cáo PDF"),
        ("xlsx", "Tải báo cáo Excel"),
    ):
        assert f'href="/reports/{figures.pk}/2024/{fmt}?as_of={AS_OF}"' in html
        assert label in html
    # Reports of every commune or district go to the job queue's page, the year filled in.
    jobs = f'href="/jobs/plans/{figures.pk}/?period=2024"'
    assert jobs in html and "Báo cáo của mọi đơn vị (chạy nền)" in html
    assert 'value="2024"' in client.get(f"/jobs/plans/{figures.pk}/", {"period": "2024"}).content.decode()
    phase = client.get(f"/dashboards/plans/{figures.pk}/", {"period": "2021-2025", "as_of": AS_OF})
    assert "data-report-format" not in phase.content.decode()  # the report is annual


def test_someone_outside_the_plans_area_gets_403(client, figures, district, make_user):
    from web.orgs.models import OrgUnit

    elsewhere = OrgUnit.objects.create(name="Huyện Đăk Hà", kind=district.kind, parent=district.parent)
    for role in (Role.VIEWER, Role.COORDINATOR, Role.REPORTER):
        client.force_login(make_user(f"ngoai-{role.value}", role, elsewhere))
        assert _download(client, figures, "xlsx").status_code == 403


def test_commune_reporter_may_download_what_the_plan_pages_let_them_see(client, figures, make_user):
    from web.orgs.selectors import unit_find

    client.force_login(make_user("bao-cao-xa", Role.REPORTER, unit_find("Xã Tân Lập")))
    assert client.get(f"/dashboards/plans/{figures.pk}/", {"as_of": AS_OF}).status_code == 200
    assert _download(client, figures, "xlsx").status_code == 200


def test_anonymous_visitor_is_sent_to_log_in(client, figures):
    response = _download(client, figures, "xlsx")
    assert response.status_code == 302 and "/login" in response["Location"]


@pytest.mark.parametrize(
    ("period", "fmt", "message"),
    [
        ("2024", "odt", "docx, pdf hoặc xlsx"),
        ("2030", "docx", "2021, 2022, 2023, 2024, 2025"),
        ("năm-nay", "pdf", "2021, 2022, 2023, 2024, 2025"),
        ("2021-2025", "xlsx", "không phải là một năm"),
    ],
)
def test_bad_format_or_period_is_a_404_page_saying_why(client, figures, coordinator, period, fmt, message):
    client.force_login(coordinator)
    response = client.get(_url(figures, period, fmt))
    assert response.status_code == 404
    html = response.content.decode()
    assert message in html and "Traceback" not in html


def test_unknown_plan_is_404(client, figures, coordinator):
    client.force_login(coordinator)
    assert client.get(f"/reports/{figures.pk + 1000}/2024/pdf").status_code == 404


def test_a_commune_without_any_approved_figure_is_named_missing(client, figures, coordinator):
    """The report expects every commune of the area, as the dashboard does, not only those that reported."""
    import openpyxl

    from web.data.models import Submission
    from web.orgs.selectors import unit_find

    Submission.objects.filter(org_unit=unit_find("Xã Tân Lập")).update(state="draft")
    client.force_login(coordinator)
    sheet = openpyxl.load_workbook(io.BytesIO(_download(client, figures, "xlsx").content))["Kết quả"]
    row = next(r for r in sheet.iter_rows(values_only=True) if r[0] == "6.3")
    assert "Xã Tân Lập" in row[-1] and row[10] == "Không đạt"


@pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils is installed by make system-deps"
)
def test_official_documents_carry_no_review_note_raw_key_or_english(client, figures, coordinator, tmp_path):
    """Issue 12 items 6–7: the docx, pdf and xlsx the web app writes, read back as text."""
    import docx
    import openpyxl

    from ..plain_words import problems

    client.force_login(coordinator)
    texts = {}
    word = docx.Document(io.BytesIO(_download(client, figures, "docx").content))
    cells = [c.text for t in word.tables for r in t.rows for c in r.cells]
    texts["docx"] = "\n".join([p.text for p in word.paragraphs] + cells)
    pdf = tmp_path / "bao-cao.pdf"
    pdf.write_bytes(_download(client, figures, "pdf").content)
    texts["pdf"] = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    book = openpyxl.load_workbook(io.BytesIO(_download(client, figures, "xlsx").content))
    texts["xlsx"] = "\n".join(
        str(c.value) for sheet in book for row in sheet.iter_rows() for c in row if c.value is not None
    )
    for kind, text in texts.items():
        assert "xem lại" not in text, kind  # review flags are never printed in an official document
        assert problems(text) == [], (kind, problems(text)[:10])
    assert "trẻ/100.000 trẻ sinh ra sống" in texts["xlsx"]


def _images(docx_bytes: bytes) -> set[bytes]:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as z:
        return {z.read(n) for n in z.namelist() if n.startswith("word/media/")}


def test_charts_are_drawn_once_and_shared_through_the_cache(client, figures, coordinator):
    """Issue 14 item 6: the second download, in a process that never drew them, takes the charts
    from the cache the app servers share (shown by a marked entry coming back in the file)."""
    from django.core.cache import cache

    from chitieu.reports import charts

    client.force_login(coordinator)
    charts.clear_cache()
    first = _download(client, figures, "docx").content
    keys = [k.split(":", 2)[2] for k in cache._cache if ":reports:charts:" in k]  # LocMemCache's keys
    assert len(keys) == 1
    drawn = cache.get(keys[0])
    assert _images(first) == {drawn.achievement, *drawn.trends}
    # Mark the shared entry: every trend chart replaced by the achievement chart.
    cache.set(keys[0], charts.ChartImages(drawn.achievement, (drawn.achievement,) * len(drawn.trends)))
    charts.clear_cache()  # as another process or server would start: nothing drawn in memory
    # Another day: another file (the finished file is cached too), the same charts.
    assert _images(_download(client, figures, "docx", as_of="2025-02-11").content) == {drawn.achievement}
