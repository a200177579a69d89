from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.dates import FarmDateField
from apps.core.forms import check_date_range

from .models import Appearance, Method, Quarter, Session, Udder

DECIMAL = {"inputmode": "decimal", "autocomplete": "off"}


class EntryPickerForm(forms.Form):
    farm = forms.ModelChoiceField(label=_("Farm"), queryset=None, empty_label=None)
    date = FarmDateField(label=_("Date"))
    session = forms.ChoiceField(label=_("Session"), choices=Session.choices)

    def __init__(self, *args, farms, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["farm"].queryset = farms


class MilkRowForm(forms.Form):
    """One cow's session as typed: parsed here, judged by the service."""

    farm = forms.IntegerField(label=_("Farm"), widget=forms.HiddenInput)
    date = FarmDateField(label=_("Date"), widget=forms.HiddenInput)
    session = forms.ChoiceField(label=_("Session"), choices=Session.choices, widget=forms.HiddenInput)
    animal = forms.IntegerField(label=_("Animal"), widget=forms.HiddenInput)
    milker = forms.IntegerField(label=_("Milker"), widget=forms.HiddenInput, required=False)
    quantity = forms.DecimalField(label=_("Quantity"), required=False, max_digits=6, decimal_places=2, widget=forms.TextInput(attrs=DECIMAL))
    method = forms.ChoiceField(label=_("Method"), choices=Method.choices, initial=Method.MACHINE, required=False)
    duration_minutes = forms.IntegerField(label=_("Minutes"), required=False, widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    fat = forms.DecimalField(label=_("Fat %"), required=False, max_digits=5, decimal_places=2, widget=forms.TextInput(attrs=DECIMAL))
    protein = forms.DecimalField(label=_("Protein %"), required=False, max_digits=5, decimal_places=2, widget=forms.TextInput(attrs=DECIMAL))
    lactose = forms.DecimalField(label=_("Lactose %"), required=False, max_digits=5, decimal_places=2, widget=forms.TextInput(attrs=DECIMAL))
    scc = forms.IntegerField(label=_("SCC (cells/mL)"), required=False, widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    ph = forms.DecimalField(label=_("pH"), required=False, max_digits=4, decimal_places=2, widget=forms.TextInput(attrs=DECIMAL))
    temperature = forms.DecimalField(label=_("Temp °C"), required=False, max_digits=4, decimal_places=1, widget=forms.TextInput(attrs=DECIMAL))
    udder = forms.ChoiceField(label=_("Udder"), choices=Udder.choices, initial=Udder.NORMAL, required=False)
    quarter = forms.ChoiceField(label=_("Quarter"), choices=[("", _("—"))] + Quarter.choices, required=False)
    appearance = forms.ChoiceField(label=_("Appearance"), choices=Appearance.choices, initial=Appearance.NORMAL, required=False)
    discarded = forms.BooleanField(label=_("Discarded"), required=False)
    discard_reason = forms.CharField(label=_("Why discarded"), max_length=120, required=False)
    notes = forms.CharField(label=_("Notes"), max_length=300, required=False)

    def clean(self):
        cleaned = super().clean()
        cleaned["method"] = cleaned.get("method") or Method.MACHINE
        cleaned["udder"] = cleaned.get("udder") or Udder.NORMAL
        cleaned["appearance"] = cleaned.get("appearance") or Appearance.NORMAL
        return cleaned

    def quality(self) -> dict:
        keys = ["method", "duration_minutes", "fat", "protein", "lactose", "scc", "ph", "temperature", "udder", "quarter",
                "appearance", "discarded", "discard_reason", "notes"]
        return {k: self.cleaned_data.get(k) for k in keys}


class BulkTankForm(forms.Form):
    farm = forms.IntegerField(label=_("Farm"), widget=forms.HiddenInput)
    date = FarmDateField(label=_("Date"), widget=forms.HiddenInput)
    session = forms.ChoiceField(label=_("Session"), choices=Session.choices, widget=forms.HiddenInput)
    quantity = forms.DecimalField(label=_("Bulk tank"), max_digits=8, decimal_places=2, widget=forms.TextInput(attrs=DECIMAL))
    scc = forms.IntegerField(label=_("Tank SCC"), required=False, widget=forms.TextInput(attrs={"inputmode": "numeric"}))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "tank_%s")  # (the session picker above it has a farm, a date and a session too)
        super().__init__(*args, **kwargs)


class BulkLactationForm(forms.Form):
    calving_date = FarmDateField(label=_("Calved on (about)"), help_text=_("Adjust a cow's date later on her page."))
    animal = forms.TypedMultipleChoiceField(label=_("Animal"), coerce=int, choices=(), required=True,
                                            error_messages={"required": "Tick the cows to put in milk."})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Ids are checked against the member's herd by the selector; here they only need to be numbers.
        self.fields["animal"].choices = [(v, v) for v in (self.data.getlist("animal") if self.is_bound else []) if v.isdigit()]


class LactationStartForm(forms.Form):
    calving_date = FarmDateField(label=_("Calving date"))
    number = forms.IntegerField(label=_("Lactation number"), required=False, min_value=1, max_value=20,
                                help_text=_("Leave empty to count on from the last one."))


class DryOffForm(forms.Form):
    dried_off_on = FarmDateField(label=_("Dried off on"))


class RecordFilterForm(forms.Form):
    farm = forms.ModelChoiceField(label=_("Farm"), queryset=None, required=False, empty_label=_("All farms"))
    animal = forms.CharField(label=_("Cow tag"), required=False)
    since = FarmDateField(label=_("From"), required=False)
    until = FarmDateField(label=_("To"), required=False, future=True)
    session = forms.ChoiceField(label=_("Session"), choices=[("", _("Any session"))] + Session.choices, required=False)

    def __init__(self, *args, farms, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["farm"].queryset = farms

    def clean(self):
        return check_date_range(super().clean())


