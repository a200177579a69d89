import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_scopes import scope

from apps.milk.models import AnimalDaySummary, FarmDaySummary, MilkRecord, QualityAlert
from apps.milk.services import lactation_dry_off, milking_record_delete, milking_record_save, summaries_reconcile
from tests.factories import make_animal, make_farm, make_member
from tests.milk.conftest import TODAY, make_cows, start_lactation

pytestmark = pytest.mark.usefixtures("owner_scope")


def save(membership, farm, cow, quantity="10", day=None, session="morning", **quality):
    with scope(tenant=membership.tenant_id):
        return milking_record_save(
            membership=membership, farm=farm, animal=cow, date=day or TODAY, session=session, quantity=Decimal(quantity), **quality
        )


def errors_of(excinfo):
    return excinfo.value.message_dict


def test_save_then_edit_updates_the_same_record_and_the_summaries(owner, dairy, cow):
    save(owner, dairy, cow, "10.5")
    save(owner, dairy, cow, "12.25")
    assert MilkRecord.objects.filter(animal=cow).count() == 1
    summary = FarmDaySummary.objects.get(farm=dairy, date=TODAY)
    assert summary.morning == Decimal("12.25") and summary.total == Decimal("12.25") and summary.cows_milked == 1
    assert AnimalDaySummary.objects.get(animal=cow, date=TODAY).morning_count == 1


def test_delete_updates_the_summaries(owner, dairy, cow):
    record = save(owner, dairy, cow, "10")
    with scope(tenant=owner.tenant_id):
        milking_record_delete(membership=owner, record=record)
    summary = FarmDaySummary.objects.get(farm=dairy, date=TODAY)
    assert summary.total == 0 and summary.records == 0


def test_quality_is_weighted_by_volume(owner, dairy):
    a, b = make_cows(owner, dairy, 2)
    save(owner, dairy, a, "10", fat=Decimal("4.0"), scc=100_000)
    save(owner, dairy, b, "30", fat=Decimal("3.0"))
    summary = FarmDaySummary.objects.get(farm=dairy, date=TODAY)
    assert summary.fat == Decimal("3.25")  # (10*4 + 30*3) / 40
    assert summary.scc == Decimal("100000")  # only the cow that was tested


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("quantity", "-1", "between 0 and 80"),
        ("quantity", "80.5", "between 0 and 80"),
        ("fat", Decimal("15.5"), "between 0 and 15"),
        ("protein", Decimal("10.1"), "between 0 and 10"),
        ("scc", 10_000_001, "10,000,000"),
        ("ph", Decimal("4.9"), "between 5 and 8"),
        ("ph", Decimal("8.1"), "between 5 and 8"),
        ("temperature", Decimal("45.5"), "between 0 and 45"),
    ],
)
def test_out_of_range_values_are_refused_and_nothing_saved(owner, dairy, cow, field, value, message):
    kwargs = {"quantity": value} if field == "quantity" else {field: value}
    with pytest.raises(ValidationError) as excinfo:
        save(owner, dairy, cow, **kwargs)
    assert message in errors_of(excinfo)[field][0]
    assert not MilkRecord.objects.exists()
    assert not FarmDaySummary.objects.filter(total__gt=0).exists()


def test_the_ranges_include_their_ends(owner, dairy, cow):
    save(owner, dairy, cow, "80", fat=Decimal("15"), protein=Decimal("10"), scc=10_000_000, ph=Decimal("8"), temperature=Decimal("45"))
    save(owner, dairy, cow, "0", session="evening", ph=Decimal("5"), temperature=Decimal("0"))
    assert MilkRecord.objects.count() == 2


def test_future_date_is_refused(owner, dairy, cow):
    with pytest.raises(ValidationError) as excinfo:
        save(owner, dairy, cow, day=TODAY + dt.timedelta(days=2))
    assert "future" in errors_of(excinfo)["date"][0]


