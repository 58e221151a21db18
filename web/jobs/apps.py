from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "web.jobs"
    label = "jobs"
    verbose_name = _("Background jobs")

    def ready(self) -> None:
        # Imported here because Django's app loading requires it, not to dodge a cycle.
        from web.core import hooks
        from web.jobs.services import verdicts_stale

        hooks.listen(hooks.VERDICTS_STALE, verdicts_stale)
