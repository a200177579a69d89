import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from tests.factories import make_animal, make_member

pytestmark = pytest.mark.usefixtures("owner_scope")


def test_healthz_tells_the_public_only_up_or_down(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "up"}


def test_healthz_shows_its_checks_to_staff_and_to_a_monitor_with_the_token(client, db, settings):
    from tests.factories import make_user

    settings.HEALTHZ_TOKEN = "monitor-token-0123456789"
    assert "checks" not in client.get("/healthz", HTTP_AUTHORIZATION="Bearer wrong").json()
    body = client.get("/healthz", HTTP_AUTHORIZATION="Bearer monitor-token-0123456789").json()
    assert body["checks"]["database"] == "ok" and body["checks"]["cache"] == "ok" and body["checks"]["queue"] == "ok"
    staff = make_user()
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    client.force_login(staff)
    assert client.get("/healthz").json()["checks"]["database"] == "ok"


def test_healthz_is_503_when_the_database_is_down(client, db, monkeypatch):
    from django.db import OperationalError

    class DownDatabase:
        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr("apps.core.views.connection", DownDatabase())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "down"}


def test_request_id_header_is_set_or_kept(client, db):
    assert len(client.get("/healthz")["X-Request-ID"]) == 32
    assert client.get("/healthz", HTTP_X_REQUEST_ID="abcdef123456")["X-Request-ID"] == "abcdef123456"
    assert client.get("/healthz", HTTP_X_REQUEST_ID="bad id\n")["X-Request-ID"] != "bad id\n"


def test_pages_send_a_nonce_csp_without_unsafe_inline(as_member, owner):
    response = as_member(owner).get(reverse("home"))
    policy = response["Content-Security-Policy"]
    assert "'nonce-" in policy and "unsafe-inline" not in policy
    content = response.content.decode()
    assert "<script>" not in content and " style=" not in content
    assert 'hx-headers=\'{"X-CSRFToken"' in content


def test_home_shows_herd_counts_and_activity(as_member, owner, farm):
    make_animal(owner, farm, tag="A-1")
    make_animal(owner, farm, tag="A-2", species="goat")
    content = as_member(owner).get(reverse("home")).content.decode()
    assert "Home Farm" in content and "Goat" in content and "added A-1 to the herd" in content


def test_home_for_worker_hides_other_farms(as_member, owner, farm, other_farm):
    make_animal(owner, other_farm, tag="HIDDEN")
    content = as_member(make_member(owner, "worker", farms=[farm])).get(reverse("home")).content.decode()
    assert "Far Field" not in content and "HIDDEN" not in content


def test_every_form_field_has_a_label(as_member, owner, farm):
    import re

    client = as_member(owner)
    for url in (reverse("herd:create"), reverse("farms:create"), reverse("accounts:team"), reverse("herd:quick_add"), reverse("herd:import")):
        html = client.get(url).content.decode()
        ids = {
            m.group(2)
            for m in re.finditer(r'<(input|select|textarea)\b[^>]*\bid="([^"]+)"[^>]*>', html)
            if 'type="hidden"' not in m.group(0)
        }
        labelled = set(re.findall(r'<label[^>]*\bfor="([^"]+)"', html))
        assert ids <= labelled, f"{url}: unlabelled {sorted(ids - labelled)}"


def test_admin_is_for_staff_only(client, owner):
    client.force_login(owner.user)
    assert client.get("/admin/").status_code == 302


def test_admin_lists_animals_for_staff(client, owner, farm):
    from apps.accounts.models import User

    make_animal(owner, farm, tag="ADMIN-SEES")
    staff = User.objects.create_superuser(email="staff@example.test", password="x-very-long-pass")
    client.force_login(staff)
    assert "ADMIN-SEES" in client.get("/admin/herd/animal/").content.decode()
    assert client.get("/admin/audit/auditentry/").status_code == 200


