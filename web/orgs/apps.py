from django.apps import AppConfig


class Config(AppConfig):
    name = "web.orgs"
    label = "orgs"
