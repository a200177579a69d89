"""Every page and export a member can open reads in French and Kiswahili, with no English left but names and data.

The walk takes its routes from the URL configuration: a route that is neither walked nor named below as not a page
(an action answering a POST, a webhook, a file of a person's own) fails the coverage test, so a new page is read in
both languages from the day it is added. The organisation is the demo one (`seed_demo`), whose farms have a season
of milk, treatments, breeding, books and a team, so the pages show what a farmer reads, not empty states.
"""

import csv
import io
import re

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.http import HttpResponse
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from apps.accounts.models import Membership, Profile
from tests.conftest import login
from tests.core.test_translations import _english_words, _same_in_both, words

# Routes that are not pages: actions that answer a POST, machine endpoints, files of a person's own.
NOT_PAGES = {
    "healthz", "robots", "manifest", "service_worker", "set_language", "tenant_switch", "farm_switch", "onboarding",
    "openid_connect_login", "openid_connect_callback", "invitation_accept",
    "invitation_revoke", "role_delete", "member_remove", "policy_delete", "delegation_revoke", "sso_delete", "sso_verify",
    "device_action", "session_revoke", "archive", "group_create", "photo", "event_create", "import_template",
    "bull_list_template",
    "row_save", "bulk_tank_save", "row_quality", "lactation_start", "lactations_start_many", "lactation_dry_off",
    "alert_resolve", "expense_receipt", "expense_receipt_thumb", "expense_decide", "queue_approve_many",
    "invitation_create", "sale_void", "sale_invoice", "invoice_issue", "payment_create", "invoice_void", "invoice_credit", "invoice_send",
    "treatment_dose", "treatment_void", "today_act", "heat_create", "service_create", "check_create", "birth_create",
    "birth_void", "hire_end", "batch_adjust", "batch_move", "batch_use", "mark_all_read", "push_subscribe",
    "push_unsubscribe", "change", "cancel", "resume", "payment_method", "card_start", "card_done", "stripe_webhook",
    "payment_webhook", "key_revoke", "endpoint_action", "delivery_resend", "audit_archive", "openapi-json",
    "openapi-view", "api-root", "landing",
    "void", "declare", "sms", "ussd",  # the SMS provider's callbacks (tests/phone)
    "invoice_pdf",  # a file: the farm's invoice is read among the exports, the platform's in tests/billing
}
# Routes whose name is shared by several apps: told apart by their path.