def test_session_the_farm_does_not_use_is_refused(owner, dairy, cow):
    with pytest.raises(ValidationError) as excinfo:
        save(owner, dairy, cow, session="midday")
    assert "does not milk in the midday" in errors_of(excinfo)["session"][0]


def test_male_cow_is_refused(owner, dairy):
    bull = make_animal(owner, dairy, tag="BULL", sex="male")
    with pytest.raises(ValidationError) as excinfo:
        save(owner, dairy, bull)
    assert "is male" in errors_of(excinfo)["animal"][0]


def test_cow_not_in_milk_is_refused(owner, dairy):
    heifer = make_animal(owner, dairy, tag="HEIFER")
    with pytest.raises(ValidationError) as excinfo:
        save(owner, dairy, heifer)
    assert "not in milk" in errors_of(excinfo)["animal"][0]


def test_sold_or_dead_cow_is_refused(owner, dairy, cow):
    from apps.herd.models import Animal

    Animal.objects.filter(pk=cow.pk).update(status="sold", status_on=TODAY)
    cow.refresh_from_db()
    with pytest.raises(ValidationError) as excinfo:
        save(owner, dairy, cow)
    assert "sold" in errors_of(excinfo)["animal"][0]


def test_cow_of_another_farm_or_tenant_is_refused(owner, dairy, cow, outsider):
    other = make_farm(owner, name="Other", milking_sessions_per_day=2)
    with pytest.raises(ValidationError):
        save(owner, other, cow)
    from apps.herd.models import Animal

    with scope(tenant=outsider.tenant_id):
        foreign = Animal.objects.get(tenant_id=outsider.tenant_id)
    with pytest.raises(ValidationError):
        save(owner, dairy, foreign)


def test_viewer_cannot_record_and_milker_only_in_scope(owner, dairy, cow):
    viewer = make_member(owner, "viewer")
    with pytest.raises(PermissionDenied):
        save(viewer, dairy, cow)
    far = make_farm(owner, name="Far", milking_sessions_per_day=2)
    far_cow = make_cows(owner, far, 1, prefix="F")[0]
    milker = make_member(owner, "milker", farms=[dairy])
    save(milker, dairy, cow)
    with pytest.raises(PermissionDenied):
        save(milker, far, far_cow)


def test_dry_off_refused_with_later_records_and_then_cow_leaves_the_list(owner, dairy, cow):
    from apps.milk.models import Lactation
    from apps.milk.selectors import cows_in_milk

    save(owner, dairy, cow, day=TODAY - dt.timedelta(days=1))
    lactation = Lactation.objects.get(animal=cow)
    with scope(tenant=owner.tenant_id):
        with pytest.raises(ValidationError):
            lactation_dry_off(membership=owner, lactation=lactation, dried_off_on=TODAY - dt.timedelta(days=2))
        lactation_dry_off(membership=owner, lactation=lactation, dried_off_on=TODAY - dt.timedelta(days=1))
        assert cow not in list(cows_in_milk(owner, dairy, TODAY))
        assert cow in list(cows_in_milk(owner, dairy, TODAY - dt.timedelta(days=1)))


def test_second_open_lactation_is_refused(owner, dairy, cow):
    with pytest.raises(ValidationError) as excinfo:
        start_lactation(owner, cow, TODAY - dt.timedelta(days=5))
    assert "Dry" in errors_of(excinfo)["calving_date"][0]


def test_discarded_needs_a_reason(owner, dairy, cow):
    with pytest.raises(ValidationError) as excinfo:
        save(owner, dairy, cow, discarded=True)
    assert "discard_reason" in errors_of(excinfo)
    save(owner, dairy, cow, discarded=True, discard_reason="Treated with antibiotics")
    assert FarmDaySummary.objects.get(farm=dairy, date=TODAY).discarded == Decimal("10")


