"""Shared by the money services: one-time form keys, dates and currency."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import (
    IdempotencyKey,
)


class Duplicate(Exception):
    """The same form was submitted before; `result` is what the first submission produced."""

    def __init__(self, result: str):
        self.result = result
        super().__init__(result)


def claim_submission(*, tenant_id: int, key: str, action: str) -> IdempotencyKey:
    """Record a form's one-time key inside the caller's transaction, or raise Duplicate.

    The unique (tenant, key) row is the lock: of two concurrent submissions one inserts it and the
    other waits on the insert, then fails, and reports the first one's result.
    """
    if not key or len(key) > 64:
        raise ValidationError(_("This form has expired. Reload the page and try again."))
    try:
        with transaction.atomic():
            return IdempotencyKey.objects.create(tenant_id=tenant_id, key=key, action=action)
    except IntegrityError:
        existing = IdempotencyKey.objects.filter(tenant_id=tenant_id, key=key).first()
        raise Duplicate(existing.result if existing else "") from None


def today_for(farm=None) -> dt.date:
    return farm.local_today() if farm is not None else timezone.localdate()


def currency_of(membership) -> str:
    return membership.tenant.currency
