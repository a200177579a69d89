from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.dates import FarmDateField
from apps.core.forms import check_date_range

from .models import Outcome, PregnancyCheck, Service, SireHire, Task


class HeatForm(forms.Form):
    observed_on = FarmDateField(label=_("Seen in heat on"))
    observed_time = forms.TimeField(label=_("At"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    signs = forms.CharField(label=_("Signs"), max_length=200, required=False)


class ServiceForm(forms.Form):
    served_on = FarmDateField(label=_("Served on"))
    served_time = forms.TimeField(label=_("At"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    method = forms.ChoiceField(label=_("Method"), choices=Service.Method.choices)
    sire = forms.ModelChoiceField(queryset=None, required=False, empty_label=_("— outside sire —"), label=_("Sire from the herd"))
    registered_sire = forms.ModelChoiceField(queryset=None, required=False, empty_label=_("—"), label=_("Outside sire (register)"),
                                             help_text=_("AI bulls and other farms' sires you have registered."))
    hire = forms.ModelChoiceField(queryset=None, required=False, empty_label=_("— not hired —"), label=_("Hire agreement"))
    outside_sire = forms.CharField(max_length=120, required=False, label=_("Or the outside sire's name"))
    genetic_dam = forms.ModelChoiceField(queryset=None, required=False, empty_label=_("—"), label=_("Genetic dam (embryo transfer)"))
    embryo_age_days = forms.IntegerField(min_value=1, max_value=30, required=False, label=_("Embryo age (days)"),
                                         help_text=_("Embryo transfer: days since fertilisation; 7 when left empty."))
    straw = forms.CharField(max_length=60, required=False, label=_("Straw code or batch"))
    technician = forms.CharField(label=_("Technician"), max_length=120, required=False)

    def __init__(self, *args, males, outside_sires, hires, females, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sire"].queryset = males
        self.fields["registered_sire"].queryset = outside_sires
        self.fields["hire"].queryset = hires
        self.fields["genetic_dam"].queryset = females


class CheckForm(forms.Form):
    """On the breeding page beside the service form, whose fields share names with it: its ids are its own."""

    checked_on = FarmDateField(label=_("Checked on"))
    method = forms.ChoiceField(label=_("Method"), choices=PregnancyCheck.Method.choices)
    result = forms.ChoiceField(label=_("Result"), choices=PregnancyCheck.Result.choices)
    foetal_age_days = forms.IntegerField(min_value=1, max_value=400, required=False, label=_("Foetal age (days)"),
                                         help_text=_("When the scan measured it."))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "check_%s")
        super().__init__(*args, **kwargs)


class BirthForm(forms.Form):
    born_on = FarmDateField(label=_("Born on"))
    ease = forms.TypedChoiceField(coerce=int, choices=[(1, _("1 · unassisted")), (2, _("2 · easy pull")),
                                                       (3, _("3 · hard pull")), (4, _("4 · vet needed")),
                                                       (5, _("5 · caesarean"))], label=_("Ease"))
    premature = forms.BooleanField(required=False, label=_("Born early (premature)"))
    aborted = forms.BooleanField(required=False, label=_("Abortion (no offspring)"))


class OffspringForm(forms.Form):
    # A blank first choice: an untouched line must arrive unchanged so the formset skips it.
    sex = forms.ChoiceField(label=_("Sex"), choices=[("", _("Sex…")), ("female", _("Female")), ("male", _("Male"))])
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices, initial=Outcome.ALIVE)
    tag = forms.CharField(label=_("Tag"), max_length=40, required=False)
    weight = forms.DecimalField(max_digits=5, decimal_places=1, min_value=0, max_value=200, required=False, label=_("Weight (kg)"))


# Lines shown for a birth, by species: a sow's litter needs many, a camel one.
OFFSPRING_LINES = {"cattle": 2, "camel": 1, "sheep": 4, "goat": 4, "pig": 14, "horse": 1, "donkey": 1, "rabbit": 12}


def offspring_formset(species: str, data=None):
    lines = OFFSPRING_LINES.get(species, 3)
    return forms.formset_factory(OffspringForm, extra=lines, max_num=20, validate_max=True)(data, prefix="young")


class QuickBirthForm(OffspringForm):
    """A birth from the Today page: one offspring, born today (twins and litters go through the full form)."""

    ease = forms.TypedChoiceField(label=_("Ease"), coerce=int, choices=BirthForm.base_fields["ease"].choices, initial=1)


class BirthVoidForm(forms.Form):
    reason = forms.CharField(max_length=200, label=_("Why is this birth void?"))


class HireForm(forms.ModelForm):
    starts_on = FarmDateField(label=_("Starts on"), future=True)
    ends_on = FarmDateField(label=_("Ends on"), future=True)

    class Meta:
        model = SireHire
        fields = ["direction", "farm", "other_farm", "outside_sire", "own_sire", "starts_on", "ends_on", "basis", "fee", "terms"]
        widgets = {"fee": forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
                   "terms": forms.Textarea(attrs={"rows": 2})}
        labels = {"outside_sire": _("Sire hired in"), "own_sire": _("Our sire lent out")}

    def __init__(self, *args, farms, other_farms, outside_sires, males, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["farm"].queryset = farms
        self.fields["other_farm"].queryset = other_farms
        self.fields["outside_sire"].queryset = outside_sires
        self.fields["own_sire"].queryset = males


class TaskForm(forms.ModelForm):
    due_on = FarmDateField(label=_("Due on"), future=True)

    class Meta:
        model = Task
        fields = ["title", "farm", "animal", "group", "due_on", "assignee", "repeat"]

    def __init__(self, *args, farms, animals, groups, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["farm"].queryset = farms
        self.fields["animal"].queryset = animals
        self.fields["group"].queryset = groups
        self.fields["assignee"].queryset = members
        self.fields["assignee"].label_from_instance = lambda m: m.user.display_name


class FertilityForm(forms.Form):
    farm = forms.ModelChoiceField(label=_("Farm"), queryset=None, empty_label=None)
    since = FarmDateField(label=_("From"))
    until = FarmDateField(label=_("To"))

    def __init__(self, *args, farms, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["farm"].queryset = farms

    def clean(self):
        return check_date_range(super().clean())
