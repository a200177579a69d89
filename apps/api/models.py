"""API keys (each acts through a membership of its own) and stored answers to idempotent requests."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.models import TenantModel

KEY_PREFIX = "ifk_"  # every secret starts so, for secret scanners and for people


class ApiKey(TenantModel):
    name = models.CharField(verbose_name=_("name"), max_length=80)
    # The secret reads ifk_<tenant id>_<lookup>_<random>: the tenant and lookup find the key without a
    # search across organisations; the lookup is shown in lists so people can tell their keys apart.
    lookup = models.CharField(verbose_name=_("lookup"), max_length=12)
    secret_hash = models.CharField(verbose_name=_("secret hash"), max_length=64)
    membership = models.ForeignKey("accounts.Membership", verbose_name=_("membership"), on_delete=models.PROTECT, related_name="+")
    expires_at = models.DateTimeField(verbose_name=_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(verbose_name=_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(verbose_name=_("last used at"), null=True, blank=True)
    last_used_ip = models.GenericIPAddressField(verbose_name=_("last used ip"), null=True, blank=True)
    created_by = models.ForeignKey("accounts.Membership", verbose_name=_("created by"), on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "lookup"], name="apikey_tenant_lookup_uniq"),
                       models.UniqueConstraint(fields=["tenant", "membership"], name="apikey_tenant_membership_uniq")]
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({KEY_PREFIX}{self.tenant_id}_{self.lookup}…)"


class IdempotentRequest(TenantModel):
    """The first answer to a request sent with an Idempotency-Key, replayed for 24 hours."""

    membership = models.ForeignKey("accounts.Membership", verbose_name=_("membership"), on_delete=models.CASCADE, related_name="+")
    key = models.CharField(verbose_name=_("key"), max_length=200)
    request_hash = models.CharField(verbose_name=_("request hash"), max_length=64)
    status = models.PositiveSmallIntegerField(verbose_name=_("status"), null=True)
    body = models.BinaryField(verbose_name=_("body"), default=b"")
    content_type = models.CharField(verbose_name=_("content type"), max_length=100, blank=True)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "membership", "key"], name="idempotent_tenant_member_key_uniq")]
        indexes = [models.Index(fields=["tenant", "created_at"], name="idempotent_tenant_created_idx")]


class WebhookEndpoint(TenantModel):
    """Where an organisation's systems hear about changes: an HTTPS URL, the events wanted, a signing secret."""

    url = models.URLField(verbose_name=_("url"), max_length=500)
    events = models.JSONField(verbose_name=_("events"), default=list)
    secret = models.CharField(verbose_name=_("secret"), max_length=80, help_text=_("whsec_…: signs every delivery (Standard Webhooks)."))
    description = models.CharField(verbose_name=_("description"), max_length=120, blank=True)
    is_active = models.BooleanField(verbose_name=_("is active"), default=True)
    failing_since = models.DateTimeField(verbose_name=_("failing since"), null=True, blank=True)
    disabled_reason = models.CharField(verbose_name=_("disabled reason"), max_length=200, blank=True)
    created_by = models.ForeignKey("accounts.Membership", verbose_name=_("created by"), on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.url


class WebhookDelivery(TenantModel):
    """One event for one endpoint: written in the change's transaction, sent and retried by workers."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Gave up")

    endpoint = models.ForeignKey(WebhookEndpoint, verbose_name=_("endpoint"), on_delete=models.CASCADE, related_name="deliveries")
    message_id = models.CharField(verbose_name=_("message id"), max_length=40)
    event = models.CharField(verbose_name=_("event"), max_length=40)
    payload = models.JSONField(verbose_name=_("payload"))
    status = models.CharField(verbose_name=_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(verbose_name=_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(verbose_name=_("next attempt at"))
    locked_until = models.DateTimeField(verbose_name=_("locked until"), null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(verbose_name=_("response status"), null=True, blank=True)
    response_ms = models.PositiveIntegerField(verbose_name=_("response ms"), null=True, blank=True)
    response_excerpt = models.CharField(verbose_name=_("response excerpt"), max_length=300, blank=True)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    delivered_at = models.DateTimeField(verbose_name=_("delivered at"), null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["tenant", "status", "next_attempt_at"], name="delivery_tenant_due_idx"),
                   models.Index(fields=["tenant", "endpoint", "created_at"], name="delivery_tenant_endpoint_idx")]
        ordering = ["-created_at", "-id"]
