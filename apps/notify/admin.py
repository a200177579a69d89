from django.contrib import admin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "user", "tenant", "created_at", "read_at"]
    search_fields = ["title", "user__email"]
    list_select_related = ["user", "tenant"]
    raw_id_fields = ["tenant", "user"]
