"""Money: invoice PDF render time, and the approval queue page under concurrent load."""

import argparse
import datetime as dt
import os
import statistics
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ifarm.settings")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django_scopes import scope, scopes_disabled  # noqa: E402

from apps.accounts.models import Membership, Role  # noqa: E402
from apps.farms.models import Farm  # noqa: E402
from apps.finance import services as money  # noqa: E402
from apps.finance.documents import invoice_pdf_bytes  # noqa: E402
from apps.finance.models import Expense, ExpenseCategory, Invoice  # noqa: E402
from bench import loadgen, server  # noqa: E402
from bench.animal_list import session_cookie  # noqa: E402


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def prepare(owners, expenses_each: int):
    """A worker per organisation with pending expenses, and one 10-line invoice to render."""
    from apps.accounts.models import User

    for owner in owners:
        with scope(tenant=owner.tenant_id):
            if Expense.objects.filter(tenant_id=owner.tenant_id, status="pending").count() >= expenses_each:
                continue
            email = f"worker@{owner.tenant.slug}.ifarm.test"
            user = User.objects.filter(email=email).first() or User.objects.create_user(email=email, password="bench-password-1")
            worker, _ = Membership.objects.get_or_create(
                tenant_id=owner.tenant_id, user=user, defaults={"role": Role.objects.get(tenant_id=owner.tenant_id, key="worker")}
            )
            farm = Farm.objects.filter(tenant_id=owner.tenant_id).first()
            feed = ExpenseCategory.objects.get(tenant_id=owner.tenant_id, key="feed")
            for n in range(expenses_each):
                money.expense_submit(membership=worker, key=uuid.uuid4().hex, farm=farm, date=dt.date.today(), category=feed,
                                     amount=Decimal(100 + n), description=f"Feed bag {n}")
    owner = owners[0]
    with scope(tenant=owner.tenant_id):
        invoice = Invoice.objects.filter(tenant_id=owner.tenant_id, status="issued").first()
        if invoice is None:
            buyer = money.contact_save(membership=owner, kind="customer", name="Bench Cooperative", email="b@example.test")
            lines = [{"description": f"Milk delivery, week {n + 1}", "quantity": Decimal("840"), "unit": "L",
                      "unit_price": Decimal("52.50"), "tax_rate": Decimal("0")} for n in range(10)]
            draft = money.invoice_save_draft(membership=owner, kind="sales", contact=buyer, due_date=None, notes="", lines=lines)
            invoice = money.invoice_issue(membership=owner, invoice=draft)
    return Invoice.objects.select_related("tenant", "contact").get(pk=invoice.pk)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--renders", type=int, default=100)
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    call_command("seed_demo", scale="vps", verbosity=0)
    with scopes_disabled():
        owners = list(Membership.objects.filter(tenant__slug__startswith="scale-", role__key="owner").select_related("user", "tenant")[:20])
        invoice = prepare(owners, expenses_each=30)
        invoice_pdf_bytes(invoice)  # load fonts once
        timings = []
        for _ in range(args.renders):
            started = time.perf_counter()
            pdf = invoice_pdf_bytes(invoice)
            timings.append((time.perf_counter() - started) * 1000)
    print(f"invoice PDF render (10 lines, {len(pdf) // 1024} KB): n={len(timings)} p50={percentile(timings, 50):.0f} ms "
          f"p95={percentile(timings, 95):.0f} ms mean={statistics.mean(timings):.0f} ms")

    cookies = {owner.pk: session_cookie(owner) for owner in owners}
    plan = [("/money/approvals/", {"Cookie": cookies[owners[n % len(owners)].pk], "Host": "127.0.0.1"}) for n in range(args.requests)]
    port = server.free_port()
    process = server.start(port)
    try:
        loadgen.run("127.0.0.1", port, plan[:50], 2)
        print(f"database={settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]} concurrency={args.concurrency}")
        print(loadgen.run("127.0.0.1", port, plan, args.concurrency).summary("approval queue page (30 pending, thumbnails)"))
        print(loadgen.run("127.0.0.1", port, plan, 1).summary("approval queue page, one client"))
    finally:
        process.terminate()
        process.wait(timeout=10)


if __name__ == "__main__":
    main()
