import datetime as dt

WIDE_ONLY = {"th": {"class": "d-none d-md-table-cell"}, "td": {"class": "d-none d-md-table-cell"}}

import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from .models import Animal


def age_label(born: dt.date | None, today: dt.date) -> str:
    if born is None:
        return ""
    months = (today.year - born.year) * 12 + today.month - born.month - (today.day < born.day)
    if months < 1:
        return f"{(today - born).days} d"
    if months < 24:
        return f"{months} mo"
    return f"{months // 12} y {months % 12} mo"


class AnimalTable(tables.Table):
    tag = tables.Column(verbose_name="Tag", attrs={"td": {"class": "text-nowrap"}})
    name = tables.Column()
    species = tables.Column(attrs=WIDE_ONLY)
    breed = tables.Column(accessor="breed__name", verbose_name="Breed", order_by=("breed__name",), attrs=WIDE_ONLY)
    sex = tables.Column()
    age = tables.Column(accessor="date_of_birth", verbose_name="Age", order_by=("-date_of_birth",))
    farm = tables.Column(accessor="farm__name", verbose_name="Farm", order_by=("farm__name",), attrs=WIDE_ONLY)
    group = tables.Column(accessor="group__name", verbose_name="Group", order_by=("group__name",), attrs=WIDE_ONLY)
    status = tables.Column()
    eid = tables.Column(verbose_name="EID", visible=False)
    date_of_birth = tables.DateColumn(verbose_name="Born", format="Y-m-d", visible=False)

    class Meta:
        model = Animal
        fields = ()
        sequence = ("tag", "name", "species", "breed", "sex", "age", "farm", "group", "status", "eid", "date_of_birth")
        attrs = {"class": "table table-sm table-hover align-middle animal-table"}
        order_by = ("tag",)
        empty_text = "No animals match these filters."

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One reverse() for the whole table instead of one per row.
        self.detail_base = reverse("herd:detail", args=[0])[: -len("0/")]
        self.today = timezone.localdate()

    def render_tag(self, value, record):
        return format_html('<a class="fw-semibold" href="{}{}/">{}</a>', self.detail_base, record.pk, value)

    def render_age(self, value):
        return age_label(value, self.today)

    def render_status(self, value, record):
        css = "text-bg-success" if record.status == "active" else "text-bg-secondary"
        return format_html('<span class="badge {}">{}</span>', css, value)

    def value_age(self, value):
        return age_label(value, self.today)

    def value_status(self, value, record):
        return record.get_status_display()
