from django import forms
from django.utils.translation import gettext_lazy as _

from apps.accounts.permissions import CATALOGUE


class ApiKeyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80, help_text=_("The program that will use it, e.g. Parlour software."))
    role = forms.ModelChoiceField(label=_("Role"), queryset=None, required=False, empty_label=_("— the permissions below —"))
    permissions = forms.MultipleChoiceField(label=_("Permissions"), choices=list(CATALOGUE.items()), required=False, widget=forms.CheckboxSelectMultiple)
    all_farms = forms.BooleanField(required=False, initial=True, label=_("All farms"))
    farms = forms.ModelMultipleChoiceField(label=_("Farms"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple)
    expires_at = forms.DateTimeField(required=False, label=_("Expires on"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))

    def __init__(self, *args, roles, farms, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = roles
        self.fields["farms"].queryset = farms


class WebhookForm(forms.Form):
    url = forms.URLField(max_length=500, label=_("Endpoint URL"), assume_scheme="https",
                         help_text=_("HTTPS; it receives each event as a signed JSON POST."))
    events = forms.MultipleChoiceField(label=_("Events"), choices=[], widget=forms.CheckboxSelectMultiple)
    description = forms.CharField(label=_("Description"), max_length=120, required=False)

    def __init__(self, *args, **kwargs):
        from .webhooks import EVENTS

        super().__init__(*args, **kwargs)
        self.fields["events"].choices = [(k, f"{k} · {v}") for k, v in EVENTS.items() if k != "webhook.test"]
