from django.apps import AppConfig


class TasksConfig(AppConfig):
    """Import every task module when Django starts, so the web and the consumer know the same tasks."""

    name = "tasks"

    def ready(self):
        from . import register_all

        register_all()
