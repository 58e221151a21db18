from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "web.notices"
    label = "notices"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Django's documented place to connect listeners: after every app's models are loaded.
        from web.core import hooks
        from web.notices.services import notify_new_duties, notify_submission_moved

        hooks.listen(hooks.SUBMISSION_MOVED, notify_submission_moved)
        hooks.listen(hooks.PLAN_CONFIRMED, notify_new_duties)
