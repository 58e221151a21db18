from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from chitieu.reports.charts import use_store
from web.reports.charts_store import CachedCharts


class ReportDownloadsConfig(AppConfig):
    """The annual report of the database's figures as Word, PDF and Excel downloads.

    Labelled ``report_downloads`` so it never reads as the core's ``chitieu.reports``.
    """

    name = "web.reports"
    label = "report_downloads"
    verbose_name = _("report downloads")

    def ready(self) -> None:
        use_store(CachedCharts())  # every report's charts are drawn once, whichever server asks
