"""Every route that takes an object id answers 404 to another tenant.

The probe walks the URL configuration: a new route with an id and no entry here fails the test,
so no route ships without being probed.
"""

import datetime as dt

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django_scopes import scope

from apps.accounts.models import Invitation, Role
from tests.factories import make_animal, make_farm, make_member


def _routes(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin" or str(pattern.pattern).startswith("accounts/"):
                continue  # admin is staff-only; allauth's routes take no tenant objects
            if pattern.namespace == "api-v1":
                continue  # the API's operations have their own probe, with keys (tests/api/test_api_probe.py)
            yield from _routes(pattern, f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace)
        elif isinstance(pattern, URLPattern) and pattern.pattern.converters:
            yield f"{namespace}{pattern.name}", list(pattern.pattern.converters)


def _farm(owner):
    return make_farm(owner, name="Victim Farm")


def _animal(owner):
    return make_animal(owner, _farm(owner), tag="VICTIM-1")


def _member(owner):
    return make_member(owner, "worker")


def _invitation(owner):
    return Invitation.objects.create(
        tenant_id=owner.tenant_id, email="v@victim.test", role=Role.objects.get(tenant_id=owner.tenant_id, key="viewer"),
        token_hash="0" * 64, expires_at=timezone.now() + dt.timedelta(days=1),
    )


def _role(owner):
    from apps.accounts.services import role_save

    return role_save(membership=owner, name="Victim Role", permissions=["herd.view"])


def _policy(owner):
    from apps.accounts.policies import policy_save

    return policy_save(membership=owner, name="Victim policy", role=Role.objects.get(tenant_id=owner.tenant_id, key="milker"),
                       member=None, permissions=["milk.record"], days=[], start_time=None, end_time=None,
                       amount_limit=None, farms=[], ends_on=None)


def _delegation(owner):
    from apps.accounts.policies import delegation_create

    today = timezone.localdate()
    return delegation_create(membership=owner, delegate=make_member(owner, "worker"), permissions=["herd.view"],
                             starts_on=today + dt.timedelta(days=1), ends_on=today + dt.timedelta(days=2))


def _device(owner):
    from apps.accounts.models import Device

    return Device.objects.create(user=owner.user, key_hash="1" * 64, name="Victim phone")


def _sso_connection(owner):
    from apps.accounts.sso import connection_create
    from tests.factories import put_on_plan
    from tests.identity_providers import saml_identity_provider

    put_on_plan(owner, "commercial")

    with saml_identity_provider(email="v@victim.test") as (entity_id, sso_url, certificate):
        return connection_create(membership=owner, name="Victim SSO", protocol="saml", email_domain="victim.test",
                                 role=Role.objects.get(tenant_id=owner.tenant_id, key="worker"), idp_entity_id=entity_id,
                                 idp_sso_url=sso_url, idp_certificate=certificate)


def _platform_invoice(owner):
    import datetime as dt
    from decimal import Decimal

    from apps.billing.models import PlatformInvoice, Subscription

    subscription = Subscription.objects.get(tenant_id=owner.tenant_id)
    return PlatformInvoice.objects.create(
        tenant_id=owner.tenant_id, subscription=subscription, number=f"IF-2026-9{owner.tenant_id:05d}", period_key="probe",
        kind="renewal", description="Victim's plan", period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 2, 1),
        currency="KES", amount=Decimal("1950"), issued_on=dt.date(2026, 1, 1), due_on=dt.date(2026, 1, 8))


def _audit_archive(owner):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from apps.audit.models import AuditArchive

    name = default_storage.save(f"audit/{owner.tenant_id}/2020-01.jsonl.gz", ContentFile(b"victim"))
    return AuditArchive.objects.create(tenant_id=owner.tenant_id, month=dt.date(2020, 1, 1), first_seq=1, last_seq=1,
                                       entries=1, first_prev_hash="0" * 64, last_hash="1" * 64, file=name, size=6,
                                       sha256="2" * 64)


def _treatment(owner):
    from tests.health.conftest import at, make_batch, make_item
    from tests.health.test_treatments import treat
    from tests.milk.conftest import make_cows

    farm = _farm(owner)
    cow = make_cows(owner, farm, 1, prefix="VICTIM")[0]
    return treat(owner, cow, make_batch(owner, make_item(owner, name="Victim tubes"), farm), at(farm, dt.date.today(), 0))


def _stock_item(owner):
    from tests.health.conftest import make_item

    return make_item(owner, name="Victim item")


def _batch(owner):
    from tests.health.conftest import make_batch, make_item

    return make_batch(owner, make_item(owner, name="Victim batch item"), _farm(owner))


