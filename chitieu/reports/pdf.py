"""The report as PDF: the HTML rendering laid out by WeasyPrint (imported only here)."""

from __future__ import annotations

from chitieu.reports.charts import ChartImages, chart_images
from chitieu.reports.html import render_html
from chitieu.reports.model import Report


def render_pdf(report: Report, images: ChartImages | None = None) -> bytes:
    from weasyprint import HTML

    images = images if images is not None else chart_images(report)
    html = render_html(report, images)
    # base_url lets the @font-face file:// URLs resolve; nothing is fetched from the network.
    return HTML(string=html, base_url="/").write_pdf()
