from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "apps.billing"
    label = "billing"
    verbose_name = "Plans and billing"

    def ready(self):
        from apps.accounts.services import tenant_setup_register
        from apps.core import limits as asked

        from . import limits, services  # noqa: F401  (services registers the outbox handlers)

        tenant_setup_register(services.subscription_start_trial)
        asked.rules_register(room=limits.room_problem, feature=limits.feature_problem)