def _buyer(owner):
    from apps.deliveries.services import buyer_save

    return buyer_save(membership=owner, name="Victim buyer")


def _schedule(owner):
    from decimal import Decimal

    from apps.deliveries.services import schedule_save

    buyer = _buyer(owner)
    schedule = schedule_save(membership=owner, buyer=buyer, valid_from=dt.date(2026, 1, 1), base_price=Decimal("50"))
    return buyer.pk, schedule.pk


def _milk_delivery(owner):
    from decimal import Decimal

    from apps.deliveries.services import delivery_record

    farm = make_farm(owner, name="Victim Farm", milking_sessions_per_day=2)
    return delivery_record(membership=owner, farm=farm, buyer=_buyer(owner), date=farm.local_today() - dt.timedelta(days=1),
                           sessions=["morning"], quantity=Decimal("10"), over_reason="milk not entered yet")


def _statement(owner):
    from decimal import Decimal

    from apps.deliveries.services import statement_save

    delivery = _milk_delivery(owner)
    return statement_save(membership=owner, buyer=delivery.buyer, farm=delivery.farm, month=delivery.date.replace(day=1), lines=[
        {"kind": "milk", "date": delivery.date, "description": "", "quantity": Decimal("10"), "price": Decimal("50"),
         "amount": Decimal("500")}])


def _ration(owner):
    from decimal import Decimal

    from apps.feeding.services import ration_save
    from apps.stock.services import item_save

    feed = item_save(membership=owner, kind="feed", name="Victim hay", unit="kg")
    return ration_save(membership=owner, farm=_farm(owner), name="Victim ration", standing=False, starts_on=dt.date(2026, 1, 1),
                       lines=[(feed, None, Decimal("10"))])


def _user_session(owner):
    from allauth.usersessions.models import UserSession

    return UserSession.objects.create(user=owner.user, session_key="victim-session-key", ip="10.0.0.1", user_agent="Phone")


def _cow(owner):
    from tests.milk.conftest import make_cows

    return make_cows(owner, _farm(owner), 1, prefix="VICTIM")[0]


def _lactation(owner):
    from apps.milk.models import Lactation

    return Lactation.objects.get(animal=_cow(owner))


def _alert(owner):
    import datetime as dt

    from apps.milk.models import QualityAlert

    cow = _cow(owner)
    return QualityAlert.objects.create(
        tenant_id=owner.tenant_id, animal=cow, farm_id=cow.farm_id, date=dt.date.today(), session="morning", kind="udder", message="x"
    )


def _expense(owner):
    from tests.factories import make_member
    from tests.finance.conftest import submit

    farm = _farm(owner)
    return submit(make_member(owner, "worker"), farm)


def _contact(owner):
    from tests.finance.conftest import make_contact

    return make_contact(owner, name="Victim Buyer")


def _sale(owner):
    import uuid
    from decimal import Decimal

    from django_scopes import scope

    from apps.finance.services import sale_record

    with scope(tenant=owner.tenant_id):
        return sale_record(membership=owner, key=uuid.uuid4().hex, kind="milk", farm=_farm(owner), date=dt.date.today(),
                           buyer=_contact(owner), unit_price=Decimal("50"), quantity=Decimal("10"), unit="L")


def _invoice(owner):
    from tests.finance.conftest import issued_invoice

    return issued_invoice(owner, farm=_farm(owner))


def _report_job(owner):
    from apps.finance.models import ReportJob

    return ReportJob.objects.create(tenant_id=owner.tenant_id, kind="pnl", file_format="csv", params={}, requested_by=owner)


def _outside_sire(owner):
    from apps.herd.services import outside_sire_save

    return outside_sire_save(membership=owner, name="Victim Bull", species="cattle", semen_code="VB-1")


def _external_farm(owner):
    from apps.farms.services import external_farm_save

    return external_farm_save(membership=owner, name="Victim Neighbour")


def _hire(owner):
    from decimal import Decimal

    from apps.breeding.services import hire_save

    return hire_save(membership=owner, farm=_farm(owner), other_farm=_external_farm(owner), outside_sire=_outside_sire(owner),
                     direction="in", starts_on=dt.date.today() - dt.timedelta(days=10), ends_on=dt.date.today(),
                     basis="flat", fee=Decimal("1000"))


def _birth(owner):
    from apps.breeding.services import birth_record

    cow = _animal(owner)
    return birth_record(membership=owner, animal=cow, born_on=dt.date.today(), ease=1,
                        offspring=[{"sex": "female", "outcome": "alive", "tag": "VICTIM-CALF"}])


