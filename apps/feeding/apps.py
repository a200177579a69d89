from django.apps import AppConfig


class FeedingConfig(AppConfig):
    name = "apps.feeding"
    label = "feeding"

    def ready(self):
        from django.utils.translation import gettext_lazy

        from apps.finance.reports import report_register
        from apps.milk.views import dashboard_card_register

        from .report import iofc_report

        report_register("iofc", gettext_lazy("Income over feed cost"), iofc_report)
        dashboard_card_register("iofc", gettext_lazy("Income over feed cost, by week"), "feeding:card")
