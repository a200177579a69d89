from django.apps import AppConfig


class MilkConfig(AppConfig):
    name = "apps.milk"
    label = "milk"

    def ready(self):
        import tasks.milk  # noqa: F401  (registers the nightly reconcile with Huey)
