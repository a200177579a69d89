from django.apps import AppConfig


class FinanceConfig(AppConfig):
    name = "apps.finance"
    label = "finance"

    def ready(self):
        from . import handlers  # noqa: F401  (registers the outbox handlers)
