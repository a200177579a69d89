"""Tenant-scoped base models."""

from django.db import models
from django_scopes import ScopeError, get_scope


class UnscopedQuerySet(models.QuerySet):
    """A queryset built with no tenant scope active: it may be chained, never run.

    Building one is harmless (model forms build querysets at import time); running one means a
    code path forgot its tenant, and it raises instead of returning every tenant's rows.
    """

    def _refuse(self, *args, **kwargs):
        raise ScopeError(f"{self.model._meta.label} was queried with no tenant scope active.")

    _fetch_all = _refuse
    count = _refuse
    exists = _refuse
    aggregate = _refuse
    update = _refuse
    delete = _refuse
    iterator = _refuse
    in_bulk = _refuse
    explain = _refuse
    contains = _refuse
    _update = _refuse
    _raw_delete = _refuse


class TenantManager(models.Manager):
    """Filters by the active django-scopes tenant; with none active, queries refuse to run."""

    def get_queryset(self):
        current = get_scope()
        if not current.get("_enabled", True):
            return super().get_queryset()
        if "tenant" not in current:
            return UnscopedQuerySet(self.model, using=self._db)
        value = current["tenant"]
        queryset = super().get_queryset()
        if isinstance(value, (list, tuple, set, frozenset)):
            return queryset.filter(tenant__in=value)
        return queryset.filter(tenant=value)

    def unscoped(self):
        """All tenants' rows: for lookups that establish the tenant (invitation links, switcher)."""
        return super().get_queryset()


class TenantModel(models.Model):
    """A row owned by one tenant."""

    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.CASCADE, related_name="+")

    objects = TenantManager()

    class Meta:
        abstract = True


class TimeStamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
