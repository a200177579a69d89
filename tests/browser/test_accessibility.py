"""axe-core finds nothing on the pages people use most, at phone size."""

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Page

from apps.milk.services import milking_record_save
from tests.browser import pages
from tests.factories import TODAY, make_animal, make_farm, make_member
from tests.finance.conftest import issued_invoice, submit
from tests.milk.conftest import make_cows

pytestmark = pytest.mark.usefixtures("owner_scope")
AXE = next((Path(__file__).parent / "vendor").glob("axe-*.min.js")).read_text()


def axe_violations(page: Page) -> list[dict]:
    # Evaluated through the browser's debugging protocol, so the page's CSP does not apply to it.
    page.evaluate(AXE)
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ["violations"]});
        return r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ") + ": " + n.failureSummary)}));
    }""")
    return result


@pytest.mark.django_db(transaction=True)
def test_main_pages_have_no_axe_violations(live_server, page: Page, owner):
    farm = make_farm(owner, name="Axe Farm")
    cows = make_cows(owner, farm, 3, prefix="AX")
    milking_record_save(membership=owner, farm=farm, animal=cows[0], date=TODAY, session="morning", quantity=Decimal("11.5"))
    calf = make_animal(owner, farm, tag="AX-CALF", dam=cows[0], date_of_birth=TODAY - dt.timedelta(days=40))
    worker = make_member(owner, "worker", farms=[farm])
    submit(worker, farm, "2500", description="Mineral lick")
    submit(worker, farm, "900", description="Teat dip")
    invoice = issued_invoice(owner, farm=farm)
    from apps.breeding.services import task_save
    from apps.herd.lifecycle import event_record

    task_save(membership=owner, farm=farm, title="Clean the calf pens", due_on=TODAY, assignee=owner)
    from apps.api.services import api_key_create
    from apps.api.webhooks import endpoint_create

    api_key_create(membership=owner, name="Parlour", permissions=["milk.record", "herd.view"])
    from tests.dns_server import point

    point("hooks.example.test")  # a name on the internet, as far as the server can tell
    endpoint = endpoint_create(membership=owner, url="https://hooks.example.test/ifarm", events=["animal.created"])[0]
    from apps.accounts.models import Device, Role
    from apps.accounts.policies import delegation_create, policy_save

    policy_save(membership=owner, name="Milking hours", role=Role.objects.get(tenant_id=owner.tenant_id, key="milker"),
                member=None, permissions=["milk.record"], days=[0, 1, 2, 3, 4], start_time=dt.time(4), end_time=dt.time(21),
                amount_limit=None, farms=[farm], ends_on=None)
    delegation_create(membership=owner, delegate=worker, permissions=["finance.approve_expense"], starts_on=TODAY,
                      ends_on=TODAY + dt.timedelta(days=7), note="Leave")
    Device.objects.create(user=owner.user, key_hash="f" * 64, name="Chrome Mobile on Android (phone)")
    event_record(membership=owner, animal=calf, kind="weight", on=TODAY - dt.timedelta(days=20), weight_kg=Decimal("40"))
    event_record(membership=owner, animal=calf, kind="weight", on=TODAY, weight_kg=Decimal("52"))
    base = live_server.url
    pages.log_in(page, base, owner.user.email)
    found = {}
    for path in ("/home/", "/herd/", f"/herd/{calf.pk}/", f"/herd/{cows[0].pk}/", f"/milk/entry/?farm={farm.pk}",
                 "/milk/", "/money/approvals/", f"/money/invoices/{invoice.pk}/", "/money/expenses/new/", "/health/",
                 "/health/treatments/new/", "/health/book/", "/stock/", "/team/", "/breeding/today/",
                 f"/breeding/animals/{cows[1].pk}/", "/breeding/tasks/", "/breeding/fertility/", "/breeding/hires/",
                 "/breeding/hires/new/", "/herd/outside/", f"/herd/group-action/?animal={calf.pk}", "/integrations/",
                 f"/integrations/webhooks/{endpoint.pk}/", "/team/policies/", "/team/policies/new/", "/delegations/",
                 f"/team/members/{worker.pk}/access/", "/devices/", "/organisation/sso/", "/sso/", "/accounts/2fa/"):
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        violations = axe_violations(page)
        if violations:
            found[path] = violations
    assert not found, json.dumps(found, indent=1)
