"""A plan's limits: what each plan allows, registered with apps.core.limits, which the services that add things ask.

Going over a limit never deletes anything: after a downgrade, the organisation keeps what it has
and cannot add more of that kind until it is under the limit again (or on a bigger plan).
"""

from __future__ import annotations

import datetime as dt

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from apps.core import limits

from .models import FEATURES, LIMIT_LABELS, LIMITS, Plan, Subscription, Usage, amount_of


def plan_of(tenant_id: int) -> Plan | None:
    with scopes_disabled():
        subscription = Subscription.objects.select_related("plan").filter(tenant_id=tenant_id).first()
    return subscription.plan if subscription else None


_plans: dict[int, tuple[float, Plan | None]] = {}
PLAN_CACHE_SECONDS = 30.0


def plan_cached(tenant_id: int) -> Plan | None:
    """The plan, kept in this process for 30 s (the API asks on every call; a change is seen within that)."""
    import time

    now = time.monotonic()
    hit = _plans.get(tenant_id)
    if hit is not None and hit[0] > now:
        return hit[1]
    plan = plan_of(tenant_id)
    _plans[tenant_id] = (now + PLAN_CACHE_SECONDS, plan)
    return plan


def api_call_counted(tenant_id: int) -> int:
    """Count one API call in this calendar month; return the month's count so far."""
    from apps.core.cache import count_once_more

    return count_once_more(api_calls_key(tenant_id), timeout=32 * 24 * 3600)


def api_calls_key(tenant_id: int, when: dt.datetime | None = None) -> str:
    return f"api-calls:{tenant_id}:{(when or timezone.now()):%Y%m}"


def count(tenant_id: int, kind: str) -> int | float:
    """What the organisation has now of `kind`: storage from the last half-hourly measure, API calls from the
    month's counter; the rest counted by the app that owns them (registered in apps.core.limits)."""
    with scopes_disabled():
        if kind == "storage_mb":
            usage = Usage.objects.filter(tenant_id=tenant_id).order_by("-month").first()
            return float(usage.storage_mb) if usage else 0.0
        if kind == "api_calls":
            try:
                return int(cache.get(api_calls_key(tenant_id)) or 0)
            except Exception:  # noqa: BLE001  (no cache: the last measure)
                usage = Usage.objects.filter(tenant_id=tenant_id).order_by("-month").first()
                return usage.api_calls if usage else 0
        return limits.count(tenant_id, kind)


def room_problem(tenant_id: int, kind: str, adding: int = 1, *, plan: Plan | None = None) -> str | None:
    """Why the organisation cannot add `adding` more of `kind` on its plan, or None when it can."""
    plan = plan or plan_of(tenant_id)
    if plan is None:
        return None
    limit = plan.limit(kind)
    if limit is None:
        return None
    have = count(tenant_id, kind)
    if have + adding <= limit:
        return None
    holds = amount_of(kind, limit)
    have_text = f"{have:g}" if isinstance(have, float) else str(have)
    if adding > 1:
        return _("Your plan holds %(holds)s; you have %(have)s and are adding %(adding)s.") % {
            "holds": holds, "have": have_text, "adding": adding}
    return _("Your plan holds %(holds)s; you have %(have)s.") % {"holds": holds, "have": have_text}


def feature_problem(tenant_id: int, feature: str) -> str | None:
    plan = plan_of(tenant_id)
    if plan is None or plan.has(feature):
        return None
    return _("%(feature)s is not part of the %(plan)s plan.") % {"feature": FEATURES[feature], "plan": plan.name}


def counts(tenant_id: int) -> dict:
    return {kind: count(tenant_id, kind) for kind in LIMITS}


def usage_now(tenant_id: int, plan: Plan, have: dict | None = None) -> list[dict]:
    """Each limit with what is used, for the billing page's bars."""
    have = have or counts(tenant_id)
    rows = []
    for kind in LIMITS:
        used = have[kind]
        limit = plan.limit(kind)
        percent = min(100, round(100 * used / limit)) if limit else (100 if limit == 0 and used else 0)
        rows.append({"kind": kind, "label": LIMIT_LABELS[kind], "used": used, "limit": limit,
                     "percent": percent, "step": 5 * round(percent / 5), "over": limit is not None and used > limit,
                     "full": limit is not None and used >= limit})
    return rows


def over_limits(tenant_id: int, plan: Plan, have: dict | None = None) -> list[str]:
    """What the organisation has beyond `plan`'s limits, said plainly (for a downgrade's confirmation)."""
    said = []
    for kind in LIMITS:
        limit = plan.limit(kind)
        if limit is None or kind == "api_calls":
            continue
        used = have[kind] if have else count(tenant_id, kind)
        if used > limit:
            said.append(_("you have %(have)s; %(plan)s holds %(limit)s") % {
                "have": amount_of(kind, used), "plan": plan.name, "limit": limit})
    return said


def storage_used_mb(tenant_id: int) -> float:
    """The size of the organisation's files (photos, receipts, reports, invoice PDFs), in MB."""
    from django.core.files.storage import default_storage

    names: list[str] = []
    with scopes_disabled():
        for model, fields in limits.stored_files():
            for row in model.objects.filter(tenant_id=tenant_id).values_list(*fields):
                names.extend(name for name in row if name)
    total = 0
    for name in names:
        try:
            total += default_storage.size(name)
        except (OSError, NotImplementedError):
            continue
    return round(total / (1024 * 1024), 2)
