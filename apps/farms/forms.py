from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ExternalFarm, Farm

STARTS = ("morning_starts", "midday_starts", "evening_starts")


class FarmForm(forms.ModelForm):
    class Meta:
        model = Farm
        fields = [
            "name", "farm_type", "milking_sessions_per_day", "morning_starts", "midday_starts", "evening_starts",
            "robot_milking", "address", "latitude", "longitude", "area", "area_unit",
            "time_zone",
        ]
        widgets = {
            **{name: forms.TimeInput(attrs={"type": "time"}, format="%H:%M") for name in STARTS},
            "latitude": forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
            "longitude": forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
        }

    def __init__(self, *args, tenant=None, **kwargs):
        super().__init__(*args, **kwargs)
        if tenant is not None and not self.instance.pk:
            self.initial.setdefault("time_zone", tenant.time_zone)
        for name in STARTS:
            self.fields[name].required = False  # left empty: the farm keeps the time it has

    def clean(self):
        cleaned = super().clean()
        for name in STARTS:
            if cleaned.get(name) is None and name not in self.errors:
                cleaned[name] = getattr(self.instance, name)
        if (cleaned.get("latitude") is None) != (cleaned.get("longitude") is None):
            raise forms.ValidationError(_("Give both latitude and longitude, or neither."))
        return cleaned


class ExternalFarmForm(forms.ModelForm):
    class Meta:
        model = ExternalFarm
        fields = ["name", "holding_number", "contact", "location"]
