"""The medicine book: every administration, with what EU Regulation 2019/6, Article 108 asks a
keeper of food-producing animals to record. Voided records stay, marked, with their reason."""

from __future__ import annotations

import datetime as dt

from apps.accounts.permissions import visible_to
from apps.insights.exports import Sheet

from .models import Administration

HEADERS = [
    "Date given", "Product", "Batch (lot)", "Quantity", "Supplier", "Animal", "EID", "Diagnosis", "Prescribing vet",
    "Prescription", "Milk withdrawal (h)", "Meat withdrawal (days)", "Milk withdrawal ends", "Meat withdrawal ends",
    "Given by", "Void",
]


def book_entries(membership, *, since: dt.date, until: dt.date, farm=None):
    entries = visible_to(Administration.objects.all(), membership, "treatment__farm_id").filter(
        given_at__date__range=(since, until)
    ).select_related("treatment__animal", "treatment__farm", "batch__supplier", "given_by__user__profile").order_by("given_at", "id")
    if farm is not None:
        entries = entries.filter(treatment__farm=farm)
    return entries


def medicine_book(membership, *, since: dt.date, until: dt.date, farm=None) -> Sheet:
    where = farm.name if farm else "all farms"
    sheet = Sheet(title="Medicine book", subtitle=f"{membership.tenant.name}, {where}, {since:%d %b %Y} to {until:%d %b %Y}",
                  headers=HEADERS)
    for a in book_entries(membership, since=since, until=until, farm=farm).iterator(chunk_size=1000):
        t = a.treatment
        zone = t.farm.zone
        sheet.rows.append([
            a.given_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"), t.product_name, a.lot, f"{a.dose.normalize():f} {t.dose_unit}",
            a.batch.supplier.name if a.batch and a.batch.supplier else "", t.animal.tag, t.animal.eid, t.diagnosis,
            t.prescribing_vet, t.prescription_ref, t.milk_withdrawal_hours, t.meat_withdrawal_days,
            t.milk_withdrawal_ends_at.astimezone(zone).strftime("%Y-%m-%d %H:%M") if t.milk_withdrawal_ends_at else "",
            t.meat_withdrawal_ends_on, a.given_by.user.display_name, f"void: {a.void_reason}" if a.voided_at else "",
        ])
    return sheet
