"""A plan's limits, asked by the services that add things.

The apps that add things stand below the app that sells plans, so they ask here: each app that owns
something a plan counts registers how to count it (`counter_register`) and which of its files take room
(`files_register`); the billing app registers what a plan allows (`rules_register`). With no rules
registered nothing is refused.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

_counters: dict[str, Callable[[int], int | float]] = {}
_files: list[tuple[type, tuple[str, ...]]] = []
_rules: dict[str, Callable] = {}


class LimitReached(ValidationError):
    """A plan limit refuses an addition; the message links to the billing page."""

    def __init__(self, message: str, *, kind: str):
        self.kind = kind
        link = format_html('{} <a href="{}">{}</a>.', message, reverse("billing:home"), _("Choose a bigger plan"))
        super().__init__(link, code="plan_limit")


def counter_register(kind: str, count: Callable[[int], int | float]) -> None:
    _counters[kind] = count


def files_register(model: type, *fields: str) -> None:
    if (model, fields) not in _files:
        _files.append((model, fields))


def rules_register(*, room: Callable[..., str | None], feature: Callable[[int, str], str | None]) -> None:
    """`room(tenant_id, kind, adding)` and `feature(tenant_id, feature)` say why not, or None."""
    _rules.update(room=room, feature=feature)


def count(tenant_id: int, kind: str) -> int | float:
    """What the organisation has now of `kind`."""
    return _counters[kind](tenant_id)


def stored_files() -> list[tuple[type, tuple[str, ...]]]:
    """Each model with the file fields whose size counts towards the plan's storage."""
    return list(_files)


def room_problem(tenant_id: int, kind: str, adding: int | float = 1) -> str | None:
    """Why the organisation cannot add `adding` more of `kind` on its plan, or None when it can."""
    return _rules["room"](tenant_id, kind, adding) if _rules else None


def ensure_room(tenant_id: int, kind: str, adding: int | float = 1) -> None:
    """Raise LimitReached when the plan has no room for `adding` more of `kind`."""
    if problem := room_problem(tenant_id, kind, adding):
        raise LimitReached(problem, kind=kind)


def feature_problem(tenant_id: int, feature: str) -> str | None:
    return _rules["feature"](tenant_id, feature) if _rules else None


def ensure_feature(tenant_id: int, feature: str) -> None:
    if problem := feature_problem(tenant_id, feature):
        raise LimitReached(problem, kind=feature)
