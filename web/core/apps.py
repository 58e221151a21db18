from django.apps import AppConfig


class Config(AppConfig):
    name = "web.core"
    label = "core"
