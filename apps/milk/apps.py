from django.apps import AppConfig


class MilkConfig(AppConfig):
    name = "apps.milk"
    label = "milk"
