from django.apps import AppConfig


class FarmsConfig(AppConfig):
    name = "apps.farms"
    label = "farms"
