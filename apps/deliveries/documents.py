"""The files deliveries hand out: the do-not-ship declaration for the driver, and the dispute sheet for the buyer."""

from __future__ import annotations

from django.utils import formats
from django.utils.translation import gettext as _

from apps.core import exports
from apps.core.words import day, day_time
from apps.farms.milkings import SESSION_LABELS

from .models import LineKind


def why_word(code: str) -> str:
    return {"quantity": _("quantity differs"), "price": _("price differs"), "amount": _("amount differs"),
            "missing": _("delivered, not on the statement"), "not_delivered": _("on the statement, not delivered"),
            "quality": _("test results differ")}.get(code, "")


def quality_words(row) -> str:
    names = {"fat": _("Fat"), "protein": _("Protein"), "scc": _("Somatic cells"), "bacteria": _("Bacteria")}
    return "; ".join(_("%(test)s %(stated)s (slip: %(ours)s)") % {"test": names[name], "stated": stated, "ours": ours}
                     for name, stated, ours in row.quality_differences)


def do_not_ship_pdf(farm, date, session, kept, declaration):
    session_word = str(SESSION_LABELS[session])
    if declaration:
        subtitle = _("%(farm)s, %(date)s, %(session)s. Declared by %(name)s at %(time)s.") % {
            "farm": farm.name, "date": day(date), "session": session_word, "name": declaration.declared_by.user.display_name,
            "time": day_time(declaration.declared_at)}
    else:
        subtitle = _("%(farm)s, %(date)s, %(session)s. Not declared yet.") % {"farm": farm.name, "date": day(date), "session": session_word}
    sheet = exports.Sheet(title=_("Milk not shipped"), subtitle=subtitle, headers=[_("Tag"), _("Name"), _("Why"), _("Until")])
    for row in kept:
        until = "" if row.until is None else (day_time(row.until) if hasattr(row.until, "hour") else day(row.until))
        sheet.rows.append([row.tag, row.name, row.reason, until])
    if not kept:
        sheet.rows.append(["", "", _("Every cow's milk may go."), ""])
    return exports.response(sheet, "pdf", f"do-not-ship-{farm.pk}-{date.isoformat()}-{session}")


def dispute_sheet(statement, result, file_format: str):
    """The lines where the buyer's statement and the farm's records differ, with the money at stake."""
    title = _("Statement differences: %(buyer)s, %(month)s") % {"buyer": statement.buyer.name, "month": formats.date_format(statement.month, "YEAR_MONTH_FORMAT")}
    subtitle = _("%(farm)s. Money at stake: below zero, the farm is paid less than its own records give.") % {"farm": statement.farm.name}
    sheet = exports.Sheet(title=title, subtitle=subtitle, headers=[
        _("Date or deduction"), _("Farm's quantity"), _("Statement's quantity"), _("Expected price"), _("Statement's price"),
        _("Expected amount"), _("Statement's amount"), _("Money at stake"), _("Why")])
    for row in result.days:
        if row.flagged:
            sheet.rows.append([row.date, row.expected_quantity, row.quantity, row.expected_price, row.price, row.expected_amount,
                               row.amount, row.at_stake, "; ".join(filter(None, [why_word(row.why), quality_words(row)]))])
    kinds = dict(LineKind.choices)
    for row in result.deductions:
        if row.flagged:
            sheet.rows.append([str(kinds[row.kind]), None, None, None, None, row.expected, row.amount, row.at_stake,
                               _("deduction differs")])
    sheet.total_row = [_("Total"), None, None, None, None, result.expected_net, result.net, result.at_stake, ""]
    return exports.response(sheet, file_format, f"statement-{statement.pk}-differences")
