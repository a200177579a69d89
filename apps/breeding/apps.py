from django.apps import AppConfig


class BreedingConfig(AppConfig):
    name = "apps.breeding"
    label = "breeding"

    def ready(self):
        from apps.milk.models import Lactation

        from .models import Birth, Heat, PregnancyCheck, Service, Task
        from .selectors import BREEDING

        BREEDING.follow(Service, PregnancyCheck, Birth, Heat, Task, Lactation)
