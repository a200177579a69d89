from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "apps.api"
    label = "api"
    verbose_name = "API"

    def ready(self):
        from . import webhooks  # noqa: F401  (registers the outbox handler of domain events)
