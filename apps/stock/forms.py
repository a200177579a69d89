from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.core.dates import FarmDateField
from apps.herd.models import Species

from .models import ItemKind

LABEL_SPECIES = [Species.CATTLE, Species.GOAT, Species.SHEEP, Species.PIG, Species.CAMEL]


class ItemForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ItemKind.choices)
    name = forms.CharField(label=_("Name"), max_length=120)
    unit = forms.CharField(label=_("Unit"), max_length=20, help_text=_("mL, tube, dose, kg, bag…"))
    reorder_level = forms.DecimalField(max_digits=12, decimal_places=3, min_value=0, initial=0, label=_("Reorder at"))
    active_substance = forms.CharField(label=_("Active substance"), max_length=120, required=False)
    lactating_allowed = forms.BooleanField(required=False, initial=True, label=_("May be used on lactating animals"))
    booster_days = forms.IntegerField(min_value=1, max_value=3650, required=False, label=_("Booster after (days)"),
                                      help_text=_("Vaccines: when the next dose is due."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The label's withdrawal, species by species: empty milk hours = not for milk-producing animals.
        for species in LABEL_SPECIES:
            self.fields[f"milk_{species.value}"] = forms.IntegerField(
                min_value=0, max_value=8760, required=False,
                label=gettext("%(species)s: milk withdrawal (hours)") % {"species": species.label})
            self.fields[f"meat_{species.value}"] = forms.IntegerField(
                min_value=0, max_value=3650, required=False,
                label=gettext("%(species)s: meat withdrawal (days)") % {"species": species.label},
                help_text=gettext("Empty: %(species)s are not on the label.") % {"species": str(species.label).lower()})

    def withdrawals(self) -> dict:
        data = self.cleaned_data
        return {s.value: (data.get(f"milk_{s.value}"), data[f"meat_{s.value}"]) for s in LABEL_SPECIES
                if data.get(f"meat_{s.value}") is not None}


class ReceiveForm(forms.Form):
    item = forms.ModelChoiceField(label=_("Item"), queryset=None, empty_label=None)
    farm = forms.ModelChoiceField(label=_("Farm"), queryset=None, empty_label=None)
    quantity = forms.DecimalField(label=_("Quantity"), max_digits=12, decimal_places=3, widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    lot = forms.CharField(max_length=60, required=False, label=_("Lot number"))
    expires_on = FarmDateField(required=False, future=True, label=_("Expires on"))
    unit_cost = forms.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False, label=_("Cost per unit"))
    supplier = forms.ModelChoiceField(label=_("Supplier"), queryset=None, required=False)
    expense = forms.ModelChoiceField(queryset=None, required=False, label=_("Paid by the expense"),
                                     help_text=_("An approved expense, when the delivery was paid that way."))
    invoice = forms.ModelChoiceField(queryset=None, required=False, label=_("Or by the purchase invoice"))

    def __init__(self, *args, items, farms, suppliers, expenses, invoices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items
        self.fields["farm"].queryset = farms
        self.fields["supplier"].queryset = suppliers
        self.fields["expense"].queryset = expenses
        self.fields["invoice"].queryset = invoices


class AdjustForm(forms.Form):
    counted = forms.DecimalField(max_digits=12, decimal_places=3, label=_("Counted on the shelf"))
    reason = forms.CharField(label=_("Reason"), max_length=200)


class MoveForm(forms.Form):
    to_farm = forms.ModelChoiceField(queryset=None, empty_label=None, label=_("To farm"))
    quantity = forms.DecimalField(label=_("Quantity"), max_digits=12, decimal_places=3, widget=forms.TextInput(attrs={"inputmode": "decimal"}))

    def __init__(self, *args, farms, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_farm"].queryset = farms


class UseForm(forms.Form):
    quantity = forms.DecimalField(label=_("Quantity"), max_digits=12, decimal_places=3, widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    reason = forms.CharField(max_length=200, label=_("Used for"), help_text=_("Fed to the milking herd, mineral blocks for the heifers…"))
