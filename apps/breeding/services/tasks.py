"""Farm tasks (set by someone, maybe repeating) and the morning round that tells people what is due."""

from __future__ import annotations

import calendar as months
import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.models import Membership
from apps.accounts.permissions import can
from apps.audit.services import Actor, audit_append
from apps.core.dates import date_problem
from apps.core.words import later
from apps.notify.models import Notification
from apps.notify.services import notification_create, notify

from ..models import Task

TASK_FIELDS = ["farm", "title", "animal", "group", "due_on", "assignee", "repeat"]


def next_due(due_on: dt.date, repeat: str) -> dt.date | None:
    """When a repeating task comes round again (a monthly one on the 31st falls on the month's last day)."""
    if repeat == Task.Repeat.DAILY:
        return due_on + dt.timedelta(days=1)
    if repeat == Task.Repeat.WEEKLY:
        return due_on + dt.timedelta(days=7)
    if repeat == Task.Repeat.MONTHLY:
        year, month = (due_on.year + 1, 1) if due_on.month == 12 else (due_on.year, due_on.month + 1)
        return dt.date(year, month, min(due_on.day, months.monthrange(year, month)[1]))
    return None


def _validate(membership, task: Task) -> dict[str, str]:
    errors: dict[str, str] = {}
    tenant_id = membership.tenant_id
    if not task.title:
        errors["title"] = _("Say what is to be done.")
    if task.farm_id is None or task.farm.tenant_id != tenant_id or task.farm.is_archived or not can(membership, "herd.manage", task.farm):
        errors["farm"] = _("Pick an active farm you work on.")
    elif task.animal_id and (task.animal.tenant_id != tenant_id or task.animal.farm_id != task.farm_id):
        errors["animal"] = _("Pick an animal of this farm.")
    elif task.group_id and (task.group.tenant_id != tenant_id or task.group.farm_id != task.farm_id):
        errors["group"] = _("Pick a group of this farm.")
    if task.assignee_id:
        assignee = task.assignee
        if assignee.tenant_id != tenant_id or not assignee.is_active:
            errors["assignee"] = _("Pick someone of the team.")
        elif task.farm_id and not errors.get("farm") and not can(assignee, "herd.view", task.farm):
            errors["assignee"] = _("%(display_name)s does not work on %(farm)s.") % {"display_name": assignee.user.display_name, "farm": task.farm}
    if task.due_on is None:
        errors["due_on"] = _("Give the day it is due.")
    elif problem := date_problem(task.due_on):
        errors["due_on"] = problem
    if task.repeat not in Task.Repeat.values:
        errors["repeat"] = _("Pick how often it comes round.")
    return errors


@transaction.atomic
def task_save(*, membership, task: Task | None = None, **values) -> Task:
    if not can(membership, "herd.manage") or (task is not None and not can(membership, "herd.manage", task)):
        raise PermissionDenied
    if task is not None:
        task = Task.objects.select_for_update().get(pk=task.pk, tenant_id=membership.tenant_id)
        if task.state != Task.State.OPEN:
            raise ValidationError(_("This task is closed."))
    task = task or Task(tenant_id=membership.tenant_id, created_by=membership)
    for key in TASK_FIELDS:
        if key in values:
            value = values[key]
            setattr(task, key, value.strip() if isinstance(value, str) else value)
    if errors := _validate(membership, task):
        raise ValidationError(errors)
    task.save()
    audit_append(actor=Actor.of(membership), action="task.save", obj=task, farm_id=task.farm_id, permission="herd.manage",
                 after={"title": task.title, "due_on": task.due_on, "assignee": task.assignee_id, "repeat": task.repeat})
    return task


