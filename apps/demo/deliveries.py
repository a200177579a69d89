"""Demo deliveries: the co-operative's price schedule, last month's and this month's twice-daily deliveries from the
home farm, the buyer's statement for last month (three lines differ from the farm's records) and today's declaration."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django_scopes import scope

from apps.accounts.models import Membership
from apps.farms.models import Farm

COOP = "Limuru Dairy Cooperative"


def deliveries_if_missing(tenant, stdout) -> None:
    from apps.deliveries import services
    from apps.deliveries.models import Buyer, Delivery
    from apps.deliveries.selectors import with_expected_pay
    from apps.milk.models import FarmDaySummary

    with scope(tenant=tenant.pk):
        if Buyer.objects.filter(tenant=tenant).exists():
            return
        owner = Membership.objects.select_related("tenant", "role", "user").get(tenant=tenant, user__email="owner@demo.ifarm.test")
        home = Farm.objects.get(tenant=tenant, name="Green Valley Home Farm")
        today = home.local_today()
        month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
        coop = services.buyer_save(membership=owner, name=COOP, collection_point="Tiekunu collection centre")
        services.schedule_save(
            membership=owner, buyer=coop, valid_from=month - dt.timedelta(days=180), base_price=Decimal("52.00"),
            base_fat=Decimal("3.50"), fat_step=Decimal("0.30"), base_protein=Decimal("3.20"), protein_step=Decimal("0.30"),
            scc_bands=[[200000, "1.00"], [400000, "0"], [None, "-2.00"]], bacteria_bands=[[100000, "0.50"], [None, "-1.00"]],
            water_limit=Decimal("0"), transport_per_unit=Decimal("1.50"), checkoff_per_unit=Decimal("0.50"),
            monthly_fee=Decimal("200.00"))
        summaries = {s.date: s for s in FarmDaySummary.objects.filter(tenant=tenant, farm=home, date__gte=month, date__lt=today)}
        delivered = 0
        for day in sorted(summaries):
            for session in home.milkings.sessions:
                saleable = summaries[day].session_milk(session)["saleable"]
                if saleable <= 0:
                    continue
                tested = day.day % 10 == 3  # the co-op's tests come back about three times a month
                try:
                    services.delivery_record(
                        membership=owner, farm=home, buyer=coop, date=day, sessions=[session], quantity=saleable,
                        slip_quantity=saleable if day.day != 17 else saleable - Decimal("4"),
                        fat=Decimal("3.72") if tested else None, protein=Decimal("3.28") if tested else None,
                        scc=185000 if tested else None, bacteria=60000 if tested else None,
                        antibiotics="negative" if tested else "")
                except ValidationError:  # a session holding milk that must stay out is not shipped
                    continue
                delivered += 1
        lines = []
        by_day: dict[dt.date, list] = {}
        transport = checkoff = Decimal("0")
        deliveries = list(Delivery.objects.filter(tenant=tenant, buyer=coop, date__gte=month, date__lt=today.replace(day=1)))
        for delivery, pay in with_expected_pay(deliveries):
            by_day.setdefault(delivery.date, []).append(pay)
            transport, checkoff = transport + pay.transport, checkoff + pay.checkoff
        if by_day:
            for day, pays in sorted(by_day.items()):
                litres, price = sum(p.paid_quantity for p in pays), pays[0].price
                if day.day == 17:  # the collection point weighed four litres less
                    litres -= Decimal("4")
                if day.day == 9:  # one day paid at an old price
                    price -= Decimal("1.00")
                lines.append({"kind": "milk", "date": day, "description": "", "quantity": litres, "price": price,
                              "amount": (litres * price).quantize(Decimal("0.01"))})
            lines += [
                {"kind": "transport", "date": None, "description": "Transport", "quantity": None, "price": None, "amount": transport},
                {"kind": "checkoff", "date": None, "description": "Check-off", "quantity": None, "price": None, "amount": checkoff},
                {"kind": "fee", "date": None, "description": "Membership", "quantity": None, "price": None,
                 "amount": Decimal("350.00")},  # the schedule says 200
                {"kind": "input", "date": month + dt.timedelta(days=11), "description": "feed: dairy meal, 4 bags on credit",
                 "quantity": None, "price": None, "amount": Decimal("7600.00")},
            ]
            services.statement_save(membership=owner, buyer=coop, farm=home, month=month, lines=lines)
        session = home.milkings.session_of(home.local_now())[1]
        services.declaration_make(membership=owner, farm=home, date=today, session=session)
        stdout.write(f"Added {delivered} deliveries to {COOP} and its statement for {month:%B %Y}.")
