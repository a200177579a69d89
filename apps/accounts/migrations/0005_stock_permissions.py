from django.db import migrations

# The stock permissions joined the catalogue: give them to the built-in roles organisations already have.
GRANTS = {
    "owner": ["stock.view", "stock.manage"],
    "manager": ["stock.view", "stock.manage"],
    "vet": ["stock.view", "stock.manage"],
    "milker": ["stock.view"],
    "worker": ["stock.view"],
    "viewer": ["stock.view"],
    "accountant": ["stock.view"],
}


def grant(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for role in Role.objects.filter(is_builtin=True, key__in=GRANTS):
        missing = [p for p in GRANTS[role.key] if p not in role.permissions]
        if missing:
            role.permissions = [*role.permissions, *missing]
            role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_profile_language_and_zone_follow")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
