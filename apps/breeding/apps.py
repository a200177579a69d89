from django.apps import AppConfig


class BreedingConfig(AppConfig):
    name = "apps.breeding"
    label = "breeding"
