"""Official reports: one format-neutral model, rendered as Word, Excel or PDF.

For the CLI and the web app:

    report = build_report(plan, observations, "2024", as_of=date(2024, 12, 14))
    data = render(report, "docx")            # bytes; also "xlsx", "pdf"
    MEDIA_TYPES["docx"], filename(report, "docx")

Heavy libraries (python-docx, openpyxl, matplotlib, WeasyPrint) are imported
only by the renderer that needs them.
"""

from __future__ import annotations

from chitieu.reports.model import Report

FORMATS = ("docx", "xlsx", "pdf")
MEDIA_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def render(report: Report, fmt: str) -> bytes:
    """The report file's bytes in ``fmt`` (docx, xlsx or pdf)."""
    # Lazy on purpose (not a cycle): each renderer loads its heavy library (python-docx,
    # openpyxl, WeasyPrint) only when that format is asked for.
    if fmt == "docx":
        from chitieu.reports.word import render_docx

        return render_docx(report)
    if fmt == "xlsx":
        from chitieu.reports.excel import render_xlsx

        return render_xlsx(report)
    if fmt == "pdf":
        from chitieu.reports.pdf import render_pdf

        return render_pdf(report)
    raise ValueError(f"định dạng không hỗ trợ: {fmt!r} (dùng docx, xlsx hoặc pdf)")


def filename(report: Report, fmt: str) -> str:
    """A download name such as ``bao-cao-binh-dang-gioi-2024.docx``."""
    stem = "phu-luc-ket-qua" if fmt == "xlsx" else "bao-cao-binh-dang-gioi"
    if report.yearly is not None:  # the phase report (báo cáo tổng kết giai đoạn)
        stem = "phu-luc-tong-ket" if fmt == "xlsx" else "bao-cao-tong-ket"
    return f"{stem}-{report.period}.{fmt}"
