from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"
    verbose_name = "Accounts and tenants"

    def ready(self):
        from . import services  # noqa: F401  (registers the invitation email's outbox handler)