def _api_key(owner):
    from apps.api.services import api_key_create

    return api_key_create(membership=owner, name="Victim key", permissions=["herd.view"])[0]


def _endpoint(owner):
    from apps.api.webhooks import endpoint_create
    from tests.dns_server import point

    point("victim.example")  # a name on the internet, as far as the server can tell
    return endpoint_create(membership=owner, url="https://victim.example/hook", events=["animal.created"])[0]


def _delivery(owner):
    from django.utils import timezone

    from apps.api.models import WebhookDelivery

    return WebhookDelivery.objects.create(tenant_id=owner.tenant_id, endpoint=_endpoint(owner), message_id="msg_v", event="webhook.test",
                                          payload={}, next_attempt_at=timezone.now())


def _heat_action(owner):
    return ("heat", _animal(owner).pk)


# Route name -> (make the tenant-A object, or the route's arguments, methods to try).
PROBES = {
    "farms:detail": (_farm, ["get"]),
    "farms:edit": (_farm, ["get", "post"]),
    "farms:archive": (_farm, ["post"]),
    "herd:group_create": (_farm, ["post"]),
    "herd:detail": (_animal, ["get"]),
    "herd:edit": (_animal, ["get", "post"]),
    "herd:photo": (_animal, ["get"]),
    "accounts:member_edit": (_member, ["get", "post"]),
    "accounts:member_remove": (_member, ["post"]),
    "accounts:invitation_revoke": (_invitation, ["post"]),
    "accounts:role_edit": (_role, ["get", "post"]),
    "accounts:role_delete": (_role, ["post"]),
    "accounts:session_revoke": (_user_session, ["post"]),
    "accounts:member_access": (_member, ["get"]),
    "accounts:policy_edit": (_policy, ["get", "post"]),
    "accounts:policy_delete": (_policy, ["post"]),
    "accounts:delegation_revoke": (_delegation, ["post"]),
    "accounts:device_action": (_device, ["post"]),
    "accounts:sso_delete": (_sso_connection, ["post"]),
    "accounts:sso_verify": (_sso_connection, ["post"]),
    "audit_archive": (_audit_archive, ["get"]),
    "billing:invoice_pdf": (_platform_invoice, ["get"]),
    "milk:animal": (_cow, ["get"]),
    "milk:lactation_start": (_cow, ["post"]),
    "milk:lactation_dry_off": (_lactation, ["post"]),
    "milk:alert_resolve": (_alert, ["post"]),
    "money:expense": (_expense, ["get"]),
    "money:expense_receipt": (_expense, ["get"]),
    "money:expense_receipt_thumb": (_expense, ["get"]),
    "money:expense_decide": (_expense, ["post"]),
    "money:contact_edit": (_contact, ["get", "post"]),
    "money:sale": (_sale, ["get"]),
    "money:sale_void": (_sale, ["post"]),
    "money:sale_invoice": (_sale, ["post"]),
    "money:invoice": (_invoice, ["get"]),
    "money:invoice_edit": (_invoice, ["get", "post"]),
    "money:invoice_issue": (_invoice, ["post"]),
    "money:invoice_pdf": (_invoice, ["get"]),
    "money:payment_create": (_invoice, ["post"]),
    "money:invoice_void": (_invoice, ["post"]),
    "money:invoice_credit": (_invoice, ["post"]),
    "money:invoice_send": (_invoice, ["post"]),
    "money:report_job": (_report_job, ["get"]),
    "breeding:animal": (_animal, ["get"]),
    "breeding:mating": (_animal, ["get"]),
    "breeding:heat_create": (_animal, ["post"]),
    "breeding:service_create": (_animal, ["post"]),
    "breeding:check_create": (_animal, ["post"]),
    "breeding:birth_create": (_animal, ["post"]),
    "breeding:birth_void": (_birth, ["post"]),
    "breeding:hire": (_hire, ["get"]),
    "breeding:hire_edit": (_hire, ["get", "post"]),
    "breeding:hire_end": (_hire, ["post"]),
    "breeding:today_act": (_heat_action, ["post"]),
    "herd:event_create": (_animal, ["post"]),
    "api:key_revoke": (_api_key, ["post"]),
    "api:endpoint": (_endpoint, ["get"]),
    "api:endpoint_action": (_endpoint, ["post"]),
    "api:delivery_resend": (_delivery, ["post"]),
    "herd:outside_sire_edit": (_outside_sire, ["get", "post"]),
    "herd:external_farm_edit": (_external_farm, ["get", "post"]),
    "health:treatment": (_treatment, ["get"]),
    "health:treatment_dose": (_treatment, ["post"]),
    "health:treatment_void": (_treatment, ["post"]),
    "stock:item_edit": (_stock_item, ["get", "post"]),
    "stock:batch_adjust": (_batch, ["get", "post"]),
    "stock:batch_move": (_batch, ["get", "post"]),
    "stock:batch_use": (_batch, ["get", "post"]),
    "money:report_download": (_report_job, ["get"]),
    "deliveries:detail": (_milk_delivery, ["get", "post"]),
    "deliveries:void": (_milk_delivery, ["post"]),
    "deliveries:buyer_edit": (_buyer, ["get", "post"]),
    "deliveries:schedule_create": (_buyer, ["get", "post"]),
    "deliveries:schedule_edit": (_schedule, ["get", "post"]),
    "deliveries:statement": (_statement, ["get", "post"]),
    "feeding:ration_edit": (_ration, ["get", "post"]),
}
# Routes whose id is a secret link rather than a tenant object; probed separately.
TOKEN_ROUTES = {"accounts:invitation_accept", "phone:sms", "phone:ussd"}  # the provider's callbacks: tests/phone
# Routes whose parameter names a page part, not an object.
# Not tenant objects: a dashboard card's name, and an identity provider's public id in its sign-in addresses.
NON_OBJECT_ROUTES = {"milk:dashboard_card", "openid_connect_login", "openid_connect_callback"}


