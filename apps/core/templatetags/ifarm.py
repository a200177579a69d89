"""Template helpers loaded in every template."""

import datetime as dt

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

register = template.Library()
_ui_texts: dict[str, str] = {}


@register.simple_tag
def ui_text() -> str:
    """The words the page's scripts show (components/ui_text.html: JSON, which the browser reads as data and does
    not run, so it needs no nonce). They depend on the language alone: each process writes each language's once and
    keeps it (twelve translations and escapes on every page)."""
    language = get_language()
    text = None if settings.DEBUG else _ui_texts.get(language)  # while developing, an edited template shows at once
    if text is None:
        text = _ui_texts[language] = render_to_string("components/ui_text.html")
    return text


def age_label(born: dt.date | None, today: dt.date) -> str:
    """An age as a farmer says it: 12 d, 7 mo, 3 y 2 mo."""
    if not isinstance(born, dt.date):
        return ""
    months = (today.year - born.year) * 12 + today.month - born.month - (today.day < born.day)
    if months < 1:
        return _("%(days)s d") % {"days": (today - born).days}
    if months < 24:
        return _("%(months)s mo") % {"months": months}
    return _("%(years)s y %(months)s mo") % {"years": months // 12, "months": months % 12}


@register.filter
def age(born) -> str:
    """An animal's age from its birth date: 12 d, 7 mo, 3 y 2 mo."""
    return age_label(born, timezone.localdate())


@register.filter
def initials(name: str) -> str:
    """A person's initials for a narrow header: Grace Wanjiku -> GW."""
    return "".join(part[0] for part in str(name).split()[:2]).upper() or "?"


@register.filter
def plain(value) -> str:
    """A decimal without trailing zeros, as a person types it: 12.50 -> 12.5, 9.00 -> 9."""
    from decimal import Decimal

    if value is None or value == "":
        return ""
    return f"{Decimal(value).normalize():f}"




@register.filter
def money(value, currency) -> str:
    """{{ amount|money:currency }}: the amount as the reader's language writes money in that currency."""
    from apps.core.words import money as written

    return written(value, currency)


_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("SamsungBrowser", "Samsung Internet"), ("Firefox/", "Firefox"),
             ("Chrome/", "Chrome"), ("Chromium/", "Chromium"), ("Safari/", "Safari"))
_SYSTEMS = (("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"), ("Windows", "Windows"),
            ("Mac OS X", "Mac"), ("CrOS", "ChromeOS"), ("Linux", "Linux"))


@register.filter
def device(user_agent: str) -> str:
    """A person's name for a user agent: "Chrome on Android"."""
    user_agent = user_agent or ""
    browser = next((name for marker, name in _BROWSERS if marker in user_agent), None) or _("A browser")
    system = next((name for marker, name in _SYSTEMS if marker in user_agent), "")
    return _("%(browser)s on %(system)s") % {"browser": browser, "system": system} if system else browser


@register.filter
def with_csrf(html, token) -> str:
    """A part kept drawn with a mark for the CSRF token, given the page's token (apps/core/drawn_later.py)."""
    from apps.core.drawn_later import with_csrf as put

    return put(html, token)
