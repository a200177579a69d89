from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.core.dates import FarmDateField
from apps.farms.milkings import SESSION_LABELS, SESSION_NAMES

from . import pay
from .models import Antibiotics, Measure, Statement

DECIMAL = {"inputmode": "decimal", "autocomplete": "off"}
NUMERIC = {"inputmode": "numeric", "autocomplete": "off"}
SESSION_CHOICES = [(name, SESSION_LABELS[name]) for name in SESSION_NAMES]


class BuyerForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    collection_point = forms.CharField(label=_("Collection point"), max_length=120, required=False)
    measures = forms.ChoiceField(label=_("Measures the milk in"), choices=Measure.choices)
    is_active = forms.BooleanField(label=_("Takes milk now"), required=False, initial=True)


class BandsField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 3})

    def clean(self, value):
        text = super().clean(value)
        try:
            return pay.parse_bands(text)
        except ValueError as error:
            line = error.args[0] if error.args else 0
            if line:
                raise forms.ValidationError(gettext("Line %(line)s: write the upper limit and the change, e.g. 200000 1.50.")
                                            % {"line": line}) from None
            raise forms.ValidationError(gettext("Give the limits from lowest to highest, each once, with * last.")) from None


class ScheduleForm(forms.Form):
    valid_from = FarmDateField(label=_("From"), future=True)
    valid_to = FarmDateField(label=_("To"), future=True, required=False, help_text=_("Empty: until changed."))
    base_price = forms.DecimalField(label=_("Base price per litre or kg"), max_digits=10, decimal_places=2,
                                    widget=forms.TextInput(attrs=DECIMAL))
    base_fat = forms.DecimalField(label=_("Base fat %"), max_digits=4, decimal_places=2, required=False, widget=forms.TextInput(attrs=DECIMAL))
    fat_step = forms.DecimalField(label=_("Fat change per 0.1 %"), max_digits=8, decimal_places=2, required=False,
                                  widget=forms.TextInput(attrs=DECIMAL))
    base_protein = forms.DecimalField(label=_("Base protein %"), max_digits=4, decimal_places=2, required=False,
                                      widget=forms.TextInput(attrs=DECIMAL))
    protein_step = forms.DecimalField(label=_("Protein change per 0.1 %"), max_digits=8, decimal_places=2, required=False,
                                      widget=forms.TextInput(attrs=DECIMAL))
    scc_bands = BandsField(label=_("Somatic cell bands"), required=False,
                           help_text=_("One a line: up to how many cells per mL, and the change per litre. * for above the rest."))
    bacteria_bands = BandsField(label=_("Bacteria bands"), required=False,
                                help_text=_("One a line: up to how many bacteria per mL, and the change per litre. * for above the rest."))
    water_limit = forms.DecimalField(label=_("Refuse milk with added water above %"), max_digits=4, decimal_places=1, required=False,
                                     widget=forms.TextInput(attrs=DECIMAL))
    reject_antibiotics = forms.BooleanField(label=_("Refuses milk that tests positive for antibiotics"), required=False, initial=True)
    transport_per_unit = forms.DecimalField(label=_("Transport per litre or kg"), max_digits=8, decimal_places=2, required=False,
                                            widget=forms.TextInput(attrs=DECIMAL))
    checkoff_per_unit = forms.DecimalField(label=_("Check-off per litre or kg"), max_digits=8, decimal_places=2, required=False,
                                           widget=forms.TextInput(attrs=DECIMAL))
    monthly_fee = forms.DecimalField(label=_("Fixed deduction per month"), max_digits=10, decimal_places=2, required=False,
                                     widget=forms.TextInput(attrs=DECIMAL))


