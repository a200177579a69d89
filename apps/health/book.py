"""The medicine book: every administration, with what EU Regulation 2019/6, Article 108 asks a
keeper of food-producing animals to record. Voided records stay, marked, with their reason."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.permissions import visible_to
from apps.core.exports import Sheet
from apps.core.words import day

from .models import Administration

HEADERS = [
    gettext_lazy("Date given"), gettext_lazy("Product"), gettext_lazy("Batch (lot)"), gettext_lazy("Quantity"),
    gettext_lazy("Supplier"), gettext_lazy("Animal"), gettext_lazy("EID"), gettext_lazy("Diagnosis"),
    gettext_lazy("Prescribing vet"), gettext_lazy("Prescription"), gettext_lazy("Milk withdrawal (h)"),
    gettext_lazy("Meat withdrawal (days)"), gettext_lazy("Milk withdrawal ends"), gettext_lazy("Meat withdrawal ends"),
    gettext_lazy("Given by"), gettext_lazy("Void"),
]


def book_entries(membership, *, since: dt.date, until: dt.date, farm=None):
    entries = visible_to(Administration.objects.all(), membership, "treatment__farm_id").filter(
        given_at__date__range=(since, until)
    ).select_related("treatment__animal", "treatment__farm", "batch__supplier", "given_by__user__profile").order_by("given_at", "id")
    if farm is not None:
        entries = entries.filter(treatment__farm=farm)
    return entries


def medicine_book(membership, *, since: dt.date, until: dt.date, farm=None) -> Sheet:
    """The doses of the period; times are the farm's (a page writes them as its other pages do, a spreadsheet keeps
    them as dates and times)."""
    where = farm.name if farm else _("all farms")
    period = _("%(since)s to %(until)s") % {"since": day(since), "until": day(until)}
    sheet = Sheet(title=_("Medicine book"), subtitle=f"{membership.tenant.name}, {where}, {period}",
                  headers=[str(h) for h in HEADERS])
    for a in book_entries(membership, since=since, until=until, farm=farm).iterator(chunk_size=1000):
        t = a.treatment
        zone = t.farm.zone
        sheet.rows.append([
            _local(a.given_at, zone), t.product_name, a.lot, f"{a.dose.normalize():f} {t.dose_unit}",
            a.batch.supplier.name if a.batch and a.batch.supplier else "", t.animal.tag, t.animal.eid, t.diagnosis,
            t.prescribing_vet, t.prescription_ref, t.milk_withdrawal_hours, t.meat_withdrawal_days,
            _local(t.milk_withdrawal_ends_at, zone) if t.milk_withdrawal_ends_at else "",
            t.meat_withdrawal_ends_on, a.given_by.user.display_name,
            _("void: %(reason)s") % {"reason": a.void_reason} if a.voided_at else "",
        ])
    return sheet


def _local(moment: dt.datetime, zone) -> dt.datetime:
    """A moment as the farm's clock read it, without its zone (a spreadsheet keeps no zones)."""
    return moment.astimezone(zone).replace(tzinfo=None, second=0, microsecond=0)
