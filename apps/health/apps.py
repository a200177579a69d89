from django.apps import AppConfig


class HealthConfig(AppConfig):
    name = "apps.health"
    label = "health"

    def ready(self):
        from apps.herd import hooks
        from apps.herd.selectors import HERD

        from .models import HealthCheck, Treatment
        from .selectors import health_events_of, meat_withdrawal_until

        HERD.follow(Treatment, HealthCheck)
        hooks.meat_withdrawal_register(meat_withdrawal_until)
        hooks.timeline_register(health_events_of)
