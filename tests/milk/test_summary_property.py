"""Whatever sequence of saves, edits and deletes, every summary equals the sum of its records."""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Sum
from django_scopes import scope
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.milk.models import AnimalDaySummary, FarmDaySummary, MilkRecord
from apps.milk.services import milking_record_delete, milking_record_save
from apps.milk.services.ingest import Row, milkings_ingest
from tests.milk.conftest import TODAY, make_cows

DAYS = [TODAY - dt.timedelta(days=n) for n in range(3)]
quantity = st.decimals(min_value=Decimal("0"), max_value=Decimal("80"), places=2)
operation = st.tuples(
    st.sampled_from(["save", "save", "delete", "ingest"]),
    st.integers(min_value=0, max_value=2),  # cow
    st.sampled_from(DAYS),
    st.sampled_from(["morning", "evening"]),
    quantity,
    st.booleans(),  # discarded
    st.one_of(st.none(), st.integers(min_value=0, max_value=900_000)),  # scc
)


def check_summaries(tenant_id):
    by_farm_day = {
        (r["farm_id"], r["date"]): r
        for r in MilkRecord.objects.filter(tenant_id=tenant_id).values("farm_id", "date").annotate(total=Sum("quantity"), n=Count("id"))
    }
    for summary in FarmDaySummary.objects.filter(tenant_id=tenant_id):
        expected = by_farm_day.get((summary.farm_id, summary.date), {"total": Decimal("0"), "n": 0})
        assert summary.total == (expected["total"] or 0) and summary.records == expected["n"]
        records = MilkRecord.objects.filter(tenant_id=tenant_id, farm_id=summary.farm_id, date=summary.date)
        for session in ("morning", "evening"):
            assert getattr(summary, session) == (records.filter(session=session).aggregate(s=Sum("quantity"))["s"] or 0)
        assert summary.discarded == (records.filter(discarded=True).aggregate(s=Sum("quantity"))["s"] or 0)
        assert summary.cows_milked == records.values("animal_id").distinct().count()
    for summary in AnimalDaySummary.objects.filter(tenant_id=tenant_id):
        records = MilkRecord.objects.filter(tenant_id=tenant_id, animal_id=summary.animal_id, date=summary.date)
        assert summary.total == (records.aggregate(s=Sum("quantity"))["s"] or 0)
        assert summary.records == records.count()
    assert set(by_farm_day) <= set(FarmDaySummary.objects.filter(tenant_id=tenant_id).values_list("farm_id", "date"))


def test_summaries_always_equal_the_sum_of_their_records(owner, dairy):
    cows = make_cows(owner, dairy, 3)

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.lists(operation, min_size=1, max_size=15))
    def run(operations):
        with transaction.atomic():
            with scope(tenant=owner.tenant_id):
                for kind, cow_index, day, session, amount, discarded, scc in operations:
                    cow = cows[cow_index]
                    if kind == "ingest":  # the bulk path of parlour software: one farm-day refresh for its rows
                        milkings_ingest(membership=owner, rows=[Row(index=0, animal=cow, date=day, session=session, values={
                            "quantity": amount, "scc": scc})])
                    elif kind == "save":
                        milking_record_save(
                            membership=owner, farm=dairy, animal=cow, date=day, session=session, quantity=amount,
                            discarded=discarded, discard_reason="withdrawal" if discarded else "", scc=scc,
                        )
                    else:
                        record = MilkRecord.objects.filter(animal=cow, date=day, session=session).first()
                        if record:
                            milking_record_delete(membership=owner, record=record)
                check_summaries(owner.tenant_id)
            transaction.set_rollback(True)  # each example starts from an empty day

    run()
