"""Reads for stock, within the member's organisation and farms."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import DecimalField, ExpressionWrapper, F, Sum
from django.http import Http404
from django.utils import timezone

from apps.accounts.permissions import visible_to
from apps.core.fragments import Source
from apps.finance.selectors import expenses_for, invoices_for

from .models import Batch, StockItem

EXPIRY_WARNING_DAYS = 30


# The organisation's medicines and feed as the health page shows them (low stock, batches expiring).
STOCK = Source("stock")


def items_of(membership):
    return StockItem.objects.filter(tenant_id=membership.tenant_id, is_active=True).prefetch_related("withdrawals")


def get_item_for(membership, pk: int) -> StockItem:
    item = StockItem.objects.filter(tenant_id=membership.tenant_id, pk=pk).prefetch_related("withdrawals").first()
    if item is None:
        raise Http404
    return item


def batches_for(membership):
    return visible_to(Batch.objects.select_related("item", "farm"), membership)


def get_batch_for(membership, pk: int) -> Batch:
    batch = batches_for(membership).filter(pk=pk).first()
    if batch is None:
        raise Http404
    return batch


def usable_batches(membership, *, kinds=("medicine", "vaccine")):
    """Batches with stock left and not expired, for the treatment form's product picker."""
    return batches_for(membership).filter(item__kind__in=kinds, quantity__gt=0).exclude(
        expires_on__lt=timezone.localdate()).order_by("item__name", "expires_on")


def stock_on_hand(membership) -> list[dict]:
    """Per farm and item: quantity on hand and its value at cost (one query)."""
    value = ExpressionWrapper(F("quantity") * F("unit_cost"), output_field=DecimalField(max_digits=18, decimal_places=2))
    rows = (
        batches_for(membership).filter(quantity__gt=0)
        .values("farm__name", "item_id", "item__name", "item__unit", "item__kind", "item__reorder_level")
        .annotate(on_hand=Sum("quantity"), value=Sum(value))
        .order_by("farm__name", "item__name")
    )
    return list(rows)


def low_stock(membership) -> list[dict]:
    """Items whose stock across the member's farms is at or below their reorder level."""
    on_hand = {row["item_id"]: row["total"] for row in
               batches_for(membership).values("item_id").annotate(total=Sum("quantity"))}
    return [
        {"item": item, "on_hand": on_hand.get(item.pk, Decimal("0"))}
        for item in items_of(membership).filter(reorder_level__gt=0)
        if on_hand.get(item.pk, Decimal("0")) <= item.reorder_level
    ]


def expiring(membership, *, within_days: int = EXPIRY_WARNING_DAYS):
    """Batches with stock that expire within the window (or already have)."""
    until = timezone.localdate() + dt.timedelta(days=within_days)
    return batches_for(membership).filter(quantity__gt=0, expires_on__lte=until).order_by("expires_on")


def batches_on_hand(membership, limit: int = 200):
    return batches_for(membership).filter(quantity__gt=0).order_by("farm__name", "item__name", "expires_on")[:limit]


def bills_to_link(membership, *, days: int = 180):
    """Approved expenses and issued purchase invoices of the last months, for linking a delivery."""
    since = timezone.localdate() - dt.timedelta(days=days)
    expenses = expenses_for(membership).filter(status="approved", date__gte=since).order_by("-date")
    invoices = (invoices_for(membership).filter(kind="purchase", issue_date__gte=since)
                .exclude(status__in=["draft", "void"]).order_by("-issue_date"))
    return expenses, invoices
