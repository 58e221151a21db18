from django.apps import AppConfig


class ReorgConfig(AppConfig):
    name = "web.reorg"
    label = "reorg"
    default_auto_field = "django.db.models.BigAutoField"