def test_every_route_with_an_id_is_probed():
    routes = {name for name, _ in _routes()}
    missing = routes - set(PROBES) - TOKEN_ROUTES - NON_OBJECT_ROUTES
    assert not missing, f"add these routes to PROBES: {sorted(missing)}"


def _victim_url(route: str, owner) -> tuple[str, list[str]]:
    """Make the route's object in the owner's organisation; return its URL and the methods to try."""
    make_object, methods = PROBES[route]
    with scope(tenant=owner.tenant_id):
        obj = make_object(owner)
    return reverse(route, args=obj if isinstance(obj, tuple) else [obj.pk]), methods


@pytest.mark.parametrize("route", sorted(PROBES))
def test_other_tenant_gets_404(route, owner, outsider, as_member):
    url, methods = _victim_url(route, owner)
    client = as_member(outsider)
    for method in methods:
        response = getattr(client, method)(url)
        assert response.status_code == 404, f"{method.upper()} {url} gave {response.status_code}"


def test_invitation_link_with_wrong_secret_is_404(owner, client):
    with scope(tenant=owner.tenant_id):
        invitation = _invitation(owner)
    response = client.get(reverse("accounts:invitation_accept", args=[f"{invitation.pk}-wrongsecret"]))
    assert response.status_code == 404


# Objects that belong to the organisation rather than to one farm: a member limited to some farms
# still reaches them when their role allows (the team, contacts, their own sessions and reports).
TENANT_WIDE = {
    "accounts:member_edit", "accounts:member_remove", "accounts:invitation_revoke", "accounts:session_revoke",
    "accounts:role_edit", "accounts:role_delete", "accounts:member_access", "accounts:policy_edit",
    "accounts:policy_delete", "accounts:delegation_revoke", "accounts:device_action", "accounts:sso_delete", "accounts:sso_verify",
    "audit_archive", "billing:invoice_pdf",  # the organisation's own subscription
    "money:contact_edit", "money:report_job", "money:report_download",
    "stock:item_edit",  # an item is the organisation's; its batches belong to farms
    "herd:outside_sire_edit", "herd:external_farm_edit",  # the outside register is the organisation's
    "api:key_revoke", "api:endpoint", "api:endpoint_action", "api:delivery_resend",  # the organisation's integrations
    "deliveries:buyer_edit", "deliveries:schedule_create", "deliveries:schedule_edit",  # buyers are the organisation's
}


@pytest.fixture
def limited_manager(owner):
    """A manager (nearly every permission) limited to one farm of the organisation."""
    home = make_farm(owner, name="Home Farm")
    return make_member(owner, "manager", farms=[home])


@pytest.mark.parametrize("route", sorted(PROBES))
def test_member_limited_to_another_farm_gets_404(route, owner, limited_manager, as_member):
    url, methods = _victim_url(route, owner)
    client = as_member(limited_manager)
    for method in methods:
        status = getattr(client, method)(url).status_code
        if route in TENANT_WIDE:
            assert status < 500, f"{method.upper()} {url} gave {status}"
        else:
            assert status == 404, f"{method.upper()} {url} gave {status} to a member of another farm"


