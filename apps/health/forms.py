from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.dates import EARLIEST, FarmDateField
from apps.core.forms import check_date_range
from apps.core.words import amount, day

from .models import Finding, Foot, Quarter, Route


def batch_label(batch) -> str:
    """A batch as a picker names it: item, lot, what is left and where, and when it expires."""
    label = _("%(item)s · lot %(lot)s · %(quantity)s %(unit)s on %(farm)s") % {
        "item": batch.item.name, "lot": batch.lot or "—", "quantity": amount(batch.quantity), "unit": batch.item.unit,
        "farm": batch.farm.name}
    if batch.expires_on:
        label += " · " + _("expires %(day)s") % {"day": day(batch.expires_on)}
    return label

class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class GivenAtField(forms.DateTimeField):
    """When a dose was given, on the farm's clock as the page shows it; not in the future, not before 1950."""

    widget = DateTimeInput

    def validate(self, value):
        super().validate(value)
        if value and value > timezone.now() + timezone.timedelta(minutes=5):
            raise forms.ValidationError(_("This time is in the future."))
        if value and value.date() < EARLIEST:
            raise forms.ValidationError(_("Give a date from 1950 on."))


class TreatmentForm(forms.Form):
    animal = forms.ModelChoiceField(label=_("Animal"), queryset=None, required=False, empty_label=_("—"))
    group = forms.ModelChoiceField(label=_("Group"), queryset=None, required=False, empty_label=_("—"),
                                   help_text=_("Or treat every animal of a group at once."))
    diagnosis = forms.CharField(label=_("Diagnosis"), max_length=200)
    batch = forms.ModelChoiceField(queryset=None, required=False, label=_("Product from stock"),
                                   empty_label=_("— bought in, not from stock —"))
    product_name = forms.CharField(max_length=120, required=False, label=_("Product bought in"), help_text=_("When not from stock."))
    lot = forms.CharField(max_length=60, required=False, label=_("Its batch (lot)"))
    dose = forms.DecimalField(label=_("Dose"), max_digits=10, decimal_places=3, widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    dose_unit = forms.CharField(max_length=20, initial="mL", label=_("Dose unit"))
    route = forms.ChoiceField(label=_("Route"), choices=Route.choices)
    quarter = forms.ChoiceField(label=_("Quarter"), choices=[("", _("—")), *Quarter.choices], required=False, help_text=_("For intramammary tubes."))
    given_at = GivenAtField(label=_("Given at"))
    administrations_planned = forms.IntegerField(min_value=1, max_value=30, initial=1, label=_("Doses in the course"))
    interval_hours = forms.IntegerField(min_value=1, max_value=336, initial=24, label=_("Hours between doses"))
    prescribing_vet = forms.CharField(max_length=120, required=False, label=_("Prescribing vet"))
    prescription_ref = forms.CharField(max_length=60, required=False, label=_("Prescription reference"))
    off_label = forms.BooleanField(required=False, label=_("Off-label use (cascade: statutory minimum withdrawals)"))
    milk_withdrawal_hours = forms.IntegerField(min_value=0, max_value=8760, required=False, label=_("Milk withdrawal (hours)"),
                                               help_text=_("Empty: the label's, or the cascade minimum."))
    meat_withdrawal_days = forms.IntegerField(min_value=0, max_value=3650, required=False, label=_("Meat withdrawal (days)"))
    withdrawal_note = forms.CharField(max_length=200, required=False, label=_("Why the withdrawal differs from the label"))

    def __init__(self, *args, animals, groups, batches, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["animal"].queryset = animals
        self.fields["group"].queryset = groups
        self.fields["batch"].queryset = batches
        self.fields["batch"].label_from_instance = batch_label
        if not self.is_bound and "batch" not in self.initial:
            # Medicine in stock is what a farm mostly gives: its first batch is offered, "bought in" is the exception.
            first = batches.first()
            if first is not None:
                self.initial["batch"] = first.pk

    # What most treatments need is shown; the rest waits behind a heading, opened when it holds a value or an error.
    MORE = [
        (_("Bought in, not from stock"), ["product_name", "lot"]),
        (_("A course of several doses"), ["administrations_planned", "interval_hours"]),
        (_("Prescription"), ["prescribing_vet", "prescription_ref"]),
        (_("Off-label use or another withdrawal"), ["off_label", "milk_withdrawal_hours", "meat_withdrawal_days",
                                                    "withdrawal_note"]),
    ]

    def sections(self) -> list[dict]:
        """The form's fields in the order a treatment is told: the usual ones first, then each group of the rest."""
        later = {name for _, names in self.MORE for name in names}
        shown = [{"title": None, "fields": [self[name] for name in self.fields if name not in later], "open": True}]
        for title, names in self.MORE:
            fields = [self[name] for name in names]
            filled = any(f.errors for f in fields) or (self.is_bound and any(
                self.data.get(f.html_name) not in (None, "", str(self.fields[f.name].initial or "")) for f in fields))
            shown.append({"title": title, "fields": fields, "open": filled})
        return shown

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("animal") and not cleaned.get("group"):
            raise forms.ValidationError(_("Pick the animal treated, or a group."))
        return cleaned


class DoseForm(forms.Form):
    given_at = GivenAtField(label=_("Given at"))


class VoidForm(forms.Form):
    reason = forms.CharField(max_length=200, label=_("Why is this record wrong?"))


class BookForm(forms.Form):
    farm = forms.ModelChoiceField(label=_("Farm"), queryset=None, required=False, empty_label=_("All farms"))
    since = FarmDateField(label=_("From"))
    until = FarmDateField(label=_("To"), future=True)

    def __init__(self, *args, farms, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["farm"].queryset = farms

    def clean(self):
        return check_date_range(super().clean())


class VaccinationForm(forms.Form):
    animals = forms.ModelMultipleChoiceField(label=_("Animals"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple,
                                             help_text=_("Tick them here, or pick a group below."))
    group = forms.ModelChoiceField(label=_("Group"), queryset=None, required=False, empty_label=_("—"), help_text=_("Every animal of the group."))
    batch = forms.ModelChoiceField(queryset=None, empty_label=None, label=_("Vaccine from stock"))
    dose = forms.DecimalField(label=_("Dose"), max_digits=10, decimal_places=3, widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    dose_unit = forms.CharField(max_length=20, initial="mL", label=_("Dose unit"))
    route = forms.ChoiceField(label=_("Route"), choices=Route.choices, initial=Route.SUBCUTANEOUS)
    given_at = GivenAtField(label=_("Given at"))

    def __init__(self, *args, animals, groups, batches, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["animals"].queryset = animals
        self.fields["group"].queryset = groups
        self.fields["batch"].queryset = batches
        self.fields["batch"].label_from_instance = batch_label


class HealthCheckForm(forms.Form):
    animal = forms.ModelChoiceField(label=_("Animal"), queryset=None, empty_label=None)
    checked_at = GivenAtField(label=_("Checked at"))
    outside_vet = forms.CharField(max_length=120, required=False, label=_("Outside vet (if not a member)"))
    temperature = forms.DecimalField(max_digits=4, decimal_places=1, required=False, label=_("Temperature (°C)"),
                                     widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    heart_rate = forms.IntegerField(required=False, label=_("Heart rate (beats/min)"), widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    respiratory_rate = forms.IntegerField(required=False, label=_("Respiratory rate (breaths/min)"),
                                          widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    body_condition = forms.DecimalField(max_digits=3, decimal_places=2, required=False, label=_("Body condition score (1-5)"),
                                        widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    mobility = forms.TypedChoiceField(choices=[("", _("—")), ("0", _("0 · sound")), ("1", _("1 · imperfect")), ("2", _("2 · lame")),
                                               ("3", _("3 · severely lame"))], coerce=int, empty_value=None, required=False,
                                      label=_("Mobility score"))
    weight = forms.DecimalField(max_digits=7, decimal_places=1, required=False, label=_("Weight (kg)"),
                                widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    findings = forms.MultipleChoiceField(label=_("Findings"), choices=Finding.choices, required=False, widget=forms.CheckboxSelectMultiple)
    quarter = forms.ChoiceField(label=_("Quarter"), choices=[("", _("—")), *Quarter.choices], required=False, help_text=_("For mastitis."))
    foot = forms.ChoiceField(label=_("Foot"), choices=[("", _("—")), *Foot.choices], required=False, help_text=_("For lameness."))
    notes = forms.CharField(label=_("Notes"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, animals, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["animal"].queryset = animals
