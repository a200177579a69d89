"""A plan's limits at, below and above each threshold, through the services and the pages; features; the API's
monthly allowance; and the read-only organisation (pages and exports work, changes are refused)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scopes_disabled

from apps.accounts.people import tenant_people_changed
from apps.accounts.services import invitation_create
from apps.billing.models import Plan, Subscription
from apps.core.limits import LimitReached, room_problem
from apps.farms.services import farm_create
from apps.herd.models import Animal
from apps.herd.services import animal_create
from tests.billing.conftest import set_subscription
from tests.factories import make_animal, make_farm, put_on_plan
from tests.formdata import form_data

pytestmark = pytest.mark.usefixtures("owner_scope")


def fill_herd(owner, farm, n: int) -> None:
    """`n` live animals, written directly (the setup is not what is being tested)."""
    with scopes_disabled():
        Animal.objects.bulk_create(Animal(tenant_id=owner.tenant_id, farm=farm, tag=f"H-{i}", species="cattle", sex="female",
                                          date_of_birth=dt.date(2020, 1, 1)) for i in range(n))


def new_animal(owner, farm, tag="NEW-1", **kwargs):
    return animal_create(membership=owner, farm=farm, tag=tag, species="cattle", sex="female",
                         date_of_birth=dt.date(2021, 1, 1), **kwargs)


@pytest.mark.parametrize(("have", "allowed"), [(28, True), (29, True), (30, False), (31, False)])
def test_animals_below_at_and_above_the_limit(owner, farm, have, allowed):
    put_on_plan(owner, "smallholder")  # 30 animals
    fill_herd(owner, farm, have)
    if allowed:
        assert new_animal(owner, farm).pk
    else:
        with pytest.raises(LimitReached, match=f"Your plan holds 30 animals; you have {have}."):
            new_animal(owner, farm)
        assert Animal.objects.filter(tenant_id=owner.tenant_id).count() == have


def test_an_animal_that_left_the_herd_frees_its_place(owner, farm):
    put_on_plan(owner, "smallholder")
    fill_herd(owner, farm, 30)
    Animal.objects.filter(tenant_id=owner.tenant_id, tag="H-0").update(status="sold", status_on=dt.date(2026, 1, 1))
    assert new_animal(owner, farm).pk


def test_a_calf_born_on_the_farm_is_recorded_past_the_limit(owner, farm):
    put_on_plan(owner, "smallholder")
    fill_herd(owner, farm, 30)
    assert new_animal(owner, farm, tag="CALF-1", plan_limit=False).pk  # the calving service's call


def test_an_import_that_would_pass_the_limit_is_refused_whole(owner, farm):
    from apps.herd.services import animal_bulk_create

    put_on_plan(owner, "smallholder")
    fill_herd(owner, farm, 28)
    rows = [{"farm": farm, "tag": f"IMP-{i}", "species": "cattle", "sex": "female"} for i in range(3)]
    with pytest.raises(LimitReached, match="Your plan holds 30 animals; you have 28 and are adding 3."):
        animal_bulk_create(membership=owner, rows=rows)
    assert animal_bulk_create(membership=owner, rows=rows[:2])


def test_the_add_animal_page_says_why_and_links_to_a_bigger_plan(client, as_member, owner, farm):
    put_on_plan(owner, "smallholder")
    fill_herd(owner, farm, 30)
    as_member(owner)
    data = form_data(client.get(reverse("herd:create")).text, "animal-form", fill={"tag": "NEW-9", "farm": str(farm.pk), "sex": "female"})
    response = client.post(reverse("herd:create"), data)
    assert response.status_code == 400
    assert 'Your plan holds 30 animals; you have 30. <a href="/billing/">Choose a bigger plan</a>.' in response.text
    assert not Animal.objects.filter(tenant_id=owner.tenant_id, tag="NEW-9").exists()


@pytest.mark.parametrize(("have", "allowed"), [(0, True), (1, False)])
def test_farms_at_and_above_the_limit(owner, have, allowed):
    put_on_plan(owner, "smallholder")  # 1 farm
    for i in range(have):
        make_farm(owner, name=f"Farm {i}")
    if allowed:
        assert farm_create(membership=owner, name="Another").pk
    else:
        with pytest.raises(LimitReached, match="Your plan holds 1 farm; you have 1."):
            farm_create(membership=owner, name="Another")


def test_an_archived_farm_does_not_count_until_it_is_restored(owner):
    from apps.farms.services import farm_archive, farm_restore

    put_on_plan(owner, "smallholder")
    first = make_farm(owner, name="First")
    farm_archive(membership=owner, farm=first)
    second = farm_create(membership=owner, name="Second")
    with pytest.raises(LimitReached):
        farm_restore(membership=owner, farm=first)
    farm_archive(membership=owner, farm=second)
    assert farm_restore(membership=owner, farm=first).archived_at is None


def invite(owner, email):
    from apps.accounts.models import Role

    return invitation_create(membership=owner, email=email, role=Role.objects.get(tenant_id=owner.tenant_id, key="worker"),
                             all_farms=True, farms=[], link_for=lambda token: f"http://x/{token}")


def test_members_and_waiting_invitations_count_against_the_limit(owner):
    put_on_plan(owner, "smallholder")  # 3 members: the owner and two more
    invite(owner, "a@example.test")
    invite(owner, "b@example.test")
    with pytest.raises(LimitReached, match="Your plan holds 3 members; you have 3."):
        invite(owner, "c@example.test")
    assert room_problem(owner.tenant_id, "members") is not None


@pytest.mark.parametrize(("used_mb", "receipt_kb", "allowed"), [(249, 100, True), (249.95, 100, False)])
def test_a_receipt_past_the_storage_limit_is_refused_next_to_the_field(owner, farm, used_mb, receipt_kb, allowed):
    from decimal import Decimal

    from django.core.files.uploadedfile import SimpleUploadedFile

    from apps.billing.models import Usage
    from apps.finance.models import ExpenseCategory
    from apps.finance.services import expense_submit

    put_on_plan(owner, "smallholder")  # 250 MB
    Usage.objects.create(tenant_id=owner.tenant_id, month=dt.date.today().replace(day=1), storage_mb=Decimal(str(used_mb)),
                         measured_at=dt.datetime.now(dt.UTC))
    pdf = SimpleUploadedFile("r.pdf", b"%PDF-1.4\n" + b"0" * (receipt_kb * 1024), content_type="application/pdf")
    args = {"membership": owner, "key": f"k-{used_mb}", "farm": farm, "date": dt.date.today(),
            "category": ExpenseCategory.objects.filter(tenant_id=owner.tenant_id).first(), "amount": Decimal("10"),
            "description": "Salt lick", "receipt": pdf}
    if allowed:
        assert expense_submit(**args).pk
    else:
        with pytest.raises(ValidationError) as refused:
            expense_submit(**args)
        assert "Your plan holds 250 MB of files" in refused.value.message_dict["receipt"][0]


def test_features_outside_the_plan_are_refused_with_the_reason(owner):
    from apps.api.webhooks import endpoint_create

    put_on_plan(owner, "smallholder")
    with pytest.raises(LimitReached, match="Webhooks is not part of the Smallholder plan."):
        endpoint_create(membership=owner, url="https://hooks.example.test/x", events=["animal.created"])


def test_a_long_report_needs_the_background_reports_feature(client, as_member, owner):
    put_on_plan(owner, "smallholder")
    as_member(owner)
    page = client.get(reverse("money:reports")).text
    data = form_data(page, "report-form", fill={"since": "2025-01-01", "until": "2025-12-31"})
    response = client.post(reverse("money:reports"), data)
    assert response.status_code == 400
    assert "Large reports prepared in the background is not part of the Smallholder plan" in response.text


# The API ---------------------------------------------------------------------------------------------


def test_the_api_needs_a_plan_with_it_and_counts_the_months_calls(client, owner, settings):
    from apps.billing import limits
    from tests.api.conftest import make_key

    _, secret = make_key(owner, name="Parlour")
    headers = {"Authorization": f"Bearer {secret}"}
    put_on_plan(owner, "smallholder")
    response = client.get("/api/v1/animals", headers=headers)
    assert response.status_code == 403 and response.json()["title"] == "The API is not part of your plan."
    put_on_plan(owner, "family")
    Plan.objects.filter(key="family").update(max_api_calls=3)
    limits._plans.clear()
    codes = [client.get("/api/v1/animals", headers=headers).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert "Your plan holds 3 API calls a month; this was call 5" in client.get("/api/v1/animals", headers=headers).json()["detail"]


def test_the_api_says_a_limit_in_plain_text(client, owner, farm):
    from tests.api.conftest import make_key

    put_on_plan(owner, "smallholder")
    Plan.objects.filter(key="smallholder").update(feature_api=True, max_api_calls=None)
    fill_herd(owner, farm, 30)
    _, secret = make_key(owner, name="Parlour")
    response = client.post("/api/v1/animals", {"tag": "API-1", "farm_id": farm.pk, "species": "cattle", "sex": "female"},
                           content_type="application/json", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 422
    assert response.json()["detail"] == "Your plan holds 30 animals; you have 30. Choose a bigger plan."


# Read-only -------------------------------------------------------------------------------------------


@pytest.fixture
def read_only(owner):
    set_subscription(owner, status=Subscription.Status.TRIAL_ENDED)
    from apps.accounts.models import Tenant
    from apps.billing.services import hold_reason, subscription_of

    Tenant.objects.filter(pk=owner.tenant_id).update(read_only_reason=hold_reason(subscription_of(owner.tenant_id)))
    tenant_people_changed(owner.tenant_id)  # as the services do after an update without save()


def test_a_read_only_organisation_can_look_and_export_but_not_change(client, as_member, owner, farm, read_only):
    animal = make_animal(owner, farm, tag="KEPT-1")  # (the service itself does not refuse: the door does)
    as_member(owner)
    assert client.get(reverse("herd:list")).status_code == 200
    page = client.get(reverse("herd:detail", args=[animal.pk]))
    assert "Your trial has ended." in page.text and 'href="/billing/"' in page.text
    response = client.post(reverse("herd:create"), {"tag": "NEW-1", "species": "cattle", "sex": "female"})
    assert response.status_code == 402 and "Nothing was changed." in response.text
    assert not Animal.objects.filter(tenant_id=owner.tenant_id, tag="NEW-1").exists()
    assert client.get(reverse("herd:list") + "?_export=csv").status_code == 200
    assert client.get(reverse("billing:home")).status_code == 200  # and the way out stays open


def test_a_read_only_organisation_refuses_api_writes_with_a_problem(client, owner, farm, read_only):
    from tests.api.conftest import make_key

    _, secret = make_key(owner, name="Parlour")
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/animals", headers=headers).status_code == 200
    response = client.post("/api/v1/animals", {"tag": "X"}, content_type="application/json", headers=headers)
    assert response.status_code == 402 and response.json()["title"] == "The organisation is read-only."


def test_a_worker_of_a_read_only_organisation_is_told_to_ask_an_owner(client, as_member, owner, read_only):
    from tests.factories import make_member

    worker = make_member(owner, "worker")
    as_member(worker)
    response = client.post(reverse("herd:create"), {"tag": "NEW-1"})
    assert response.status_code == 402 and "Ask an owner of the organisation to choose a plan." in response.text


def test_an_htmx_change_gets_the_message_alone(client, as_member, owner, read_only):
    as_member(owner)
    response = client.post(reverse("milk:row_save"), {}, HTTP_HX_REQUEST="true")
    assert response.status_code == 402 and "<html" not in response.text and "Your trial has ended." in response.text


def test_the_read_only_check_costs_no_query(client, as_member, owner, farm, django_assert_max_num_queries):
    as_member(owner)
    client.get(reverse("herd:list"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("herd:list"))
    assert not any("billing_" in q["sql"] for q in queries.captured_queries)
