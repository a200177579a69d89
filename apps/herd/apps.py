from django.apps import AppConfig


class HerdConfig(AppConfig):
    name = "apps.herd"
    label = "herd"
