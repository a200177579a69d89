from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.models import TenantModel

from .kinds import CHANNELS


class Notification(TenantModel):
    """One thing a member should hear about: the bell shows it; its deliveries carry it elsewhere."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=30, default="general")
    title = models.CharField(max_length=140)
    body = models.CharField(max_length=500, blank=True)
    url = models.CharField(max_length=300, blank=True)
    # The message as rendered for the member's language: subject, text, html (email) and short (SMS, push).
    message = models.JSONField(default=dict, blank=True)
    # Set by senders that may run twice (a daily job): the second notification with the key is not made.
    key = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["tenant", "user", "read_at"], name="notification_tenant_user_idx")]
        constraints = [models.UniqueConstraint(fields=["tenant", "user", "key"], condition=~models.Q(key=""),
                                               name="notification_tenant_user_key_uniq")]
        ordering = ["-created_at"]

    def __str__(self):
        return self.title


class NotifySettings(TenantModel):
    """A member's choices: channels per kind, quiet hours in their own time zone, a daily digest."""

    membership = models.ForeignKey("accounts.Membership", on_delete=models.CASCADE, related_name="+")
    channels = models.JSONField(default=dict, blank=True, help_text="kind: [channels]; a kind left out uses its defaults.")
    quiet_start = models.TimeField(null=True, blank=True)
    quiet_end = models.TimeField(null=True, blank=True)
    digest = models.BooleanField("one email a day instead of one each", default=False)

    class Meta:
        verbose_name_plural = "notification settings"
        constraints = [models.UniqueConstraint(fields=["tenant", "membership"], name="notifysettings_tenant_member_uniq")]


class PushSubscription(models.Model):
    """A browser's Web Push address for one person (the service worker's subscription)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions")
    endpoint = models.URLField(max_length=800, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=60)
    user_agent = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.user}: {self.endpoint[:60]}"


class Delivery(TenantModel):
    """One notification on one channel: what happened, how often it was tried, what the provider said."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        HELD = "held", _("Held for quiet hours")
        DIGEST = "digest", _("In the daily digest")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Not sent")

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=5, choices=list(CHANNELS.items()))
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    answer = models.CharField("provider's answer", max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "deliveries"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["tenant", "status", "next_attempt_at"], name="notifydelivery_tenant_due_idx")]

    def __str__(self):
        return f"{self.notification} by {self.channel}: {self.status}"
