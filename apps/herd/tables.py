"""The herd table: ordering, paging and CSV/XLSX export.

The HTML rows are written by hand in herd/list.html: rendering cell by cell through
django-tables2 cost about 1 ms a row, the biggest share of the list's time.
"""

import django_tables2 as tables
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.templatetags.ifarm import age_label

from .models import Animal

# Columns shown only on wide screens (the template hides them on phones).
WIDE_ONLY = ("species", "breed", "farm", "group")


class AnimalTable(tables.Table):
    tag = tables.Column(verbose_name=_("Tag"))
    name = tables.Column()
    species = tables.Column()
    breed = tables.Column(accessor="breed__name", verbose_name=_("Breed"), order_by=("breed__name",))
    sex = tables.Column()
    age = tables.Column(accessor="date_of_birth", verbose_name=_("Age"), order_by=("-date_of_birth",))
    farm = tables.Column(accessor="farm__name", verbose_name=_("Farm"), order_by=("farm__name",))
    group = tables.Column(accessor="group__name", verbose_name=_("Group"), order_by=("group__name",))
    status = tables.Column()
    eid = tables.Column(verbose_name=_("EID"), visible=False)
    date_of_birth = tables.DateColumn(verbose_name=_("Born"), format="Y-m-d", visible=False)

    class Meta:
        model = Animal
        fields = ()
        sequence = ("tag", "name", "species", "breed", "sex", "age", "farm", "group", "status", "eid", "date_of_birth")
        attrs = {"class": "table table-sm table-hover align-middle animal-table"}
        order_by = ("tag",)
        empty_text = "No animals match these filters."

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = timezone.localdate()

    def value_age(self, value):
        return age_label(value, self.today)

    def value_status(self, value, record):
        return record.get_status_display()
