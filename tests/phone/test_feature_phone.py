"""A milker with a feature phone records a milking and a heat by SMS and by USSD, in Kiswahili and English, through
the same services, permissions and audit as the pages; replays act once, a forged or unknown sender records nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django_scopes import scope

from apps.accounts.models import Profile
from apps.audit.models import AuditEntry
from apps.breeding.models import Heat
from apps.core.outbox import OutboxMessage
from apps.milk.models import MilkRecord
from apps.phone.grammar import Command, NotUnderstood, parse
from tests.factories import make_farm, make_member
from tests.milk.conftest import make_cows
from tests.phone.simulator import FeaturePhone

TOKEN = "callback-secret-7f3a"
NUMBER = "+254712345678"


@pytest.fixture
def yard(owner, settings):
    settings.PHONE_CALLBACK_TOKEN = TOKEN
    farm = make_farm(owner, name="Shamba la Juu", milking_sessions_per_day=2)
    cows = make_cows(owner, farm, 2, prefix="A")
    milker = make_member(owner, "worker")  # a farm worker: milks and watches for heats
    Profile.objects.update_or_create(user=milker.user, defaults={"phone": "+254 712 345 678", "language": "sw"})
    return farm, cows, milker


def test_the_grammar_in_both_languages():
    assert parse("MAZIWA A12 12,5 ASUBUHI") == Command("milk", "A12", "sw", Decimal("12.5"), "morning")
    assert parse("milk a12 9 pm") == Command("milk", "A12", "en", Decimal("9"), "evening")
    assert parse("Maziwa A12 7") == Command("milk", "A12", "sw", Decimal("7"), None)
    assert parse("JOTO A12") == Command("heat", "A12", "sw")
    for text, problem in (("MAZIWA A12", "quantity"), ("MAZIWA A12 kumi", "quantity"), ("MILK A12 9 NIGHT", "session"),
                          ("JOTO", "tag"), ("habari", "unknown"), ("MILK A12 nan", "quantity")):
        with pytest.raises(NotUnderstood) as error:
            parse(text)
        assert error.value.args[0] == problem


def test_a_milking_and_a_heat_by_sms_in_kiswahili(client, owner, yard, django_capture_on_commit_callbacks):
    farm, cows, milker = yard
    phone = FeaturePhone(client, TOKEN, NUMBER)
    with django_capture_on_commit_callbacks(execute=False):
        assert phone.sms("MAZIWA A000 12.5 ASUBUHI", message_id="ATXid_1").status_code == 200
        assert phone.sms("JOTO A001", message_id="ATXid_2").status_code == 200
        assert phone.sms("MAZIWA A000 12.5 ASUBUHI", message_id="ATXid_1").status_code == 200  # the provider retries
    with scope(tenant=owner.tenant_id):
        record = MilkRecord.objects.get(animal=cows[0], session="morning")
        assert record.quantity == Decimal("12.5") and record.milker_id == milker.pk and record.date == farm.local_today()
        assert Heat.objects.get(animal=cows[1]).recorded_by_id == milker.pk
        assert AuditEntry.objects.filter(tenant_id=owner.tenant_id, membership_id=milker.pk).count() >= 2  # the milking, the heat
        replies = [m.payload for m in OutboxMessage.objects.filter(kind="phone.reply").order_by("pk")]
    assert [r["to"] for r in replies] == [NUMBER, NUMBER]  # one answer each, none for the retry
    assert replies[0]["text"].startswith("Imehifadhiwa: A000 12.5 L, asubuhi")
    assert replies[1]["text"].startswith("Imehifadhiwa: A001")


def test_a_milking_and_a_heat_by_ussd_in_kiswahili(client, owner, yard):
    farm, cows, milker = yard
    phone = FeaturePhone(client, TOKEN, NUMBER)
    screens = phone.dial("1", "1", "2", "A000", "9.5")
    assert screens[0].startswith("CON iFarm\n1. Rekodi maziwa")
    assert screens[1].startswith("CON Shamba\n1. Shamba la Juu")
    assert screens[2].startswith("CON Kipindi\n1. Asubuhi\n2. Jioni")
    assert screens[3] == "CON Alama ya ng'ombe:"
    assert screens[4] == "CON Lita kutoka A000:"
    assert screens[5].startswith("END Imehifadhiwa: A000 9.5 L, jioni")
    heat = phone.dial("2", "1", "A001")
    assert heat[-1].startswith("END Imehifadhiwa: A001")
    with scope(tenant=owner.tenant_id):
        assert MilkRecord.objects.get(animal=cows[0], session="evening").quantity == Decimal("9.5")
        assert Heat.objects.filter(animal=cows[1]).count() == 1


def test_bad_answers_on_ussd_are_told_and_record_nothing(client, owner, yard):
    farm, cows, milker = yard
    phone = FeaturePhone(client, TOKEN, NUMBER)
    assert phone.dial("7")[-1] == "END Hilo si mojawapo ya machaguo. Piga tena."
    assert phone.dial("1", "1", "1", "B99")[-1] == "END Hakuna ng'ombe B99 kwenye Shamba la Juu."
    assert phone.dial("1", "1", "1", "A000", "kumi")[-1].startswith("END Andika lita kwa namba")
    assert phone.dial("1", "1", "1", "A000", "500")[-1].startswith("END ")  # out of range: the service's own message
    with scope(tenant=owner.tenant_id):
        assert not MilkRecord.objects.exists()


def test_a_forged_or_unknown_sender_and_a_wrong_token_record_nothing(client, owner, yard):
    farm, cows, milker = yard
    stranger = FeaturePhone(client, TOKEN, "+254700000001")
    assert stranger.sms("MAZIWA A000 12 ASUBUHI").status_code == 200
    assert stranger.dial()[-1].startswith("END ")
    forged = FeaturePhone(client, "guessed-token", NUMBER)
    assert forged.sms("MAZIWA A000 12 ASUBUHI").status_code == 404
    assert forged.dial()[0] != "CON"  # a 404 page, not a menu
    assert client.get(f"/phone/{TOKEN}/sms/").status_code == 405
    with scope(tenant=owner.tenant_id):
        assert not MilkRecord.objects.exists() and not OutboxMessage.objects.filter(kind="phone.reply").exists()


def test_a_viewer_may_not_record_by_phone_and_another_organisations_cow_is_not_found(client, owner, outsider, yard):
    farm, cows, milker = yard
    viewer = make_member(owner, "viewer")
    Profile.objects.update_or_create(user=viewer.user, defaults={"phone": "+254711000222", "language": "en"})
    phone = FeaturePhone(client, TOKEN, "+254711000222")
    assert phone.dial("1", "1", "1", "A000", "5")[-1] == "END Your role may not record this."
    assert FeaturePhone(client, TOKEN, NUMBER).dial("1", "1", "1", "R-1")[-1].startswith("END Hakuna ng'ombe R-1")
    with scope(tenant=owner.tenant_id):
        assert not MilkRecord.objects.exists()


def test_the_session_is_the_farms_own_when_none_is_said(client, owner, yard, time_machine):
    farm, cows, milker = yard
    time_machine.move_to(dt.datetime.combine(farm.local_today(), dt.time(16, 30), tzinfo=farm.zone), tick=False)
    FeaturePhone(client, TOKEN, NUMBER).sms("MILK A000 8")
    with scope(tenant=owner.tenant_id):
        assert MilkRecord.objects.get(animal=cows[0]).session == "evening"


def test_a_treatment_by_sms_draws_stock_and_withholds_the_milk(client, owner, yard, django_capture_on_commit_callbacks):
    from apps.health.models import Treatment
    from apps.stock.models import Batch
    from tests.health.conftest import make_batch, make_item

    farm, cows, milker = yard
    make_batch(owner, make_item(owner, name="Masticlear", milk_hours=72), farm, quantity="6")
    assert parse("TIBA A000 Masticlear 1") == Command("treat", "A000", "sw", Decimal("1"), None, "Masticlear")
    with django_capture_on_commit_callbacks(execute=False):
        FeaturePhone(client, TOKEN, NUMBER).sms("TIBA A000 masticlear 1")
        FeaturePhone(client, TOKEN, NUMBER).sms("TIBA A001 1")  # no product
    with scope(tenant=owner.tenant_id):
        treatment = Treatment.objects.get(animal=cows[0])
        assert treatment.item.name == "Masticlear" and treatment.milk_withdrawal_hours == 72
        assert treatment.recorded_by_id == milker.pk and Batch.objects.get().quantity == Decimal("5")
        replies = [m.payload["text"] for m in OutboxMessage.objects.filter(kind="phone.reply").order_by("pk")]
    assert replies[0].startswith("Imehifadhiwa: A000 ametibiwa kwa Masticlear, 1 tube.") and "Maziwa yazuiwe hadi" in replies[0]
    assert replies[1].startswith("Tuma TIBA")