def _routes(resolver=None, prefix=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            if str(entry.pattern).startswith(("admin/", "accounts/")) and not str(entry.pattern).startswith("accounts/oidc"):
                continue
            yield from _routes(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and entry.name and getattr(entry.callback, "__module__", "").startswith(
                ("apps.", "functools", "django.views.i18n")):
            yield prefix + str(entry.pattern), entry.name


def _pages(owner: Membership) -> dict[str, str]:
    """Each route's URL in the demo organisation, with ids of its own records."""
    from apps.accounts.models import Policy, Role
    from apps.api.models import WebhookEndpoint
    from apps.breeding.models import SireHire
    from apps.farms.models import ExternalFarm
    from apps.finance.models import Contact, Expense, Invoice, ReportJob, Sale
    from apps.health.models import Treatment
    from apps.herd.models import Animal, OutsideSire
    from apps.stock.models import StockItem

    t = owner.tenant_id
    cow = Animal.objects.filter(tenant_id=t, sex="female", lactations__isnull=False).order_by("pk").first()
    farm = cow.farm
    worker = Membership.objects.filter(tenant_id=t).exclude(pk=owner.pk).order_by("pk").first()
    invoice = Invoice.objects.filter(tenant_id=t).exclude(number="").order_by("pk").first()
    pages = {
        "home": "/home/", "team": "/team/",
        "member_edit": f"/team/members/{worker.pk}/", "role_create": "/team/roles/new/",
        "role_edit": f"/team/roles/{Role.objects.filter(tenant_id=t, key='milker').get().pk}/",
        "member_access": f"/team/members/{worker.pk}/access/", "policies": "/team/policies/",
        "policy_create": "/team/policies/new/", "policy_edit": f"/team/policies/{Policy.objects.filter(tenant_id=t).first().pk}/",
        "delegations": "/delegations/", "devices": "/devices/", "sso_settings": "/organisation/sso/", "sso_sign_in": "/sso/",
        "organisation": "/organisation/", "profile": "/profile/",
        "list": "/farms/", "create": "/farms/new/", "detail": f"/farms/{farm.pk}/", "edit": f"/farms/{farm.pk}/edit/",
        "herd:list": "/herd/", "herd:create": "/herd/new/", "quick_add": "/herd/quick-add/", "import": "/herd/import/",
        "herd:detail": f"/herd/{cow.pk}/", "herd:edit": f"/herd/{cow.pk}/edit/", "group_action": f"/herd/group-action/?animal={cow.pk}",
        "outside": "/herd/outside/", "outside_sire_create": "/herd/outside/sires/new/",
        "bull_list_import": "/herd/outside/sires/import/",
        "outside_sire_edit": f"/herd/outside/sires/{OutsideSire.objects.filter(tenant_id=t).first().pk}/",
        "external_farm_create": "/herd/outside/farms/new/",
        "external_farm_edit": f"/herd/outside/farms/{ExternalFarm.objects.filter(tenant_id=t).first().pk}/",
        "dashboard": "/milk/", "entry": f"/milk/entry/?farm={farm.pk}", "records": "/milk/records/",
        "animal": f"/milk/animals/{cow.pk}/",
        "money:home": "/money/", "expense_submit": "/money/expenses/new/",
        "expense": f"/money/expenses/{Expense.objects.filter(tenant_id=t).first().pk}/", "queue": "/money/approvals/",
        "settings": "/money/settings/", "contacts": "/money/contacts/", "contact_create": "/money/contacts/new/",
        "contact_edit": f"/money/contacts/{Contact.objects.filter(tenant_id=t).first().pk}/", "sales": "/money/sales/",
        "sale_create": "/money/sales/new/", "sale": f"/money/sales/{Sale.objects.filter(tenant_id=t).first().pk}/",
        "invoices": "/money/invoices/", "invoice_create": "/money/invoices/new/", "invoice": f"/money/invoices/{invoice.pk}/",
        "invoice_edit": f"/money/invoices/{Invoice.objects.filter(tenant_id=t, number='').first().pk}/edit/",
        "reports": "/money/reports/",
        "report_job": f"/money/reports/{ReportJob.objects.filter(tenant_id=t).first().pk}/",
        "health:home": "/health/", "book": "/health/book/", "vaccinate": "/health/vaccinate/",
        "health:check_create": f"/health/checks/new/?animal={cow.pk}", "treatment_create": f"/health/treatments/new/?animal={cow.pk}",
        "treatment": f"/health/treatments/{Treatment.objects.filter(tenant_id=t).first().pk}/",
        "today": "/breeding/today/", "breeding:animal": f"/breeding/animals/{cow.pk}/", "hires": "/breeding/hires/",
        "mating": f"/breeding/animals/{cow.pk}/mating/?registered_sire={OutsideSire.objects.filter(tenant_id=t).first().pk}",
        "hire_create": "/breeding/hires/new/", "hire": f"/breeding/hires/{SireHire.objects.filter(tenant_id=t).first().pk}/",
        "hire_edit": f"/breeding/hires/{SireHire.objects.filter(tenant_id=t).first().pk}/edit/", "tasks": "/breeding/tasks/",
        "fertility": "/breeding/fertility/",
        "stock:home": "/stock/", "item_create": "/stock/items/new/",
        "item_edit": f"/stock/items/{StockItem.objects.filter(tenant_id=t).first().pk}/", "receive": "/stock/receive/",
        "inbox": "/notifications/", "notify:settings": "/notifications/settings/",
        "billing:home": "/billing/", "audit": "/audit/", "integrations": "/integrations/",
        "endpoint": f"/integrations/webhooks/{WebhookEndpoint.objects.filter(tenant_id=t).first().pk}/",
    }
    from apps.deliveries.models import Buyer, Delivery, Statement
    from apps.feeding.models import Ration

    buyer = Buyer.objects.filter(tenant_id=t).first()
    pages.update({
        "deliveries:home": "/deliveries/", "deliveries:create": f"/deliveries/new/?farm={farm.pk}&session=morning",
        "deliveries:detail": f"/deliveries/{Delivery.objects.filter(tenant_id=t).exclude(fat=None).first().pk}/",
        "do_not_ship": "/deliveries/do-not-ship/", "buyer_create": "/deliveries/buyers/new/",
        "buyer_edit": f"/deliveries/buyers/{buyer.pk}/", "schedule_create": f"/deliveries/buyers/{buyer.pk}/schedules/new/",
        "schedule_edit": f"/deliveries/buyers/{buyer.pk}/schedules/{buyer.schedules.first().pk}/",
        "statement_create": "/deliveries/statements/new/",
        "deliveries:statement": f"/deliveries/statements/{Statement.objects.filter(tenant_id=t).first().pk}/",
        "feeding:home": f"/feeding/?farm={farm.pk}&month={timezone.localdate():%Y-%m}&by=head", "feeding:create": "/feeding/new/",
        "ration_create": "/feeding/rations/new/", "ration_edit": f"/feeding/rations/{Ration.objects.filter(tenant_id=t).first().pk}/",
        "feeding:card": "/feeding/card/",
    })
    pages.update({f"dashboard_card:{card}": f"/milk/cards/{card}/" for card in ("production", "chart", "producers", "alerts", "scc")})
    return pages


EXPORTS = {
    "herd register (CSV)": "/herd/?_export=csv", "herd register (XLSX)": "/herd/?_export=xlsx",
    "milk records (CSV)": "/milk/records/?_export=csv", "milk records (XLSX)": "/milk/records/?_export=xlsx",
    "medicine book (CSV)": "/health/book/?format=csv", "medicine book (XLSX)": "/health/book/?format=xlsx",
    "medicine book (PDF)": "/health/book/?format=pdf",
    "do-not-ship declaration (PDF)": "/deliveries/do-not-ship/?format=pdf",
}
# Files stored when they are made, in the language of whom they are for: read after making them in each language.
STORED = {"invoice (PDF)", "report_download"}
REPORTS = ("pnl", "expenses", "sales", "receivables", "milk", "iofc")


def _cells(response) -> list[str]:
    """The texts of a page or a file, one a cell or line."""
    kind = response.get("Content-Type", "")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if "html" in kind:
        return words(body.decode())
    if "csv" in kind:
        return [" ".join(cell.split()) for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))) for cell in row if cell.strip()]
    if "spreadsheet" in kind:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(body))
        return [" ".join(str(cell.value).split()) for sheet in book for row in sheet.iter_rows() for cell in row
                if isinstance(cell.value, str) and cell.value.strip()]
    if "pdf" in kind:
        from pypdf import PdfReader

        return [" ".join(line.split()) for p in PdfReader(io.BytesIO(body)).pages for line in p.extract_text().splitlines()
                if line.strip()]
    raise AssertionError(f"unexpected content type {kind}")


