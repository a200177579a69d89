import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.dates import FarmDateField
from apps.core.forms import check_date_range

from .models import Contact, Invoice, Payment, Sale
from .reports import FORMATS, KINDS

MONEY = {"inputmode": "decimal", "autocomplete": "off"}


class OnceForm(forms.Form):
    """A form that carries a one-time key, so a double tap or a retried POST has one effect."""

    key = forms.CharField(label=_("Key"), widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("key", uuid.uuid4().hex)


class ExpenseForm(OnceForm):
    farm = forms.ModelChoiceField(label=_("Farm"), queryset=None, empty_label=None)
    date = FarmDateField(label=_("Date"))
    category = forms.ModelChoiceField(label=_("Category"), queryset=None, empty_label=None)
    amount = forms.DecimalField(label=_("Amount"), max_digits=14, decimal_places=4, widget=forms.TextInput(attrs=MONEY))
    description = forms.CharField(label=_("Description"), max_length=250)
    supplier = forms.ModelChoiceField(label=_("Supplier"), queryset=None, required=False, empty_label=_("Not in the list"))
    supplier_name = forms.CharField(label=_("Or supplier name"), max_length=120, required=False)
    receipt = forms.FileField(label=_("Receipt"), required=False, help_text=_("A photo or PDF, up to 10 MB."),
                              widget=forms.ClearableFileInput(attrs={"accept": "image/*,application/pdf", "capture": "environment"}))

    def __init__(self, *args, farms, categories, suppliers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["farm"].queryset = farms
        self.fields["category"].queryset = categories
        self.fields["supplier"].queryset = suppliers


class RejectForm(forms.Form):
    reason = forms.CharField(max_length=250, label=_("Why reject?"))


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["kind", "name", "contact_person", "phone", "email", "address", "tax_number"]


class SaleForm(OnceForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=Sale.Kind.choices)
    farm = forms.ModelChoiceField(label=_("Farm"), queryset=None, empty_label=None)
    date = FarmDateField(label=_("Date"))
    buyer = forms.ModelChoiceField(label=_("Buyer"), queryset=None, empty_label=None)
    animal = forms.ModelChoiceField(label=_("Animal"), queryset=None, required=False, help_text=_("For an animal sale."))
    purpose = forms.ChoiceField(label=_("Purpose"), choices=[("", _("—")), ("slaughter", _("For slaughter")), ("alive", _("Alive, for breeding or rearing"))],
                                required=False, help_text=_("For an animal sale."))
    withdrawal_acknowledged = forms.BooleanField(
        required=False, label=_("The buyer knows the animal is under meat withdrawal"),
        help_text=_("Needed to sell alive an animal whose meat withdrawal still runs."))
    live_weight = forms.DecimalField(label=_("Live weight (kg)"), required=False, max_digits=7, decimal_places=1,
                                     widget=forms.TextInput(attrs=MONEY))
    product = forms.CharField(label=_("Product"), required=False, max_length=120, help_text=_("For milk or other produce: eggs, manure, wool…"))
    quantity = forms.DecimalField(label=_("Quantity"), required=False, max_digits=12, decimal_places=3, widget=forms.TextInput(attrs=MONEY))
    unit = forms.CharField(label=_("Unit"), required=False, max_length=20, help_text=_("L, kg, trays…"))
    unit_price = forms.DecimalField(label=_("Price (per unit, or for the animal)"), max_digits=14, decimal_places=4,
                                    widget=forms.TextInput(attrs=MONEY))

    def __init__(self, *args, farms, buyers, animals, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["farm"].queryset = farms
        self.fields["buyer"].queryset = buyers
        self.fields["animal"].queryset = animals


class InvoiceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Invoice.Kind.choices)
    contact = forms.ModelChoiceField(queryset=None, empty_label=None, label=_("Customer or supplier"))
    farm = forms.ModelChoiceField(label=_("Farm"), queryset=None, empty_label=None, help_text=_("The farm the invoice belongs to."))
    due_date = FarmDateField(label=_("Due date"), future=True, required=False, help_text=_("Empty: 30 days after issue."))
    notes = forms.CharField(label=_("Notes"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, contacts, farms, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = contacts
        self.fields["farm"].queryset = farms


class LineForm(forms.Form):
    description = forms.CharField(label=_("Description"), max_length=200)
    quantity = forms.DecimalField(label=_("Quantity"), max_digits=12, decimal_places=3, widget=forms.TextInput(attrs=MONEY))
    unit = forms.CharField(label=_("Unit"), max_length=20, required=False)
    unit_price = forms.DecimalField(label=_("Unit price"), max_digits=14, decimal_places=4, widget=forms.TextInput(attrs=MONEY))
    tax_rate = forms.DecimalField(label=_("Tax %"), max_digits=5, decimal_places=2, required=False, initial=0,
                                  widget=forms.TextInput(attrs=MONEY))


LineFormSet = forms.formset_factory(LineForm, extra=3, max_num=100, min_num=1, validate_min=True)


class PaymentForm(OnceForm):
    date = FarmDateField(label=_("Date"))
    amount = forms.DecimalField(label=_("Amount"), max_digits=14, decimal_places=4, widget=forms.TextInput(attrs=MONEY))
    method = forms.ChoiceField(label=_("Method"), choices=Payment.Method.choices)
    reference = forms.CharField(label=_("Reference"), max_length=80, required=False)


class VoidForm(forms.Form):
    reason = forms.CharField(max_length=200, label=_("Why void?"))


class EmailInvoiceForm(forms.Form):
    to = forms.EmailField(label=_("Send to"))


class ReportForm(forms.Form):
    kind = forms.ChoiceField(choices=lambda: list(KINDS.items()), label=_("Report"))
    since = FarmDateField(label=_("From"))
    until = FarmDateField(future=True, label=_("To"))
    farm = forms.ModelChoiceField(label=_("Farm"), queryset=None, required=False, empty_label=_("All farms"))
    file_format = forms.ChoiceField(choices=[(k, k.upper()) for k in FORMATS], label=_("Format"))

    def __init__(self, *args, farms, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["farm"].queryset = farms

    def clean(self):
        return check_date_range(super().clean())


class ApprovalLimitForm(forms.Form):
    limit = forms.DecimalField(max_digits=14, decimal_places=4, required=False, label=_("Managers approve up to"),
                               help_text=_("Kept as the policy “Manager approval limit”; empty: no limit."),
                               widget=forms.TextInput(attrs=MONEY))


class MilkPriceForm(forms.Form):
    price = forms.DecimalField(max_digits=14, decimal_places=4, required=False, label=_("Milk price per litre or kg"),
                               help_text=_("Puts a price on milk discarded (for example under withdrawal)."),
                               widget=forms.TextInput(attrs=MONEY))


class CategoryForm(forms.Form):
    name = forms.CharField(max_length=60, label=_("New category"))
