from django.contrib import admin, messages
from django.utils.translation import gettext_lazy, ngettext

from . import services
from .models import Delivery, Notification, NotifySettings, PushSubscription


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    can_delete = False
    readonly_fields = ["channel", "status", "attempts", "next_attempt_at", "answer", "sent_at"]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "user", "tenant", "created_at", "read_at"]
    list_filter = ["kind"]
    search_fields = ["title", "user__email"]
    list_select_related = ["user", "tenant"]
    raw_id_fields = ["tenant", "user"]
    inlines = [DeliveryInline]


@admin.action(description=gettext_lazy("Send again now"))
def resend(modeladmin, request, queryset):
    count = 0
    for delivery in queryset:
        services.delivery_resend(delivery=delivery)
        count += 1
    messages.success(request, ngettext("%(count)s delivery queued again.", "%(count)s deliveries queued again.", count) % {
        "count": count})


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["notification", "channel", "status", "attempts", "next_attempt_at", "sent_at", "answer"]
    list_filter = ["channel", "status"]
    search_fields = ["notification__title", "notification__user__email", "answer"]
    list_select_related = ["notification"]
    readonly_fields = ["notification", "channel", "status", "attempts", "next_attempt_at", "answer", "sent_at", "created_at"]
    actions = [resend]

    def has_add_permission(self, request):
        return False


@admin.register(NotifySettings)
class NotifySettingsAdmin(admin.ModelAdmin):
    list_display = ["membership", "tenant", "quiet_start", "quiet_end", "digest"]
    raw_id_fields = ["tenant", "membership"]


@admin.register(PushSubscription)
class PushSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["user", "endpoint", "created_at"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]
