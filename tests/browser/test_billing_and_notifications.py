"""In Chromium at phone size: an owner picks a plan and saves a card through (a local) Stripe Checkout; a read-only
organisation says why and how out; a member turns on push notifications and chooses channels; and the new pages
have no axe violations and fit the phone."""

import datetime as dt
import json
import re

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from apps.accounts.people import tenant_people_changed
from apps.billing.models import Subscription
from tests.billing.conftest import WEBHOOK_SECRET, set_subscription
from tests.browser.pages import log_in
from tests.browser.test_accessibility import axe_violations
from tests.dns_server import point
from tests.notify.test_notifications import _b64, browser_keys, push_service
from tests.stripe_server import SECRET, running_stripe

pytestmark = pytest.mark.usefixtures("owner_scope")


@pytest.mark.django_db(transaction=True)
def test_an_owner_chooses_a_plan_and_pays_by_card(live_server, page: Page, owner, settings):
    with running_stripe() as stripe:
        settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE, settings.STRIPE_WEBHOOK_SECRET = SECRET, stripe.base, WEBHOOK_SECRET
        # The local Checkout page stands where checkout.stripe.com would.
        settings.SECURE_CSP = {**settings.SECURE_CSP, "form-action": [*settings.SECURE_CSP["form-action"], stripe.base]}
        base = live_server.url
        log_in(page, base, owner.user.email)
        page.goto(f"{base}/billing/")
        expect(page.get_by_role("heading", name="Plan and billing")).to_be_visible()
        expect(page.get_by_test_id("status")).to_have_text("Trial")
        expect(page.get_by_test_id("trial")).to_contain_text("Choose how you will pay")
        commercial = page.get_by_test_id("plan-commercial")
        commercial.get_by_label("Billed").select_option("year")
        commercial.get_by_role("button", name="Choose Commercial").click()
        expect(page.get_by_text("You are on Commercial now.")).to_be_visible()
        expect(page.get_by_test_id("plan-commercial")).to_contain_text("Your plan")
        # The card: off to Stripe's page, save, and back.
        page.get_by_role("button", name="Pay by card").click()
        expect(page).to_have_url(re.compile(re.escape(stripe.base) + r"/pay/cs_test_"))
        page.get_by_role("button", name="Save card").click()
        expect(page.get_by_text("Visa ending 4242 saved: renewals are charged to it.")).to_be_visible()
        expect(page.get_by_test_id("provider")).to_have_text("Visa ending 4242")
        expect(page.get_by_test_id("trial")).to_contain_text("Then Commercial, yearly: KES\xa078,000.00")
        wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert wide <= 0, f"the billing page is {wide} px wider than the phone"
        assert axe_violations(page) == []
    with scopes_disabled():
        subscription = Subscription.objects.get(tenant_id=owner.tenant_id)
    assert (subscription.plan.key, subscription.period, subscription.provider) == ("commercial", "year", "stripe")


@pytest.mark.django_db(transaction=True)
def test_a_read_only_organisation_says_why_and_the_way_out(live_server, page: Page, owner, farm):
    from apps.accounts.models import Tenant
    from apps.billing.services import hold_reason, subscription_of

    set_subscription(owner, status=Subscription.Status.TRIAL_ENDED)
    Tenant.objects.filter(pk=owner.tenant_id).update(read_only_reason=hold_reason(subscription_of(owner.tenant_id)))
    tenant_people_changed(owner.tenant_id)  # as the services do after an update without save()
    base = live_server.url
    log_in(page, base, owner.user.email)
    page.goto(f"{base}/herd/new/")
    expect(page.get_by_test_id("read-only")).to_contain_text("Your trial has ended.")
    page.get_by_label("Tag").fill("NEW-1")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("heading", name="This organisation is read-only")).to_be_visible()
    expect(page.get_by_text("Nothing was changed.")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_test_id("read-only-refused").get_by_role("link", name="Plan and billing").click()
    expect(page).to_have_url(f"{base}/billing/")
    expect(page.get_by_test_id("status")).to_have_text("Trial ended: read-only")


@pytest.mark.django_db(transaction=True)
def test_a_member_turns_on_push_and_receives_a_milk_alert(live_server, page: Page, context, owner, farm, settings):
    """The browser's push service is stood in for (a headless browser has none): its subscribe() answers with keys this
    test holds, so the push the server sends is received and decrypted here, as the browser would."""
    import http_ece

    from apps.notify.services import notify

    settings.PUSH_ALLOW_HTTP = True
    private, public, auth = browser_keys()
    settings.PUSH_SERVICE_HOSTS = ["push.test"]
    point("push.test", "127.0.0.1")  # the stand-in push service, on this machine
    with push_service("push.test") as (push_base, received):
        endpoint = f"{push_base}/push/browser-1"
        context.grant_permissions(["notifications"], origin=live_server.url)
        page.add_init_script(f"""
            PushManager.prototype.subscribe = async function (options) {{
              window.__pushKey = options.applicationServerKey.byteLength;
              return {{ toJSON: () => ({{ endpoint: {json.dumps(endpoint)}, keys: {{ p256dh: {json.dumps(public)},
                                                                               auth: {json.dumps(_b64(auth))} }} }}) }};
            }};""")
        base = live_server.url
        log_in(page, base, owner.user.email)
        page.goto(f"{base}/notifications/settings/")
        assert axe_violations(page) == []
        page.get_by_role("button", name="Turn on notifications").click()
        expect(page.locator("#push-state")).to_have_text("This browser now receives push notifications.")
        assert page.evaluate("window.__pushKey") == 65  # our VAPID public key, decoded for the browser
        # Milk alerts by push only, and quiet hours that refuse to be empty.
        page.get_by_label("A milk quality alert (high cell count, blood, a drop in yield): In the app").uncheck()
        page.get_by_label("A milk quality alert (high cell count, blood, a drop in yield): Push").check()
        page.get_by_label("Quiet from").fill("22:00")
        page.get_by_label("Quiet until").fill("22:00")
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_text("Quiet hours need an end different from their start.")).to_be_visible()
        page.get_by_label("Quiet until").fill("22:01")
        page.get_by_label("A milk quality alert (high cell count, blood, a drop in yield): In the app").uncheck()
        page.get_by_label("A milk quality alert (high cell count, blood, a drop in yield): Push").check()
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_text("Notification settings saved.")).to_be_visible()
        from apps.notify.models import NotifySettings

        with scopes_disabled():
            stored = NotifySettings.objects.get(membership=owner)
        assert stored.channels["milk_alert"] == ["push"]
        stored.quiet_start = stored.quiet_end = None
        stored.save()
        owner.refresh_from_db()
        from tests.billing.conftest import deliver_pending

        notify(membership=owner, kind="milk_alert", url="/milk/", context={
            "animal": "COW-7", "farm": farm.name, "message": "blood in the milk", "date": dt.date(2026, 6, 1),
            "session": "morning"})
        deliver_pending()
    [push] = received
    message = json.loads(http_ece.decrypt(push["body"], private_key=private, auth_secret=auth, version="aes128gcm"))
    assert message["title"] == "Milk alert for COW-7: blood in the milk"
