from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.models import TenantModel

from .kinds import CHANNELS


class Notification(TenantModel):
    """One thing a member should hear about: the bell shows it; its deliveries carry it elsewhere."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(verbose_name=_("kind"), max_length=30, default="general")
    title = models.CharField(verbose_name=_("title"), max_length=140)
    body = models.CharField(verbose_name=_("body"), max_length=500, blank=True)
    url = models.CharField(verbose_name=_("url"), max_length=300, blank=True)
    # The message as rendered for the member's language: subject, text, html (email) and short (SMS, push).
    message = models.JSONField(verbose_name=_("message"), default=dict, blank=True)
    # Set by senders that may run twice (a daily job): the second notification with the key is not made.
    key = models.CharField(verbose_name=_("key"), max_length=120, blank=True)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(verbose_name=_("read at"), null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["tenant", "user", "read_at"], name="notification_tenant_user_idx")]
        constraints = [models.UniqueConstraint(fields=["tenant", "user", "key"], condition=~models.Q(key=""),
                                               name="notification_tenant_user_key_uniq")]
        ordering = ["-created_at"]

    def __str__(self):
        return self.title


class NotifySettings(TenantModel):
    """A member's choices: channels per kind, quiet hours in their own time zone, a daily digest."""

    membership = models.ForeignKey("accounts.Membership", verbose_name=_("membership"), on_delete=models.CASCADE, related_name="+")
    channels = models.JSONField(verbose_name=_("channels"), default=dict, blank=True, help_text=_("kind: [channels]; a kind left out uses its defaults."))
    quiet_start = models.TimeField(verbose_name=_("quiet start"), null=True, blank=True)
    quiet_end = models.TimeField(verbose_name=_("quiet end"), null=True, blank=True)
    digest = models.BooleanField(_("one email a day instead of one each"), default=False)

    class Meta:
        verbose_name_plural = _("notification settings")
        constraints = [models.UniqueConstraint(fields=["tenant", "membership"], name="notifysettings_tenant_member_uniq")]


class PushSubscription(models.Model):
    """A browser's Web Push address for one person (the service worker's subscription)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="push_subscriptions")
    endpoint = models.URLField(verbose_name=_("endpoint"), max_length=800, unique=True)
    p256dh = models.CharField(verbose_name=_("p256dh"), max_length=200)
    auth = models.CharField(verbose_name=_("auth"), max_length=60)
    user_agent = models.CharField(verbose_name=_("user agent"), max_length=200, blank=True)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)

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

    notification = models.ForeignKey(Notification, verbose_name=_("notification"), on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(verbose_name=_("channel"), max_length=5, choices=list(CHANNELS.items()))
    status = models.CharField(verbose_name=_("status"), max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(verbose_name=_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(verbose_name=_("next attempt at"), null=True, blank=True)
    answer = models.CharField(_("provider's answer"), max_length=500, blank=True)
    sent_at = models.DateTimeField(verbose_name=_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)

    class Meta:
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["tenant", "status", "next_attempt_at"], name="notifydelivery_tenant_due_idx")]

    def __str__(self):
        return f"{self.notification} by {self.channel}: {self.status}"
