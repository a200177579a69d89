"""Finding words a person would read that are not marked for translation, in a template's source.

What is left of a template once its translate and blocktranslate parts, its other tags and variables, its
scripts, styles and icons, and its markup are taken out, is text nobody marked; so are the words of the
attributes people hear or read (aria-label, title, placeholder, alt, and the question data-confirm asks), and the
words of a `yesno` filter, which stay English. Brand names and units are allowed.
"""

from __future__ import annotations

import ast
import re

ALLOWED = {"iFarm", "PDF", "CSV", "XLSX", "SMS", "API", "KES", "UGX", "USD", "EUR", "TZS", "L", "kg", "ID", "OK", "EID", "pH", "SCC", "mL", "MB"}
_REMOVE = [
    re.compile(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", re.S),
    re.compile(r"{#.*?#}", re.S),
    re.compile(r"{%\s*blocktrans(?:late)?\b.*?{%\s*endblocktrans(?:late)?\s*%}", re.S),
    re.compile(r"{%\s*trans(?:late)?\b.*?%}", re.S),
    re.compile(r"<script\b.*?</script>", re.S),
    re.compile(r"<style\b.*?</style>", re.S),
    re.compile(r"<svg\b.*?</svg>", re.S),
    re.compile(r"<(pre|code)\b.*?</\1>", re.S),  # code samples are not translated
    re.compile(r"{%\s*block main_class\s*%}.*?{%\s*endblock main_class\s*%}", re.S),  # a CSS class, not words
]
_YESNO = re.compile(r'\|yesno:"([^"]*)"')  # its words are English whatever the language
_SPOKEN = re.compile(r'\b(?:aria-label|title|placeholder|alt|data-confirm)="([^"]*)"')
_TAG = re.compile(r"<[^>]*>", re.S)
_TEMPLATE = re.compile(r"{%.*?%}|{{.*?}}", re.S)
_WORD = re.compile(r"[A-Za-z][A-Za-z']+")


def unmarked(source: str) -> list[str]:
    """The stretches of readable text in `source` that are not marked for translation."""
    for pattern in _REMOVE:
        source = pattern.sub(" ", source)
    spoken = [_TEMPLATE.sub(" ", value) for value in _SPOKEN.findall(source)] + _YESNO.findall(source)
    text = _TAG.sub("\n", _TEMPLATE.sub(" ", source))
    found = []
    for chunk in [*text.split("\n"), *spoken]:
        chunk = " ".join(chunk.split())
        words = [w for w in _WORD.findall(chunk) if w not in ALLOWED]
        if words:
            found.append(chunk)
    return found


# -- Python ---------------------------------------------------------------------------------------

# Where a string becomes words a person reads: the message levels, refusals, the errors handed to a form,
# problem documents, policy decisions, notifications, the words of a sent email, and what a `*_problem` helper
# returns (the reason shown next to a field).
_SINK_CALLS = {
    "success": (1,), "error": (1,), "info": (1,), "warning": (1,),  # messages.<level>(request, text)
    "ValidationError": (0,), "PermissionDenied": (0,), "LimitReached": (0,), "Refused": (1,), "_refuse": (2,),
    "problem": (1, 2), "_refusal": (1,), "Decision": (1,), "HttpResponseBadRequest": (0,), "HttpError": (1,),
}
_SINK_KEYWORDS = {"title", "body", "subject", "detail", "reason_text", "status_reason", "notes", "description"}
_SINK_KEYWORD_CALLS = {"notification_create", "alert_owners", "send_mail", "EmailMessage", "problem", "Line",
                       "InvoiceLine", "create", "append_line"}
_MARKERS = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext", "pgettext_lazy", "npgettext",
            "later", "date_format", "number_format", "localize"}


def _name(node) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _readable(node) -> bool:
    """Whether `node` is prose written in the code: a literal or f-string with at least two words of letters."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value
    elif isinstance(node, ast.JoinedStr):
        text = " ".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
    elif isinstance(node, ast.BinOp):  # "..." % x, "..." + x
        return _readable(node.left) or (isinstance(node.op, ast.Add) and _readable(node.right))
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return _readable(node.func.value)
    elif isinstance(node, ast.IfExp):
        return _readable(node.body) or _readable(node.orelse)
    elif isinstance(node, ast.BoolOp):  # value or "..."
        return any(_readable(v) for v in node.values)
    elif isinstance(node, ast.Dict):
        return any(_readable(v) for v in node.values)
    elif isinstance(node, (ast.List, ast.Tuple)):
        return any(_readable(v) for v in node.elts)
    else:
        return False
    return len([w for w in _WORD.findall(text) if w not in ALLOWED]) >= 2


def unmarked_python(source: str) -> list[tuple[int, str]]:
    """(line, text) for each piece of prose in `source` handed to people without being marked for translation."""
    found = []

    def check(node):
        if _readable(node):
            found.append((node.lineno, ast.get_source_segment(source, node) or ""))

    for node in ast.walk(ast.parse(source)):  # (breadth first: sort the lines to read them in order)
        if isinstance(node, ast.Call):
            name = _name(node.func)
            if name in _MARKERS:
                # xgettext reads escapes such as \u201c literally: the message would never be found.
                if node.args and "\\u" in (ast.get_source_segment(source, node.args[0]) or ""):
                    found.append((node.lineno, ast.get_source_segment(source, node.args[0])))
                continue
            for index in _SINK_CALLS.get(name, ()):
                if index < len(node.args):
                    check(node.args[index])
            if name in _SINK_KEYWORD_CALLS:
                for keyword in node.keywords:
                    if keyword.arg in _SINK_KEYWORDS:
                        check(keyword.value)
            if name == "append" and isinstance(node.func, ast.Attribute) and _name(node.func.value) in (
                    "problems", "missing", "errors") and node.args:
                check(node.args[0])
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.endswith("problem"):
            # "Why this cannot be done" helpers: what they return is shown next to a field.
            for inner in ast.walk(node):
                if isinstance(inner, ast.Return) and inner.value is not None:
                    check(inner.value)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Subscript) and _name(target.value) in ("errors", "problems"):
                    check(node.value)
    return found
