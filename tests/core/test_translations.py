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
from django_scopes import scopes_disabled

from apps.accounts.models import Profile
from apps.core.i18n_check import unmarked, unmarked_python
from tests.factories import make_member

LOCALE = Path(settings.BASE_DIR) / "locale"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
# Every template: every word a person reads in them is marked.
MARKED_TEMPLATES = sorted(str(p.relative_to(Path(settings.BASE_DIR) / "templates"))
                          for pattern in ("*.html", "*.txt") for p in (Path(settings.BASE_DIR) / "templates").rglob(pattern))
# Every module of the apps: the words it hands to people (messages, refusals, notifications, emails) are marked.
PYTHON_MODULES = sorted(str(p.relative_to(settings.BASE_DIR)) for p in (Path(settings.BASE_DIR) / "apps").rglob("*.py")
                        if "migrations" not in p.parts)


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


def test_every_python_module_marks_the_words_it_hands_to_people():
    left = {name: found for name in PYTHON_MODULES
            if (found := unmarked_python((Path(settings.BASE_DIR) / name).read_text()))}
    assert not left, f"not marked for translation: {left}"


def test_the_python_checker_finds_unmarked_messages():
    source = '''
messages.success(request, f"Saved the {thing}.")
messages.error(request, _("Marked, so fine."))
raise ValidationError({"tag": f"{tag} is not a live female."})
errors["day"] = "Pick a day of the week."
problems.append("tag: every animal needs a tag.")
alert_owners(tenant_id=1, title=later(gettext_lazy("Fine: %(x)s"), x=1), body="Someone changed something.")
log.info("a log line is not for people %s", x)
x = _("The policy \\u201c%(name)s\\u201d refused.")
def weight_problem(weight):
    return "Give the weight in kg." if weight is None else None
'''
    assert sorted(line for line, _ in unmarked_python(source)) == [2, 4, 5, 6, 7, 9, 11]


def test_the_checker_finds_unmarked_words():
    assert unmarked('<p>{% translate "Saved" %}</p><button aria-label="Close">x</button><p>Hello {{ name }}</p>') == [
        "Hello", "Close"]
    assert unmarked("{% blocktranslate %}Hi {{ name }}{% endblocktranslate %}<svg><title>Icon</title></svg>") == []


class _Text(HTMLParser):
    """The words of a page a person reads or hears: text, spoken attributes and the questions buttons ask; not
    scripts, nor code samples (a header's or a parameter's name is not translated)."""

    def __init__(self):
        super().__init__()
        self.found, self._hidden = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "svg", "code"):
            self._hidden += 1
        self.found += [v for k, v in attrs if k in ("aria-label", "title", "placeholder", "alt", "data-confirm") and v]

    def handle_endtag(self, tag):
        if tag in ("script", "style", "svg", "code"):
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
            if "%(" in message.id:  # "Description %(n)s": each line's field is "Description 1", "Description 2"...
                same.add(re.compile(re.sub(r"%\\\(\w+\\\)s", ".+", re.escape(message.id))))
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
    if text in same or text.lower() in same:
        return False
    # Words spelt the same in both among names and data ("Dairy meal · lot 7" in French).
    text = " ".join(w for w in text.split() if w.strip(" ·:,.()") not in same)
    return (bool(re.search(r"[A-Za-z]{3,}", text)) and text not in same and text.lower() not in same
            and not any(isinstance(s, re.Pattern) and s.fullmatch(text) for s in same))


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


def test_money_is_written_for_the_language_and_the_currency():
    from decimal import Decimal

    from django.template import Context, Template

    template = Template("{{ amount|money:currency }}")
    cases = {("en", "KES"): "KES\xa02,089.29", ("fr", "KES"): "2\u202f089,29\xa0KES", ("sw", "KES"): "Ksh\xa02,089.29",
             ("en", "UGX"): "UGX\xa02,089", ("fr", "EUR"): "2\u202f089,29\xa0€", ("en", "KWD"): "KWD\xa02,089.290"}
    for (language, currency), written in cases.items():
        with translation.override(language):
            assert template.render(Context({"amount": Decimal("2089.29"), "currency": currency})) == written
    assert Template("{{ amount|money:'KES' }}").render(Context({"amount": None})) == ""


def test_a_notification_is_written_in_its_readers_language_not_its_senders(owner):
    """An alert raised by an English-speaking member reaches a Kiswahili-speaking owner in Kiswahili."""
    from django.utils.translation import gettext_lazy

    from apps.accounts.security import alert_owners
    from apps.core.words import later
    from apps.notify.models import Notification

    Profile.objects.update_or_create(user=owner.user, defaults={"language": "sw"})
    with translation.override("en"):
        alert_owners(tenant_id=owner.tenant_id, title=later(gettext_lazy("New owner: %(email)s"), email="ann@example.test"),
                     body=later(gettext_lazy("%(email)s accepted an invitation as an owner of the organisation."),
                                email="ann@example.test"))
    with scopes_disabled():
        note = Notification.objects.get(user=owner.user)
    assert note.title == "Mmiliki mpya: ann@example.test"
    assert "amekubali mwaliko" in note.message["text"]


