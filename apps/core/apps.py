from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "apps.core"
    label = "core"

    def ready(self):
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate

        from . import checks  # noqa: F401  (registers the tenancy system check)
        from .rls import on_connection_created, on_post_migrate

        # Row-level security is database set-up, not business logic: policies after each migrate, and a
        # known starting point for each new connection.
        post_migrate.connect(on_post_migrate, dispatch_uid="core-rls-policies")
        connection_created.connect(on_connection_created, dispatch_uid="core-rls-connection")