def _data(tenant_id: int) -> set[str]:
    """Every text the organisation stored (names, descriptions, notes, the audit log's record): data, not words."""
    found = set()
    with scopes_disabled():
        for model in apps.get_models():
            fields = [f.name for f in model._meta.concrete_fields
                      if isinstance(f, (models.CharField, models.TextField, models.JSONField)) and not f.choices]
            if not fields or "tenant" not in {f.name for f in model._meta.fields}:
                continue
            for row in model.objects.filter(tenant_id=tenant_id).values_list(*fields):
                found.update(v.strip() for v in row if isinstance(v, str) and len(v.strip()) > 1)
                found.update(str(v) for v in row if isinstance(v, (dict, list)) and v)  # as the audit log shows it
    from apps.accounts.models import TIME_ZONE_CHOICES
    from apps.billing.models import Plan
    from apps.herd.models import Breed

    found.update(Breed.objects.values_list("name", flat=True))
    with scopes_disabled():
        found.update(m.user.display_name for m in Membership.objects.filter(tenant_id=tenant_id).select_related("user"))
    for plan in Plan.objects.all():
        found.update(v for v in (plan.name, getattr(plan, "description", "")) if v)
    found.update(name for name, _ in TIME_ZONE_CHOICES)
    found.update({"iFarm", "CSV", "XLSX", "PDF", "KES", "English", "Français", "Kiswahili"})
    return found


def sso_connections(owner) -> None:
    """Two single sign-on connections: one whose domain is proved, one waiting for its TXT record."""
    from allauth.socialaccount.models import SocialApp

    from apps.accounts.models import Role, SsoConnection

    worker = Role.objects.get(tenant_id=owner.tenant_id, key="worker")
    for domain, verified in (("greenvalley.example", timezone.now()), ("greenvalley-co.example", None)):
        slug = f"sso-{owner.tenant_id}-{domain.replace('.', '-')}"
        app = SocialApp.objects.create(provider="saml", provider_id=slug, name="Green Valley", client_id=slug, settings={
            "idp": {"entity_id": f"https://idp.{domain}/", "sso_url": f"https://idp.{domain}/sso", "x509cert": "x"}})
        SsoConnection.objects.create(tenant_id=owner.tenant_id, name="Green Valley sign-in", protocol="saml", app=app,
                                     email_domain=domain, role=worker, verification_token="t0ken", verified_at=verified,
                                     require_sso=True)


