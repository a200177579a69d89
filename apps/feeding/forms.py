from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.core.dates import FarmDateField

DECIMAL = {"inputmode": "decimal", "autocomplete": "off"}


class FeedFields:
    """One quantity field per feed (named by its id), so a phone shows the farm's feeds as a short list to fill."""

    def add_feed_fields(self, feeds, prefix: str, label: str, initial: dict | None = None):
        self.feeds = list(feeds)
        for item in self.feeds:
            self.fields[f"{prefix}{item.pk}"] = forms.DecimalField(
                label=label % {"feed": item.name, "unit": item.unit}, required=False, min_value=0, max_digits=10,
                decimal_places=3, initial=(initial or {}).get(item.pk), widget=forms.TextInput(attrs=DECIMAL))


class FeedingForm(FeedFields, forms.Form):
    farm = forms.ModelChoiceField(label=_("Farm"), queryset=None, empty_label=None)
    group = forms.ModelChoiceField(label=_("Group"), queryset=None, required=False, empty_label=_("The whole farm"))
    date = FarmDateField(label=_("Date"))

    def __init__(self, *args, farms, groups, feeds, quantities=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["farm"].queryset = farms
        self.fields["group"].queryset = groups
        self.add_feed_fields(feeds, "feed_", gettext("%(feed)s (%(unit)s fed)"), quantities)

    def lines(self) -> list[tuple]:
        return [(item, self.cleaned_data.get(f"feed_{item.pk}")) for item in self.feeds if self.cleaned_data.get(f"feed_{item.pk}")]


class RationForm(FeedFields, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    farm = forms.ModelChoiceField(label=_("Farm"), queryset=None, empty_label=None)
    group = forms.ModelChoiceField(label=_("Group"), queryset=None, required=False, empty_label=_("The whole farm"))
    standing = forms.BooleanField(label=_("Feed it every day by itself"), required=False,
                                  help_text=_("A morning job records the feeding and draws the stock each day."))
    starts_on = FarmDateField(label=_("From"), future=True)
    ends_on = FarmDateField(label=_("To"), future=True, required=False, help_text=_("Empty: until changed."))

    def __init__(self, *args, farms, groups, feeds, per_head=None, per_day=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["farm"].queryset = farms
        self.fields["group"].queryset = groups
        self.add_feed_fields(feeds, "head_", gettext("%(feed)s: %(unit)s per head per day"), per_head)
        self.add_feed_fields(feeds, "day_", gettext("%(feed)s: or %(unit)s for the group per day"), per_day)

    def lines(self) -> list[tuple]:
        data = self.cleaned_data
        return [(item, data.get(f"head_{item.pk}") or None, data.get(f"day_{item.pk}") or None) for item in self.feeds
                if data.get(f"head_{item.pk}") or data.get(f"day_{item.pk}")]


class PeriodForm(forms.Form):
    farm = forms.ModelChoiceField(label=_("Farm"), queryset=None, empty_label=None)
    month = forms.DateField(label=_("Month"), input_formats=["%Y-%m"], widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"))
    by = forms.ChoiceField(label=_("Share a group's feed among its cows"), choices=[("yield", _("by yield")), ("head", _("by head"))])

    def __init__(self, *args, farms, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["farm"].queryset = farms
