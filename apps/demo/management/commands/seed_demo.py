"""Demo data: one realistic organisation for trying iFarm, or many for benchmarks (--scale vps)."""

import datetime as dt
import random
import time
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from apps.accounts.models import Membership, Role, Tenant, User
from apps.accounts.people import tenant_people_changed
from apps.accounts.services import profile_for, tenant_create
from apps.demo.breeding import breeding_if_missing, breeding_year_if_missing
from apps.demo.deliveries import deliveries_if_missing
from apps.demo.feeding import feeding_if_missing
from apps.farms.models import Farm
from apps.farms.services import farm_create
from apps.herd.models import Animal, AnimalGroup, Breed
from apps.herd.services import animal_create

DEMO_PASSWORD = "demo-farm-2026"
DEMO_SLUG = "green-valley-dairy"
COW_NAMES = [
    "Wanjiru", "Njeri", "Achieng", "Akinyi", "Chebet", "Wambui", "Nafula", "Atieno", "Moraa", "Kerubo", "Jepkosgei",
    "Nyokabi", "Wairimu", "Makena", "Kawira", "Naliaka", "Adhiambo", "Cherono", "Mumbua", "Kanini", "Zawadi", "Imani",
    "Baraka", "Neema", "Furaha", "Tumaini", "Amani", "Rehema", "Subira", "Upendo", "Bahati", "Pendo", "Shani", "Sifa",
]
BULL_NAMES = ["Simba", "Jabari", "Duma", "Tembo", "Kifaru", "Ngao"]


def _user(email: str, name: str, *, staff: bool = False) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=DEMO_PASSWORD, is_staff=staff, is_superuser=staff)
    EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    profile = profile_for(user)
    if not profile.full_name:
        profile.full_name = name
        profile.save(update_fields=["full_name"])
    return user


