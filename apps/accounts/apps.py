from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"
    verbose_name = "Accounts and tenants"

    def ready(self):
        from apps.core import limits
        from apps.core.access import engine_register

        from . import people, selectors, services, usersessions  # noqa: F401  (services registers the invitation email's outbox handler)
        from .permissions import CATALOGUE, decision

        engine_register(decision=decision, catalogue=CATALOGUE)
        limits.counter_register("members", selectors.members_counted)
        people.connect()
        usersessions.connect()
