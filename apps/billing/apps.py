from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "apps.billing"
    label = "billing"
    verbose_name = "Plans and billing"

    def ready(self):
        from . import services  # noqa: F401  (registers the outbox handlers)
