from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Plan, Subscription


class PlanChoiceForm(forms.Form):
    plan = forms.ModelChoiceField(label=_("Plan"), queryset=Plan.objects.filter(is_public=True), empty_label=None)
    period = forms.ChoiceField(label=_("Period"), choices=Subscription.Period.choices)
    confirm_over_limits = forms.BooleanField(
        required=False, label=_("I understand: nothing is deleted, and I cannot add more of these until I am under the limit."))


class PaymentMethodForm(forms.Form):
    provider = forms.ChoiceField(label=_("How you will pay"), widget=forms.RadioSelect, choices=[
        (Subscription.Provider.BANK, _("Bank transfer")), (Subscription.Provider.MOBILE, _("Mobile money"))])
    mobile_number = forms.CharField(label=_("Mobile money number"), required=False, max_length=16,
                                    help_text=_("International form, e.g. +254712345678."),
                                    widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
