from django.contrib import admin, messages
from django.utils import timezone

from .models import OutboxMessage
from .outbox import schedule


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """Work promised after a change: staff see what is pending or failed and can send it again."""

    list_display = ["id", "kind", "status", "attempts", "created_at", "done_at", "tenant"]
    list_filter = ["status", "kind"]
    list_select_related = ["tenant"]
    search_fields = ["kind", "tenant__name", "last_error"]
    readonly_fields = ["tenant", "kind", "payload", "status", "attempts", "locked_until", "last_error", "created_at", "done_at"]
    actions = ["send_again"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Send again (pending or failed messages)")
    def send_again(self, request, queryset):
        ids = list(queryset.exclude(status=OutboxMessage.Status.DONE).values_list("pk", flat=True))
        OutboxMessage.objects.filter(pk__in=ids).update(status=OutboxMessage.Status.PENDING, locked_until=None, attempts=0,
                                                        created_at=timezone.now())
        for message_id in ids:
            schedule(message_id)
        self.message_user(request, f"{len(ids)} message(s) queued again.", messages.SUCCESS)
