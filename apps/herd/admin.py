from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Animal, AnimalGroup, Breed, OutsideSire


@admin.register(Animal)
class AnimalAdmin(SimpleHistoryAdmin):
    list_display = ["tag", "name", "tenant", "farm", "species", "sex", "status", "date_of_birth"]
    list_filter = ["species", "sex", "status"]
    search_fields = ["tag", "eid", "name", "tenant__name"]
    list_select_related = ["tenant", "farm"]
    raw_id_fields = ["tenant", "farm", "group", "dam", "genetic_dam", "sire", "breed", "registered_sire"]


@admin.register(AnimalGroup)
class AnimalGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "farm", "tenant"]
    search_fields = ["name", "farm__name"]
    list_select_related = ["farm", "tenant"]


@admin.register(Breed)
class BreedAdmin(admin.ModelAdmin):
    list_display = ["name", "species"]
    list_filter = ["species"]
    search_fields = ["name"]


@admin.register(OutsideSire)
class OutsideSireAdmin(admin.ModelAdmin):
    list_display = ["name", "species", "semen_code", "tenant"]
    search_fields = ["name", "semen_code", "registration_number", "tenant__name"]
    list_select_related = ["tenant"]
    raw_id_fields = ["tenant", "owner", "breed"]
