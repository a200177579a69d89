from django.contrib import admin

from .models import Farm


@admin.register(Farm)
class FarmAdmin(admin.ModelAdmin):
    list_display = ["name", "tenant", "farm_type", "milking_sessions_per_day", "archived_at"]
    list_filter = ["farm_type", "milking_sessions_per_day", "archived_at"]
    search_fields = ["name", "tenant__name", "address"]
    list_select_related = ["tenant"]
