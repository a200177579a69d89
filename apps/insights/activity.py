"""The home page's recent activity, written as sentences in the farm's words."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

# action -> what the person did; %(obj)s is the object as it was named when the change was made.
SENTENCES = {
    "animal.create": _("added %(obj)s to the herd"),
    "animal.import": _("imported %(obj)s into the herd"),
    "animal.update": _("updated %(obj)s"),
    "animal.sold": _("marked %(obj)s as sold"),
    "animal.sale_voided": _("brought %(obj)s back into the herd"),
    "group.create": _("added the group %(obj)s"),
    "milk.create": _("recorded milk: %(obj)s"),
    "milk.update": _("corrected a milking: %(obj)s"),
    "milk.delete": _("deleted a milking: %(obj)s"),
    "milk.bulk_tank": _("read the bulk tank"),
    "milk.alert_resolve": _("dealt with a milk alert: %(obj)s"),
    "lactation.start": _("started %(obj)s"),
    "lactation.dry_off": _("dried off %(obj)s"),
    "expense.submit": _("submitted the expense %(obj)s"),
    "expense.approve": _("approved the expense %(obj)s"),
    "expense.reject": _("rejected the expense %(obj)s"),
    "sale.record": _("sold %(obj)s"),
    "sale.void": _("voided the sale of %(obj)s"),
    "invoice.save_draft": _("saved the invoice %(obj)s"),
    "invoice.issue": _("issued invoice %(obj)s"),
    "invoice.void": _("voided invoice %(obj)s"),
    "invoice.email": _("emailed invoice %(obj)s"),
    "payment.record": _("recorded a payment of %(obj)s"),
    "farm.create": _("added the farm %(obj)s"),
    "farm.update": _("updated the farm %(obj)s"),
    "farm.archive": _("archived the farm %(obj)s"),
    "farm.restore": _("brought back the farm %(obj)s"),
    "tenant.create": _("set up %(obj)s"),
    "tenant.update": _("changed the organisation's settings"),
    "invitation.create": _("sent an invitation (%(obj)s)"),
    "invitation.revoke": _("withdrew an invitation (%(obj)s)"),
    "invitation.accept": _("joined the team"),
    "membership.update": _("changed the role of %(obj)s"),
    "membership.remove": _("removed %(obj)s from the team"),
    "role.create": _("added the role %(obj)s"),
    "role.update": _("changed the role %(obj)s"),
    "role.delete": _("deleted the role %(obj)s"),
    "profile.update": _("updated their profile"),
    "finance.approval_limit": _("changed the managers' approval limit"),
    "finance.category_create": _("added the expense category %(obj)s"),
    "finance.contact_save": _("saved the contact %(obj)s"),
}
LINKS = {
    "herd.animal": "herd:detail",
    "farms.farm": "farms:detail",
    "finance.expense": "money:expense",
    "finance.sale": "money:sale",
    "finance.invoice": "money:invoice",
    "finance.contact": "money:contact_edit",
}


@dataclass
class Line:
    when: object
    who: str
    text: str
    url: str | None


def activity_lines(entries, names: dict[int, str]) -> list[Line]:
    """Sentences for audit entries; `names` gives each actor's display name by user id."""
    lines = []
    for entry in entries:
        template = str(SENTENCES.get(entry.action) or gettext_now("made a change: %(obj)s"))
        route = LINKS.get(entry.object_type)
        deleted = entry.action.endswith((".delete", ".remove"))
        url = reverse(route, args=[entry.object_id]) if route and entry.object_id.isdigit() and not deleted else None
        who = names.get(entry.actor_id) or entry.actor_email.split("@")[0] or gettext_now("Someone")
        text = template % {"obj": entry.object_repr} if "%(obj)s" in template else template
        lines.append(Line(when=entry.created_at, who=who, text=text.rstrip(": "), url=url))
    return lines
