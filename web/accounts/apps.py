from django.apps import AppConfig


class Config(AppConfig):
    name = "web.accounts"
    label = "accounts"
