"""The milking entry page's rows, one small form per cow, written in Python.

A herd's forty to a hundred rows drawn through the template language cost about ten milliseconds a page, the
largest part of it; the row save answers with one of them too. The quality fields, opened one row at a time,
stay in the template (milk/entry.html#quality).
"""

from django.template.defaultfilters import capfirst, date, floatformat
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import conditional_escape as esc
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.core.identifiers import digits
from apps.core.templatetags.ifarm import plain

from .models import Appearance, Method, Quarter, Udder

QUALITY_CHOICES = {
    "udder_choices": Udder.choices,
    "quarter_choices": Quarter.choices,
    "appearance_choices": Appearance.choices,
    "method_choices": Method.choices,
}


def rows_html(rows, *, farm, day, session: str, unit: str, save_url: str, quality_url: str, csrf_token: str, form=None,
              request=None, note: str = "") -> str:
    """The rows of `rows` (dicts of entry_rows); `form` is the refused form of a single row, shown with its
    errors and its quality fields open; `note` replaces a single row's state (an offline value that lost)."""
    iso_day = day.isoformat()
    head = (
        f'method="post" action="{esc(save_url)}" hx-post="{esc(save_url)}" hx-trigger="change, retry" hx-swap="outerHTML" '
        f'hx-include="#milker-pick" hx-sync="closest .milk-rows:queue all"'
    )
    hidden = (
        f'<input type="hidden" name="csrfmiddlewaretoken" value="{esc(csrf_token)}">\n'
        f'  <input type="hidden" name="farm" value="{farm.pk}"><input type="hidden" name="date" value="{iso_day}">\n'
        f'  <input type="hidden" name="session" value="{esc(session)}">'
    )
    quality_query = f"{esc(quality_url)}?farm={farm.pk}&amp;date={iso_day}&amp;session={esc(session)}&amp;animal="
    words = {
        "yesterday": esc(_("yesterday")), "withdrawal": esc(_("Withdrawal · discard until")), "not_saved": esc(_("not saved")),
        "discarded": esc(_("discarded")), "saved": esc(_("saved")), "retry": esc(_("Retry")), "quality": esc(_("Quality and notes")),
        "fat": esc(_("fat")), "loading": esc(_("Loading…")),
    }
    unit = esc(unit)
    zone = farm.zone
    out = []
    for row in rows:
        animal, record = row["animal"], row["record"]
        pk, tag = animal.pk, esc(animal.tag)
        classes = "milk-row card mb-2" + (" has-error" if form else " saved" if record else "") + (" discarded" if record and record.discarded else "")
        name = f' <span class="fw-normal text-body-secondary">{esc(animal.name)}</span>' if animal.name else ""
        yesterday = floatformat(row["yesterday"], "1") if row["yesterday"] is not None else "—"
        withdrawal = ""
        if row["withdrawal_ends"]:
            ends = date(timezone.localtime(row["withdrawal_ends"], zone), "WEEKDAY_DAY_TIME_FORMAT")
            withdrawal = (f'\n      <div class="small"><span class="badge text-bg-danger" data-testid="withdrawal">{words["withdrawal"]} '
                          f'{ends}</span></div>')
        stored = plain(record.quantity) if record else ""
        visits, locked = "", ""
        if record and record.visit_count:  # a robot's or a meter's visits: their sum is not typed over
            visits = (f'\n      <div class="small text-body-secondary" data-testid="visits">'
                      f'{esc(ngettext("%(count)s visit", "%(count)s visits", record.visit_count) % {"count": record.visit_count})}</div>')
            locked = " readonly"
        value = esc(form.data.get("quantity", "")) if form else stored
        invalid = " is-invalid" if form and form.errors.get("quantity") else ""
        if note:
            state = esc(note)
        elif form:
            state = words["not_saved"]
        elif record:
            state = words["discarded"] if record.discarded else words["saved"]
        else:
            state = ""
        errors = ""
        if form:
            lines = "".join(
                f"<div>{esc(capfirst(field)) + ': ' if field not in ('__all__', 'quantity') else ''}{esc(' '.join(str(m) for m in messages))}</div>"
                for field, messages in form.errors.items())
            errors = f'\n  <div class="px-2 pb-2 text-danger small row-errors" role="alert">{lines}</div>'
        if form:
            opened = " open" if form.errors and not form.errors.get("quantity") else ""
            details = f'<details class="px-2 pb-2 quality"{opened}>'
            quality = render_to_string("milk/entry.html#quality", {
                "animal": animal, "record": record, "form": form, "withheld": row["withdrawal_ends"], **QUALITY_CHOICES}, request)
        else:
            details = (f'<details class="px-2 pb-2 quality" hx-get="{quality_query}{pk}" hx-trigger="toggle once" '
                       f'hx-target="find .quality-fields" hx-swap="innerHTML">')
            quality = f'<span class="small text-body-secondary">{words["loading"]}</span>'
        summary = ""
        if record and (record.scc or record.fat or record.discarded or record.appearance != "normal"):
            summary = " ·" + (f' {words["fat"]} {esc(record.fat)}%' if record.fat else "") + (f" SCC {esc(record.scc)}" if record.scc else "") + (
                f' {words["discarded"]}' if record.discarded else "")
        out.append(
            f'<form id="cow-{pk}" class="{classes}" {head} data-saved="{"1" if record else ""}" data-tag="{tag}" data-eid="{esc(digits(animal.eid))}">\n'
            f'  {hidden}<input type="hidden" name="animal" value="{pk}">\n'
            f'  <div class="card-body p-2 d-flex align-items-center gap-2">\n'
            f'    <div class="cow-name me-auto">\n'
            f'      <div class="fw-semibold">{tag}{name}</div>\n'
            f'      <div class="small text-body-secondary">{words["yesterday"]} {yesterday}</div>{visits}{withdrawal}\n'
            f'    </div>\n'
            f'    <label class="visually-hidden" for="qty-{pk}">{tag} {unit}</label>\n'
            f'    <input id="qty-{pk}" class="form-control milk-qty{invalid}" name="quantity" inputmode="decimal" autocomplete="off" '
            f'enterkeyhint="next" value="{value}" data-value="{stored}" aria-describedby="state-{pk}"{locked}>\n'
            f'    <span class="row-state small" id="state-{pk}" aria-live="polite">{state}</span>\n'
            f'    <button class="btn btn-sm btn-warning retry" type="button" hidden>{words["retry"]}</button>\n'
            f'  </div>{errors}\n'
            f'  {details}\n'
            f'    <summary class="small">{words["quality"]}{summary}</summary>\n'
            f'    <div class="quality-fields">{quality}</div>\n'
            f'  </details>\n'
            f'</form>'
        )
    return mark_safe("\n".join(out))  # noqa: S308  (every value above is escaped)
