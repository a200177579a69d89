import zoneinfo
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from apps.core.models import TenantModel, loaded

TIME_ZONE_CHOICES = [("UTC", "UTC")] + [(name, name) for name in sorted(zoneinfo.available_timezones()) if "/" in name and not name.startswith(("Etc/", "SystemV/"))]


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """Authentication only: everything about the person lives on Profile."""

    email = models.EmailField(verbose_name=_("email"), unique=True)
    is_active = models.BooleanField(verbose_name=_("is active"), default=True)
    is_staff = models.BooleanField(verbose_name=_("is staff"), default=False, help_text=_("Platform staff may use the admin site."))
    date_joined = models.DateTimeField(verbose_name=_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    def __str__(self):
        return self.email

    @property
    def display_name(self) -> str:
        profile = getattr(self, "profile", None)
        return (profile.full_name if profile and profile.full_name else self.email)


class Profile(models.Model):
    user = models.OneToOneField(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="profile")
    full_name = models.CharField(verbose_name=_("full name"), max_length=150, blank=True)
    phone = models.CharField(verbose_name=_("phone"), max_length=32, blank=True)
    # Empty: the browser's language, and the organisation's time zone.
    language = models.CharField(verbose_name=_("language"), max_length=8, blank=True, default="", choices=[("", _("As my browser")), *settings.LANGUAGES])
    time_zone = models.CharField(verbose_name=_("time zone"), max_length=64, blank=True, default="", choices=[("", _("As my organisation")), *TIME_ZONE_CHOICES])
    photo = models.ImageField(verbose_name=_("photo"), upload_to="profiles/", blank=True)

    def __str__(self):
        return self.full_name or self.user.email


class MilkUnit(models.TextChoices):
    LITRES = "L", _("Litres")
    KILOGRAMS = "kg", _("Kilograms")


class Tenant(models.Model):
    """An organisation: the unit of data isolation and of billing."""

    name = models.CharField(verbose_name=_("name"), max_length=120)
    slug = models.SlugField(verbose_name=_("slug"), max_length=140, unique=True)
    country = models.CharField(verbose_name=_("country"), max_length=2, help_text=_("ISO 3166 country code, e.g. KE"))
    currency = models.CharField(verbose_name=_("currency"), max_length=3, help_text=_("ISO 4217 currency code, e.g. KES"))
    milk_unit = models.CharField(verbose_name=_("milk unit"), max_length=2, choices=MilkUnit.choices, default=MilkUnit.LITRES)
    time_zone = models.CharField(verbose_name=_("time zone"), max_length=64, choices=TIME_ZONE_CHOICES, default="UTC")
    language = models.CharField(verbose_name=_("language"), 
        max_length=8, blank=True, default="", choices=[("", _("As each person's browser")), *settings.LANGUAGES],
        help_text=_("The language of members who have not chosen their own."))
    milk_price = models.DecimalField(verbose_name=_("milk price"), 
        max_digits=12, decimal_places=2, null=True, blank=True,
        help_text=_("What the organisation is paid per litre or kg of milk: puts a price on milk discarded."),
    )
    other_gestation_days = models.PositiveSmallIntegerField(
        _("gestation of other species (days)"), null=True, blank=True,
        validators=[MinValueValidator(20), MaxValueValidator(700)],
        help_text=_("For animals of the species \"other\": the expected birth is this many days after the service."),
    )
    inbreeding_warn_percent = models.DecimalField(
        _("inbreeding warning above (%)"), max_digits=4, decimal_places=2, default=Decimal("6.25"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("50"))],
        help_text=_("A planned calf whose coefficient of inbreeding is above this is flagged (6.25 %: a mating of cousins)."),
    )
    voluntary_waiting_days = models.PositiveSmallIntegerField(
        _("voluntary waiting period (days)"), default=50, validators=[MinValueValidator(20), MaxValueValidator(150)],
        help_text=_("Days after calving before a cow is meant to be served: the fertility figures count her from then."),
    )
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    is_active = models.BooleanField(verbose_name=_("is active"), default=True)
    require_second_factor = models.BooleanField(
        _("owners and managers must use a second factor"), default=False,
        help_text=_("An authenticator app or a passkey, set up before they can use anything else."),
    )
    # The head of the organisation's audit chain (PostgreSQL): taking the next number locks and reads it in
    # one statement, and the entry's insert moves it on in one more (apps/audit/services.py).
    audit_seq = models.PositiveBigIntegerField(verbose_name=_("audit seq"), default=0, editable=False)
    audit_head = models.CharField(verbose_name=_("audit head"), max_length=64, default="0" * 64, editable=False)
    # Why the organisation is read-only ("" when it is not): set by billing (apps/billing/services.py).
    read_only_reason = models.CharField(verbose_name=_("read only reason"), max_length=300, blank=True, default="", editable=False)
    # Bumped by every change to policies, delegations, roles or memberships (apps/accounts/access.py).
    access_version = models.PositiveIntegerField(verbose_name=_("access version"), default=0, editable=False)

    class Meta:
        verbose_name = _("organisation")

    def __str__(self):
        return self.name


