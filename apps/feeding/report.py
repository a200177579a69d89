"""The accountants' income-over-feed-cost report, added to the finance app's reports when the feeding app starts."""

from __future__ import annotations

from django.utils.translation import gettext as _

from apps.accounts.selectors import farms_visible_to
from apps.core.exports import Sheet
from apps.finance.reports import period_of

from . import iofc
from .selectors import iofc_days, iofc_groups


def iofc_report(membership, since, until, farm=None, progress=None) -> Sheet:
    """Per farm and month: saleable and delivered milk, milk income, feed cost, income over feed cost and the feed
    cost per litre (the definitions of apps/feeding/iofc.py, stated on the feeding page)."""
    sheet = Sheet(title=_("Income over feed cost"), subtitle=period_of(membership, since, until, farm), headers=[
        _("Farm"), _("Month"), _("Group"), _("Saleable (L)"), _("Delivered (L)"), _("Milk income"), _("Feed cost"),
        _("Income over feed cost"), _("Feed cost per litre")])
    farms = [farm] if farm is not None else list(farms_visible_to(membership))
    grand = []
    for one in farms:
        days = iofc_days(membership, one, since, until)
        months: dict = {}
        for day in days:
            months.setdefault(day.date.replace(day=1), []).append(day)
        for month, month_days in sorted(months.items()):
            row = iofc.total(month_days)
            if not (row.saleable or row.feed_cost):
                continue
            grand.append(row)
            sheet.rows.append([one.name, month.strftime("%Y-%m"), _("All"), row.saleable, row.delivered, row.income,
                               iofc.money(row.feed_cost), row.iofc, row.feed_cost_per_litre])
            for group in iofc_groups(membership, one, month_days[0].date, month_days[-1].date, days=month_days):
                sheet.rows.append([one.name, month.strftime("%Y-%m"), group.name or _("The whole farm"), group.saleable, None,
                                   group.income, group.feed_cost, group.iofc, group.feed_cost_per_litre])
    if grand:
        row = iofc.total(grand)
        sheet.total_row = [_("Total"), "", "", row.saleable, row.delivered, row.income, iofc.money(row.feed_cost), row.iofc,
                           row.feed_cost_per_litre]
    return sheet
