from django.db import migrations

CATEGORIES = [
    ("feed", "Feed"), ("veterinary", "Veterinary"), ("labour", "Labour"), ("fuel", "Fuel"), ("repairs", "Repairs"),
    ("utilities", "Utilities"), ("equipment", "Equipment"), ("transport", "Transport"), ("other", "Other"),
]


def add_defaults(apps, schema_editor):
    Tenant = apps.get_model("accounts", "Tenant")
    ExpenseCategory = apps.get_model("finance", "ExpenseCategory")
    ExpenseCategory.objects.bulk_create(
        [ExpenseCategory(tenant_id=tenant_id, key=key, name=name, is_builtin=True)
         for tenant_id in Tenant.objects.values_list("pk", flat=True) for key, name in CATEGORIES],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [("finance", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
