from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ExternalFarm, Farm


class FarmForm(forms.ModelForm):
    class Meta:
        model = Farm
        fields = [
            "name", "farm_type", "milking_sessions_per_day", "address", "latitude", "longitude", "area", "area_unit",
            "time_zone",
        ]
        widgets = {
            "latitude": forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
            "longitude": forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
        }

    def __init__(self, *args, tenant=None, **kwargs):
        super().__init__(*args, **kwargs)
        if tenant is not None and not self.instance.pk:
            self.initial.setdefault("time_zone", tenant.time_zone)

    def clean(self):
        cleaned = super().clean()
        if (cleaned.get("latitude") is None) != (cleaned.get("longitude") is None):
            raise forms.ValidationError(_("Give both latitude and longitude, or neither."))
        return cleaned


class GroupForm(forms.Form):
    name = forms.CharField(label=_("New group or pen"), max_length=80)


class ExternalFarmForm(forms.ModelForm):
    class Meta:
        model = ExternalFarm
        fields = ["name", "holding_number", "contact", "location"]