class Command(BaseCommand):
    help = "Create the demo organisation (idempotent); --scale vps adds 100 organisations and 10,000 animals."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=["demo", "vps"], default="demo")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--without-milk", action="store_true", help="Scale data without the two years of milkings.")

    def handle(self, *args, scale="demo", seed=2026, without_milk=False, **options):
        started = time.perf_counter()
        self.rng = random.Random(seed)
        self.seed_demo()
        if scale == "vps":
            self.seed_scale(tenants=100, animals_per_tenant=100, milk=not without_milk)
        self.stdout.write(f"Demo data ready in {time.perf_counter() - started:.1f} s.")

    @transaction.atomic
    def seed_demo(self):
        _user("admin@demo.ifarm.test", "Platform Admin", staff=True)
        existing = Tenant.objects.filter(slug=DEMO_SLUG).first()
        if existing is not None:
            self._health_if_missing(existing)
            breeding_if_missing(existing, self.stdout)
            breeding_year_if_missing(existing, self.stdout)
            deliveries_if_missing(existing, self.stdout)
            feeding_if_missing(existing, self.stdout)
            self.stdout.write("The demo organisation already exists; leaving it as it is.")
            return
        owner = _user("owner@demo.ifarm.test", "Grace Wanjiku")
        worker = _user("worker@demo.ifarm.test", "Peter Otieno")
        tenant, owner_membership = tenant_create(
            owner=owner, name="Green Valley Dairy", country="KE", currency="KES", milk_unit="L", time_zone="Africa/Nairobi"
        )
        with scope(tenant=tenant.pk):
            home = farm_create(
                membership=owner_membership, name="Green Valley Home Farm", farm_type="dairy", milking_sessions_per_day=2,
                address="Limuru Road, Kiambu", latitude="-1.106000", longitude="36.642000", area="24.50", area_unit="ha",
                time_zone="Africa/Nairobi",
            )
            hill = farm_create(
                membership=owner_membership, name="Hillside Heifer Unit", farm_type="mixed", milking_sessions_per_day=1,
                address="Kinale, Lari", latitude="-0.912000", longitude="36.581000", area="11.00", area_unit="ha",
                time_zone="Africa/Nairobi",
            )
            worker_role = Role.objects.get(tenant=tenant, key="worker")
            worker_membership = Membership.objects.create(tenant=tenant, user=worker, role=worker_role, all_farms=False)
            worker_membership.farms.set([home])
            groups = {
                name: AnimalGroup.objects.create(tenant=tenant, farm=farm, name=name)
                for farm, name in [(home, "Milking herd"), (home, "Dry cows"), (home, "Calves"), (hill, "Heifers"), (hill, "Goats")]
            }
            count = self._demo_herd(owner_membership, home, hill, groups)
            milkings = self._milk_history(tenant, [home], days=75)
            self._test_day(owner_membership, home)
            self._money(tenant, owner_membership, worker_membership, home, hill)
        self._health_if_missing(tenant)
        breeding_if_missing(tenant, self.stdout)
        breeding_year_if_missing(tenant, self.stdout)
        deliveries_if_missing(tenant, self.stdout)
        feeding_if_missing(tenant, self.stdout)
        self.stdout.write(f"Created the demo organisation with 2 farms, {count} animals, {milkings} milkings and a month of books.")

    def _health_if_missing(self, tenant):
        """A medicine cabinet, feed stock, treated cows (one under milk withdrawal now) and vaccinations
        (one round due this week); added once, also to a demo organisation made before health existed."""
        from apps.stock.models import StockItem

        with scope(tenant=tenant.pk):
            if StockItem.objects.filter(tenant=tenant).exists():
                return
            owner = Membership.objects.select_related("tenant", "role", "user").get(tenant=tenant, user__email="owner@demo.ifarm.test")
            vet_user = _user("vet@demo.ifarm.test", "Dr Wambui Kamau")
            vet = Membership.objects.filter(tenant=tenant, user=vet_user).first() or Membership.objects.create(
                tenant=tenant, user=vet_user, role=Role.objects.get(tenant=tenant, key="vet"), all_farms=True)
            vet = Membership.objects.select_related("tenant", "role", "user").get(pk=vet.pk)
            self._health(tenant, owner, vet)

    def _health(self, tenant, owner, vet):
        from apps.health.services import administration_record, treatment_record, treatment_void, vaccination_record
        from apps.milk.models import Lactation
        from apps.stock.models import StockItem
        from apps.stock.services import batch_receive, item_save

        home = Farm.objects.get(tenant=tenant, name="Green Valley Home Farm")
        hill = Farm.objects.get(tenant=tenant, name="Hillside Heifer Unit")
        today, now = home.local_today(), home.local_now()

        def item(name, kind, unit, periods, **values):
            return item_save(membership=owner, kind=kind, name=name, unit=unit, withdrawals=periods, **values)

        tubes = item("Masticlear intramammary", "medicine", "tube", {"cattle": (72, 7)}, active_substance="cefquinome",
                     reorder_level=Decimal("12"))
        oxytet = item("Oxytetracycline 20% LA", "medicine", "mL", {"cattle": (168, 28), "goat": (None, 21), "sheep": (None, 21)},
                      active_substance="oxytetracycline", reorder_level=Decimal("100"))
        item("Dry-cow tubes", "medicine", "tube", {"cattle": (None, 28)}, active_substance="cloxacillin", lactating_allowed=False)
        lsd = item("Lumpy skin disease vaccine", "vaccine", "dose", {"cattle": (0, 0)}, booster_days=365)
        item("Dairy meal", "feed", "bag (70 kg)", {}, reorder_level=Decimal("20"))
        item("Mineral lick", "supplement", "block", {}, reorder_level=Decimal("4"))
        tube_batch = batch_receive(membership=owner, item=tubes, farm=home, quantity=Decimal("24"), lot="MC-2611",
                                   expires_on=today + dt.timedelta(days=400), unit_cost=Decimal("380"))
        oxy_batch = batch_receive(membership=owner, item=oxytet, farm=home, quantity=Decimal("250"), lot="OX-0921",
                                  expires_on=today + dt.timedelta(days=21), unit_cost=Decimal("12.50"))
        lsd_batch = batch_receive(membership=owner, item=lsd, farm=home, quantity=Decimal("30"), lot="LSD-25",
                                  expires_on=today + dt.timedelta(days=200), unit_cost=Decimal("95"),
                                  received_on=today - dt.timedelta(days=362))
        meal = StockItem.objects.get(tenant=tenant, name="Dairy meal")
        batch_receive(membership=owner, item=meal, farm=home, quantity=Decimal("12"), lot="", unit_cost=Decimal("3100"))
        batch_receive(membership=owner, item=StockItem.objects.get(tenant=tenant, name="Mineral lick"), farm=hill, quantity=Decimal("9"),
                      unit_cost=Decimal("650"))
        cows = list(Animal.objects.filter(tenant=tenant, farm=home, sex="female", status="active",
                                          pk__in=Lactation.objects.filter(tenant=tenant, dried_off_on=None).values("animal"))
                    .order_by("tag")[:8])
        # Under milk withdrawal now: mastitis, a course of two tubes, the second this morning.
        mastitis = treatment_record(membership=vet, animal=cows[0], batch=tube_batch, diagnosis="Clinical mastitis, rear left",
                                    dose=Decimal("1"), dose_unit="tube", route="intramammary", quarter="LH",
                                    administrations_planned=2, interval_hours=24, prescribing_vet="Dr Wambui Kamau",
                                    prescription_ref="RX-2026-114", given_at=now - dt.timedelta(hours=26))
        administration_record(membership=vet, treatment=mastitis, batch=tube_batch, given_at=now - dt.timedelta(hours=2))
        # Milk clean again, meat still withheld: lameness three weeks ago.
        treatment_record(membership=vet, animal=cows[1], batch=oxy_batch, diagnosis="Foot rot, left hind", dose=Decimal("15"),
                         dose_unit="mL", route="im", prescribing_vet="Dr Wambui Kamau", prescription_ref="RX-2026-098",
                         given_at=now - dt.timedelta(days=20))
        wrong = treatment_record(membership=vet, animal=cows[2], batch=oxy_batch, diagnosis="Pneumonia", dose=Decimal("15"),
                                 dose_unit="mL", route="im", given_at=now - dt.timedelta(days=10))
        treatment_void(membership=vet, treatment=wrong, reason="Entered for the wrong cow")
        # Last year's lumpy skin round: the boosters fall due this week.
        vaccination_record(membership=vet, animals=cows[3:8], batch=lsd_batch, dose=Decimal("1"), dose_unit="dose",
                           route="sc", given_at=now - dt.timedelta(days=361))
        self.stdout.write("Added a medicine cabinet, feed stock, treatments and vaccinations.")

    def _money(self, tenant, owner_membership, worker_membership, home, hill):
        """Customers, suppliers, a manager and an accountant, expenses, sales and invoices."""
        import uuid
        from decimal import Decimal

        from apps.finance import services as money
        from apps.finance.models import ExpenseCategory

        for email, name, role in (("manager@demo.ifarm.test", "Mary Njoroge", "manager"), ("accountant@demo.ifarm.test", "Ali Hassan", "accountant")):
            Membership.objects.create(tenant=tenant, user=_user(email, name), role=Role.objects.get(tenant=tenant, key=role))
        _access_demo(owner_membership)
        owner_membership.tenant.refresh_from_db()
        coop = money.contact_save(membership=owner_membership, kind="customer", name="Limuru Dairy Cooperative",
                                  contact_person="Samuel Kariuki", phone="+254 700 111 222", email="accounts@limuru-coop.example")
        butcher = money.contact_save(membership=owner_membership, kind="customer", name="Kiambu Butchery", phone="+254 711 333 444")
        feeds = money.contact_save(membership=owner_membership, kind="supplier", name="Unga Feeds Ltd", email="sales@unga-feeds.example")
        categories = {c.key: c for c in ExpenseCategory.objects.filter(tenant=tenant)}
        today = home.local_today()  # the farm's date, which runs ahead of UTC in the evening
        for days_ago, key, amount, text, supplier in (
            (28, "feed", "18500", "Dairy meal, 10 bags", feeds), (21, "veterinary", "4200", "Mastitis treatment, GV-104", None),
            (14, "labour", "12000", "Casual labour, silage", None), (7, "fuel", "3600", "Diesel for the chopper", None),
        ):
            money.expense_submit(membership=owner_membership, key=uuid.uuid4().hex, farm=home, date=today - dt.timedelta(days=days_ago),
                                 category=categories[key], amount=Decimal(amount), description=text, supplier=supplier)
        for text, amount in (("Hoof trimming knives", "850"), ("Fencing wire, 2 rolls", "6400")):
            money.expense_submit(membership=worker_membership, key=uuid.uuid4().hex, farm=home, date=today - dt.timedelta(days=1),
                                 category=categories["equipment"], amount=Decimal(amount), description=text)
        milk_sale = money.sale_record(membership=owner_membership, key=uuid.uuid4().hex, kind="milk", farm=home,
                                      date=today - dt.timedelta(days=15), buyer=coop, quantity=Decimal("9120"), unit="L", unit_price=Decimal("52"))
        invoice = money.invoice_from_sales(membership=owner_membership, sales=[milk_sale])
        invoice = money.invoice_issue(membership=owner_membership, invoice=invoice)
        money.payment_record(membership=owner_membership, key=uuid.uuid4().hex, invoice=invoice, date=today,
                             amount=Decimal("250000"), method="bank", reference="LDC-PAY-0912")
        bull = Animal.objects.filter(tenant=tenant, farm=hill, sex="male", status="active", species="cattle").order_by("date_of_birth").first()
        if bull is not None:
            money.sale_record(membership=owner_membership, key=uuid.uuid4().hex, kind="animal", purpose="alive", farm=hill, date=today - dt.timedelta(days=5),
                              buyer=butcher, animal=bull, live_weight=Decimal("410"), unit_price=Decimal("68000"))

    def _test_day(self, membership, farm) -> None:
        """The milk recording organisation's last test day, twelve days ago, for the cows then in milk."""
        from apps.milk.models import AnimalDaySummary
        from apps.milk.services.ingest import Recording, recordings_save

        day = farm.local_today() - dt.timedelta(days=12)
        days = AnimalDaySummary.objects.filter(tenant_id=membership.tenant_id, farm=farm, date=day, records__gt=0).select_related(
            "animal__farm").order_by("animal__tag")
        recordings = [Recording(index=n, animal=summary.animal, date=day, values={
            "quantity": summary.total, "fat": Decimal("3.6") + Decimal(n % 7) / 10, "protein": Decimal("3.1") + Decimal(n % 4) / 10,
            "lactose": Decimal("4.7"), "scc": 60_000 + 23_000 * (n % 9), "urea": Decimal(180 + 10 * (n % 8))})
            for n, summary in enumerate(days)]
        recordings_save(membership=membership, recordings=recordings)

    def _milk_history(self, tenant, farms, *, days: int, share: float = 1.0) -> int:
        """Put the grown, active cows of `farms` in milk with `days` of milkings up to today."""
        from apps.milk.seed import seed_history

        grown = timezone.localdate() - dt.timedelta(days=900)
        cows = list(
            Animal.objects.filter(tenant=tenant, farm__in=farms, sex="female", status="active", species="cattle", date_of_birth__lte=grown)
            .only("id", "farm_id")
            .order_by("id")
        )
        cows = [cow for cow in cows if self.rng.random() < share]
        sessions = {farm.pk: farm.milking_sessions_per_day for farm in farms}
        # History ends yesterday, so today's sessions are there to be recorded.
        end = timezone.localdate() - dt.timedelta(days=1)
        return seed_history(tenant_id=tenant.pk, cows=cows, sessions_by_farm=sessions, end=end, days=days, rng=self.rng)

    def _demo_herd(self, membership, home, hill, groups) -> int:
        rng = self.rng
        breeds = {b.name: b for b in Breed.objects.filter(species="cattle")}
        goat_breeds = list(Breed.objects.filter(species="goat"))
        made = 0
        names = iter(COW_NAMES * 4)

        def add(**values):
            nonlocal made
            made += 1
            return animal_create(membership=membership, **values)

        sires = [
            add(farm=home, tag=f"GV-B{n:02d}", name=BULL_NAMES[n], species="cattle", sex="male",
                breed=breeds[rng.choice(["Friesian", "Ayrshire", "Jersey"])], date_of_birth=dt.date(2016, 3 + n, 10),
                acquisition="bought", acquired_on=dt.date(2018, 1 + n, 5), purchase_price=Decimal("85000.00"), seller="Kenya Livestock Breeders")
            for n in range(3)
        ]
        founders = []
        for n in range(28):
            founders.append(add(
                farm=home, group=groups["Milking herd"], tag=f"GV-{100 + n}", name=next(names), species="cattle", sex="female",
                breed=breeds[rng.choice(["Friesian", "Ayrshire", "Jersey", "Crossbreed"])],
                date_of_birth=dt.date(2016 + n % 3, 1 + n % 12, 1 + n % 27), birth_date_estimated=n % 5 == 0,
                acquisition="bought", acquired_on=dt.date(2019, 1 + n % 12, 15), purchase_price=Decimal(60000 + 1000 * (n % 9)),
                seller="Limuru Dairy Cooperative", colour=rng.choice(["black and white", "red and white", "brown"]),
            ))
        second = []
        for n in range(46):
            dam = founders[n % len(founders)]
            born = dam.date_of_birth.replace(year=dam.date_of_birth.year + 4) + dt.timedelta(days=n * 7)
            sex = "female" if n % 4 else "male"
            farm = home if sex == "female" and n % 3 else hill
            group = groups["Milking herd"] if farm == home else groups["Heifers"]
            second.append(add(
                farm=farm, group=group, tag=f"GV-{200 + n}", name=next(names) if sex == "female" else "", species="cattle",
                sex=sex, breed=dam.breed, date_of_birth=born, dam=dam, sire=sires[n % 3], acquisition="born",
                castrated=sex == "male" and n % 8 == 0, castrated_on=born + dt.timedelta(days=90) if sex == "male" and n % 8 == 0 else None,
                status="sold" if n in (4, 12) else "active", status_on=born + dt.timedelta(days=400) if n in (4, 12) else None,
                status_reason="Sold as a young bull" if n in (4, 12) else "",
            ))
        today = timezone.localdate()
        mothers = [a for a in second if a.sex == "female" and a.status == "active"]
        for n in range(30):
            dam = mothers[n % len(mothers)]
            born = min(dam.date_of_birth.replace(year=dam.date_of_birth.year + 3) + dt.timedelta(days=n * 5), today - dt.timedelta(days=20))
            add(
                farm=dam.farm, group=groups["Calves"] if dam.farm == home else groups["Heifers"], tag=f"GV-{300 + n}",
                name=next(names) if n % 2 else "", species="cattle", sex="female" if n % 2 else "male", breed=dam.breed,
                date_of_birth=born, dam=dam, sire=sires[(n + 1) % 3], acquisition="born",
                status="dead" if n == 7 else "active", status_on=born + dt.timedelta(days=3) if n == 7 else None,
                status_reason="Died at birth" if n == 7 else "",
            )
        for n in range(14):
            add(
                farm=hill, group=groups["Goats"], tag=f"GT-{n + 1:02d}", species="goat", sex="female" if n % 5 else "male",
                breed=goat_breeds[n % len(goat_breeds)], date_of_birth=dt.date(2022, 1 + n % 12, 3), acquisition="bought",
                acquired_on=dt.date(2023, 2, 1), purchase_price=Decimal("9500.00"), seller="Naivasha goat market",
            )
        return made

    def _scale_treatments(self, tenant, farms):
        """One cow in twenty of those in milk under treatment, half of them under milk withdrawal now."""
        from django.utils import timezone as tz

        from apps.health.models import Administration, Treatment
        from apps.milk.models import Lactation

        owner = Membership.objects.get(tenant=tenant, role__key="owner")
        now = tz.now()
        cows = list(Animal.objects.filter(tenant=tenant, pk__in=Lactation.objects.filter(tenant=tenant, dried_off_on=None)
                                          .values("animal")).order_by("pk")[::20])
        treatments = []
        for n, cow in enumerate(cows):
            given = now - dt.timedelta(days=1 if n % 2 else 30)
            treatments.append(Treatment(
                tenant=tenant, animal=cow, farm_id=cow.farm_id, diagnosis="Mastitis", product_name="Bench tubes", dose=1,
                dose_unit="tube", route="intramammary", quarter="LH", milk_withdrawal_hours=72, meat_withdrawal_days=7,
                recorded_by=owner, first_given_at=given, last_given_at=given, milk_withdrawal_ends_at=given + dt.timedelta(hours=72),
                meat_withdrawal_ends_on=(given + dt.timedelta(days=7)).date(),
            ))
        Treatment.objects.bulk_create(treatments)
        Administration.objects.bulk_create([Administration(tenant=tenant, treatment=t, given_at=t.first_given_at, dose=1,
                                                           given_by=owner) for t in treatments])

    def seed_scale(self, *, tenants: int, animals_per_tenant: int, milk: bool = True):
        """Many organisations with bulk inserts: no audit entries or history rows, for speed."""
        rng = self.rng
        cattle_breeds = list(Breed.objects.filter(species="cattle"))
        created = milkings = 0
        milk_seconds = 0.0
        started = time.perf_counter()
        with scopes_disabled():
            for n in range(1, tenants + 1):
                slug = f"scale-{n:03d}"
                if Tenant.objects.filter(slug=slug).exists():
                    continue
                with transaction.atomic():
                    owner = User.objects.filter(email=f"owner@{slug}.ifarm.test").first()
                    if owner is None:
                        owner = User.objects.create_user(email=f"owner@{slug}.ifarm.test", password=DEMO_PASSWORD)
                        EmailAddress.objects.create(user=owner, email=owner.email, verified=True, primary=True)
                    tenant, _ = tenant_create(
                        owner=owner, name=f"Scale Farm {n:03d}", country="KE", currency="KES", milk_unit="L", time_zone="Africa/Nairobi"
                    )
                    Tenant.objects.filter(pk=tenant.pk).update(slug=slug)
                    tenant_people_changed(tenant.pk)
                    farms = Farm.objects.bulk_create(
                        [Farm(tenant=tenant, name=f"Farm {k}", milking_sessions_per_day=2) for k in (1, 2)]
                    )
                    animals = []
                    for k in range(animals_per_tenant):
                        sex = "female" if k % 5 else "male"
                        animals.append(Animal(
                            tenant=tenant, farm=farms[k % 2], species="cattle", sex=sex, tag=f"S{n:03d}-{k:04d}",
                            name=rng.choice(COW_NAMES) if sex == "female" else "", breed=rng.choice(cattle_breeds),
                            date_of_birth=dt.date(2015 + k % 10, 1 + k % 12, 1 + k % 28),
                            status="active" if k % 10 else rng.choice(["sold", "dead", "culled"]),
                            status_on=None if k % 10 else dt.date(2025, 6, 1),
                        ))
                    Animal.objects.bulk_create(animals, batch_size=1000)
                    if milk:
                        milk_started = time.perf_counter()
                        milkings += self._milk_history(tenant, farms, days=730, share=0.6)
                        milk_seconds += time.perf_counter() - milk_started
                        self._scale_treatments(tenant, farms)
                    created += 1
        total = time.perf_counter() - started
        self.stdout.write(
            f"Scale data: {created} new organisations with {animals_per_tenant} animals each in {total - milk_seconds:.0f} s, "
            f"and {milkings:,} milkings with their summaries in {milk_seconds:.0f} s."
        )


def _access_demo(owner):
    """The manager approves up to 10,000; milkers record milk only from 04:00 to 21:00."""
    from apps.accounts.policies import approval_limit_set, policy_save

    approval_limit_set(membership=owner, limit=Decimal("10000"))
    milker = Role.objects.get(tenant_id=owner.tenant_id, key="milker")
    policy_save(membership=owner, name="Milking hours", role=milker, member=None, permissions=["milk.record"], days=[],
                start_time=dt.time(4), end_time=dt.time(21), amount_limit=None, farms=[], ends_on=None)
