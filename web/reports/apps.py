from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportDownloadsConfig(AppConfig):
    """The annual report of the database's figures as Word, PDF and Excel downloads.

    Labelled ``report_downloads`` so it never reads as the core's ``chitieu.reports``.
    """

    name = "web.reports"
    label = "report_downloads"
    verbose_name = _("report downloads")