# The built-in roles' names as stored (permissions.BUILTIN_ROLES gives them to each organisation); shown in the
# reader's language until the organisation renames one (Role.label).
BUILTIN_ROLE_NAMES = {"owner": gettext_noop("Owner"), "manager": gettext_noop("Manager"), "milker": gettext_noop("Milker"),
                      "vet": gettext_noop("Vet"), "accountant": gettext_noop("Accountant"), "worker": gettext_noop("Worker"),
                      "viewer": gettext_noop("Viewer")}


class Role(TenantModel):
    """A named set of permissions. Built-in roles are copied into every tenant at creation."""

    key = models.SlugField(verbose_name=_("key"), max_length=40, db_index=False)
    name = models.CharField(verbose_name=_("name"), max_length=60)
    permissions = models.JSONField(verbose_name=_("permissions"), default=list)
    is_builtin = models.BooleanField(verbose_name=_("is builtin"), default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "key"], name="role_tenant_key_uniq")]
        ordering = ["id"]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        """A built-in role's name in the reader's language, until the organisation renames it."""
        from django.utils.translation import gettext

        if self.is_builtin and BUILTIN_ROLE_NAMES.get(self.key) == self.name:
            return gettext(self.name)
        return self.name


class Membership(TenantModel):
    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships")
    role = models.ForeignKey(Role, verbose_name=_("role"), on_delete=models.PROTECT, related_name="memberships")
    all_farms = models.BooleanField(verbose_name=_("all farms"), default=True, help_text=_("Sees every farm of the organisation."))
    farms = models.ManyToManyField("farms.Farm", verbose_name=_("farms"), blank=True, related_name="+")
    is_active = models.BooleanField(verbose_name=_("is active"), default=True)
    is_service = models.BooleanField(verbose_name=_("is service"), default=False, help_text=_("Acts for an API key, not for a person."))
    joined_at = models.DateTimeField(verbose_name=_("joined at"), auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "user"], name="membership_tenant_user_uniq")]
        indexes = [models.Index(fields=["tenant", "role"], name="membership_tenant_role_idx")]

    def __str__(self):
        user = loaded(self, "user")
        return user.display_name if user else f"member {self.pk}"

    @property
    def is_owner(self) -> bool:
        return self.role.key == "owner"


def farm_model():
    """The farm model, through the relation a membership declares (the farms app stands above this one)."""
    return Membership._meta.get_field("farms").related_model


