"""What a browser would submit for a form on a rendered page, before anyone types in it.

A select always sends a value (the selected option, else the first); a checkbox sends its value
only when checked; text inputs send what they hold. Tests start from this and change only what a
person would change, instead of posting a hand-made dict no browser sends.
"""

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self, form_id: str | None, action: str | None = None):
        super().__init__()
        self.form_id, self.action = form_id, action
        self.done = False
        self.inside = False
        self.data: list[tuple[str, str]] = []
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            if self.done:
                self.inside = False
            elif self.action is not None:
                self.inside = attrs.get("action") == self.action
            else:
                self.inside = self.form_id is None or attrs.get("id") == self.form_id
            return
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name and "disabled" not in attrs:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.data.append((name, attrs.get("value", "on")))
            elif kind not in ("submit", "button", "file", "image", "reset"):
                self.data.append((name, attrs.get("value", "")))
        elif tag == "select" and name:
            self._select, self._options = name, []
        elif tag == "option" and self._select is not None:
            self._options.append((attrs.get("value", ""), "selected" in attrs))
        elif tag == "textarea" and name:
            self._textarea = name
            self.data.append((name, ""))

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside, self.done = False, True  # the first matching form only
        elif tag == "select" and self._select is not None:
            chosen = [value for value, selected in self._options if selected] or [v for v, _ in self._options[:1]]
            if chosen:
                self.data.append((self._select, chosen[0]))
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and self.data and self.data[-1][0] == self._textarea:
            self.data[-1] = (self._textarea, self.data[-1][1] + data)


def form_data(html: str, form_id: str | None = None, *, action: str | None = None, fill: dict | None = None) -> dict[str, str]:
    """The fields of the form (the first, the one with `form_id`, or the one posting to `action`) as a
    browser would post them, with what a person typed in (`fill`) on top."""
    reader = _FormReader(form_id, action)
    reader.feed(html)
    return {**dict(reader.data), **(fill or {})}