def demo_completed(settings, tmp_path) -> Membership:
    """The demo organisation with what `seed_demo` leaves out: a health check out of range, an API key and a webhook,
    a report, a draft invoice and an issued one's PDF. Returns its owner."""
    import datetime as dt
    from decimal import Decimal

    from apps.api.services import api_key_create
    from apps.api.webhooks import endpoint_create
    from apps.finance.handlers import ensure_invoice_pdf
    from apps.finance.models import Contact, Invoice, ReportJob
    from apps.finance.reports import build_report_job
    from apps.health.services import health_check_record
    from apps.herd.models import Animal
    from tests.finance.conftest import draft_invoice

    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", stdout=io.StringIO())
    with scopes_disabled():
        owner = Membership.objects.select_related("tenant", "user").get(user__email="owner@demo.ifarm.test")
    with scope(tenant=owner.tenant_id):
        cow = Animal.objects.filter(tenant_id=owner.tenant_id, sex="female", lactations__isnull=False).order_by("pk").first()
        health_check_record(membership=owner, animal=cow, checked_at=timezone.now() - dt.timedelta(hours=2),
                            findings=[], temperature=Decimal("40.9"), heart_rate=110)
        api_key_create(membership=owner, name="Parlour", permissions=["milk.record", "herd.view"])
        from tests.dns_server import point

        point("books.example.test")  # a name on the internet, as far as the server can tell
        endpoint_create(membership=owner, url="https://books.example.test/hooks", events=["animal.created"])
        sso_connections(owner)
        job = ReportJob.objects.create(tenant_id=owner.tenant_id, requested_by=owner, kind="sales", file_format="csv",
                                       params={"since": "2026-01-01", "until": timezone.localdate().isoformat()})
        build_report_job(job)
        ensure_invoice_pdf(Invoice.objects.filter(tenant_id=owner.tenant_id).exclude(number="").order_by("pk").first())
        draft_invoice(owner, contact=Contact.objects.filter(tenant_id=owner.tenant_id).first(),
                      lines=[{"description": "Heifer rearing, November", "quantity": Decimal("2"), "unit": "head",
                              "unit_price": Decimal("4500"), "tax_rate": Decimal("16")}])
    return owner


@pytest.fixture
def demo(db, client, settings, tmp_path):
    owner = demo_completed(settings, tmp_path)
    login(client, owner)
    return client, owner


def test_every_page_is_walked_or_named_as_not_a_page(demo):
    client, owner = demo
    with scope(tenant=owner.tenant_id):
        pages = _pages(owner)
    left = []
    for path, name in _routes():
        if name in NOT_PAGES or name in pages or name in STORED or any(
                (key.endswith(":" + name) and path.startswith(_prefix(key))) or key.startswith(name + ":") for key in pages):
            continue
        left.append(f"{name} ({path})")
    assert not left, f"routes neither walked nor named as not pages: {left}"


def _prefix(key: str) -> str:
    return {"herd": "herd/", "milk": "milk/", "money": "money/", "health": "health/", "breeding": "breeding/",
            "stock": "stock/", "deliveries": "deliveries/", "feeding": "feeding/", "notify": "notifications/", "billing": "billing/", "card": "milk/"}.get(key.split(":")[0], "")


def _english_left(client, owner, urls: dict[str, str], language: str, data: set[str]) -> dict[str, list[str]]:
    same = _same_in_both(language)
    left = {}
    for label, url in urls.items():
        Profile.objects.update_or_create(user=owner.user, defaults={"language": "en"})
        response = client.get(url)
        assert response.status_code == 200, f"{label}: {url} answered {response.status_code}"
        english = set(_cells(response))
        Profile.objects.update_or_create(user=owner.user, defaults={"language": language})
        response = client.get(url)
        assert response.status_code == 200, f"{label}: {url} answered {response.status_code} in {language}"
        # A PDF breaks a cell's words over lines: there a word of the data is data.
        known = data | {w for d in data for w in d.split()} if "pdf" in response.get("Content-Type", "") else data
        found = [t for t in _cells(response) if t in english and _english_words(t, known, same)]
        if found:
            left[f"{label} {url}"] = sorted(set(found))
    return left


