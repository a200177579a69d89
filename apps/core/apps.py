from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "apps.core"
    label = "core"

    def ready(self):
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate, pre_migrate

        from . import (
            checks,  # noqa: F401  (registers the tenancy system check)
            migrating,
        )
        from .rls import on_connection_created, on_post_migrate

        # Row-level security is database set-up, not business logic: policies after each migrate, and a
        # known starting point for each new connection.
        post_migrate.connect(on_post_migrate, dispatch_uid="core-rls-policies")
        # Data migrations query the database being migrated (the owner's), not the application role's.
        pre_migrate.connect(migrating.on_pre_migrate, dispatch_uid="core-migrating-start")
        post_migrate.connect(migrating.on_post_migrate, dispatch_uid="core-migrating-end")
        connection_created.connect(on_connection_created, dispatch_uid="core-rls-connection")
