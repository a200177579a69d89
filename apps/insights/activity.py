"""The home page's recent activity, written as sentences in the farm's words."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

# action -> what the person did; {obj} is the object as it was named when the change was made.
SENTENCES = {
    "animal.create": "added {obj} to the herd",
    "animal.import": "imported {obj} into the herd",
    "animal.update": "updated {obj}",
    "animal.sold": "marked {obj} as sold",
    "animal.sale_voided": "brought {obj} back into the herd",
    "group.create": "added the group {obj}",
    "milk.create": "recorded milk: {obj}",
    "milk.update": "corrected a milking: {obj}",
    "milk.delete": "deleted a milking: {obj}",
    "milk.bulk_tank": "read the bulk tank",
    "milk.alert_resolve": "dealt with a milk alert: {obj}",
    "lactation.start": "started {obj}",
    "lactation.dry_off": "dried off {obj}",
    "expense.submit": "submitted the expense {obj}",
    "expense.approve": "approved the expense {obj}",
    "expense.reject": "rejected the expense {obj}",
    "sale.record": "sold {obj}",
    "sale.void": "voided the sale of {obj}",
    "invoice.save_draft": "saved the invoice {obj}",
    "invoice.issue": "issued invoice {obj}",
    "invoice.void": "voided invoice {obj}",
    "invoice.email": "emailed invoice {obj}",
    "payment.record": "recorded a payment of {obj}",
    "farm.create": "added the farm {obj}",
    "farm.update": "updated the farm {obj}",
    "farm.archive": "archived the farm {obj}",
    "farm.restore": "brought back the farm {obj}",
    "tenant.create": "set up {obj}",
    "tenant.update": "changed the organisation's settings",
    "invitation.create": "sent an invitation ({obj})",
    "invitation.revoke": "withdrew an invitation ({obj})",
    "invitation.accept": "joined the team",
    "membership.update": "changed the role of {obj}",
    "membership.remove": "removed {obj} from the team",
    "role.create": "added the role {obj}",
    "role.update": "changed the role {obj}",
    "role.delete": "deleted the role {obj}",
    "profile.update": "updated their profile",
    "finance.approval_limit": "changed the managers' approval limit",
    "finance.category_create": "added the expense category {obj}",
    "finance.contact_save": "saved the contact {obj}",
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
        template = SENTENCES.get(entry.action, "made a change: {obj}")
        route = LINKS.get(entry.object_type)
        deleted = entry.action.endswith((".delete", ".remove"))
        url = reverse(route, args=[entry.object_id]) if route and entry.object_id.isdigit() and not deleted else None
        who = names.get(entry.actor_id) or entry.actor_email.split("@")[0] or "Someone"
        lines.append(Line(when=entry.created_at, who=who, text=template.format(obj=entry.object_repr).rstrip(": "), url=url))
    return lines