@transaction.atomic
def task_close(*, membership, task: Task, state: str) -> Task | None:
    """Mark the task done or skipped (who and when); a repeating one comes back on its next day, which is returned."""
    task = Task.objects.select_for_update().select_related("farm").get(pk=task.pk, tenant_id=membership.tenant_id)
    if not can(membership, "herd.view", task.farm) or not (can(membership, "herd.manage", task.farm) or task.assignee_id == membership.pk):
        raise PermissionDenied
    if state not in (Task.State.DONE, Task.State.SKIPPED):
        raise ValidationError(_("Mark it done or skipped."))
    if task.state != Task.State.OPEN:
        raise ValidationError(_("Already %(state)s.") % {"state": task.get_state_display().lower()})
    task.state, task.closed_at, task.closed_by = state, timezone.now(), membership
    task.save(update_fields=["state", "closed_at", "closed_by", "updated_at"])
    following = None
    if due := next_due(task.due_on, task.repeat):
        following = Task.objects.create(tenant_id=task.tenant_id, farm=task.farm, title=task.title, animal_id=task.animal_id,
                                        group_id=task.group_id, due_on=max(due, task.farm.local_today()), assignee_id=task.assignee_id,
                                        repeat=task.repeat, created_by=task.created_by)
    audit_append(actor=Actor.of(membership), action=f"task.{state}", obj=task, farm_id=task.farm_id, permission="herd.view",
                 after={"title": task.title, "next": getattr(following, "due_on", None)})
    return following


def reminders_send(*, tenant_id: int, today: dt.date) -> int:
    """The morning round: each assignee hears of their tasks due, and each member who looks after a
    farm's animals hears what the records say is due there. Run twice, it sends nothing new."""
    from ..selectors import TODAY_LABELS, today_for

    sent = 0
    url = reverse("breeding:today")
    due_tasks = (Task.objects.filter(tenant_id=tenant_id, state=Task.State.OPEN, due_on__lte=today).exclude(assignee=None)
                 .filter(notified_on__isnull=True).select_related("assignee", "farm"))
    for task in due_tasks:
        if task.due_on < today:
            title = later(gettext_lazy("To do on %(farm)s: %(task)s (due %(day)s)"), farm=str(task.farm), task=task.title, day=task.due_on)
        else:
            title = later(gettext_lazy("To do on %(farm)s: %(task)s"), farm=str(task.farm), task=task.title)
        notification_create(tenant_id=tenant_id, user_id=task.assignee.user_id, title=title,
                            url=url, kind="task_due")
        Task.objects.filter(pk=task.pk).update(notified_on=today)
        sent += 1
    from apps.farms.models import Farm

    farm_names = dict(Farm.objects.filter(tenant_id=tenant_id).values_list("pk", "name"))
    members = (Membership.objects.filter(tenant_id=tenant_id, is_active=True, is_service=False)
               .select_related("role", "tenant", "user__profile"))
    for member in members:
        if not can(member, "herd.manage"):
            continue
        due = today_for(member, today)
        for item in due["due_soon"]:
            sent += bool(notify(membership=member, kind="calving_due", url=url, key=f"calving:{item.service.pk}",
                                context={"animal": str(item.animal), "due_on": item.when, "farm": farm_names.get(item.animal.farm_id, "")}))
        for treatment in due["withdrawals_ending"]:
            sent += bool(notify(membership=member, kind="withdrawal_ending", url=url, key=f"withdrawal:{treatment.pk}",
                                context={"animal": str(treatment.animal), "product": treatment.product_name,
                                         "ends_on": timezone.localtime(treatment.milk_withdrawal_ends_at)}))
        counts = [(label, len(due[key])) for key, label in TODAY_LABELS if due.get(key)]
        if not counts:
            continue
        title = "Due today: " + ", ".join(f"{n} {label}" for label, n in counts)
        already = Notification.objects.filter(tenant_id=tenant_id, user_id=member.user_id, url=url, title=title[:140],
                                              created_at__date__gte=today - dt.timedelta(days=1)).exists()
        if not already:
            notification_create(tenant_id=tenant_id, user_id=member.user_id, title=title, url=url, kind="task_due")
            sent += 1
    return sent

