from django.conf import settings
from django.db import models

from apps.core.models import TenantModel


class Notification(TenantModel):
    """An in-app message to one person (the bell). Later channels build on this row."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    title = models.CharField(max_length=140)
    body = models.CharField(max_length=500, blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["tenant", "user", "read_at"], name="notification_tenant_user_idx")]
        ordering = ["-created_at"]

    def __str__(self):
        return self.title
