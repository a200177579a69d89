"""Every page at 360 px, in English, French and Kiswahili, as a person sees it: no console error, no text cut off by
an overflow it cannot scroll (a badge, a select's chosen option), nothing wider than the phone, no id used twice; and
on the pages used daily, no field reached with Tab hidden under the fixed header or bottom bar (WCAG 2.2, 2.4.11).

The pages are the ones the translation walk reads (tests/core/test_every_page_translated.py), over the demo
organisation, so a new page is looked at here too.
"""

import pytest
from django_scopes import scope
from playwright.sync_api import Page

from apps.accounts.models import Profile
from apps.demo.management.commands.seed_demo import DEMO_PASSWORD
from tests.browser.pages import log_in
from tests.core.test_every_page_translated import _pages, demo_completed

# Text an element cuts at its edge, or a select too narrow for its chosen option; visually hidden text is meant
# to be out of sight, and a box the person can scroll shows the rest.
CLIPPED = """() => {
  const found = [];
  document.querySelectorAll("details:not([open])").forEach(d => { d.open = true; });  // what a tap shows, too
  const probe = document.createElement("span");
  probe.style.cssText = "position:absolute;visibility:hidden;white-space:nowrap";
  document.body.appendChild(probe);
  for (const el of document.querySelectorAll("body *")) {
    if (el.closest(".visually-hidden, [hidden], template, script, style, svg")) continue;
    const style = getComputedStyle(el);
    if (style.display === "none" || style.visibility === "hidden") continue;
    const rect = el.getBoundingClientRect();
    if (rect.width < 2 || rect.height < 2) continue;
    if (el.tagName === "SELECT") {
      const option = el.options[el.selectedIndex];
      if (!option) continue;
      probe.style.font = style.font;
      probe.textContent = option.text;
      const room = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      // A select as wide as the page lets it be can do no better: a long option is read in its picker.
      const parent = el.parentElement, ps = getComputedStyle(parent);
      const widest = el.offsetWidth >= parent.clientWidth - parseFloat(ps.paddingLeft) - parseFloat(ps.paddingRight) - 2
        && parent.clientWidth >= 0.6 * window.innerWidth;
      if (probe.offsetWidth > room + 1 && !widest) found.push(`select ${el.name}: "${option.text}" needs ${probe.offsetWidth}px, has ${Math.round(room)}px`);
      continue;
    }
    const clips = ["hidden", "clip"].includes(style.overflowX) || style.textOverflow === "ellipsis";
    if (!clips || !el.textContent.trim()) continue;
    if (el.scrollWidth > el.clientWidth + 1) {
      found.push(`${el.tagName.toLowerCase()}.${[...el.classList].join(".")}: "${el.textContent.trim().replace(/\\s+/g, " ").slice(0, 60)}"`);
    }
  }
  probe.remove();
  return found;
}"""

DUPLICATE_IDS = """() => {
  const seen = {};
  for (const el of document.querySelectorAll("[id]")) seen[el.id] = (seen[el.id] || 0) + 1;
  return Object.entries(seen).filter(([, n]) => n > 1).map(([id, n]) => `${id} x${n}`);
}"""

WIDER = "document.documentElement.scrollWidth - window.innerWidth"
# What sticks out past the phone's right edge (outside a box that scrolls sideways).
STICKING_OUT = """() => [...document.querySelectorAll("main *")].filter(el => {
  const r = el.getBoundingClientRect();
  return r.right > window.innerWidth + 1 && !el.closest(".table-responsive, [style*=overflow], .overflow-auto");
}).slice(0, 3).map(el => `${el.tagName.toLowerCase()}.${[...el.classList].join(".")}: "${el.textContent.trim().slice(0, 40)}"`)"""

