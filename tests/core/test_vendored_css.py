"""The Bootstrap stylesheet iFarm ships holds only the rules of the classes it uses (static/vendor/update.sh trims it
with PurgeCSS). Nothing would show a style silently lost, so this does: every Bootstrap class named anywhere a page
gets its markup from (templates, scripts, Python, the libraries' templates) must still have a rule."""

import re
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "static" / "vendor" / "bootstrap" / "bootstrap.min.css"
BOOTSTRAP_CLASSES = Path(__file__).with_name("bootstrap-classes.txt")  # every class Bootstrap defines


def classes_of(css: str) -> set[str]:
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)  # comments name files (bootstrap.min.css)
    css = re.sub(r"\{[^{}]*\}", "{}", re.sub(r"url\([^)]*\)", "", css))
    return set(re.findall(r"\.(-?[A-Za-z_][A-Za-z0-9_-]*)", css))


def markup_sources() -> list[Path]:
    site = Path(django.__file__).parent.parent
    return [*(ROOT / "templates").rglob("*.html"), *(ROOT / "static" / "js").rglob("*.js"), *(ROOT / "apps").rglob("*.py"),
            *(site / "django_tables2" / "templates" / "django_tables2").glob("bootstrap5*.html"),
            *(site / "allauth" / "templates").rglob("*.html"), *(site / "django" / "forms" / "templates").rglob("*.html")]


def test_every_bootstrap_class_the_pages_name_keeps_its_rules():
    bootstrap = set(BOOTSTRAP_CLASSES.read_text().split())
    shipped = classes_of(SHIPPED.read_text())
    missing: dict[str, set[str]] = {}
    for source in markup_sources():
        words = set(re.findall(r"[A-Za-z0-9_-]+", source.read_text(errors="ignore")))
        if lost := (words & bootstrap) - shipped:
            missing[str(source.relative_to(source.parents[2]))] = lost
    assert not missing, f"Bootstrap classes with no rule in the shipped stylesheet (run static/vendor/update.sh): {missing}"
    assert len(shipped) < len(bootstrap) / 3  # trimmed, not the whole library
