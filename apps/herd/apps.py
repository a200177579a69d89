from django.apps import AppConfig


class HerdConfig(AppConfig):
    name = "apps.herd"
    label = "herd"

    def ready(self):
        from django_scopes import scopes_disabled

        from apps.core import limits
        from apps.farms.views import farm_section_register

        from . import selectors, views
        from .models import Animal, Status

        def animals(tenant_id: int) -> int:
            with scopes_disabled():
                return Animal.objects.filter(tenant_id=tenant_id, status=Status.ACTIVE).count()

        limits.counter_register("animals", animals)
        limits.files_register(Animal, "photo")
        selectors.connect()
        farm_section_register(views.farm_groups_section)
