from django.apps import AppConfig


class Config(AppConfig):
    name = "web.plans"
    label = "plans"
