"""What feature phones sent through the SMS provider's callbacks, kept so that a callback sent again (the provider
retries) is answered once and acted on once."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Inbound(models.Model):
    """An incoming SMS or USSD step, by the provider's id. Not an organisation's row: it is received before the
    sender is known, and a sender who is no member is kept here and nowhere else."""

    class Kind(models.TextChoices):
        SMS = "sms", _("SMS")
        USSD = "ussd", _("USSD")

    kind = models.CharField(verbose_name=_("kind"), max_length=4, choices=Kind.choices)
    provider_id = models.CharField(verbose_name=_("provider's id"), max_length=120)
    phone = models.CharField(verbose_name=_("phone"), max_length=32)
    text = models.CharField(verbose_name=_("text"), max_length=500, blank=True)
    reply = models.CharField(verbose_name=_("reply"), max_length=500, blank=True)
    tenant_id = models.BigIntegerField(verbose_name=_("organisation"), null=True, blank=True)
    received_at = models.DateTimeField(verbose_name=_("received at"), auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "provider_id", "text"], name="inbound_kind_id_text_uniq")]
        indexes = [models.Index(fields=["received_at"], name="inbound_received_idx")]
