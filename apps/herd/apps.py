from django.apps import AppConfig


class HerdConfig(AppConfig):
    name = "apps.herd"
    label = "herd"

    def ready(self):
        from . import selectors

        selectors.connect()