def test_seed_demo_is_idempotent(db):
    from django.core.management import call_command

    from apps.herd.models import Animal

    call_command("seed_demo")
    with scopes_disabled():  # every organisation's animals, as platform staff would count them
        first = Animal.objects.count()
    call_command("seed_demo")
    with scopes_disabled():
        assert Animal.objects.count() == first >= 100
        from django.utils import timezone

        from apps.accounts.models import Membership
        from apps.health.models import Treatment
        from apps.health.selectors import under_withdrawal, vaccinations_due

        vet = Membership.objects.get(user__email="vet@demo.ifarm.test")
        assert Treatment.objects.filter(milk_withdrawal_ends_at__gt=timezone.now()).count() == 1
    with scope(tenant=vet.tenant_id):
        assert under_withdrawal(vet).count() >= 2 and vaccinations_due(vet).count() == 5
        from apps.breeding.selectors import today_for

        due = today_for(vet)
        assert due["heat_watch"] and due["check_due"] and due["due_soon"]
    call_command("audit_verify")


def test_the_worker_knows_every_task_the_web_enqueues():
    from huey.contrib.djhuey import HUEY

    registered = set(HUEY._registry._registry)
    for name in ("tasks.outbox.deliver_outbox_message", "tasks.outbox.sweep_outbox", 
                 "tasks.maintenance.verify_audit_chains", "tasks.maintenance.clear_expired",
                 "tasks.milk.reconcile_milk_summaries", "tasks.breeding.morning_round", "tasks.webhooks.send_due_webhooks", "tasks.health.announce_withdrawals_ended"):
        assert any(name in key for key in registered), name