def _victim_farm_records(owner) -> list[str]:
    """Records of every kind on the farm the limited member does not have; returns what would betray them."""
    import uuid
    from decimal import Decimal

    from apps.finance.services import sale_record
    from apps.milk.services import milking_record_save
    from tests.finance.conftest import make_contact, submit
    from tests.milk.conftest import make_cows

    farm = make_farm(owner, name="Victim Farm", milking_sessions_per_day=2)
    cow = make_cows(owner, farm, 1, prefix="VICTIM-COW")[0]
    milking_record_save(membership=owner, farm=farm, animal=cow, date=dt.date.today(), session="morning", quantity=Decimal("11"))
    make_animal(owner, farm, tag="VICTIM-BULL", sex="male")
    submit(owner, farm, description="VICTIM-EXPENSE diesel")
    buyer = make_contact(owner, name="Shared Buyer")
    sale_record(membership=owner, key=uuid.uuid4().hex, kind="milk", farm=farm, date=dt.date.today(), buyer=buyer,
                unit_price=Decimal("50"), quantity=Decimal("10"), unit="L", product="VICTIM-PRODUCE")
    from tests.finance.conftest import issued_invoice

    invoice = issued_invoice(owner, contact=buyer, farm=farm)
    from tests.health.conftest import at, make_batch, make_item
    from tests.health.test_treatments import treat

    tubes = make_batch(owner, make_item(owner, name="Farm tubes"), farm, lot="VICTIM-LOT")
    treat(owner, cow, tubes, at(farm, dt.date.today(), 0), diagnosis="VICTIM-DIAGNOSIS")
    from apps.breeding.services import service_record

    service_record(membership=owner, animal=cow, served_on=dt.date.today() - dt.timedelta(days=20), method="ai",
                   outside_sire="VICTIM-SIRE")
    from apps.breeding.services import hire_save, task_save
    from apps.farms.services import external_farm_save
    from apps.herd.services import outside_sire_save

    task_save(membership=owner, farm=farm, title="VICTIM-TASK", due_on=dt.date.today())
    hire_save(membership=owner, farm=farm, other_farm=external_farm_save(membership=owner, name="Neighbour"),
              outside_sire=outside_sire_save(membership=owner, name="Hired Bull", species="cattle"), direction="in",
              starts_on=dt.date.today(), ends_on=dt.date.today(), basis="flat", fee=Decimal("1"), terms="VICTIM-TERMS")
    make_animal(owner, farm, tag="VICTIM-CALF", date_of_birth=dt.date.today() - dt.timedelta(days=100))
    return ["Victim Farm", "VICTIM-COW", "VICTIM-BULL", "VICTIM-EXPENSE", "VICTIM-PRODUCE", invoice.number, "VICTIM-LOT",
            "VICTIM-DIAGNOSIS", "VICTIM-SIRE", "VICTIM-TASK", "VICTIM-CALF"]


def _list_urls():
    """Every page without an object id (plus its exports and the dashboard cards)."""
    skip = {"healthz", "landing", "robots", "herd:import_template"}

    def walk(resolver, namespace=""):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin" or str(pattern.pattern).startswith("accounts/"):
                    continue
                yield from walk(pattern, f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace)
            elif isinstance(pattern, URLPattern) and not pattern.pattern.converters:
                name = f"{namespace}{pattern.name}"
                if name not in skip:
                    yield reverse(name)

    from apps.milk.views import CARDS

    yield from walk(get_resolver())
    yield from (reverse("milk:dashboard_card", args=[card]) for card in CARDS)
    yield reverse("herd:list") + "?_export=csv"
    yield reverse("milk:records") + "?_export=csv"


def test_member_limited_to_another_farm_finds_nothing_of_it_in_lists_pickers_and_reports(owner, limited_manager, as_member):
    with scope(tenant=owner.tenant_id):
        secrets = _victim_farm_records(owner)
    client = as_member(limited_manager)
    pages = {url: client.get(url) for url in _list_urls()}
    for kind in ("pnl", "expenses", "sales", "receivables"):
        pages[f"report {kind}"] = client.post(reverse("money:reports"), {
            "kind": kind, "since": (dt.date.today() - dt.timedelta(days=30)).isoformat(), "until": dt.date.today().isoformat(),
            "farm": "", "file_format": "csv",
        })
    for where, response in pages.items():
        assert response.status_code < 500, f"{where} gave {response.status_code}"
        body = b"".join(response.streaming_content) if response.streaming else response.content
        leaked = [secret for secret in secrets if secret.encode() in body]
        assert not leaked, f"{where} shows {leaked} to a member of another farm"
