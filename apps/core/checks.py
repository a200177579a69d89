"""System check: every tenant model is ready to be distributed by tenant_id (Citus)."""

from django.apps import apps
from django.core import checks
from django.db import models

from .models import TenantModel


def _starts_with_tenant(fields) -> bool:
    names = [f.lstrip("-") for f in fields]
    return bool(names) and names[0] in ("tenant", "tenant_id")


@checks.register(checks.Tags.models, checks.Tags.database)
def check_tenant_models(app_configs=None, **kwargs):
    errors = []
    for model in apps.get_models():
        if not issubclass(model, TenantModel):
            continue
        label = model._meta.label
        tenant_field = model._meta.get_field("tenant")
        if tenant_field.null:
            errors.append(checks.Error(f"{label}.tenant must not be nullable.", obj=model, id="ifarm.E001"))
        for field in model._meta.local_fields:
            if field.unique and not field.primary_key:
                errors.append(
                    checks.Error(
                        f"{label}.{field.name} is unique on its own; make the constraint (tenant, {field.name}).",
                        obj=model,
                        id="ifarm.E002",
                    )
                )
        for fields in model._meta.unique_together:
            if not _starts_with_tenant(fields):
                errors.append(checks.Error(f"{label} unique_together {fields} must start with tenant.", obj=model, id="ifarm.E003"))
        for constraint in model._meta.constraints:
            if isinstance(constraint, models.UniqueConstraint) and not _starts_with_tenant(constraint.fields):
                errors.append(
                    checks.Error(f"{label} constraint {constraint.name} must start with tenant.", obj=model, id="ifarm.E003")
                )
        for index in model._meta.indexes:
            if not _starts_with_tenant(index.fields):
                errors.append(checks.Error(f"{label} index {index.name} must start with tenant.", obj=model, id="ifarm.E004"))
        for field in model._meta.local_fields:
            if field.db_index and not field.primary_key and not field.remote_field and field.name != "tenant":
                errors.append(
                    checks.Error(
                        f"{label}.{field.name} has a single-column index; use a (tenant, {field.name}) index.",
                        obj=model,
                        id="ifarm.E004",
                    )
                )
    return errors
