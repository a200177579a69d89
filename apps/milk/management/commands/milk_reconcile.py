from django.core.management.base import BaseCommand

from tasks.milk import reconcile_milk_summaries


class Command(BaseCommand):
    help = "Recompute the last 7 days of milk summaries and fix any drift (the nightly job, run now)."

    def handle(self, *args, **options):
        fixed = reconcile_milk_summaries.call_local()
        self.stdout.write(f"{fixed} summaries fixed.")
