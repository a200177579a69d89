"""A signed-in user's memberships (with organisation, role and profile), kept in Redis between requests.

Every request needs them, and reading them was a four-table join: about 1.6 ms of a card's 7. The entry is
valid while it carries the user's current version token; any change to the user, their profile, a membership,
its farms, its role or its organisation sets a new token at once and again once the change commits (signals below, and
`tenant_people_changed()` where code updates rows without saving models). The token is read before the
database, so an entry built from rows older than a change never carries the token set after it.

Only a cache shared by every process keeps the promise: with local memory (one command on a laptop), or while
Redis is unreachable, the memberships are read from the database each time. After restoring the database,
clear the cache (README, operations).
"""

import uuid

from django.core.cache import cache, caches
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from apps.core.cache import RedisWithLocalFallback

SECONDS = 300


def _entry(user_id: int) -> str:
    return f"people:{user_id}"


def _version(user_id: int) -> str:
    return f"people-v:{user_id}"


def _shared() -> bool:
    backend = caches["default"]
    return isinstance(backend, RedisWithLocalFallback) and not backend.degraded


def memberships_for(user, load) -> list:
    """`load()`'s list of the user's memberships, from the cache while nothing about them changed."""
    if not _shared():
        return load()
    version_key, entry_key = _version(user.pk), _entry(user.pk)
    found = cache.get_many([version_key, entry_key])
    version, entry = found.get(version_key), found.get(entry_key)
    if version is not None and entry is not None and entry[0] == version:
        return entry[1]
    if version is None:
        version = uuid.uuid4().hex
        if not cache.add(version_key, version, SECONDS):
            version = cache.get(version_key) or version
    memberships = load()
    cache.set(entry_key, (version, memberships), SECONDS)
    return memberships


def people_changed(user_ids) -> None:
    """Forget the cached memberships of these users now and again when the current transaction commits (an
    entry read between the two from rows not yet committed carries the first token, not the second)."""
    ids = {user_id for user_id in user_ids if user_id is not None}
    if ids:
        _bump(ids)
        transaction.on_commit(lambda: _bump(ids))


def _bump(ids) -> None:
    cache.set_many({_version(user_id): uuid.uuid4().hex for user_id in ids}, SECONDS)


def tenant_people_changed(tenant_id: int) -> None:
    """The organisation changed (or a role of it): forget the cached memberships of all its members."""
    from .models import Membership

    people_changed(Membership.objects.unscoped().filter(tenant_id=tenant_id).values_list("user_id", flat=True))


def _user_saved(sender, instance, **kwargs):
    people_changed([instance.pk])


def _owned_saved(sender, instance, **kwargs):
    people_changed([instance.user_id])


def _tenant_saved(sender, instance, **kwargs):
    tenant_people_changed(instance.pk)


def _role_saved(sender, instance, **kwargs):
    tenant_people_changed(instance.tenant_id)


def _farms_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    if not reverse:
        people_changed([instance.user_id])
    else:
        tenant_people_changed(instance.tenant_id)


def connect() -> None:
    from .models import Membership, Profile, Role, Tenant, User

    for signal in (post_save, post_delete):
        signal.connect(_user_saved, sender=User, dispatch_uid=f"people-user-{signal}")
        signal.connect(_owned_saved, sender=Profile, dispatch_uid=f"people-profile-{signal}")
        signal.connect(_owned_saved, sender=Membership, dispatch_uid=f"people-membership-{signal}")
        signal.connect(_tenant_saved, sender=Tenant, dispatch_uid=f"people-tenant-{signal}")
        signal.connect(_role_saved, sender=Role, dispatch_uid=f"people-role-{signal}")
    m2m_changed.connect(_farms_changed, sender=Membership.farms.through, dispatch_uid="people-farms")
