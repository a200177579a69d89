"""Weighings with daily gain, weaning, castration, moves and exits; the same for a selection at once."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.herd.lifecycle import event_record
from apps.herd.models import Animal, AnimalEvent
from apps.herd.selectors import growth_chart, growth_of
from apps.herd.services import animal_group_create
from tests.factories import TODAY, make_animal, make_member
from tests.formdata import form_data

pytestmark = pytest.mark.usefixtures("owner_scope")


@pytest.fixture
def steer(owner, farm):
    return make_animal(owner, farm, tag="STEER", sex="male", date_of_birth=TODAY - dt.timedelta(days=200))


def weigh(owner, animal, days_ago, kg):
    return event_record(membership=owner, animal=animal, kind="weight", on=TODAY - dt.timedelta(days=days_ago), weight_kg=Decimal(kg))


def test_daily_gain_between_weighings(owner, steer):
    weigh(owner, steer, 100, "100")
    weigh(owner, steer, 50, "140")
    weigh(owner, steer, 0, "175")
    points = growth_of(steer)
    assert [p["gain"] for p in points] == [None, Decimal("0.800"), Decimal("0.700")]
    chart = growth_chart(points)
    assert len(chart["dots"]) == 3 and chart["polyline"].count(",") == 3


@pytest.mark.parametrize(("kind", "values", "field"), [
    ("weight", {"weight_kg": None}, "weight_kg"),
    ("weight", {"weight_kg": Decimal("-3")}, "weight_kg"),
    ("weight", {"weight_kg": Decimal("5000")}, "weight_kg"),
    ("disposal", {"exit_status": "sold"}, "reason"),
    ("disposal", {"reason": "age"}, "exit_status"),
    ("movement", {}, "to_farm"),
])
def test_bad_events_are_refused_and_change_nothing(owner, steer, kind, values, field):
    with pytest.raises(ValidationError) as error:
        event_record(membership=owner, animal=steer, kind=kind, on=TODAY, **values)
    assert field in error.value.message_dict
    assert not AnimalEvent.objects.exists()
    steer.refresh_from_db()
    assert steer.status == "active"


def test_an_event_before_birth_or_in_the_future_is_refused(owner, steer):
    for on in (steer.date_of_birth - dt.timedelta(days=1), TODAY + dt.timedelta(days=2)):
        with pytest.raises(ValidationError):
            event_record(membership=owner, animal=steer, kind="weight", on=on, weight_kg=Decimal("80"))


def test_castration_moves_and_exits_change_the_register(owner, farm, other_farm, steer):
    event_record(membership=owner, animal=steer, kind="castration", on=TODAY - dt.timedelta(days=150))
    with pytest.raises(ValidationError, match="already castrated"):
        event_record(membership=owner, animal=steer, kind="castration", on=TODAY)
    pen = animal_group_create(membership=owner, farm=other_farm, name="Feedlot")
    event_record(membership=owner, animal=steer, kind="movement", on=TODAY - dt.timedelta(days=10), to_farm=other_farm, to_group=pen)
    event_record(membership=owner, animal=steer, kind="disposal", on=TODAY, exit_status="sold", reason="other", note="to the butcher")
    steer.refresh_from_db()
    assert (steer.castrated, steer.farm_id, steer.group_id, steer.status, steer.status_reason) == (
        True, other_farm.pk, pen.pk, "sold", "Other: to the butcher")
    move = AnimalEvent.objects.get(kind="movement")
    assert (move.from_farm_id, move.to_farm_id) == (farm.pk, other_farm.pk)
    with pytest.raises(ValidationError, match="left the herd"):
        weigh(owner, steer, 0, "300")


def test_a_female_cannot_be_castrated_and_a_group_must_be_of_the_farm(owner, farm, other_farm):
    heifer = make_animal(owner, farm, tag="HEIF", date_of_birth=TODAY - dt.timedelta(days=300))
    with pytest.raises(ValidationError, match="female"):
        event_record(membership=owner, animal=heifer, kind="castration", on=TODAY)
    pen = animal_group_create(membership=owner, farm=other_farm, name="Far pen")
    with pytest.raises(ValidationError) as error:
        event_record(membership=owner, animal=heifer, kind="movement", on=TODAY, to_group=pen)
    assert "to_group" in error.value.message_dict


def test_events_from_the_animal_page_as_a_browser_posts_them(owner, steer, as_member):
    client = as_member(owner)
    url = reverse("herd:event_create", args=[steer.pk])
    page = client.get(reverse("herd:detail", args=[steer.pk])).content.decode()
    # The weighing form (the first form posting there) with only the weight typed in.
    response = client.post(url, form_data(page, action=url, fill={"weight_kg": "182.5"}))
    assert response.status_code == 302
    assert AnimalEvent.objects.get().weight_kg == Decimal("182.5")
    refused = client.post(url, form_data(page, action=url, fill={"weight_kg": "abc"}))
    assert refused.status_code == 400 and AnimalEvent.objects.count() == 1
    detail = client.get(reverse("herd:detail", args=[steer.pk])).content.decode()
    assert "182.5" in detail and "weighed" in detail
    assert as_member(make_member(owner, "viewer")).post(url, {"kind": "weight", "on": TODAY.isoformat(), "weight_kg": "1"}).status_code == 403


def test_weigh_a_selection_from_the_herd_list(owner, farm, as_member):
    calves = [make_animal(owner, farm, tag=f"C-{n}", date_of_birth=TODAY - dt.timedelta(days=120)) for n in range(3)]
    client = as_member(owner)
    url = reverse("herd:group_action")
    page = client.get(url, {"animal": [c.pk for c in calves] + ["junk"]}).content.decode()
    data = form_data(page, "group-action-form", fill={"kind": "weight", **{f"weight-{c.pk}": str(100 + n) for n, c in enumerate(calves)}})
    data["animal"] = [str(c.pk) for c in calves]
    # One weight missing: nothing is saved.
    missing = dict(data, **{f"weight-{calves[2].pk}": ""})
    response = client.post(url, missing)
    assert response.status_code == 400 and "C-2" in response.content.decode()
    assert not AnimalEvent.objects.exists()
    assert client.post(url, data).status_code == 302
    assert sorted(AnimalEvent.objects.values_list("weight_kg", flat=True)) == [Decimal("100"), Decimal("101"), Decimal("102")]


def test_move_a_selection_and_refuse_a_farm_out_of_reach(owner, farm, other_farm, as_member):
    animals = [make_animal(owner, farm, tag=f"M-{n}") for n in range(2)]
    client = as_member(owner)
    data = {"kind": "movement", "on": TODAY.isoformat(), "to_farm": str(other_farm.pk), "to_group": "", "method": "scale",
            "animal": [str(a.pk) for a in animals]}
    assert client.post(reverse("herd:group_action"), data).status_code == 302
    assert set(Animal.objects.filter(tag__startswith="M-").values_list("farm_id", flat=True)) == {other_farm.pk}
    limited = make_member(owner, "manager", farms=[other_farm])
    back = dict(data, to_farm=str(farm.pk))
    response = as_member(limited).post(reverse("herd:group_action"), back)
    assert response.status_code == 400
    assert set(Animal.objects.filter(tag__startswith="M-").values_list("farm_id", flat=True)) == {other_farm.pk}


def test_weaning_due_lists_young_of_weaning_age_not_weaned(owner, farm, as_member):
    make_animal(owner, farm, tag="YOUNG", date_of_birth=TODAY - dt.timedelta(days=89))
    ready = make_animal(owner, farm, tag="READY", date_of_birth=TODAY - dt.timedelta(days=90))
    make_animal(owner, farm, tag="PIGLET", species="pig", date_of_birth=TODAY - dt.timedelta(days=30))
    page = as_member(owner).get(reverse("breeding:today")).content.decode()
    section = page.split('id="wean-heading"')[1].split("</section>")[0]
    assert "READY" in section and "PIGLET" in section and "YOUNG" not in section
    event_record(membership=owner, animal=ready, kind="weaning", on=TODAY, weight_kg=Decimal("95"))
    section = as_member(owner).get(reverse("breeding:today")).content.decode().split('id="wean-heading"')[1].split("</section>")[0]
    assert "READY" not in section


def test_castration_is_one_event_from_the_event_form_or_the_edit_form(owner, farm, steer):
    from apps.herd.services import animal_update

    event_record(membership=owner, animal=steer, kind="castration", on=TODAY - dt.timedelta(days=100))
    assert AnimalEvent.objects.filter(kind="castration").count() == 1
    bull = make_animal(owner, farm, tag="BULL-2", sex="male", date_of_birth=TODAY - dt.timedelta(days=300))
    animal_update(membership=owner, animal=bull, castrated=True, castrated_on=TODAY - dt.timedelta(days=2))
    event = AnimalEvent.objects.get(animal=bull)
    assert (event.kind, event.on) == ("castration", TODAY - dt.timedelta(days=2))
