"""Every string marked for translation, in the code and in every template, has its French and Kiswahili
translation in the catalogues (not missing, not fuzzy). The pages' translation test reads what the pages
show; this one reads what the code marks, so a page or a message no test opens is caught too."""

import io
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract
from babel.messages.pofile import read_po
from django.utils.translation.template import templatize

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {**DEFAULT_KEYWORDS, "gettext_lazy": None, "ngettext_lazy": (1, 2), "pgettext_lazy": ((1, "c"), 2),
            "npgettext_lazy": ((1, "c"), 2, 3), "gettext_noop": None}


def _marked() -> dict[tuple[str | None, str], str]:
    """(context, msgid) -> where it is marked, from the apps' code and every template."""
    found = {}
    sources = [(p, "python") for p in ROOT.joinpath("apps").rglob("*.py") if "migrations" not in p.parts]
    sources += [(p, "template") for p in ROOT.joinpath("templates").rglob("*.html")]
    sources += [(p, "template") for p in ROOT.joinpath("apps").rglob("templates/**/*.html")]
    for path, kind in sources:
        text = path.read_text(encoding="utf-8")
        if kind == "template":  # Django's template-to-gettext text, unindented so a Python tokenizer reads it
            code = "\n".join(line.lstrip() for line in templatize(text, origin=str(path)).splitlines())
        else:
            code = text
        for _line, message, _comments, context in extract("python", io.BytesIO(code.encode()), keywords=KEYWORDS):
            msgid = message[0] if isinstance(message, tuple) else message
            if msgid:
                found.setdefault((context, msgid), str(path.relative_to(ROOT)))
    return found


MARKED = _marked()


@pytest.mark.parametrize("language", ["fr", "sw"])
def test_every_marked_string_is_translated(language):
    with ROOT.joinpath("locale", language, "LC_MESSAGES", "django.po").open("rb") as po:
        catalogue = read_po(po, locale=language)
    missing = []
    for (context, msgid), where in sorted(MARKED.items(), key=lambda item: item[1]):
        entry = catalogue.get(msgid, context=context)
        strings = entry.string if entry is not None else None
        done = entry is not None and "fuzzy" not in entry.flags and (
            all(strings) if isinstance(strings, tuple | list) else bool(strings))
        if not done:
            missing.append(f"{where}: {msgid!r}")
    assert not missing, f"{len(missing)} strings without a {language} translation:\n" + "\n".join(missing[:40])


def test_the_extraction_sees_templates_and_code():
    assert len(MARKED) > 1000
    assert (None, "Record service") in MARKED and (None, "Give the bull's name or registration number.") in MARKED
