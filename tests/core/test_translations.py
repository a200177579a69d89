"""French and Kiswahili: the catalogues are complete, the main journeys' templates mark every word, and their pages
render in each language with no English left but names and data."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from apps.accounts.models import Profile
from apps.core.i18n_check import unmarked
from tests.factories import make_member

LOCALE = Path(settings.BASE_DIR) / "locale"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
# Every template: every word a person reads in them is marked.
MARKED_TEMPLATES = sorted(str(p.relative_to(Path(settings.BASE_DIR) / "templates"))
                          for p in (Path(settings.BASE_DIR) / "templates").rglob("*.html"))


def catalogue(language: str):
    with open(LOCALE / language / "LC_MESSAGES" / "django.po", "rb") as source:
        return read_po(source, locale=language)


@pytest.mark.parametrize("language", ["fr", "sw"])
def test_the_catalogue_is_complete_and_keeps_every_placeholder(language):
    messages = [m for m in catalogue(language) if m.id]
    assert len(messages) > 1000
    problems = []
    for message in messages:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            problems.append(f"untranslated: {ids[0]!r}")
            continue
        wanted = set(PLACEHOLDER.findall(ids[-1])) | set(PLACEHOLDER.findall(ids[0]))
        for string in strings:
            if set(PLACEHOLDER.findall(string)) - wanted or (set(PLACEHOLDER.findall(ids[0])) - set(PLACEHOLDER.findall(string))
                                                             and len(strings) == 1):
                problems.append(f"placeholders differ: {ids[0]!r} -> {string!r}")
    assert not problems, "\n".join(problems[:40])


@pytest.mark.parametrize("name", MARKED_TEMPLATES)
def test_every_template_marks_every_word(name):
    source = (Path(settings.BASE_DIR) / "templates" / name).read_text()
    assert unmarked(source) == [], f"{name}: not marked for translation"


def test_the_checker_finds_unmarked_words():
    assert unmarked('<p>{% translate "Saved" %}</p><button aria-label="Close">x</button><p>Hello {{ name }}</p>') == [
        "Hello", "Close"]
    assert unmarked("{% blocktranslate %}Hi {{ name }}{% endblocktranslate %}<svg><title>Icon</title></svg>") == []


class _Text(HTMLParser):
    """The words of a page a person reads or hears: text and spoken attributes, not scripts."""

    def __init__(self):
        super().__init__()
        self.found, self._hidden = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "svg"):
            self._hidden += 1
        self.found += [v for k, v in attrs if k in ("aria-label", "title", "placeholder", "alt") and v]

    def handle_endtag(self, tag):
        if tag in ("script", "style", "svg"):
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.found.append(" ".join(data.split()))


def words(html: str) -> list[str]:
    reader = _Text()
    reader.feed(html)
    return reader.found


def _same_in_both(language: str) -> set[str]:
    """English texts whose translation is the same word (Notifications in French, SMS in Kiswahili)."""
    same = set()
    for message in catalogue(language):
        if message.id and not isinstance(message.id, tuple) and message.string == message.id:
            same.add(message.id)
    return same


@pytest.fixture
def walk(client, as_member, owner, farm):
    from apps.accounts.models import TIME_ZONE_CHOICES
    from apps.herd.models import Breed
    from tests.finance.conftest import issued_invoice, submit
    from tests.milk.conftest import make_cows

    cows = make_cows(owner, farm, 2, prefix="W")
    worker = make_member(owner, "worker", farms=[farm])
    expense = submit(worker, farm, "900", description="Teat dip")
    invoice = issued_invoice(owner, farm=farm)
    data = {owner.tenant.name, farm.name, owner.user.email, owner.user.display_name, worker.user.display_name, "Teat dip",
            invoice.number, invoice.contact.name, "buyer@example.test", "Milk, 1-15 Nov", *(str(c) for c in cows),
            *(b.name for b in Breed.objects.all()), *(name for name, _ in TIME_ZONE_CHOICES), "English", "Français",
            "Kiswahili", "Smallholder", "Family farm", "Commercial", "One farm and a small herd.",
            "A family dairy with a few farms and helpers.", "Large herds, many farms, single sign-on.",
            settings.BILLING_BANK_DETAILS, settings.BILLING_MOBILE_DETAILS, "iFarm", "CSV", "XLSX", "PDF", "KES"}
    as_member(owner)
    ids = {"farm": farm.pk, "cow": cows[0].pk, "invoice": invoice.pk, "expense": expense.pk}
    return client, owner, data, ids


def _english_words(text: str, data: set[str], same: set[str]) -> bool:
    """Whether `text` still holds English words once names, data and words spelt the same in both are taken out."""
    for known in sorted(data, key=len, reverse=True):
        text = text.replace(known, " ")
    text = re.sub(r"\S+@\S+", " ", text)  # addresses, whole or cut short
    text = " ".join(text.split()).strip(" ·:,.()")
    return bool(re.search(r"[A-Za-z]{3,}", text)) and text not in same and text.lower() not in same


PAGES = ["/home/", "/milk/cards/production/", "/milk/cards/alerts/", "/milk/", "/breeding/today/",
         "/money/invoices/{invoice}/", "/team/", "/health/", "/stock/", "/farms/",
         "/farms/{farm}/", "/milk/entry/?farm={farm}", "/herd/", "/herd/new/", "/money/", "/money/approvals/",
         "/money/expenses/new/", "/billing/", "/notifications/", "/notifications/settings/", "/profile/"]


@pytest.mark.parametrize("language", ["fr", "sw"])
def test_the_main_journeys_read_in_french_and_kiswahili(walk, language):
    client, owner, data, ids = walk
    same = _same_in_both(language)
    left = {}
    for path in PAGES:
        url = path.format(**ids)
        Profile.objects.update_or_create(user=owner.user, defaults={"language": "en"})
        english = set(words(client.get(url).text))
        Profile.objects.update_or_create(user=owner.user, defaults={"language": language})
        response = client.get(url)
        assert response.status_code == 200
        assert "<html" not in response.text or f'lang="{language}"' in response.text  # (the cards are fragments)
        english_left = [t for t in words(response.text) if t in english and _english_words(t, data, same)]
        if english_left:
            left[url] = english_left
    assert not left, f"English left in {language}: {left}"


def test_the_language_comes_from_the_profile_then_the_organisation_then_the_browser(client, as_member, owner):
    as_member(owner)
    assert 'lang="fr"' in client.get("/home/", HTTP_ACCEPT_LANGUAGE="fr").text  # the browser
    owner.tenant.language = "sw"
    owner.tenant.save(update_fields=["language"])
    assert 'lang="sw"' in client.get("/home/", HTTP_ACCEPT_LANGUAGE="fr").text  # the organisation's default
    Profile.objects.update_or_create(user=owner.user, defaults={"language": "fr"})
    assert 'lang="fr"' in client.get("/home/", HTTP_ACCEPT_LANGUAGE="en").text  # the member's own


def test_a_visitor_switches_the_language_on_the_login_page(client, db):
    page = client.get(reverse("account_login"))
    assert 'id="language-switch"' in page.text
    response = client.post(reverse("set_language"), {"language": "sw", "next": reverse("account_login")})
    assert response.status_code == 302
    assert 'lang="sw"' in client.get(reverse("account_login")).text


def test_dates_and_numbers_follow_the_language():
    import datetime as dt
    from decimal import Decimal

    from django.template import Context, Template

    template = Template('{{ day|date:"j F Y" }} {{ amount|floatformat:"2g" }}')
    context = Context({"day": dt.date(2026, 3, 5), "amount": Decimal("1234.5")})
    with translation.override("fr"):
        assert template.render(context) == "5 mars 2026 1\xa0234,50"
    with translation.override("en"):
        assert template.render(context) == "5 March 2026 1,234.50"


@pytest.mark.parametrize("language", ["fr", "sw"])
def test_signing_in_and_up_read_in_french_and_kiswahili(client, db, language):
    """The visitor's pages, whose words partly come from allauth and Django (apps/accounts/outside_words.py)."""
    from apps.accounts.models import TIME_ZONE_CHOICES

    data = {"iFarm", "English", "Français", "Kiswahili", "JavaScript", "KES", *(name for name, _ in TIME_ZONE_CHOICES)}
    same = _same_in_both(language)
    left = {}
    for url in (reverse("account_login"), reverse("account_signup"), reverse("account_reset_password")):
        client.cookies["django_language"] = "en"
        english = set(words(client.get(url).text))
        client.cookies["django_language"] = language
        page = client.get(url).text
        assert f'lang="{language}"' in page
        english_left = [t for t in words(page) if t in english and _english_words(t, data, same)]
        if english_left:
            left[url] = english_left
    assert not left, f"English left in {language}: {left}"
