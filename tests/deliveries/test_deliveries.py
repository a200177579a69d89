"""Deliveries, the do-not-ship list and the buyer's statement, through the pages as a farmer uses them."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.deliveries import services
from apps.deliveries.models import Buyer, Delivery, Statement, StatementLine
from apps.finance.models import Expense
from apps.milk.models import FarmDaySummary, MilkRecord
from tests.factories import TODAY, make_animal, make_farm, make_member
from tests.health.conftest import at, make_batch, make_item
from tests.health.test_treatments import treat
from tests.milk.conftest import make_cows, start_lactation

pytestmark = pytest.mark.usefixtures("owner_scope")
D = Decimal
MONTH = (TODAY.replace(day=1) - dt.timedelta(days=1)).replace(day=1)  # last month: a whole month, all in the past
DAYS = [MONTH + dt.timedelta(days=n) for n in range(((TODAY.replace(day=1)) - MONTH).days)]


@pytest.fixture
def dairy(owner):
    return make_farm(owner, name="Dairy Farm", milking_sessions_per_day=2)


@pytest.fixture
def coop(owner):
    buyer = services.buyer_save(membership=owner, name="Kiambu Dairy Co-op", collection_point="Gate 4")
    services.schedule_save(membership=owner, buyer=buyer, valid_from=MONTH - dt.timedelta(days=90), base_price=D("50.00"),
                           transport_per_unit=D("1.00"), checkoff_per_unit=D("0.20"), monthly_fee=D("100.00"))
    return buyer


def saleable_days(owner, farm, days, morning="60", evening="50"):
    FarmDaySummary.objects.bulk_create([
        FarmDaySummary(tenant_id=owner.tenant_id, farm=farm, date=day, morning=D(morning), evening=D(evening),
                       total=D(morning) + D(evening)) for day in days])


def deliver(owner, farm, buyer, day, session, quantity, **values):
    return services.delivery_record(membership=owner, farm=farm, buyer=buyer, date=day, sessions=[session],
                                    quantity=D(quantity), **values)


def csv_of(lines):
    return "date,kind,description,quantity,price,amount\n" + "\n".join(",".join(str(cell) for cell in line) for line in lines)


def test_a_month_of_deliveries_against_a_statement_that_differs_in_three_places(as_member, owner, dairy, coop):
    saleable_days(owner, dairy, DAYS)
    for day in DAYS:
        deliver(owner, dairy, coop, day, "morning", "60")
        deliver(owner, dairy, coop, day, "evening", "50")
    short_day, cheap_day = DAYS[4], DAYS[11]
    lines = []
    for day in DAYS:
        quantity, price = (105, D("50.00")) if day == short_day else (110, D("49.00") if day == cheap_day else D("50.00"))
        lines.append([day.isoformat(), "milk", "", quantity, price, f"{quantity * price:.2f}"])
    litres = 110 * len(DAYS)
    transport_charged = (D("1.10") * litres).quantize(D("0.01"))  # 1.10 a litre where the schedule says 1.00
    lines += [["", "transport", "Transport", "", "", transport_charged],
              ["", "checkoff", "Check-off", "", "", (D("0.20") * litres).quantize(D("0.01"))],
              ["", "fee", "Membership", "", "", "100.00"],
              [DAYS[9].isoformat(), "input", "feed: dairy meal 2 bags", "", "", "2400.00"]]
    client = as_member(owner)
    response = client.post(reverse("deliveries:statement_create"), {
        "buyer": coop.pk, "farm": dairy.pk, "month": MONTH.strftime("%Y-%m"), "lines": csv_of(lines)})
    statement = Statement.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("deliveries:statement", args=[statement.pk])
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="difference-count">3<' in page
    assert page.count('data-testid="flagged-day"') == 2 and page.count('data-testid="flagged-deduction"') == 1

    from apps.deliveries.selectors import reconciliation_of
    result = reconciliation_of(statement)
    flagged_days = {row.date: (row.why, row.at_stake) for row in result.days if row.flagged}
    # 5 L short at 50.00: -250.00;  110 L at 49.00 instead of 50.00: -110.00;  transport 0.10 x litres too much
    assert flagged_days == {short_day: ("quantity", D("-250.00")), cheap_day: ("price", D("-110.00"))}
    [transport] = [row for row in result.deductions if row.flagged]
    assert transport.at_stake == -(D("0.10") * litres).quantize(D("0.01"))
    assert result.at_stake == D("-360.00") + transport.at_stake
    # The feed bought on credit is an expense of the farm, supplied by the co-op.
    expense = Expense.objects.get()
    assert (expense.amount, expense.supplier_id, expense.category.key, expense.farm_id) == (D("2400.00"), coop.contact_id, "feed", dairy.pk)
    assert StatementLine.objects.get(kind="input").expense_id == expense.pk

    sheet = client.get(reverse("deliveries:statement", args=[statement.pk]), {"format": "xlsx"})
    assert sheet.status_code == 200 and sheet["Content-Type"].startswith("application/vnd.openxml")
    pdf = client.get(reverse("deliveries:statement", args=[statement.pk]), {"format": "pdf"})
    assert pdf.content.startswith(b"%PDF")

    paid = client.post(reverse("deliveries:statement", args=[statement.pk]), {
        "amount": f"{result.net:.2f}", "paid_on": TODAY.isoformat(), "method": "mpesa", "reference": "QK7H2"})
    assert paid.status_code == 302
    statement.refresh_from_db()
    assert statement.paid_amount == result.net and statement.method == "mpesa"


@pytest.mark.parametrize(("lines", "message"), [
    ("day,litres\n2026-01-01,3", "The first line must name the columns"),
    (None, "is already on line 2"),
    ("date,kind,description,quantity,price,amount\n2020-01-01,milk,,10,50,500", "is not in the statement"),
    ("date,kind,description,quantity,price,amount\n{day},cheese,,10,50,500", "unknown kind cheese"),
    ("date,kind,description,quantity,price,amount\n{day},milk,,ten,50,500", "a number cannot be read"),
])
def test_a_statement_file_with_a_bad_line_is_refused_and_saves_nothing(as_member, owner, dairy, coop, lines, message):
    saleable_days(owner, dairy, DAYS[:2])
    deliver(owner, dairy, coop, DAYS[0], "morning", "60")
    if lines is None:
        lines = csv_of([[DAYS[0].isoformat(), "milk", "", 60, 50, 3000], [DAYS[0].isoformat(), "milk", "", 60, 50, 3000]])
    response = as_member(owner).post(reverse("deliveries:statement_create"), {
        "buyer": coop.pk, "farm": dairy.pk, "month": MONTH.strftime("%Y-%m"), "lines": lines.format(day=DAYS[1].isoformat())})
    assert response.status_code == 400 and message in response.content.decode()
    assert not Statement.objects.exists() and not StatementLine.objects.exists() and not Expense.objects.exists()


def test_the_statements_test_results_are_checked_against_the_slip(as_member, owner, dairy, coop):
    saleable_days(owner, dairy, DAYS[:2])
    deliver(owner, dairy, coop, DAYS[0], "morning", "60", fat=D("3.80"), scc=180000)
    deliver(owner, dairy, coop, DAYS[1], "morning", "60", fat=D("3.60"))
    text = ("date,kind,description,quantity,price,amount,fat,scc\n"
            f"{DAYS[0].isoformat()},milk,,60,50.00,3000.00,3.50,180000\n"  # fat 3.50 where the slip said 3.80
            f"{DAYS[1].isoformat()},milk,,60,50.00,3000.00,3.60,\n")
    client = as_member(owner)
    response = client.post(reverse("deliveries:statement_create"), {"buyer": coop.pk, "farm": dairy.pk,
                                                                  "month": MONTH.strftime("%Y-%m"), "lines": text})
    assert response.status_code == 302, response.content.decode()[-3000:]
    page = client.get(response["Location"]).content.decode()
    assert page.count('data-testid="quality-difference"') == 1 and "Fat 3.50 (slip: 3.80)" in page
    bad = text.replace("3.60,", "31.0,")
    Statement.objects.all().delete()
    StatementLine.objects.all().delete()
    refused = client.post(reverse("deliveries:statement_create"), {"buyer": coop.pk, "farm": dairy.pk,
                                                                   "month": MONTH.strftime("%Y-%m"), "lines": bad})
    assert refused.status_code == 400 and "Line 3: a test result is out of range." in refused.content.decode()


def test_a_statement_for_a_buyer_the_farm_did_not_deliver_to_is_refused(owner, dairy, coop):
    other = services.buyer_save(membership=owner, name="Hotel Savannah")
    saleable_days(owner, dairy, DAYS[:1])
    deliver(owner, dairy, coop, DAYS[0], "morning", "60")
    with pytest.raises(ValidationError, match="another buyer"):
        services.statement_save(membership=owner, buyer=other, farm=dairy, month=MONTH, lines=[])


def test_schedules_of_a_buyer_may_not_overlap(owner, coop):
    with pytest.raises(ValidationError) as error:
        services.schedule_save(membership=owner, buyer=coop, valid_from=MONTH, valid_to=None, base_price=D("52"))
    assert "overlap" in str(error.value)
    # Ending the first one makes room.
    first = coop.schedules.get()
    services.schedule_save(membership=owner, buyer=coop, schedule=first, valid_from=first.valid_from, valid_to=MONTH - dt.timedelta(days=1),
                           base_price=first.base_price)
    services.schedule_save(membership=owner, buyer=coop, valid_from=MONTH, base_price=D("52"))
    assert coop.schedules.count() == 2


def test_more_than_the_saleable_milk_needs_a_reason(owner, dairy, coop):
    saleable_days(owner, dairy, DAYS[:1])
    with pytest.raises(ValidationError) as error:
        deliver(owner, dairy, coop, DAYS[0], "morning", "61")
    assert "more than the 60.00 L of saleable milk" in str(error.value)
    delivery = deliver(owner, dairy, coop, DAYS[0], "morning", "61", over_reason="Two cows not yet entered")
    assert delivery.over_reason == "Two cows not yet entered"
    with pytest.raises(ValidationError, match="already recorded"):
        deliver(owner, dairy, coop, DAYS[0], "morning", "10")


def test_a_treated_cow_is_on_the_do_not_ship_list_and_her_milk_keeps_a_delivery_out(as_member, owner, dairy, coop):
    cow, clean = make_cows(owner, dairy, 2, prefix="DNS")
    tubes = make_batch(owner, make_item(owner), dairy)
    day = TODAY - dt.timedelta(days=1)
    treat(owner, cow, tubes, at(dairy, day, 8))  # 72 hours: her evening milk of that day is withheld
    client = as_member(owner)
    page = client.get(reverse("deliveries:do_not_ship"), {"farm": dairy.pk, "date": day.isoformat(), "session": "evening"})
    listed = page.content.decode().split('data-testid="do-not-ship"')[1].split("</ul>")[0]
    assert "DNS000" in listed and "DNS001" not in listed and "withdrawal" in listed
    morning = client.get(reverse("deliveries:do_not_ship"), {"farm": dairy.pk, "date": day.isoformat(), "session": "morning"})
    assert "DNS000" not in morning.content.decode().split('data-testid="do-not-ship"')[1].split("</ul>")[0]
    # The farm declares it for the driver: who and when are kept with the cows.
    declared = client.post(reverse("deliveries:declare"), {"farm": dairy.pk, "date": day.isoformat(), "session": "evening"})
    assert declared.status_code == 302
    again = client.get(declared["Location"]).content.decode()
    assert 'data-testid="declaration"' in again and "1 kept out" in again
    pdf = client.get(declared["Location"] + "&format=pdf")
    assert pdf.content.startswith(b"%PDF")
    # Her milk counted as saleable (saved around the parlour's rule: an old import, a database edit) refuses the delivery.
    for animal in (cow, clean):
        MilkRecord.objects.create(tenant_id=owner.tenant_id, farm=dairy, animal=animal, date=day, session="evening", quantity=D("9"))
    saleable_days(owner, dairy, [day], morning="0", evening="18")
    with pytest.raises(ValidationError) as error:
        deliver(owner, dairy, coop, day, "evening", "18")
    assert "DNS000" in str(error.value) and "DNS001" not in str(error.value)
    assert not Delivery.objects.exists()


def test_colostrum_is_kept_out_to_the_fifth_day_after_calving(owner, dairy):
    # Regulation (EC) No 853/2004, Annex I 4.2: colostrum is secreted "up to three to five days post-parturition".
    from apps.deliveries.selectors import do_not_ship
    fresh = make_animal(owner, dairy, tag="FRESH", date_of_birth=dt.date(2019, 1, 1))
    start_lactation(owner, fresh, calving_date=TODAY - dt.timedelta(days=10))
    for days_after, kept in ((0, True), (5, True), (6, False)):
        day = TODAY - dt.timedelta(days=10) + dt.timedelta(days=days_after)
        rows = do_not_ship(owner, dairy, day, "morning")
        assert ([row.kind for row in rows] == ["colostrum"]) is kept, days_after


def test_the_entry_page_leads_to_the_delivery_and_its_form_is_filled(as_member, owner, dairy, coop):
    make_cows(owner, dairy, 1)
    client = as_member(owner)
    entry = client.get(reverse("milk:entry"), {"farm": dairy.pk, "date": TODAY.isoformat(), "session": "morning"}).content.decode()
    link = reverse("deliveries:create") + f"?farm={dairy.pk}&amp;date={TODAY.isoformat()}&amp;session=morning"
    assert link in entry
    form = client.get(link.replace("&amp;", "&")).content.decode()
    assert 'value="morning" id="session-morning" checked' in form and 'id="session-evening" checked' not in form
    assert f'<option value="{dairy.pk}" selected>' in form


def test_another_organisation_and_the_lowest_role_are_kept_out(client, as_member, owner, outsider, dairy, coop):
    saleable_days(owner, dairy, DAYS[:1])
    delivery = deliver(owner, dairy, coop, DAYS[0], "morning", "60")
    rival = as_member(outsider)
    for url in (reverse("deliveries:detail", args=[delivery.pk]), reverse("deliveries:buyer_edit", args=[coop.pk])):
        assert rival.get(url).status_code == 404
    viewer = make_member(owner, "viewer")
    as_viewer = as_member(viewer)
    assert as_viewer.get(reverse("deliveries:home")).status_code == 200
    refused = as_viewer.post(reverse("deliveries:create"), {"farm": dairy.pk, "buyer": coop.pk, "date": DAYS[0].isoformat(),
                                                             "sessions": ["evening"], "quantity": "50"})
    assert refused.status_code == 403
    assert as_viewer.post(reverse("deliveries:void", args=[delivery.pk])).status_code == 403
    assert as_viewer.get(reverse("deliveries:statement_create")).status_code == 403
    # A worker limited to another farm does not see this farm's deliveries.
    elsewhere = make_farm(owner, name="Upper Farm")
    worker = make_member(owner, "worker", farms=[elsewhere])
    as_worker = as_member(worker)
    assert as_worker.get(reverse("deliveries:detail", args=[delivery.pk])).status_code == 404
    assert "Dairy Farm" not in as_worker.get(reverse("deliveries:home")).content.decode()
    assert Delivery.objects.count() == 1 and Buyer.objects.count() == 1