class TestsForm(forms.Form):
    slip_quantity = forms.DecimalField(label=_("Quantity on the buyer's slip"), max_digits=9, decimal_places=2, required=False,
                                       widget=forms.TextInput(attrs=DECIMAL))
    fat = forms.DecimalField(label=_("Fat %"), max_digits=5, decimal_places=2, required=False, widget=forms.TextInput(attrs=DECIMAL))
    protein = forms.DecimalField(label=_("Protein %"), max_digits=5, decimal_places=2, required=False, widget=forms.TextInput(attrs=DECIMAL))
    scc = forms.IntegerField(label=_("SCC (cells/mL)"), required=False, widget=forms.TextInput(attrs=NUMERIC))
    bacteria = forms.IntegerField(label=_("Bacteria (per mL)"), required=False, widget=forms.TextInput(attrs=NUMERIC))
    antibiotics = forms.ChoiceField(label=_("Antibiotics test"), choices=[("", _("Not tested"))] + Antibiotics.choices, required=False)
    added_water = forms.DecimalField(label=_("Added water %"), max_digits=4, decimal_places=1, required=False,
                                     widget=forms.TextInput(attrs=DECIMAL))
    rejected_quantity = forms.DecimalField(label=_("Rejected quantity"), max_digits=9, decimal_places=2, required=False,
                                           widget=forms.TextInput(attrs=DECIMAL))
    rejection_reason = forms.CharField(label=_("Why rejected"), max_length=200, required=False)

    def tests(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in TestsForm.base_fields}


class DeliveryForm(TestsForm):
    farm = forms.ModelChoiceField(label=_("Farm"), queryset=None, empty_label=None)
    buyer = forms.ModelChoiceField(label=_("Buyer"), queryset=None, empty_label=None)
    date = FarmDateField(label=_("Date"))
    sessions = forms.MultipleChoiceField(label=_("Sessions"), choices=SESSION_CHOICES, widget=forms.CheckboxSelectMultiple)
    quantity = forms.DecimalField(label=_("Quantity delivered, as the farm measured"), max_digits=9, decimal_places=2,
                                  widget=forms.TextInput(attrs=DECIMAL))
    over_reason = forms.CharField(label=_("Why more than the saleable milk"), max_length=200, required=False)
    field_order = ["farm", "buyer", "date", "sessions", "quantity", "over_reason"]

    def __init__(self, *args, farms, buyers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["farm"].queryset = farms
        self.fields["buyer"].queryset = buyers


class DoNotShipForm(forms.Form):
    farm = forms.ModelChoiceField(label=_("Farm"), queryset=None, empty_label=None)
    date = FarmDateField(label=_("Date"))
    session = forms.ChoiceField(label=_("Session"), choices=SESSION_CHOICES)

    def __init__(self, *args, farms, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["farm"].queryset = farms


class StatementForm(forms.Form):
    buyer = forms.ModelChoiceField(label=_("Buyer"), queryset=None, empty_label=None)
    farm = forms.ModelChoiceField(label=_("Farm"), queryset=None, empty_label=None)
    month = forms.DateField(label=_("Month"), input_formats=["%Y-%m"], widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"))
    file = forms.FileField(label=_("The buyer's CSV"), required=False)
    lines = forms.CharField(label=_("Or its lines"), required=False, widget=forms.Textarea(attrs={"rows": 6}),
                            help_text=_("Columns: date, kind, description, quantity, price, amount, then if the buyer gives them "
                                        "fat, protein, scc, bacteria. Kinds: milk, transport, checkoff, fee, input, other."))

    def __init__(self, *args, farms, buyers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["farm"].queryset = farms
        self.fields["buyer"].queryset = buyers

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload:
            if upload.size > 1024 * 1024:
                self.add_error("file", gettext("The file is larger than 1 MB."))
                return cleaned
            try:
                cleaned["text"] = upload.read().decode("utf-8")
            except UnicodeDecodeError:
                self.add_error("file", gettext("Save the file as CSV (UTF-8) and try again."))
                return cleaned
        else:
            cleaned["text"] = cleaned.get("lines") or ""
        if not cleaned["text"].strip():
            self.add_error("lines", gettext("Upload the buyer's CSV or paste its lines."))
        return cleaned


class PaymentForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount received"), max_digits=12, decimal_places=2, widget=forms.TextInput(attrs=DECIMAL))
    paid_on = FarmDateField(label=_("Received on"))
    method = forms.ChoiceField(label=_("Paid by"), choices=Statement.Method.choices)
    reference = forms.CharField(label=_("Reference"), max_length=80, required=False)
