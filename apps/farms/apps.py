from django.apps import AppConfig


class FarmsConfig(AppConfig):
    name = "apps.farms"
    label = "farms"

    def ready(self):
        from django_scopes import scopes_disabled

        from apps.core import limits

        from .models import Farm

        def farms(tenant_id: int) -> int:
            with scopes_disabled():
                return Farm.objects.filter(tenant_id=tenant_id, archived_at=None).count()

        limits.counter_register("farms", farms)
