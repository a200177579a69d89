import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from .models import MilkRecord


class MilkRecordTable(tables.Table):
    """Ordering, paging and export; the HTML rows are written in milk/records.html."""

    date = tables.DateColumn(format="Y-m-d")
    session = tables.Column()
    animal = tables.Column(accessor="animal__tag", verbose_name=_("Cow"), order_by=("animal__tag",))
    farm = tables.Column(accessor="farm__name", verbose_name=_("Farm"), order_by=("farm__name",))
    quantity = tables.Column(verbose_name=_("Quantity"))
    fat = tables.Column(verbose_name=_("Fat %"))
    protein = tables.Column(verbose_name=_("Protein %"))
    scc = tables.Column(verbose_name=_("SCC"))
    discarded = tables.BooleanColumn()
    milker = tables.Column(accessor="milker__user__email", verbose_name=_("Milker"), orderable=False)

    class Meta:
        model = MilkRecord
        fields = ()
        sequence = ("date", "session", "animal", "farm", "quantity", "fat", "protein", "scc", "discarded", "milker")
        order_by = ("-date",)

    def value_session(self, value, record):
        return record.get_session_display()

    def value_discarded(self, value):
        return _("yes") if value else _("no")
