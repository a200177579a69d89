"""The accountants' milk report, added to the finance app's reports when the milk app starts."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from apps.core.exports import Sheet
from apps.core.words import amount
from apps.finance.models import Sale
from apps.finance.reports import month_label, period_of, scoped

from .models import FarmDaySummary

MILK_DENSITY = Decimal("1.03")  # kg per litre, to turn litres and percentages into kilograms of solids


def milk_report(membership, since, until, farm=None, progress=None) -> Sheet:
    """Per farm and month: milk produced, discarded and saleable, its fat and protein (as % and as
    kilograms of solids), and the milk sold with its average price and value. Read from the daily
    summaries, never from the raw milkings."""
    unit = membership.tenant.milk_unit
    produced = (
        scoped(FarmDaySummary.objects.filter(date__range=(since, until)), membership, farm)
        .annotate(month=TruncMonth("date")).values("farm__name", "month")
        .annotate(total=Sum("total"), discarded=Sum("discarded"), fat_w=Sum("fat_weighted"), fat_v=Sum("fat_volume"),
                  protein_w=Sum("protein_weighted"), protein_v=Sum("protein_volume"))
    )
    sold = (
        scoped(Sale.objects.filter(kind=Sale.Kind.MILK, voided_at=None, date__range=(since, until)), membership, farm)
        .annotate(month=TruncMonth("date")).values("farm__name", "month").annotate(quantity=Sum("quantity"), value=Sum("total"))
    )
    zero = Decimal("0")
    table: dict[tuple, dict] = defaultdict(lambda: {"total": zero, "discarded": zero, "fat_w": zero, "fat_v": zero,
                                                    "protein_w": zero, "protein_v": zero, "sold": zero, "value": zero})
    for row in produced:
        cell = table[(row["farm__name"], month_label(row["month"]))]
        for key in ("total", "discarded", "fat_w", "fat_v", "protein_w", "protein_v"):
            cell[key] += row[key] or zero
    for row in sold:
        cell = table[(row["farm__name"], month_label(row["month"]))]
        cell["sold"] += row["quantity"] or zero
        cell["value"] += row["value"] or zero
    kilos = Decimal("1") if unit == "kg" else MILK_DENSITY
    report = Sheet(
        _("Milk"), period_of(membership, since, until, farm) + (
            "; " + _("solids at %(density)s kg/L") % {"density": amount(MILK_DENSITY)} if unit != "kg" else ""),
        [_("Farm"), _("Month"), _("Produced (%(unit)s)") % {"unit": unit}, _("Discarded (%(unit)s)") % {"unit": unit},
         _("Saleable (%(unit)s)") % {"unit": unit}, _("Fat %"), _("Protein %"), _("Fat + protein (kg)"),
         _("Sold (%(unit)s)") % {"unit": unit}, _("Average price per %(unit)s") % {"unit": unit}, _("Value")],
    )
    sums = defaultdict(Decimal)
    for (farm_name, month), cell in sorted(table.items()):
        fat = cell["fat_w"] / cell["fat_v"] if cell["fat_v"] else None
        protein = cell["protein_w"] / cell["protein_v"] if cell["protein_v"] else None
        solids = (cell["total"] * kilos * ((fat or zero) + (protein or zero)) / 100).quantize(Decimal("0.1")) if fat or protein else None
        price = (cell["value"] / cell["sold"]).quantize(Decimal("0.01")) if cell["sold"] else None
        saleable = cell["total"] - cell["discarded"]
        report.rows.append([farm_name, month, cell["total"], cell["discarded"], saleable,
                            fat.quantize(Decimal("0.01")) if fat is not None else None,
                            protein.quantize(Decimal("0.01")) if protein is not None else None,
                            solids, cell["sold"].normalize(), price, cell["value"]])
        for key in ("total", "discarded", "sold", "value"):
            sums[key] += cell[key]
        sums["solids"] += solids or zero
    average = (sums["value"] / sums["sold"]).quantize(Decimal("0.01")) if sums["sold"] else None
    report.total_row = [_("All farms"), _("Total"), sums["total"], sums["discarded"], sums["total"] - sums["discarded"], None, None,
                        sums["solids"], sums["sold"].normalize(), average, sums["value"]]
    return report
