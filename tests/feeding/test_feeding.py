"""Rations and feedings draw feed from stock at the batches' cost; what the stock lacks is fed and flagged; the
morning job feeds standing rations once a day; the feeding page shows each group's income over feed cost."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.deliveries import services as deliveries
from apps.feeding import services
from apps.feeding.models import Feeding, FeedingLine
from apps.herd.models import AnimalGroup
from apps.milk.models import AnimalDaySummary, FarmDaySummary
from apps.stock.models import Batch, StockMovement
from apps.stock.services import batch_receive, item_save
from tests.factories import TODAY, make_farm, make_member
from tests.milk.conftest import make_cows

pytestmark = pytest.mark.usefixtures("owner_scope")
D = Decimal


@pytest.fixture
def dairy(owner):
    return make_farm(owner, name="Dairy Farm", milking_sessions_per_day=2)


@pytest.fixture
def meal(owner, dairy):
    item = item_save(membership=owner, kind="feed", name="Dairy meal", unit="kg")
    # Two batches: 100 kg at 40.00 expiring first, then 500 kg at 45.00.
    batch_receive(membership=owner, item=item, farm=dairy, quantity=D("100"), lot="A", unit_cost=D("40"),
                  expires_on=TODAY + dt.timedelta(days=30))
    batch_receive(membership=owner, item=item, farm=dairy, quantity=D("500"), lot="B", unit_cost=D("45"),
                  expires_on=TODAY + dt.timedelta(days=90))
    return item


def test_a_feeding_draws_the_soonest_expiring_batch_first_at_its_cost(owner, dairy, meal):
    # 150 kg: 100 kg of lot A at 40.00 = 4,000.00, then 50 kg of lot B at 45.00 = 2,250.00 -> 6,250.00
    feeding = services.feeding_record(membership=owner, farm=dairy, date=TODAY, lines=[(meal, D("150"))])
    line = feeding.lines.get()
    assert (line.drawn, line.shortfall, line.cost) == (D("150"), D("0"), D("6250.00"))
    assert sorted(Batch.objects.values_list("lot", "quantity")) == [("A", D("0")), ("B", D("450"))]
    assert StockMovement.objects.filter(kind="used").count() == 2


def test_feed_beyond_the_stock_is_recorded_and_flagged(owner, dairy, meal):
    # 700 kg fed, 600 in stock: 100 x 40 + 500 x 45 = 26,500.00, and 100 kg short at the latest cost 45.00 = 4,500.00
    feeding = services.feeding_record(membership=owner, farm=dairy, date=TODAY, lines=[(meal, D("700"))])
    line = feeding.lines.get()
    assert (line.quantity, line.drawn, line.shortfall, line.cost) == (D("700"), D("600"), D("100"), D("31000.00"))
    assert not Batch.objects.filter(quantity__gt=0).exists()


def test_bad_feeding_input_changes_nothing(owner, dairy, meal, other_farm):
    group = AnimalGroup.objects.create(tenant_id=owner.tenant_id, farm=other_farm, name="Elsewhere")
    medicine = item_save(membership=owner, kind="medicine", name="Penicillin", unit="mL")
    for values, field in (({"lines": [(meal, D("0"))]}, "lines"), ({"lines": [(medicine, D("1"))]}, "lines"),
                          ({"lines": [(meal, D("1"))], "group": group}, "group"),
                          ({"lines": [(meal, D("1"))], "date": TODAY + dt.timedelta(days=2)}, "date")):
        with pytest.raises(ValidationError) as error:
            services.feeding_record(membership=owner, farm=dairy, **{"date": TODAY, **values})
        assert field in error.value.message_dict
    assert not Feeding.objects.exists() and Batch.objects.get(lot="A").quantity == D("100")


def test_a_standing_ration_is_fed_once_a_day_by_the_morning_job(owner, dairy, meal):
    group = AnimalGroup.objects.create(tenant_id=owner.tenant_id, farm=dairy, name="Milking herd")
    cows = make_cows(owner, dairy, 4, prefix="ST")
    for cow in cows[:3]:
        cow.group = group
        cow.save(update_fields=["group"])
    services.ration_save(membership=owner, farm=dairy, group=group, name="Milking TMR", standing=True,
                         starts_on=TODAY - dt.timedelta(days=1), lines=[(meal, D("6.5"), None)])
    assert services.standing_rations_feed(tenant_id=owner.tenant_id, day=TODAY) == 1
    assert services.standing_rations_feed(tenant_id=owner.tenant_id, day=TODAY) == 0  # not twice
    line = FeedingLine.objects.get()
    assert line.quantity == D("19.5") and line.feeding.automatic and line.feeding.head_count == 3  # 3 head x 6.5 kg


def test_a_ration_takes_a_quantity_per_head_or_for_the_group_not_both(owner, dairy, meal):
    with pytest.raises(ValidationError):
        services.ration_save(membership=owner, farm=dairy, name="Odd", standing=False, starts_on=TODAY,
                             lines=[(meal, D("1"), D("10"))])
    with pytest.raises(ValidationError):
        services.ration_save(membership=owner, farm=dairy, name="Empty", standing=False, starts_on=TODAY, lines=[])


def test_the_feeding_page_shows_each_groups_income_over_feed_cost(as_member, owner, dairy, meal):
    # One day: 40 L saleable from two cows of one group (10 L and 30 L), all delivered at 50.00 = 2,000.00;
    # the group ate 20 kg of lot A at 40.00 = 800.00 -> IOFC 1,200.00; feed per litre 800 / 40 = 20.00.
    # By yield the cows' shares are 200.00 and 600.00: IOFC 300.00 and 900.00.
    group = AnimalGroup.objects.create(tenant_id=owner.tenant_id, farm=dairy, name="Fresh cows")
    low, high = make_cows(owner, dairy, 2, prefix="IO")
    day = TODAY - dt.timedelta(days=1) if TODAY.day > 1 else TODAY
    for cow, litres in ((low, "10"), (high, "30")):
        cow.group = group
        cow.save(update_fields=["group"])
        AnimalDaySummary.objects.create(tenant_id=owner.tenant_id, farm=dairy, animal=cow, date=day, morning=D(litres), total=D(litres))
    FarmDaySummary.objects.create(tenant_id=owner.tenant_id, farm=dairy, date=day, morning=D("40"), total=D("40"))
    coop = deliveries.buyer_save(membership=owner, name="Co-op")
    deliveries.schedule_save(membership=owner, buyer=coop, valid_from=day - dt.timedelta(days=30), base_price=D("50"))
    deliveries.delivery_record(membership=owner, farm=dairy, buyer=coop, date=day, sessions=["morning"], quantity=D("40"))
    services.feeding_record(membership=owner, farm=dairy, group=group, date=day, lines=[(meal, D("20"))])
    page = as_member(owner).get(reverse("feeding:home"), {"farm": dairy.pk, "month": day.strftime("%Y-%m"), "by": "yield"})
    text = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="iofc">KES\xa01,200.00<' in text and 'data-testid="feed-per-litre">KES\xa020.00<' in text
    assert "Fresh cows" in text and ">300.00<" in text and ">900.00<" in text
    # The milk dashboard's card and the accountants' report say the same.
    card = as_member(owner).get(reverse("feeding:card")).content.decode()
    assert "1,200" in card and 'data-testid="iofc-group-row"><td>Fresh cows' in card
    report = as_member(owner).post("/money/reports/", {"kind": "iofc", "file_format": "csv", "farm": dairy.pk,
                                                       "since": day.isoformat(), "until": day.isoformat()})
    lines = report.content.decode().splitlines()
    assert report.status_code == 200 and any("All" in line and "1200.00" in line for line in lines)
    assert any("Fresh cows" in line and "1200.00" in line for line in lines)  # the group: 2,000.00 - 800.00


def test_the_lowest_role_and_another_organisation_are_kept_out(as_member, owner, outsider, dairy, meal):
    ration = services.ration_save(membership=owner, farm=dairy, name="Hay", standing=False, starts_on=TODAY,
                                  lines=[(meal, None, D("10"))])
    viewer = make_member(owner, "viewer")
    assert as_member(viewer).get(reverse("feeding:home")).status_code == 200
    assert as_member(viewer).post(reverse("feeding:create"), {"farm": dairy.pk, "date": TODAY.isoformat(),
                                                              f"feed_{meal.pk}": "5"}).status_code == 403
    assert as_member(outsider).get(reverse("feeding:ration_edit", args=[ration.pk])).status_code == 404
    assert "Hay" not in as_member(outsider).get(reverse("feeding:home")).content.decode()
    assert not Feeding.objects.exists()
