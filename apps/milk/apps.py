from django.apps import AppConfig


class MilkConfig(AppConfig):
    name = "apps.milk"
    label = "milk"

    def ready(self):
        from django.utils.translation import gettext_lazy

        from apps.finance.reports import report_register
        from apps.health.hooks import milk_register

        from .report import milk_report
        from .selectors import animal_in_milk
        from .services import milk_withheld_discard
        from .services.versions import session_context_follow

        milk_register(in_milk=animal_in_milk, withheld_discard=milk_withheld_discard)
        session_context_follow()
        report_register("milk", gettext_lazy("Milk"), milk_report)
