"""Form rendering: every widget gets its Bootstrap class, every field its label and error."""

from django import forms
from django.forms.renderers import TemplatesSetting
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
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


_INPUTS = {f"django/forms/widgets/{kind}.html" for kind in (
    "text", "number", "email", "url", "password", "hidden", "date", "datetime", "time", "search", "tel", "color")}
_SELECT = "django/forms/widgets/select.html"
_OPTION = "django/forms/widgets/select_option.html"


def _attrs(attrs: dict) -> str:
    """Django's widgets/attrs.html: ` name="value"`, a bare name for True, nothing for False."""
    return "".join(
        f" {conditional_escape(name)}" if value is True else f' {conditional_escape(name)}="{conditional_escape(str(value))}"'
        for name, value in attrs.items() if value is not False
    )


def _option(option: dict) -> str:
    return f'<option value="{conditional_escape(str(option["value"]))}"{_attrs(option["attrs"])}>{conditional_escape(option["label"])}</option>'


def _fast_widget(template_name: str, widget: dict) -> str | None:
    """The HTML Django's input and select templates give, written directly: a farm picker with thirty options
    went through the template engine about ninety times. None for any other template."""
    if template_name in _INPUTS:
        value = "" if widget["value"] is None else f' value="{conditional_escape(str(widget["value"]))}"'
        return f'<input type="{widget["type"]}" name="{conditional_escape(widget["name"])}"{value}{_attrs(widget["attrs"])}>'
    if template_name != _SELECT:
        return None
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if any(option["template_name"] != _OPTION for option in options):
            return None
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        parts.extend(f"\n  {_option(option)}\n" for option in options)
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


class FormRenderer(TemplatesSetting):
    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"
    bound_field_class = StyledBoundField

    def render(self, template_name, context, request=None):
        widget = context.get("widget") if isinstance(context, dict) else None
        if widget is not None:
            html = _fast_widget(template_name, widget)
            if html is not None:
                return mark_safe(html)  # every value above is escaped
        return super().render(template_name, context, request)


class ListedChoiceIterator(forms.models.ModelChoiceIterator):
    """A model choice field's options from a list already read (see choices_from)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.field.listed:
            yield self.choice(obj)

    def __len__(self):
        return len(self.field.listed) + (self.field.empty_label is not None)

    def __bool__(self):
        return self.field.empty_label is not None or bool(self.field.listed)


def choices_from(field: forms.ModelChoiceField, objects) -> None:
    """Draw the field's options from `objects` (the request's farm list, say) instead of querying again each time
    it is drawn, through a server-side cursor at that (three round trips). The queryset still validates a choice."""
    field.listed = list(objects)
    field.iterator = ListedChoiceIterator
    field.widget.choices = field.choices


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
