from django.contrib import admin

from .models import (
    AnimalDaySummary,
    BulkTankReading,
    FarmDaySummary,
    Lactation,
    MilkingVisit,
    MilkRecord,
    MilkRecordingResult,
    QualityAlert,
)


@admin.register(MilkRecord)
class MilkRecordAdmin(admin.ModelAdmin):
    list_display = ["date", "session", "animal", "farm", "quantity", "scc", "discarded", "tenant"]
    list_filter = ["session", "discarded", "date"]
    search_fields = ["animal__tag", "farm__name", "tenant__name"]
    list_select_related = ["animal", "farm", "tenant"]
    raw_id_fields = ["tenant", "farm", "animal", "lactation", "milker"]
    date_hierarchy = "date"


@admin.register(Lactation)
class LactationAdmin(admin.ModelAdmin):
    list_display = ["animal", "number", "calving_date", "dried_off_on", "tenant"]
    search_fields = ["animal__tag", "tenant__name"]
    list_select_related = ["animal", "tenant"]
    raw_id_fields = ["tenant", "animal"]


@admin.register(BulkTankReading)
class BulkTankReadingAdmin(admin.ModelAdmin):
    list_display = ["date", "session", "farm", "quantity", "scc", "tenant"]
    list_select_related = ["farm", "tenant"]
    raw_id_fields = ["tenant", "farm"]


@admin.register(FarmDaySummary)
class FarmDaySummaryAdmin(admin.ModelAdmin):
    list_display = ["date", "farm", "total", "discarded", "cows_milked", "tenant"]
    list_select_related = ["farm", "tenant"]
    raw_id_fields = ["tenant", "farm"]
    date_hierarchy = "date"


@admin.register(AnimalDaySummary)
class AnimalDaySummaryAdmin(admin.ModelAdmin):
    list_display = ["date", "animal", "total", "tenant"]
    list_select_related = ["animal", "tenant"]
    raw_id_fields = ["tenant", "farm", "animal"]


@admin.register(QualityAlert)
class QualityAlertAdmin(admin.ModelAdmin):
    list_display = ["date", "session", "kind", "message", "resolved_at", "tenant"]
    list_filter = ["kind"]
    list_select_related = ["tenant"]
    raw_id_fields = ["tenant", "farm", "animal"]


@admin.register(MilkingVisit)
class MilkingVisitAdmin(admin.ModelAdmin):
    list_display = ["started_at", "animal", "farm", "quantity", "complete", "device", "tenant"]
    list_filter = ["complete"]
    search_fields = ["animal__tag", "animal__eid", "farm__name", "tenant__name", "source_id"]
    list_select_related = ["animal", "farm", "tenant"]
    raw_id_fields = ["tenant", "farm", "animal", "record"]
    date_hierarchy = "started_at"


@admin.register(MilkRecordingResult)
class MilkRecordingResultAdmin(admin.ModelAdmin):
    list_display = ["date", "animal", "farm", "quantity", "fat", "protein", "scc", "code", "tenant"]
    search_fields = ["animal__tag", "animal__eid", "farm__name", "tenant__name", "source_id"]
    list_select_related = ["animal", "farm", "tenant"]
    raw_id_fields = ["tenant", "farm", "animal"]
    date_hierarchy = "date"
