"""Reads for memberships, roles and invitations."""

from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from .access import snapshot_for
from .models import Invitation, Membership, Role, User, farm_model
from .people import farms_for, memberships_for
from .permissions import farm_ids_of, visible_to


def members_counted(tenant_id: int) -> int:
    """The members a plan counts: active people (not program accounts) and invitations still open."""
    with scopes_disabled():
        members = Membership.objects.filter(tenant_id=tenant_id, is_active=True, is_service=False).count()
        waiting = Invitation.objects.filter(tenant_id=tenant_id, accepted_at=None, revoked_at=None,
                                            expires_at__gt=timezone.now()).count()
    return members + waiting


def users_of_members(tenant_id: int, membership_ids) -> dict[int, User]:
    """The users behind these memberships of the organisation, with their profiles: the "by" of the records an
    animal's timeline lists, read once for all of them (none when there are none)."""
    ids = {pk for pk in membership_ids if pk is not None}
    if not ids:
        return {}
    members = Membership.objects.filter(tenant_id=tenant_id, pk__in=ids).select_related("user__profile").only(
        "tenant_id", "user__email", "user__profile__full_name")
    return {member.pk: member.user for member in members}


def memberships_of(user: User):
    """The user's active memberships in every organisation, for the switcher."""
    return (
        Membership.objects.unscoped()
        .filter(user=user, is_active=True, tenant__is_active=True)
        .select_related("tenant", "role", "user__profile")
        .order_by("tenant__name")
    )


def membership_for_request(user: User, tenant_id: int | None) -> tuple[Membership | None, list[Membership]]:
    """The membership the request acts through (the session's organisation, else the first) and all of the
    user's memberships, read in one query: the organisation switcher lists them."""
    memberships = memberships_for(user, lambda: _ready(list(memberships_of(user))))
    chosen = next((m for m in memberships if m.tenant_id == tenant_id), None) if tenant_id is not None else None
    return chosen or (memberships[0] if memberships else None), memberships


def _ready(memberships: list[Membership]) -> list[Membership]:
    """Memberships with what every request asks of them already on board (their organisation's access snapshot,
    their farm scope), so that a copy kept in the cache of people brings it along."""
    for membership in memberships:
        snapshot_for(membership)
        with scope(tenant=membership.tenant_id):  # read before the request's tenant scope is set
            farm_ids_of(membership)
    return memberships


def team_of(membership: Membership):
    return (
        Membership.objects.filter(tenant_id=membership.tenant_id, is_active=True, is_service=False)
        .select_related("user__profile", "role")
        .prefetch_related("farms")
        .order_by("role_id", "user__email")
    )


def get_member_for(membership: Membership, pk: int) -> Membership:
    member = (
        Membership.objects.filter(tenant_id=membership.tenant_id, is_active=True, is_service=False, pk=pk)
        .select_related("user", "role", "tenant")
        .first()
    )
    if member is None:
        raise Http404
    return member


API_ROLE_PREFIX = "api-"  # the permissions picked for one API key: a role of its own, not listed with the others


def roles_of(membership: Membership):
    return Role.objects.filter(tenant_id=membership.tenant_id).exclude(key__startswith=API_ROLE_PREFIX).order_by("id")


def roles_assignable_by(membership: Membership):
    """The roles this member may give in the team pages: the Owner role only if they are an owner."""
    roles = roles_of(membership)
    return roles if membership.is_owner else roles.exclude(key="owner")


def roles_with_members(membership: Membership):
    """The organisation's roles with how many active members hold each (one query)."""
    return roles_of(membership).annotate(members=Count("memberships", filter=Q(memberships__is_active=True)))


def get_role_for(membership: Membership, pk: int) -> Role:
    role = roles_of(membership).filter(pk=pk).first()
    if role is None:
        raise Http404
    return role


def pending_invitations_of(membership: Membership):
    return (
        Invitation.objects.filter(tenant_id=membership.tenant_id, accepted_at=None, revoked_at=None)
        .select_related("role")
        .prefetch_related("farms")
    )


def get_invitation_for(membership: Membership, pk: int) -> Invitation:
    invitation = Invitation.objects.filter(tenant_id=membership.tenant_id, pk=pk).first()
    if invitation is None:
        raise Http404
    return invitation


def user_exists(email: str) -> bool:
    return User.objects.filter(email__iexact=email).exists()


def get_user_session_for(user: User, pk: int):
    """One of the user's own sessions, or 404 (another user's session is not theirs to see)."""
    from allauth.usersessions.models import UserSession

    session = UserSession.objects.filter(user=user, pk=pk).first()
    if session is None:
        raise Http404
    return session


# The farms a member may see -------------------------------------------------------------------------


def farms_visible_to(membership, *, include_archived: bool = False):
    """The farms of the member's organisation that are within the member's farm scope."""
    farms = visible_to(farm_model().objects.all(), membership, "pk")
    if not include_archived:
        farms = farms.filter(archived_at=None)
    return farms.order_by("name")


def farm_list(membership) -> list:
    """The member's farms as a list, read once a request: the layout's farm switcher and the dashboard cards
    both ask. Kept on the request's membership (the farm services forget it when a farm changes: forget_farms)
    and between requests in the cache of people (people.py)."""
    found = getattr(membership, "_farm_list", None)
    if found is None:
        found = membership._farm_list = farms_for(membership, lambda: list(farms_visible_to(membership)))
    return found


def forget_farms(membership) -> None:
    """Drop what the membership remembers of its farms (farm_list here, farm_ids_of in permissions)."""
    membership.__dict__.pop("_farm_list", None)
    membership.__dict__.pop("_farm_ids", None)


def get_farm_for(membership, pk: int) -> object:
    """The farm, or 404 when it is not the member's organisation's or outside their scope."""
    farm = farms_visible_to(membership, include_archived=True).filter(pk=pk).first()
    if farm is None:
        raise Http404
    return farm
