import datetime as dt

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.identifiers import digits, digits_of

from .models import Animal, Sex, Species, Status


def _months_ago(months: int) -> dt.date:
    today = timezone.localdate()
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    day = min(today.day, 28)
    return dt.date(year, month + 1, day)


class AnimalFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Tag, EID or name"))
    farm = django_filters.ModelChoiceFilter(queryset=None, empty_label=_("All farms"))
    species = django_filters.ChoiceFilter(choices=Species.choices, empty_label=_("Any species"))
    sex = django_filters.ChoiceFilter(choices=Sex.choices, empty_label=_("Any sex"))
    status = django_filters.ChoiceFilter(choices=Status.choices, empty_label=_("Any status"))
    group = django_filters.ModelChoiceFilter(queryset=None, empty_label=_("Any group"))
    min_age = django_filters.NumberFilter(method="older_than", label=_("Age from (months)"), min_value=0)
    max_age = django_filters.NumberFilter(method="younger_than", label=_("Age to (months)"), min_value=0)

    class Meta:
        model = Animal
        fields = ["q", "farm", "species", "sex", "status", "group", "min_age", "max_age"]

    def __init__(self, *args, farms, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["farm"].queryset = farms
        self.filters["group"].queryset = groups
        for field in self.form.fields.values():
            if isinstance(field.widget, forms.Select):
                field.widget.attrs["class"] = "form-select form-select-sm"
            else:
                field.widget.attrs["class"] = "form-control form-control-sm"

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        number = digits(value)
        if len(number) >= 10:  # an EID as a reader types it, with or without spaces
            queryset = queryset.annotate(eid_digits=digits_of("eid"))
            return queryset.filter(Q(tag__icontains=value) | Q(eid_digits__contains=number) | Q(name__icontains=value))
        return queryset.filter(Q(tag__icontains=value) | Q(eid__icontains=value) | Q(name__icontains=value))

    def older_than(self, queryset, name, value):
        return queryset.filter(date_of_birth__lte=_months_ago(int(value)))

    def younger_than(self, queryset, name, value):
        return queryset.filter(date_of_birth__gt=_months_ago(int(value) + 1))
