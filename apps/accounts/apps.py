from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"
    verbose_name = "Accounts and tenants"

    def ready(self):
        from . import people, services  # noqa: F401  (services registers the invitation email's outbox handler)

        people.connect()
