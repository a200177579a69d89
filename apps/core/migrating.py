"""Data migrations run on the database being migrated.

`manage.py migrate --database owner` creates the tables as their owner, but a data migration's ORM queries
(RunPython: `Model.objects...`) would go to the default alias, the application role, which has no rights on
tables made a moment ago (it is granted them once the migrate ends). While a migrate runs, this router
sends every query to the alias being migrated.
"""

from contextvars import ContextVar

_migrating: ContextVar[str | None] = ContextVar("migrating", default=None)


def on_pre_migrate(sender, using="default", **kwargs):
    _migrating.set(using)


def on_post_migrate(sender, using="default", **kwargs):
    _migrating.set(None)


class MigrationRouter:
    def db_for_read(self, model, **hints):
        return _migrating.get()

    def db_for_write(self, model, **hints):
        return _migrating.get()
