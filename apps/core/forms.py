"""Form rendering: every widget gets its Bootstrap class, every field its label and error."""

from django import forms
from django.forms.renderers import TemplatesSetting
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop


class StyledBoundField(forms.BoundField):
    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        if isinstance(widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple, forms.RadioSelect)):
            css = "form-check-input"
        elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
            css = "form-select"
        else:
            css = "form-control"
        if self.errors:
            css += " is-invalid"
        attrs["class"] = f"{attrs.get('class', '')} {css}".strip()
        return attrs


class FormRenderer(TemplatesSetting):
    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"
    bound_field_class = StyledBoundField


def check_date_range(cleaned: dict) -> dict:
    """Refuse a period whose start is after its end (shared by the report and list filters)."""
    if cleaned.get("since") and cleaned.get("until") and cleaned["since"] > cleaned["until"]:
        raise forms.ValidationError(_("The start date is after the end date."))
    return cleaned


def add_service_errors(form, error) -> None:
    """Show a service's ValidationError on the form: next to its field when it names one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


# Django's empty choice ("- Select an option -"): its own Kiswahili catalogue lacks it, so ours carries it.
DJANGO_BLANK_CHOICE = gettext_noop("- Select an option -")
