from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.models import TenantModel


class AuditEntry(TenantModel):
    """One link of a tenant's append-only hash chain.

    `entry_hash` is SHA-256 over the previous entry's hash and this entry's canonical JSON, so
    changing, inserting or removing any entry breaks every hash after it.
    """

    seq = models.PositiveBigIntegerField(verbose_name=_("seq"))
    created_at = models.DateTimeField(verbose_name=_("created at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        db_constraint=False
    )
    actor_email = models.CharField(verbose_name=_("actor email"), max_length=254, blank=True)
    membership_id = models.BigIntegerField(verbose_name=_("membership id"), null=True, blank=True)
    role = models.CharField(verbose_name=_("role"), max_length=60, blank=True)
    farm_id = models.BigIntegerField(verbose_name=_("farm id"), null=True, blank=True)
    action = models.CharField(verbose_name=_("action"), max_length=60)
    object_type = models.CharField(verbose_name=_("object type"), max_length=60, blank=True)
    object_id = models.CharField(verbose_name=_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(verbose_name=_("object repr"), max_length=200, blank=True)
    before = models.JSONField(verbose_name=_("before"), null=True, blank=True)
    after = models.JSONField(verbose_name=_("after"), null=True, blank=True)
    permission = models.CharField(verbose_name=_("permission"), max_length=60, blank=True)
    delegation_id = models.BigIntegerField(verbose_name=_("delegation id"), null=True, blank=True, help_text=_("The delegation the actor acted under."))
    ip = models.CharField(verbose_name=_("ip"), max_length=45, blank=True)
    user_agent = models.CharField(verbose_name=_("user agent"), max_length=300, blank=True)
    request_id = models.CharField(verbose_name=_("request id"), max_length=64, blank=True)
    prev_hash = models.CharField(verbose_name=_("prev hash"), max_length=64)
    entry_hash = models.CharField(verbose_name=_("entry hash"), max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "seq"], name="audit_tenant_seq_uniq")]
        indexes = [
            models.Index(fields=["tenant", "-created_at"], name="audit_tenant_created_idx"),
            models.Index(fields=["tenant", "action"], name="audit_tenant_action_idx"),
            models.Index(fields=["tenant", "object_type", "object_id"], name="audit_tenant_object_idx"),
        ]
        ordering = ["-seq"]
        verbose_name_plural = _("audit entries")

    def __str__(self):
        return f"#{self.seq} {self.action} {self.object_repr}"

    def canonical_fields(self) -> dict:
        return {
            "seq": self.seq,
            "tenant": self.tenant_id,
            "created_at": self.created_at.isoformat(),
            "actor": self.actor_id,
            "actor_email": self.actor_email,
            "membership": self.membership_id,
            "role": self.role,
            "farm": self.farm_id,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "object_repr": self.object_repr,
            "before": self.before,
            "after": self.after,
            "permission": self.permission,
            "ip": self.ip,
            "user_agent": self.user_agent,
            "request_id": self.request_id,
        } | ({"delegation": self.delegation_id} if self.delegation_id is not None else {})


class AuditArchive(TenantModel):
    """One month of a tenant's chain moved out of the live table into a compressed JSON-lines file.

    The file holds every entry as stored (its hash included); `sha256` is the file's checksum, so a
    changed file is named by audit_verify. After seven years the file is purged: the row stays, with
    its last hash, so the chain still verifies from the oldest file kept.
    """

    month = models.DateField(verbose_name=_("month"), help_text=_("The first day of the month archived."))
    first_seq = models.PositiveBigIntegerField(verbose_name=_("first seq"))
    last_seq = models.PositiveBigIntegerField(verbose_name=_("last seq"))
    entries = models.PositiveIntegerField(verbose_name=_("entries"))
    first_prev_hash = models.CharField(verbose_name=_("first prev hash"), max_length=64)
    last_hash = models.CharField(verbose_name=_("last hash"), max_length=64)
    file = models.CharField(verbose_name=_("file"), max_length=300, help_text=_("The file's name in the storage backend."))
    size = models.PositiveBigIntegerField(verbose_name=_("size"))
    sha256 = models.CharField(verbose_name=_("sha256"), max_length=64)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    purged_at = models.DateTimeField(verbose_name=_("purged at"), null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "month"], name="audit_archive_tenant_month_uniq")]
        ordering = ["month"]

    def __str__(self):
        return f"Audit {self.month:%Y-%m} (#{self.first_seq}-#{self.last_seq})"
