from django.apps import AppConfig


class Config(AppConfig):
    name = "web.rollups"
    label = "rollups"
