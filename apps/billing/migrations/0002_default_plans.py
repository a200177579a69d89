"""Three plans to start with (staff edit them in the admin), and a 30-day trial for every organisation
that already exists."""

import datetime as dt
from decimal import Decimal

from django.db import migrations

PLANS = [
    # key, name, description, animals, farms, members, storage MB, API calls, api, webhooks, sso, reports, trial
    ("smallholder", "Smallholder", "One farm and a small herd.", 30, 1, 3, 250, None, False, False, False, False, False),
    ("family", "Family farm", "A family dairy with a few farms and helpers.", 150, 3, 10, 2000, 20000, True, True, False,
     True, True),
    ("commercial", "Commercial", "Large herds, many farms, single sign-on.", 1500, 20, 60, 20000, 300000, True, True, True,
     True, False),
]
PRICES = {  # monthly; a year costs ten months
    "smallholder": {"USD": "5", "EUR": "5", "KES": "650", "UGX": "18000", "TZS": "13000"},
    "family": {"USD": "15", "EUR": "14", "KES": "1950", "UGX": "55000", "TZS": "39000"},
    "commercial": {"USD": "60", "EUR": "55", "KES": "7800", "UGX": "220000", "TZS": "156000"},
}


def create(apps, schema_editor):
    Plan = apps.get_model("billing", "Plan")
    PlanPrice = apps.get_model("billing", "PlanPrice")
    Subscription = apps.get_model("billing", "Subscription")
    Tenant = apps.get_model("accounts", "Tenant")
    for sort, (key, name, description, animals, farms, members, storage, calls, api, hooks, sso, reports, trial) in enumerate(PLANS):
        plan, _ = Plan.objects.get_or_create(key=key, defaults=dict(
            name=name, description=description, sort=sort, is_trial=trial, max_animals=animals, max_farms=farms,
            max_members=members, max_storage_mb=storage, max_api_calls=calls if api else 0, feature_api=api,
            feature_webhooks=hooks, feature_sso=sso, feature_background_reports=reports))
        for currency, monthly in PRICES[key].items():
            PlanPrice.objects.get_or_create(plan=plan, currency=currency, defaults={
                "monthly": Decimal(monthly), "yearly": Decimal(monthly) * 10})
    trial = Plan.objects.get(key="family")
    priced = set(PlanPrice.objects.values_list("currency", flat=True))
    today = dt.date.today()
    ends = today + dt.timedelta(days=30)
    for tenant in Tenant.objects.all():
        if not Subscription.objects.filter(tenant=tenant).exists():
            Subscription.objects.create(
                tenant=tenant, plan=trial, currency=tenant.currency if tenant.currency in priced else "USD",
                status="trialing", trial_ends_on=ends, current_period_start=today, current_period_end=ends,
                anchor_day=ends.day)


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial"), ("accounts", "0014_tenant_read_only_reason")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
