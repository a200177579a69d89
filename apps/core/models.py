"""Tenant-scoped base models."""

from django.apps import apps as django_apps
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopeError, get_scope

TENANT_MODEL = "accounts.Tenant"


def tenant_model():
    """The organisation model, reached by its label as Django reaches the user model: the apps below
    accounts (audit keeps its chain's head on the organisation's row) name it without importing accounts."""
    return django_apps.get_model(TENANT_MODEL)


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


def loaded(instance: models.Model, name: str):
    """The related object behind `name` if it is already loaded, else None (no query).

    For __str__ methods that the audit log calls on the hot path: a name when it is at hand, an id
    when it is not.
    """
    field = instance._meta.get_field(name)
    return getattr(instance, name) if field.is_cached(instance) else None


class TenantUploadPath:
    """An upload_to that files uploads under the tenant: kind/<tenant id>/<year>/<month>/<name>.

    Object storage policies and backups can then be drawn per organisation.
    """

    def __init__(self, kind: str):
        self.kind = kind

    def __call__(self, instance, filename: str) -> str:
        from django.utils import timezone

        now = timezone.now()
        return f"{self.kind}/{instance.tenant_id}/{now:%Y/%m}/{filename}"

    def deconstruct(self):
        return ("apps.core.models.TenantUploadPath", [self.kind], {})

    def __eq__(self, other):
        return isinstance(other, TenantUploadPath) and other.kind == self.kind

    def __hash__(self):
        return hash(self.kind)


tenant_upload_path = TenantUploadPath


class TenantModel(models.Model):
    """A row owned by one tenant."""

    tenant = models.ForeignKey(TENANT_MODEL, verbose_name=_("tenant"), on_delete=models.CASCADE, related_name="+")

    objects = TenantManager()

    class Meta:
        abstract = True


class TimeStamped(models.Model):
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class OutboxMessage(TenantModel):
    """Work that must happen after a change: written in the change's transaction, done by a worker.

    Huey loses a task whose worker dies mid-run; this row does not. The task marks it done, and a
    periodic sweeper sends rows that stayed pending too long back to the queue. Handlers are
    idempotent, so a row done twice has one effect.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(verbose_name=_("kind"), max_length=60)
    payload = models.JSONField(verbose_name=_("payload"), default=dict)
    status = models.CharField(verbose_name=_("status"), max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(verbose_name=_("attempts"), default=0)
    locked_until = models.DateTimeField(verbose_name=_("locked until"), null=True, blank=True)
    last_error = models.TextField(verbose_name=_("last error"), blank=True)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    done_at = models.DateTimeField(verbose_name=_("done at"), null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["tenant", "status", "created_at"], name="outbox_tenant_status_idx")]

    def __str__(self):
        return f"{self.kind} #{self.pk} ({self.status})"


class EventSequence(TenantModel):
    """The last sequence number given to an event about one resource ("animal:12"): receivers order a
    resource's events by it, whatever order the deliveries arrive in."""

    resource = models.CharField(verbose_name=_("resource"), max_length=80)
    last = models.BigIntegerField(verbose_name=_("last number"), default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "resource"], name="eventseq_tenant_resource_uniq")]

    def __str__(self):
        return f"{self.resource}: {self.last}"
