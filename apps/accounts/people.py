"""A signed-in user, their memberships (with organisation, role and profile) and each membership's farms, kept
in Redis between requests.

Every request needs them: the user (the sign-in backend's lookup), the memberships (a four-table join) and the
farms (the switcher, the dashboard cards, the entry page) were three queries, about 2.5 ms of a card's time.
Each entry is valid while it carries the user's current version token; any change to the user, their profile,
a membership, its farms, its role, its organisation or one of the organisation's farms sets a new token at once
and again once the change commits (signals below, and `people_changed()` / `tenant_people_changed()` where code
updates rows without saving models). The token is read before the database, so an entry built from rows older
than a change never carries the token set after it.

Only a cache shared by every process keeps the promise: with local memory (one command on a laptop), or while
Redis is unreachable, the memberships are read from the database each time. After restoring the database,
clear the cache (README, operations).
"""

from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save

from apps.core.cache import new_version, shared, versions_changed

SECONDS = 300


def _entry(user_id: int) -> str:
    return f"people:{user_id}"


def _user_entry(user_id: int) -> str:
    return f"people-user:{user_id}"


def _farms_entry(user_id: int) -> str:
    return f"people-farms:{user_id}"


def _version(user_id: int) -> str:
    return f"people-v:{user_id}"


def _read(user_id: int) -> tuple[str, dict]:
    """The user's version token (made now when there is none) and their cached entries, in one round trip."""
    version_key = _version(user_id)
    found = cache.get_many([version_key, _user_entry(user_id), _entry(user_id), _farms_entry(user_id)])
    return found.get(version_key) or new_version(version_key, SECONDS), found


def _valid(found: dict, key: str, version: str, default=None):
    entry = found.get(key)
    return entry[1] if entry is not None and entry[0] == version else default


def user_for(user_id, load):
    """`load()`'s user (None when they cannot sign in), from the cache while nothing about them changed. The
    memberships and their farms come in the same round trip and wait on the user for `memberships_for`."""
    if not shared():
        return load()
    version, found = _read(user_id)
    user = _valid(found, _user_entry(user_id), version)
    if user is None:
        user = load()
        if user is None:
            return None
        cache.set(_user_entry(user_id), (version, user), SECONDS)
    user._people_version = version
    user._people_memberships = _valid(found, _entry(user_id), version)
    user._people_farms = _valid(found, _farms_entry(user_id), version, {})
    return user


def memberships_for(user, load) -> list:
    """`load()`'s list of the user's memberships, from the cache while nothing about them changed."""
    if not shared():
        return load()
    version = getattr(user, "_people_version", None)  # read with the user by the sign-in backend
    if version is not None:
        memberships, farms = user._people_memberships, user._people_farms
    else:  # a user the sign-in backends did not read (a script, a test)
        version, found = _read(user.pk)
        memberships, farms = _valid(found, _entry(user.pk), version), _valid(found, _farms_entry(user.pk), version, {})
    if memberships is None:
        memberships = load()
        cache.set(_entry(user.pk), (version, memberships), SECONDS)
    for membership in memberships:
        membership._people_version, membership._people_farms = version, farms
    return memberships


def farms_for(membership, load) -> list:
    """`load()`'s list of the membership's farms, from the cache while nothing about them changed (kept per user:
    one entry maps each of their memberships to its farms)."""
    version = getattr(membership, "_people_version", None)  # set when the membership came through the cache
    if version is None or not shared():
        return load()
    known = membership._people_farms
    if membership.pk not in known:
        known[membership.pk] = load()
        cache.set(_farms_entry(membership.user_id), (version, known), SECONDS)
    return known[membership.pk]


def people_changed(user_ids) -> None:
    """Forget the cached memberships of these users now and again when the current transaction commits (an
    entry read between the two from rows not yet committed carries the first token, not the second)."""
    versions_changed({_version(user_id) for user_id in user_ids if user_id is not None}, SECONDS)


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


def _farm_saved(sender, instance, **kwargs):
    tenant_people_changed(instance.tenant_id)


def _farms_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    if not reverse:
        people_changed([instance.user_id])
    else:
        tenant_people_changed(instance.tenant_id)


def connect() -> None:
    from .models import Membership, Profile, Role, Tenant, User, farm_model

    Farm = farm_model()

    for signal in (post_save, post_delete):
        signal.connect(_user_saved, sender=User, dispatch_uid=f"people-user-{signal}")
        signal.connect(_owned_saved, sender=Profile, dispatch_uid=f"people-profile-{signal}")
        signal.connect(_owned_saved, sender=Membership, dispatch_uid=f"people-membership-{signal}")
        signal.connect(_tenant_saved, sender=Tenant, dispatch_uid=f"people-tenant-{signal}")
        signal.connect(_role_saved, sender=Role, dispatch_uid=f"people-role-{signal}")
        signal.connect(_farm_saved, sender=Farm, dispatch_uid=f"people-farm-{signal}")
    m2m_changed.connect(_farms_changed, sender=Membership.farms.through, dispatch_uid="people-farms")
