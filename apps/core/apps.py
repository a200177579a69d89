from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "apps.core"
    label = "core"

    def ready(self):
        import tasks

        from . import checks  # noqa: F401  (registers the tenancy system check)

        tasks.register_all()
