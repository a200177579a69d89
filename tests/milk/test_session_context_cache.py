"""What every row save shows beside its row, the session's tank reading and how many cows are in milk, is kept
between saves (apps.milk.selectors.session_context) and follows what it is drawn from: the read after a tank
reading, a lactation's end (through the page or the admin's form, which no service sees) or a cow leaving the herd
shows the change, not a figure up to some minutes old."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.herd.lifecycle import event_record
from apps.milk.models import BulkTankReading, Lactation
from apps.milk.selectors import session_context
from apps.milk.services import bulk_tank_save, lactation_dry_off
from tests.milk.conftest import TODAY, make_cows

pytestmark = pytest.mark.usefixtures("owner_scope", "redis_cache")


def _context(owner, dairy):
    return session_context(owner, dairy, TODAY, "morning")


def test_kept_between_saves_and_read_again_when_the_herd_or_a_lactation_changes(owner, dairy):
    cows = make_cows(owner, dairy, 4)
    assert _context(owner, dairy)["cows"] == 4
    with CaptureQueriesContext(connection) as kept:
        assert _context(owner, dairy)["cows"] == 4
    assert len(kept) == 0

    event_record(membership=owner, animal=cows[3], kind="disposal", on=TODAY, exit_status="sold", reason="other", note="")
    assert _context(owner, dairy)["cows"] == 3

    lactation_dry_off(membership=owner, lactation=Lactation.objects.get(animal=cows[2]),
                      dried_off_on=TODAY - dt.timedelta(days=1))
    assert _context(owner, dairy)["cows"] == 2

    lactation = Lactation.objects.get(animal=cows[1])  # the admin's form saves the row itself
    lactation.dried_off_on = TODAY - dt.timedelta(days=2)
    lactation.save()
    assert _context(owner, dairy)["cows"] == 1


def test_a_tank_reading_shows_at_the_next_read(owner, dairy):
    make_cows(owner, dairy, 1)
    assert _context(owner, dairy)["tank"] is None
    bulk_tank_save(membership=owner, farm=dairy, date=TODAY, session="morning", quantity=Decimal("19.5"))
    assert _context(owner, dairy)["tank"].quantity == Decimal("19.5")

    reading = BulkTankReading.objects.get(farm=dairy, date=TODAY, session="morning")  # corrected in the admin
    reading.quantity = Decimal("21")
    reading.save()
    assert _context(owner, dairy)["tank"].quantity == Decimal("21")
    reading.delete()
    assert _context(owner, dairy)["tank"] is None
