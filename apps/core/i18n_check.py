"""Finding words a person would read that are not marked for translation, in a template's source.

What is left of a template once its translate and blocktranslate parts, its other tags and variables, its
scripts, styles and icons, and its markup are taken out, is text nobody marked; so are the words of the
attributes people hear or read (aria-label, title, placeholder, alt). Brand names and units are allowed.
"""

from __future__ import annotations

import re

ALLOWED = {"iFarm", "PDF", "CSV", "XLSX", "SMS", "API", "KES", "UGX", "USD", "EUR", "TZS", "L", "kg", "ID", "OK", "EID", "pH", "SCC", "mL", "MB"}
_REMOVE = [
    re.compile(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", re.S),
    re.compile(r"{#.*?#}", re.S),
    re.compile(r"{%\s*blocktranslate\b.*?{%\s*endblocktranslate\s*%}", re.S),
    re.compile(r"{%\s*translate\b.*?%}", re.S),
    re.compile(r"<script\b.*?</script>", re.S),
    re.compile(r"<style\b.*?</style>", re.S),
    re.compile(r"<svg\b.*?</svg>", re.S),
    re.compile(r"<(pre|code)\b.*?</\1>", re.S),  # code samples are not translated
    re.compile(r"{%\s*block main_class\s*%}.*?{%\s*endblock main_class\s*%}", re.S),  # a CSS class, not words
]
_SPOKEN = re.compile(r'\b(?:aria-label|title|placeholder|alt)="([^"]*)"')
_TAG = re.compile(r"<[^>]*>", re.S)
_TEMPLATE = re.compile(r"{%.*?%}|{{.*?}}", re.S)
_WORD = re.compile(r"[A-Za-z][A-Za-z']+")


def unmarked(source: str) -> list[str]:
    """The stretches of readable text in `source` that are not marked for translation."""
    for pattern in _REMOVE:
        source = pattern.sub(" ", source)
    spoken = [_TEMPLATE.sub(" ", value) for value in _SPOKEN.findall(source)]
    text = _TAG.sub("\n", _TEMPLATE.sub(" ", source))
    found = []
    for chunk in [*text.split("\n"), *spoken]:
        chunk = " ".join(chunk.split())
        words = [w for w in _WORD.findall(chunk) if w not in ALLOWED]
        if words:
            found.append(chunk)
    return found