def test_the_site_keeps_working_when_redis_is_down(client, owner, farm, settings):
    """Cache misses instead of errors: pages, login and the login limit still work."""
    from tests.factories import PASSWORD

    settings.CACHES = {
        "default": {
            "BACKEND": "apps.core.cache.RedisWithLocalFallback",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient", "SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2},
        }
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    # (Changing CACHES through the settings fixture makes Django rebuild its cache handlers.)
    response = client.post(reverse("account_login"), {"login": owner.user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("herd:list")).status_code == 200
    assert client.get("/healthz").json()["status"] == "degraded"


def test_login_limits_still_hold_when_redis_is_down(client, owner, settings):
    from tests.factories import PASSWORD

    settings.CACHES = {"default": {"BACKEND": "apps.core.cache.RedisWithLocalFallback", "LOCATION": "redis://127.0.0.1:1/0",
                                   "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2}}}
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(3):
        client.post(reverse("account_login"), {"login": owner.user.email, "password": "not-the-password"})
    response = client.post(reverse("account_login"), {"login": owner.user.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 429)


def test_nightly_audit_verification_reports_broken_chains(owner, farm, caplog):
    from django.db import connection

    from apps.audit.models import AuditEntry
    from tasks.maintenance import verify_audit_chains

    assert verify_audit_chains.call_local() == 0
    entry = AuditEntry.objects.filter(tenant_id=owner.tenant_id).order_by("seq").last()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        cursor.execute(f"UPDATE {AuditEntry._meta.db_table} SET action = 'forged' WHERE id = %s", [entry.pk])
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = origin")
    assert verify_audit_chains.call_local() == 1
    assert f"entry #{entry.seq}" in caplog.text


def test_housekeeping_clears_old_rows(owner):
    import datetime as dt

    from django.utils import timezone

    from apps.accounts.models import LoginFailure
    from tasks.maintenance import clear_expired

    LoginFailure.objects.create(email="x@example.test", created_at=timezone.now() - dt.timedelta(days=3))
    LoginFailure.objects.create(email="y@example.test")
    assert clear_expired.call_local()["login_failures"] == 1
    assert LoginFailure.objects.count() == 1


def test_every_outbox_kind_has_a_handler_in_a_fresh_process():
    import subprocess
    import sys

    code = "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'ifarm.settings'); django.setup(); " \
           "from apps.core.outbox import HANDLERS; print(sorted(HANDLERS))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "invitation.email" in result.stdout and "invoice.pdf" in result.stdout and "report.build" in result.stdout


def test_next_never_leads_off_the_site(as_member, owner, farm):
    client = as_member(owner)
    response = client.post(reverse("accounts:farm_switch"), {"farm": farm.pk, "next": "https://evil.example/phish"})
    assert response["Location"] == reverse("home")
    response = client.post(reverse("accounts:farm_switch"), {"farm": farm.pk, "next": "/herd/"})
    assert response["Location"] == "/herd/"


def test_admin_offers_no_delete_for_organisations(client, owner):
    from apps.accounts.models import User

    staff = User.objects.create_superuser(email="root@example.test", password="x-very-long-pass")
    client.force_login(staff)
    page = client.get(f"/admin/accounts/tenant/{owner.tenant_id}/change/").content.decode()
    assert "Green Acres" in page and "/delete/" not in page


def test_console_mail_shows_links_whole_and_names_the_site(client, db, capsys, settings):
    from django.core.mail import send_mail

    settings.MAILERS = {"default": {"BACKEND": "apps.core.mail.ReadableConsoleBackend"}}
    link = "http://127.0.0.1:8000/invitations/12-" + "a" * 90 + "/"
    send_mail(subject="Join", message=f"Open this link:\n\n{link}\n", from_email=None, recipient_list=["x@example.test"])
    printed = capsys.readouterr().out
    assert link in printed and "=\n" not in printed and "Subject: Join" in printed


def test_confirmation_mail_greets_from_ifarm(client, db, mailoutbox):
    from tests.accounts.test_signup_and_login import SIGNUP

    client.post(reverse("account_signup"), SIGNUP)
    body = mailoutbox[-1].body
    assert body.startswith("Hello from iFarm!") and "Hello from testserver" not in body


def test_the_worker_logs_each_line_once():
    import logging

    huey = logging.getLogger("huey")
    # run_huey adds a handler of its own only when the logger has none; with propagation off the
    # root handler does not print the line a second time.
    assert huey.handlers and huey.propagate is False


def test_admin_shows_money_and_the_outbox_and_sends_a_message_again(client, owner, farm, django_capture_on_commit_callbacks):
    from django_scopes import scope

    from apps.accounts.models import User
    from apps.core.models import OutboxMessage
    from tests.finance.conftest import issued_invoice, submit

    submit(owner, farm, "120", description="ADMIN-EXPENSE")
    invoice = issued_invoice(owner, farm=farm)
    staff = User.objects.create_superuser(email="staff@example.test", password="x-very-long-pass")
    client.force_login(staff)
    for path, seen in [("expense", "ADMIN-EXPENSE"), ("invoice", invoice.number), ("contact", ""), ("sale", ""),
                       ("payment", ""), ("expensecategory", ""), ("reportjob", "")]:
        response = client.get(f"/admin/finance/{path}/")
        assert response.status_code == 200 and seen in response.content.decode(), path
    assert client.get(f"/admin/finance/invoice/{invoice.pk}/change/").status_code == 200
    with scope(tenant=owner.tenant_id):
        message = OutboxMessage.objects.get(kind="invoice.pdf")
        OutboxMessage.objects.filter(pk=message.pk).update(status=OutboxMessage.Status.FAILED, last_error="boom")
    assert "Failed" in client.get("/admin/core/outboxmessage/?status=failed").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/admin/core/outboxmessage/", {"action": "send_again", "_selected_action": [message.pk]})
    with scope(tenant=owner.tenant_id):
        message.refresh_from_db()
    assert message.status == OutboxMessage.Status.DONE  # queued again and delivered (Huey runs tasks at once in tests)


def test_a_signed_out_htmx_request_sends_the_page_to_the_login(client, db):
    response = client.get(reverse("milk:dashboard_card", args=["chart"]), HTTP_HX_REQUEST="true",
                          HTTP_HX_CURRENT_URL="http://testserver/milk/")
    assert response.status_code == 204 and response["HX-Redirect"].startswith(reverse("account_login"))
    assert "next=%2Fmilk%2F" in response["HX-Redirect"]
    assert client.get(reverse("milk:dashboard")).status_code == 302


def test_refusals_are_pages_in_the_layout(as_member, owner):
    from tests.factories import make_member

    client = as_member(make_member(owner, "vet"))
    refused = client.get(reverse("milk:entry"))
    assert refused.status_code == 403 and "not open to you" in refused.content.decode()
    missing = client.get(reverse("herd:detail", args=[999999]))
    assert missing.status_code == 404 and "Nothing here" in missing.content.decode()
    unmatched = client.get("/no-such-page/")  # no URL matched: the layout still renders
    assert unmatched.status_code == 404 and "Nothing here" in unmatched.content.decode()
    assert client.get("/robots.txt").content.decode().startswith("User-agent: *")
