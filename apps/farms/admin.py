from django.contrib import admin

from .models import ExternalFarm, Farm


@admin.register(Farm)
class FarmAdmin(admin.ModelAdmin):
    list_display = ["name", "tenant", "farm_type", "milking_sessions_per_day", "archived_at"]
    list_filter = ["farm_type", "milking_sessions_per_day", "archived_at"]
    search_fields = ["name", "tenant__name", "address"]
    list_select_related = ["tenant"]


@admin.register(ExternalFarm)
class ExternalFarmAdmin(admin.ModelAdmin):
    list_display = ["name", "holding_number", "tenant"]
    search_fields = ["name", "holding_number", "tenant__name"]
    list_select_related = ["tenant"]