def test_the_invitation_email_is_in_the_organisations_language(client, as_member, owner, django_capture_on_commit_callbacks):
    from django.core import mail
    from django_scopes import scope

    from apps.accounts.models import Role

    owner.tenant.language = "fr"
    owner.tenant.save(update_fields=["language"])
    with scope(tenant=owner.tenant_id):
        worker = Role.objects.get(tenant_id=owner.tenant_id, key="worker")
    with django_capture_on_commit_callbacks(execute=True):
        response = as_member(owner).post(reverse("accounts:invitation_create"),
                                         {"email": "amina@example.test", "role": worker.pk, "all_farms": "on"})
    assert response.status_code == 302
    (sent,) = [m for m in mail.outbox if "amina@example.test" in m.to]
    assert "vous invite à rejoindre Green Acres" in sent.subject
    assert "Ouvrez ce lien pour accepter" in sent.body and "Hello" not in sent.body


def test_a_report_built_by_a_worker_is_in_the_words_of_who_asked_for_it(owner, farm, settings, tmp_path):
    import datetime as dt

    from apps.finance.models import ReportJob
    from apps.finance.reports import build_report_job

    settings.MEDIA_ROOT = tmp_path
    Profile.objects.update_or_create(user=owner.user, defaults={"language": "fr"})
    with scopes_disabled():
        job = ReportJob.objects.create(tenant_id=owner.tenant_id, requested_by=owner, kind="sales", file_format="csv",
                                       params={"since": "2026-01-01", "until": dt.date.today().isoformat()})
        with translation.override("en"):  # the worker's own language does not matter
            build_report_job(job)
        job.refresh_from_db()
    content = job.file.read().decode("utf-8-sig")
    assert "Ventes" in content and "Acheteur" in content and "Buyer" not in content


@pytest.mark.parametrize("language", ["fr", "sw"])
def test_the_account_pages_read_in_french_and_kiswahili(client, as_member, owner, language):
    """Two-factor authentication, passkeys, email addresses, password, sessions, sign-out and email confirmation:
    allauth's pages, whose Kiswahili is ours (apps/accounts/outside_words.py)."""
    from allauth.account.models import EmailAddress, EmailConfirmationHMAC

    as_member(owner)
    same = _same_in_both(language)
    address, _ = EmailAddress.objects.get_or_create(user=owner.user, email="second@example.test", defaults={"verified": False})
    urls = [reverse(name) for name in ("mfa_index", "account_email", "account_change_password", "usersessions_list",
                                       "mfa_list_webauthn", "account_email_verification_sent", "account_logout",
                                       "account_reauthenticate")]
    urls.append(reverse("account_confirm_email", args=[EmailConfirmationHMAC(address).key]))
    data = {"iFarm", owner.tenant.name, owner.user.email, "second@example.test", "English", "Français", "Kiswahili",
            "JavaScript"}
    left = {}
    for url in urls:
        Profile.objects.update_or_create(user=owner.user, defaults={"language": "en"})
        english = set(words(client.get(url).text))
        Profile.objects.update_or_create(user=owner.user, defaults={"language": language})
        response = client.get(url)
        assert response.status_code == 200
        english_left = [t for t in words(response.text) if t in english and _english_words(t, data, same)]
        if english_left:
            left[url] = english_left
    assert not left, f"English left in {language}: {left}"


@pytest.mark.parametrize("name", MARKED_TEMPLATES)
def test_counts_take_the_languages_own_plural(name):
    """`|pluralize` adds an English "s" (Kiswahili read "3 dozis"): a count is a blocktranslate with count."""
    assert "|pluralize" not in (Path(settings.BASE_DIR) / "templates" / name).read_text(), name


@pytest.mark.parametrize("language", ["fr", "sw"])
def test_the_words_scripts_show_are_in_the_language(rf, language):
    """components/ui_text.html hands the scripts their words; a `{% translate %}` with a placeholder is looked up
    with its % doubled, which a catalogue entry must match ("0 ticked, 122 shown" stayed English in French)."""
    import json

    from django.template.loader import render_to_string

    def texts(lang):
        with translation.override(lang):
            html = render_to_string("components/ui_text.html", {"csp_nonce": "n"})
        return json.loads(re.search(r'<script type="application/json" id="ui-text"[^>]*>(.*)</script>', html, re.S).group(1))

    english, translated = texts("en"), texts(language)
    same = _same_in_both(language)
    assert [key for key, text in translated.items() if text == english[key] and text not in same] == []
