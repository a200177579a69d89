import django_tables2 as tables

from .models import MilkRecord


class MilkRecordTable(tables.Table):
    """Ordering, paging and export; the HTML rows are written in milk/records.html."""

    date = tables.DateColumn(format="Y-m-d")
    session = tables.Column()
    animal = tables.Column(accessor="animal__tag", verbose_name="Cow", order_by=("animal__tag",))
    farm = tables.Column(accessor="farm__name", verbose_name="Farm", order_by=("farm__name",))
    quantity = tables.Column(verbose_name="Quantity")
    fat = tables.Column(verbose_name="Fat %")
    protein = tables.Column(verbose_name="Protein %")
    scc = tables.Column(verbose_name="SCC")
    discarded = tables.BooleanColumn()
    milker = tables.Column(accessor="milker__user__email", verbose_name="Milker", orderable=False)

    class Meta:
        model = MilkRecord
        fields = ()
        sequence = ("date", "session", "animal", "farm", "quantity", "fat", "protein", "scc", "discarded", "milker")
        order_by = ("-date",)

    def value_session(self, value, record):
        return record.get_session_display()
