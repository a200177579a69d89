"""API keys (each acts through a membership of its own) and stored answers to idempotent requests."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.models import TenantModel

KEY_PREFIX = "ifk_"  # every secret starts so, for secret scanners and for people


class ApiKey(TenantModel):
    name = models.CharField(max_length=80)
    # The secret reads ifk_<tenant id>_<lookup>_<random>: the tenant and lookup find the key without a
    # search across organisations; the lookup is shown in lists so people can tell their keys apart.
    lookup = models.CharField(max_length=12)
    secret_hash = models.CharField(max_length=64)
    membership = models.ForeignKey("accounts.Membership", on_delete=models.PROTECT, related_name="+")
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_used_ip = models.GenericIPAddressField(null=True, blank=True)
    created_by = models.ForeignKey("accounts.Membership", on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "lookup"], name="apikey_tenant_lookup_uniq"),
                       models.UniqueConstraint(fields=["tenant", "membership"], name="apikey_tenant_membership_uniq")]
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({KEY_PREFIX}{self.tenant_id}_{self.lookup}…)"


class IdempotentRequest(TenantModel):
    """The first answer to a request sent with an Idempotency-Key, replayed for 24 hours."""

    membership = models.ForeignKey("accounts.Membership", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    request_hash = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(null=True)
    body = models.BinaryField(default=b"")
    content_type = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "membership", "key"], name="idempotent_tenant_member_key_uniq")]
        indexes = [models.Index(fields=["tenant", "created_at"], name="idempotent_tenant_created_idx")]


class WebhookEndpoint(TenantModel):
    """Where an organisation's systems hear about changes: an HTTPS URL, the events wanted, a signing secret."""

    url = models.URLField(max_length=500)
    events = models.JSONField(default=list)
    secret = models.CharField(max_length=80, help_text="whsec_…: signs every delivery (Standard Webhooks).")
    description = models.CharField(max_length=120, blank=True)
    is_active = models.BooleanField(default=True)
    failing_since = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey("accounts.Membership", on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

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

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    message_id = models.CharField(max_length=40)
    event = models.CharField(max_length=40)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_ms = models.PositiveIntegerField(null=True, blank=True)
    response_excerpt = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["tenant", "status", "next_attempt_at"], name="delivery_tenant_due_idx"),
                   models.Index(fields=["tenant", "endpoint", "created_at"], name="delivery_tenant_endpoint_idx")]
        ordering = ["-created_at", "-id"]
