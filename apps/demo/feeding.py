"""Demo feeding: napier grass and dairy meal for the milking herd as a standing ration, fed every day of the last
month, so the feeding page and the milk dashboard show income over feed cost."""

import datetime as dt
from decimal import Decimal

from django_scopes import scope

from apps.accounts.models import Membership
from apps.farms.models import Farm


def feeding_if_missing(tenant, stdout) -> None:
    from apps.feeding import services
    from apps.feeding.models import Ration
    from apps.herd.models import AnimalGroup
    from apps.stock.models import StockItem
    from apps.stock.services import batch_receive, item_save

    with scope(tenant=tenant.pk):
        if Ration.objects.filter(tenant=tenant).exists() or not StockItem.objects.filter(tenant=tenant, name="Dairy meal").exists():
            return
        owner = Membership.objects.select_related("tenant", "role", "user").get(tenant=tenant, user__email="owner@demo.ifarm.test")
        home = Farm.objects.get(tenant=tenant, name="Green Valley Home Farm")
        today = home.local_today()
        start = today - dt.timedelta(days=30)
        napier = item_save(membership=owner, kind="feed", name="Napier grass", unit="kg", reorder_level=Decimal("2000"))
        meal = StockItem.objects.get(tenant=tenant, name="Dairy meal")
        batch_receive(membership=owner, item=napier, farm=home, quantity=Decimal("60000"), unit_cost=Decimal("4"),
                      received_on=start)
        batch_receive(membership=owner, item=meal, farm=home, quantity=Decimal("60"), lot="DM-1126", unit_cost=Decimal("3150"),
                      received_on=start)
        group = AnimalGroup.objects.get(tenant=tenant, farm=home, name="Milking herd")
        ration = services.ration_save(membership=owner, farm=home, group=group, name="Milking herd: napier and meal", standing=True,
                                      starts_on=start, lines=[(napier, Decimal("35"), None), (meal, Decimal("0.04"), None)])
        head = services.head_of(home, group)
        quantities = services.ration_quantities(ration, head)
        for days_ago in range(30, 0, -1):
            services.feeding_record(membership=owner, farm=home, date=today - dt.timedelta(days=days_ago), group=group,
                                    ration=ration, lines=quantities, automatic=True)
        fed = services.standing_rations_feed(tenant_id=tenant.pk, day=today)
        if owner.tenant.milk_price is None:  # milk kept or sold at the gate is worth something too
            from apps.finance.services import tenant_set_milk_price

            tenant_set_milk_price(membership=owner, price=Decimal("50"))
        stdout.write(f"Added a standing ration for {head} head, fed for {30 + fed} days.")
