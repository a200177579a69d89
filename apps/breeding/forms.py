from django import forms

from apps.core.dates import FarmDateField

from .models import PregnancyCheck, Service


class HeatForm(forms.Form):
    observed_on = FarmDateField(label="Seen in heat on")
    signs = forms.CharField(max_length=200, required=False)


class ServiceForm(forms.Form):
    served_on = FarmDateField(label="Served on")
    method = forms.ChoiceField(choices=Service.Method.choices)
    sire = forms.ModelChoiceField(queryset=None, required=False, empty_label="— outside sire —", label="Sire from the herd")
    outside_sire = forms.CharField(max_length=120, required=False, label="Outside sire", help_text="AI bull or hired sire.")
    straw = forms.CharField(max_length=60, required=False, label="Straw code or batch")
    technician = forms.CharField(max_length=120, required=False)

    def __init__(self, *args, males, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sire"].queryset = males


class CheckForm(forms.Form):
    checked_on = FarmDateField(label="Checked on")
    method = forms.ChoiceField(choices=PregnancyCheck.Method.choices)
    result = forms.ChoiceField(choices=PregnancyCheck.Result.choices)
    foetal_age_days = forms.IntegerField(min_value=1, max_value=400, required=False, label="Foetal age (days)",
                                         help_text="When the scan measured it.")


class BirthForm(forms.Form):
    born_on = FarmDateField(label="Born on")
    ease = forms.TypedChoiceField(coerce=int, choices=[(1, "1 · unassisted"), (2, "2 · easy pull"), (3, "3 · hard pull"),
                                                       (4, "4 · vet needed"), (5, "5 · caesarean")], label="Ease")
    premature = forms.BooleanField(required=False, label="Born early (premature)")
    aborted = forms.BooleanField(required=False, label="Abortion (no offspring)")


class OffspringForm(forms.Form):
    # A blank first choice: an untouched line must arrive unchanged so the formset skips it.
    sex = forms.ChoiceField(choices=[("", "Sex…"), ("female", "Female"), ("male", "Male")])
    outcome = forms.ChoiceField(choices=[("alive", "Alive"), ("stillborn", "Stillborn"), ("died", "Died")], initial="alive")
    tag = forms.CharField(max_length=40, required=False)
    weight = forms.DecimalField(max_digits=5, decimal_places=1, min_value=0, max_value=200, required=False, label="Weight (kg)")


OffspringFormSet = forms.formset_factory(OffspringForm, extra=3, max_num=12)
