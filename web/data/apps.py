from django.apps import AppConfig


class Config(AppConfig):
    name = "web.data"
    label = "data"