class Invitation(TenantModel):
    email = models.EmailField(verbose_name=_("email"))
    role = models.ForeignKey(Role, verbose_name=_("role"), on_delete=models.CASCADE, related_name="+")
    all_farms = models.BooleanField(verbose_name=_("all farms"), default=True)
    farms = models.ManyToManyField("farms.Farm", verbose_name=_("farms"), blank=True, related_name="+")
    # The link carries the invitation id and a secret; only the secret's SHA-256 is stored.
    token_hash = models.CharField(verbose_name=_("token hash"), max_length=64)
    invited_by = models.ForeignKey(User, verbose_name=_("invited by"), on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(verbose_name=_("expires at"))
    accepted_at = models.DateTimeField(verbose_name=_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(User, verbose_name=_("accepted by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    revoked_at = models.DateTimeField(verbose_name=_("revoked at"), null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["tenant", "email"], name="invitation_tenant_email_idx")]
        ordering = ["-created_at"]

    def __str__(self):
        return f"Invitation for {self.email}"

    @property
    def is_usable(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()


class LoginFailure(models.Model):
    """Failed logins, kept in the database so the login limit holds when the cache is down."""

    email = models.CharField(verbose_name=_("email"), max_length=254, db_index=True)
    ip = models.GenericIPAddressField(verbose_name=_("ip"), null=True)
    created_at = models.DateTimeField(verbose_name=_("created at"), default=timezone.now, db_index=True)


WEEKDAYS = [(0, "Mon"), (1, "Tue"), (2, "Wed"), (3, "Thu"), (4, "Fri"), (5, "Sat"), (6, "Sun")]


class Policy(TenantModel):
    """Conditions that narrow what a role or one member may do.

    A policy covers some permissions (none listed: all of them) and, while it is in force, those
    permissions hold only inside its time window (days and hours in the farm's time zone), up to its
    amount, on its farms, and until its end date. It never grants anything the role lacks.
    """

    name = models.CharField(verbose_name=_("name"), max_length=80)
    role = models.ForeignKey(Role, verbose_name=_("role"), on_delete=models.CASCADE, null=True, blank=True, related_name="policies")
    membership = models.ForeignKey(Membership, verbose_name=_("membership"), on_delete=models.CASCADE, null=True, blank=True, related_name="policies")
    permissions = models.JSONField(verbose_name=_("permissions"), default=list, blank=True, help_text=_("The permissions it narrows; none: all."))
    days = models.JSONField(verbose_name=_("days"), default=list, blank=True, help_text=_("Weekdays (0 Monday to 6 Sunday); none: every day."))
    start_time = models.TimeField(verbose_name=_("start time"), null=True, blank=True)
    end_time = models.TimeField(verbose_name=_("end time"), null=True, blank=True)
    amount_limit = models.DecimalField(verbose_name=_("amount limit"), max_digits=14, decimal_places=2, null=True, blank=True)
    farms = models.ManyToManyField("farms.Farm", verbose_name=_("farms"), blank=True, related_name="+")
    ends_on = models.DateField(_("access ends on"), null=True, blank=True)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)

    class Meta:
        verbose_name_plural = _("policies")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(role__isnull=False, membership__isnull=True)
                           | models.Q(role__isnull=True, membership__isnull=False)),
                name="policy_one_target",
            ),
            models.CheckConstraint(condition=models.Q(amount_limit__gte=0) | models.Q(amount_limit__isnull=True),
                                   name="policy_amount_not_negative"),
            models.CheckConstraint(
                condition=(models.Q(start_time__isnull=True, end_time__isnull=True)
                           | models.Q(start_time__lt=models.F("end_time"))),
                name="policy_window_ordered",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def day_names(self) -> str:
        return ", ".join(str(label) for day, label in WEEKDAYS if day in self.days)


class Delegation(TenantModel):
    """A member's permissions lent to another member of the same organisation for a period."""

    delegator = models.ForeignKey(Membership, verbose_name=_("delegator"), on_delete=models.CASCADE, related_name="delegations_given")
    delegate = models.ForeignKey(Membership, verbose_name=_("delegate"), on_delete=models.CASCADE, related_name="delegations_received")
    permissions = models.JSONField(verbose_name=_("permissions"), default=list)
    starts_on = models.DateField(verbose_name=_("starts on"))
    ends_on = models.DateField(verbose_name=_("ends on"))
    note = models.CharField(verbose_name=_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    revoked_at = models.DateTimeField(verbose_name=_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(Membership, verbose_name=_("revoked by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(delegator=models.F("delegate")), name="delegation_not_self"),
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="delegation_ordered"),
        ]

    def __str__(self):
        return f"Delegation {self.pk}"


class Device(models.Model):
    """A browser a person signs in from, known by a long-lived cookie (only its hash is kept)."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="devices")
    key_hash = models.CharField(verbose_name=_("key hash"), max_length=64)
    name = models.CharField(verbose_name=_("name"), max_length=120)
    user_agent = models.CharField(verbose_name=_("user agent"), max_length=300, blank=True)
    first_seen = models.DateTimeField(verbose_name=_("first seen"), default=timezone.now)
    last_seen = models.DateTimeField(verbose_name=_("last seen"), default=timezone.now)
    last_ip = models.GenericIPAddressField(verbose_name=_("last ip"), null=True, blank=True)
    trusted = models.BooleanField(verbose_name=_("trusted"), default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key_hash"], name="device_user_key_uniq")]
        ordering = ["-last_seen"]

    def __str__(self):
        return self.name


class AbuseEvent(models.Model):
    """Something an address did that counts against it: kept 90 days."""

    class Kind(models.TextChoices):
        LOGIN_FAILED = "login_failed", _("Failed login")
        REFUSED = "refused", _("Refused request")
        API_REFUSED = "api_refused", _("Refused API call")
        RATE_LIMITED = "rate_limited", _("Rate limit hit")
        BLOCKED = "blocked", _("Address blocked")

    ip = models.GenericIPAddressField(verbose_name=_("ip"))
    kind = models.CharField(verbose_name=_("kind"), max_length=20, choices=Kind.choices)
    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    tenant_id = models.BigIntegerField(verbose_name=_("tenant id"), null=True, blank=True)
    detail = models.CharField(verbose_name=_("detail"), max_length=300, blank=True)
    created_at = models.DateTimeField(verbose_name=_("created at"), default=timezone.now, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["ip", "-created_at"], name="abuse_ip_created_idx")]
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_kind_display()} from {self.ip}"


class IpBlock(models.Model):
    """An address refused until a time, by its reputation or by staff."""

    ip = models.GenericIPAddressField(verbose_name=_("ip"), db_index=True)
    until = models.DateTimeField(verbose_name=_("until"))
    reason = models.CharField(verbose_name=_("reason"), max_length=200)
    created_at = models.DateTimeField(verbose_name=_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("blocked address")

    def __str__(self):
        return f"{self.ip} until {self.until:%Y-%m-%d %H:%M}"


class RateRule(models.Model):
    """A rate limit held as data: at most `limit` requests per `window_seconds` per scope."""

    class Scope(models.TextChoices):
        IP = "ip", _("Address")
        USER = "user", _("User")
        TENANT = "tenant", _("Organisation")
        API_KEY = "api_key", _("API key")

    class Action(models.TextChoices):
        THROTTLE = "throttle", _("Throttle (429 until the window passes)")
        BLOCK = "block", _("Block the address")

    name = models.CharField(verbose_name=_("name"), max_length=80)
    scope = models.CharField(verbose_name=_("scope"), max_length=10, choices=Scope.choices)
    path_prefix = models.CharField(verbose_name=_("path prefix"), max_length=100, blank=True, help_text=_("Only paths starting with this; empty: all."))
    methods = models.CharField(verbose_name=_("methods"), max_length=40, blank=True, help_text=_("e.g. POST,PUT; empty: every method."))
    window_seconds = models.PositiveIntegerField(verbose_name=_("window seconds"), validators=[MinValueValidator(1)])
    limit = models.PositiveIntegerField(verbose_name=_("limit"), validators=[MinValueValidator(1)])
    action = models.CharField(verbose_name=_("action"), max_length=10, choices=Action.choices, default=Action.THROTTLE)
    block_minutes = models.PositiveIntegerField(verbose_name=_("block minutes"), default=60, validators=[MinValueValidator(1)])
    is_active = models.BooleanField(verbose_name=_("is active"), default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(window_seconds__gt=0), name="raterule_window_positive"),
            models.CheckConstraint(condition=models.Q(limit__gt=0), name="raterule_limit_positive"),
        ]

    def __str__(self):
        return self.name


class SsoConnection(models.Model):
    """An organisation's own identity provider (OpenID Connect or SAML 2.0), through allauth's SocialApp.

    Not a tenant table: sign-in routes an email domain to its organisation before any tenant is known (a
    small global table, like the organisations'). A connection routes nobody until its organisation proved
    it holds the domain (a DNS TXT record, `verified_at`); once one organisation has, no other may claim it.
    """

    tenant = models.ForeignKey(Tenant, verbose_name=_("tenant"), on_delete=models.CASCADE, related_name="sso_connections")
    class Protocol(models.TextChoices):
        OIDC = "oidc", _("OpenID Connect")
        SAML = "saml", _("SAML 2.0")

    name = models.CharField(verbose_name=_("name"), max_length=80, help_text=_("What the sign-in button says, e.g. Green Acres Microsoft"))
    protocol = models.CharField(verbose_name=_("protocol"), max_length=4, choices=Protocol.choices)
    app = models.OneToOneField("socialaccount.SocialApp", verbose_name=_("app"), on_delete=models.CASCADE, related_name="+")
    email_domain = models.CharField(verbose_name=_("email domain"), max_length=120, help_text=_("People whose email ends with @ this."))
    verification_token = models.CharField(verbose_name=_("verification token"), max_length=64, default="")
    verified_at = models.DateTimeField(verbose_name=_("verified at"), null=True, blank=True)
    require_sso = models.BooleanField(_("require single sign-on for this domain"), default=False,
                                      help_text=_("Passwords no longer sign in addresses of the domain."))
    role = models.ForeignKey(Role, verbose_name=_("role"), on_delete=models.PROTECT, related_name="+",
                             help_text=_("The role of someone who signs in for the first time."))
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("single sign-on connection")
        constraints = [
            models.UniqueConstraint(fields=["email_domain"], condition=models.Q(verified_at__isnull=False),
                                    name="sso_domain_verified_once"),
            models.UniqueConstraint(fields=["tenant", "email_domain"], name="sso_domain_once_per_tenant"),
        ]

    @property
    def txt_name(self) -> str:
        """Where the organisation publishes the TXT record that proves it holds the domain."""
        return f"_ifarm-challenge.{self.email_domain}"

    @property
    def txt_value(self) -> str:
        return f"ifarm-domain-verification={self.verification_token}"

    def __str__(self):
        return self.name