# Each field reached with Tab, scrolled into view as the browser does: is any of it under a fixed bar?
HIDDEN_BY_BARS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const r = el.getBoundingClientRect();
  const bars = [...document.querySelectorAll("header, nav.bottom-nav, .sticky-totals")].filter(b => {
    const s = getComputedStyle(b);
    return (s.position === "fixed" || s.position === "sticky") && b.offsetParent !== null && b.getBoundingClientRect().height > 0;
  });
  for (const bar of bars) {
    if (bar.contains(el)) continue;
    const b = bar.getBoundingClientRect();
    const overlap = Math.min(r.bottom, b.bottom) - Math.max(r.top, b.top);
    if (overlap > 2 && r.right > b.left && r.left < b.right) {
      return `${el.tagName.toLowerCase()}[name=${el.name || ""}] "${(el.textContent || el.value || "").trim().slice(0, 30)}" under ${bar.tagName.toLowerCase()}.${[...bar.classList].join(".")}`;
    }
  }
  return null;
}"""

DAILY = ("entry", "today", "breeding:animal", "herd:detail", "queue", "home", "health:home", "treatment_create")


pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo_owner(settings, tmp_path):
    # A live server's test empties every table when it ends: the breeds and plans the migrations add go too.
    from importlib import import_module

    from django.apps import apps

    for module, function in (("apps.herd.migrations.0002_breeds", "add_breeds"),
                             ("apps.billing.migrations.0002_default_plans", "create")):
        getattr(import_module(module), function)(apps, None)
    return demo_completed(settings, tmp_path)


def _pages_of(owner) -> dict[str, str]:
    with scope(tenant=owner.tenant_id):
        return _pages(owner)


@pytest.mark.parametrize("language", ["en", "fr", "sw"])
def test_every_page_on_a_phone(live_server, page: Page, demo_owner, language):
    page.set_viewport_size({"width": 360, "height": 780})
    errors = []
    page.on("console", lambda message: errors.append(f"console: {message.text}") if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(f"script: {error}"))
    page.on("response", lambda response: errors.append(f"{response.status}: {response.url}") if response.status >= 400 else None)
    Profile.objects.update_or_create(user=demo_owner.user, defaults={"language": language})
    log_in(page, live_server.url, demo_owner.user.email, DEMO_PASSWORD)
    problems = {}
    for name, url in _pages_of(demo_owner).items():
        if name in ("animal", "mating", "feeding:card") or name.startswith("dashboard_card:"):
            continue  # fragments, looked at inside the pages that load them
        errors.clear()
        page.goto(live_server.url + url)
        page.wait_for_load_state("networkidle")
        found = [*errors, *page.evaluate(CLIPPED), *(f"id used twice: {d}" for d in page.evaluate(DUPLICATE_IDS))]
        if (wider := page.evaluate(WIDER)) > 0:
            found.append(f"{wider} px wider than the phone: {page.evaluate(STICKING_OUT)}")
        if found:
            problems[f"{name} {url}"] = found
    assert not problems, f"in {language}:\n" + "\n".join(f"{k}: {v}" for k, v in problems.items())


def test_no_field_reached_with_tab_hides_under_a_fixed_bar(live_server, page: Page, demo_owner):
    page.set_viewport_size({"width": 360, "height": 780})
    page.emulate_media(reduced_motion="reduce")  # where each field comes to rest, not a frame of a smooth scroll
    log_in(page, live_server.url, demo_owner.user.email, DEMO_PASSWORD)
    pages = _pages_of(demo_owner)
    problems = {}
    for name in DAILY:
        page.goto(live_server.url + pages[name])
        page.wait_for_load_state("networkidle")
        hidden = []
        for _ in range(60):
            page.keyboard.press("Tab")
            if (under := page.evaluate(HIDDEN_BY_BARS)) is not None:
                hidden.append(under)
        if hidden:
            problems[name] = hidden
    assert not problems, "\n".join(f"{k}: {v}" for k, v in problems.items())


def test_the_milk_cards_below_the_phones_screen_load_when_scrolled_to(live_server, page: Page, demo_owner):
    """Only the cards in sight are fetched as the page opens (less work for a slow phone); the rest as they come."""
    from playwright.sync_api import expect

    page.set_viewport_size({"width": 360, "height": 780})
    log_in(page, live_server.url, demo_owner.user.email, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/milk/")
    expect(page.locator("#card-production")).not_to_contain_text("Loading", timeout=10_000)
    assert "Loading" in page.locator("#card-scc").inner_text()
    page.locator("#card-scc").scroll_into_view_if_needed()
    expect(page.locator("#card-scc")).not_to_contain_text("Loading", timeout=10_000)