@pytest.mark.parametrize("language", ["fr", "sw"])
def test_every_page_reads_in_the_language(demo, language):
    client, owner = demo
    with scope(tenant=owner.tenant_id):
        pages = _pages(owner)
    left = _english_left(client, owner, pages, language, _data(owner.tenant_id))
    assert not left, f"English left in {language}:\n" + "\n".join(f"{k}: {v}" for k, v in left.items())


@pytest.mark.parametrize("language", ["fr", "sw"])
def test_every_export_reads_in_the_language(demo, language):
    from apps.accounts.models import Tenant
    from apps.finance.documents import invoice_pdf_bytes
    from apps.finance.models import Invoice, ReportJob
    from apps.finance.reports import build_report_job

    client, owner = demo
    data = _data(owner.tenant_id)
    from apps.deliveries.models import Statement

    with scope(tenant=owner.tenant_id):
        statement = Statement.objects.filter(tenant_id=owner.tenant_id).first().pk
    exports = {**EXPORTS, **{f"statement differences ({f.upper()})": f"/deliveries/statements/{statement}/?format={f}"
                             for f in ("pdf", "xlsx")}}
    left = _english_left(client, owner, exports, language, data)
    # The invoice's PDF is written in the organisation's language; a background report in its requester's.
    stored = {}
    for lang in ("en", language):
        Tenant.objects.filter(pk=owner.tenant_id).update(language=lang)
        Profile.objects.update_or_create(user=owner.user, defaults={"language": lang})
        with scope(tenant=owner.tenant_id):
            invoice = Invoice.objects.select_related("tenant").filter(tenant_id=owner.tenant_id).exclude(number="").order_by("pk").first()
            job = ReportJob.objects.create(tenant_id=owner.tenant_id, requested_by_id=owner.pk, kind="sales",
                                           file_format="xlsx", params={"since": "2026-01-01", "until": timezone.localdate().isoformat()})
            build_report_job(ReportJob.objects.select_related("requested_by__user").get(pk=job.pk))
            pdf = HttpResponse(invoice_pdf_bytes(invoice), content_type="application/pdf")
        stored[lang] = {"invoice (PDF)": _cells(pdf), "report_download": _cells(client.get(f"/money/reports/{job.pk}/download/"))}
    same = _same_in_both(language)
    for label in STORED:
        found = [t for t in stored[language][label] if t in set(stored["en"][label]) and _english_words(t, data, same)]
        if found:
            left[label] = sorted(set(found))
    # The accountant's reports, built at once for a month (a longer period goes to the background as one file).
    today = timezone.localdate()
    for kind in REPORTS:
        for file_format in ("csv", "xlsx", "pdf"):
            texts = {}
            for lang in ("en", language):
                Profile.objects.update_or_create(user=owner.user, defaults={"language": lang})
                response = client.post("/money/reports/", {"kind": kind, "file_format": file_format, "farm": "",
                                                           "since": today.replace(day=1).isoformat(), "until": today.isoformat()})
                assert response.status_code == 200, f"{kind} {file_format}: {response.status_code}"
                texts[lang] = _cells(response)
            same = _same_in_both(language)
            known = data | {w for d in data for w in d.split()} if file_format == "pdf" else data
            found = [t for t in texts[language] if t in set(texts["en"]) and _english_words(t, known, same)]
            if found:
                left[f"report {kind} ({file_format})"] = sorted(set(found))
    assert not left, f"English left in {language}:\n" + "\n".join(f"{k}: {v}" for k, v in left.items())


def test_a_date_in_another_month_and_year_is_written_in_the_language(demo, time_machine):
    """The trial's end five days into January 2027, seen on 6 December 2026: French and Kiswahili name the month (their
    short months read as English); the billing page was the first to show it."""
    import datetime as dt

    client, owner = demo
    time_machine.move_to(dt.datetime(2026, 12, 6, 9, tzinfo=dt.UTC))
    from apps.billing.models import Subscription

    with scopes_disabled():
        Subscription.objects.filter(tenant_id=owner.tenant_id).update(trial_ends_on=dt.date(2027, 1, 5), status="trialing")
    written = {"en": "5 Jan 2027", "fr": "5 janvier 2027", "sw": "5 Januari 2027"}
    for language, day in written.items():
        Profile.objects.update_or_create(user=owner.user, defaults={"language": language})
        page = client.get("/billing/").text
        assert day in page, f"{language}: {day!r} not on the billing page"
    assert re.search(r"\b\d+ (Jan|Feb|Mar|Apr|Jun|Jul|Sep|Oct|Nov|Dec)\b", page) is None  # (in Kiswahili)