def test_nightly_reconcile_fixes_drift_and_reports_it(owner, dairy, cow):
    save(owner, dairy, cow, "10")
    FarmDaySummary.objects.filter(farm=dairy).update(total=Decimal("999"))
    with scope(tenant=owner.tenant_id):
        fixes = summaries_reconcile(tenant_id=owner.tenant_id, since=TODAY - dt.timedelta(days=6), until=TODAY)
        assert fixes == [f"farm {dairy.pk} {TODAY}: total"]
        assert summaries_reconcile(tenant_id=owner.tenant_id, since=TODAY - dt.timedelta(days=6), until=TODAY) == []
    assert FarmDaySummary.objects.get(farm=dairy).total == Decimal("10")


# Alerts at their thresholds -----------------------------------------------------------------------


def kinds(cow):
    return set(QualityAlert.objects.filter(animal=cow).values_list("kind", flat=True))


@pytest.mark.parametrize("scc,alerted", [(199_999, False), (200_000, False), (200_001, True)])
def test_high_scc_alert_threshold(owner, dairy, cow, scc, alerted):
    save(owner, dairy, cow, scc=scc)
    assert ("high_scc" in kinds(cow)) is alerted


@pytest.mark.parametrize("first,second,alerted", [(150_001, 150_001, True), (150_000, 150_001, False), (150_001, 150_000, False)])
def test_two_consecutive_tests_over_150000(owner, dairy, cow, first, second, alerted):
    save(owner, dairy, cow, day=TODAY - dt.timedelta(days=1), session="evening", scc=first)
    save(owner, dairy, cow, day=TODAY, session="morning", scc=second)
    today_kinds = set(QualityAlert.objects.filter(animal=cow, date=TODAY).values_list("kind", flat=True))
    assert ("repeat_scc" in today_kinds) is alerted


def test_abnormal_appearance_and_udder_alert(owner, dairy, cow):
    save(owner, dairy, cow, appearance="clots", udder="swollen", quarter="LF")
    assert {"appearance", "udder"} <= kinds(cow)


def test_udder_problem_needs_a_quarter(owner, dairy, cow):
    with pytest.raises(ValidationError) as excinfo:
        save(owner, dairy, cow, udder="hard")
    assert "quarter" in errors_of(excinfo)


@pytest.mark.parametrize("today_quantity,alerted", [("8.01", False), ("8.00", False), ("7.99", True)])
def test_yield_drop_against_the_cows_7_day_average(owner, dairy, cow, today_quantity, alerted):
    for back in range(1, 8):
        save(owner, dairy, cow, "10", day=TODAY - dt.timedelta(days=back))
    save(owner, dairy, cow, today_quantity)
    assert ("yield_drop" in set(QualityAlert.objects.filter(animal=cow, date=TODAY).values_list("kind", flat=True))) is alerted


def test_correcting_a_value_clears_its_alert(owner, dairy, cow):
    save(owner, dairy, cow, scc=900_000)
    assert "high_scc" in kinds(cow)
    save(owner, dairy, cow, scc=90_000)
    assert "high_scc" not in kinds(cow)


def test_nightly_task_reconciles_every_tenant(owner, dairy, cow):
    from tasks.milk import reconcile_milk_summaries

    save(owner, dairy, cow, "10")
    FarmDaySummary.objects.filter(farm=dairy).update(morning=Decimal("1"))
    assert reconcile_milk_summaries.call_local() == 1
    assert FarmDaySummary.objects.get(farm=dairy).morning == Decimal("10")


def test_a_cow_moved_between_farms_mid_day_keeps_both_summaries_right(owner, dairy, cow):
    from apps.herd.models import Animal

    other = make_farm(owner, name="Second Parlour", milking_sessions_per_day=2)
    save(owner, dairy, cow, "10", session="morning")
    Animal.objects.filter(pk=cow.pk).update(farm=other)
    cow.refresh_from_db()
    save(owner, other, cow, "8", session="evening")
    assert FarmDaySummary.objects.get(farm=dairy, date=TODAY).total == Decimal("10")
    assert FarmDaySummary.objects.get(farm=other, date=TODAY).total == Decimal("8")
    cow_day = AnimalDaySummary.objects.get(animal=cow, date=TODAY)
    assert cow_day.total == Decimal("18") and cow_day.farm_id == other.pk
