from django.apps import AppConfig


class Config(AppConfig):
    name = "web.home"
    label = "home"
