from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from apps.core.uploads import PhotoField

from .models import TIME_ZONE_CHOICES, MilkUnit, Profile, Role, Tenant, farm_model
from .permissions import CATALOGUE

CURRENCY_CHOICES = [
    ("KES", _("KES: Kenyan shilling")),
    ("UGX", _("UGX: Ugandan shilling")),
    ("TZS", _("TZS: Tanzanian shilling")),
    ("RWF", _("RWF: Rwandan franc")),
    ("ETB", _("ETB: Ethiopian birr")),
    ("NGN", _("NGN: Nigerian naira")),
    ("GHS", _("GHS: Ghanaian cedi")),
    ("ZAR", _("ZAR: South African rand")),
    ("INR", _("INR: Indian rupee")),
    ("USD", _("USD: US dollar")),
    ("EUR", _("EUR: Euro")),
    ("GBP", _("GBP: Pound sterling")),
]


class OrganisationFields(forms.Form):
    organisation_name = forms.CharField(label=_("Farm business name"), max_length=120)
    country = forms.RegexField(label=_("Country"), 
        regex=r"^[A-Za-z]{2}$", max_length=2, initial="KE",
        help_text=_("Two-letter country code, e.g. KE"), error_messages={"invalid": "Enter a two-letter country code."},
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES, initial="KES")
    milk_unit = forms.ChoiceField(choices=MilkUnit.choices, initial=MilkUnit.LITRES, label=_("Milk is measured in"))
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=TIME_ZONE_CHOICES, initial="Africa/Nairobi")


class OrganisationSignupForm(OrganisationFields):
    """Extra sign-up fields: whoever signs up owns a new organisation."""

    full_name = forms.CharField(label=_("Your name"), max_length=150)

    field_order = ["full_name", "email", "password1", "password2", "organisation_name", "country", "currency", "milk_unit", "time_zone"]

    def signup(self, request, user):
        from .services import profile_for, tenant_create

        profile = profile_for(user)
        profile.full_name = self.cleaned_data["full_name"]
        profile.time_zone = self.cleaned_data["time_zone"]
        profile.save(update_fields=["full_name", "time_zone"])
        tenant_create(
            owner=user,
            name=self.cleaned_data["organisation_name"],
            country=self.cleaned_data["country"],
            currency=self.cleaned_data["currency"],
            milk_unit=self.cleaned_data["milk_unit"],
            time_zone=self.cleaned_data["time_zone"],
        )


class OrganisationForm(forms.ModelForm):
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES)

    class Meta:
        model = Tenant
        fields = ["name", "country", "currency", "milk_unit", "time_zone", "language", "other_gestation_days",
                  "voluntary_waiting_days", "inbreeding_warn_percent", "require_second_factor"]


class InvitationSignupForm(forms.Form):
    """An invited person creates their account; the invitation already proves the email."""

    full_name = forms.CharField(label=_("Your name"), max_length=150)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def __init__(self, *args, email: str, **kwargs):
        self.email = email
        super().__init__(*args, **kwargs)

    def clean_password(self):
        from .models import User

        password = self.cleaned_data["password"]
        validate_password(password, User(email=self.email))
        return password


class MemberAccessForm(forms.Form):
    role = forms.ModelChoiceField(label=_("Role"), queryset=Role.objects.none(), empty_label=None)
    all_farms = forms.BooleanField(required=False, initial=True, label=_("All farms, including new ones"))
    farms = forms.ModelMultipleChoiceField(
        queryset=farm_model().objects.none(), required=False, widget=forms.CheckboxSelectMultiple, label=_("Only these farms")
    )

    def __init__(self, *args, roles, farms, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = roles
        self.fields["farms"].queryset = farms

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("all_farms") and not cleaned.get("farms"):
            raise ValidationError({"farms": _("Pick at least one farm, or give access to all farms.")})
        return cleaned


class InvitationForm(MemberAccessForm):
    email = forms.EmailField(label=_("Email"))

    field_order = ["email", "role", "all_farms", "farms"]


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Profile
        fields = ["full_name", "phone", "language", "time_zone", "photo"]
        field_classes = {"photo": PhotoField}


class RoleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60)
    permissions = forms.MultipleChoiceField(label=_("Permissions"), 
        choices=list(CATALOGUE.items()), widget=forms.CheckboxSelectMultiple, required=False,
        help_text=_("What someone with this role may do; their farm scope is set per member."),
    )


DATE = {"type": "date"}


class PolicyForm(forms.Form):
    """A policy as a browser sends it: selects always send a value, so "nobody" is an empty choice."""

    name = forms.CharField(label=_("Name"), max_length=80, help_text=_("e.g. Milking hours, Expense limit, Harvest helpers"))
    role = forms.ModelChoiceField(queryset=Role.objects.none(), required=False, empty_label=_("(a single member instead)"),
                                  label=_("Applies to the role"))
    member = forms.ModelChoiceField(queryset=None, required=False, empty_label=_("(the whole role instead)"),
                                    label=_("or to one member"))
    permissions = forms.MultipleChoiceField(label=_("Permissions"), 
        choices=list(CATALOGUE.items()), widget=forms.CheckboxSelectMultiple, required=False,
        help_text=_("The permissions it narrows; none ticked: every permission."))
    days = forms.TypedMultipleChoiceField(
        choices=[(0, _("Mon")), (1, _("Tue")), (2, _("Wed")), (3, _("Thu")), (4, _("Fri")), (5, _("Sat")), (6, _("Sun"))], coerce=int,
        widget=forms.CheckboxSelectMultiple, required=False, label=_("On these days"), help_text=_("None ticked: every day."))
    start_time = forms.TimeField(required=False, label=_("From"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                                 help_text=_("In the farm's time zone."))
    end_time = forms.TimeField(required=False, label=_("Until"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                               help_text=_("Not included: until 21:00 allows 20:59, not 21:00."))
    amount_limit = forms.DecimalField(required=False, max_digits=14, decimal_places=4, label=_("Amount limit"),
                                      help_text=_("e.g. approve expenses up to this amount; empty: no limit."))
    farms = forms.ModelMultipleChoiceField(queryset=farm_model().objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
                                           label=_("Only on these farms"), help_text=_("None ticked: every farm."))
    ends_on = forms.DateField(required=False, label=_("Access ends on"), widget=forms.DateInput(attrs=DATE),
                              help_text=_("After this day the permissions it covers are refused."))

    def __init__(self, *args, roles, members, farms, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = roles
        self.fields["member"].queryset = members
        self.fields["member"].label_from_instance = lambda m: f"{m.user.display_name} ({m.role.label})"
        self.fields["farms"].queryset = farms

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("role")) == bool(cleaned.get("member")):
            self.add_error("role", _("Pick a role or one member (one of the two)."))
        start, end = cleaned.get("start_time"), cleaned.get("end_time")
        if (start is None) != (end is None):
            self.add_error("end_time", _("Give both the start and the end of the window, or neither."))
        elif start is not None and end <= start:
            self.add_error("end_time", _("The window ends before it starts: the end must be later than the start."))
        limit = cleaned.get("amount_limit")
        if limit is not None and limit < 0:
            self.add_error("amount_limit", _("The amount limit cannot be below zero."))
        return cleaned


class DelegationForm(forms.Form):
    delegate = forms.ModelChoiceField(queryset=None, label=_("Who covers for you"))
    permissions = forms.MultipleChoiceField(label=_("Permissions"), choices=(), widget=forms.CheckboxSelectMultiple, required=False,
                                            help_text=_("Only what you hold yourself."))
    all_mine = forms.BooleanField(required=False, label=_("Everything I may hand over"))
    starts_on = forms.DateField(label=_("From"), widget=forms.DateInput(attrs=DATE))
    ends_on = forms.DateField(label=_("Until (included)"), widget=forms.DateInput(attrs=DATE))
    note = forms.CharField(label=_("Note"), max_length=200, required=False, help_text=_("e.g. Annual leave"))

    def __init__(self, *args, members, held, **kwargs):
        super().__init__(*args, **kwargs)
        self.held = held
        self.fields["delegate"].queryset = members
        self.fields["delegate"].label_from_instance = lambda m: f"{m.user.display_name} ({m.role.label})"
        self.fields["permissions"].choices = [(p, label) for p, label in CATALOGUE.items() if p in held]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("all_mine"):
            cleaned["permissions"] = list(self.held)
        return cleaned


class SsoSignInForm(forms.Form):
    email = forms.EmailField(label=_("Your work email"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))


class SsoConnectionForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80, help_text=_("What the sign-in button says, e.g. Green Acres Microsoft"))
    protocol = forms.ChoiceField(label=_("Protocol"), choices=[("oidc", _("OpenID Connect")), ("saml", _("SAML 2.0"))])
    email_domain = forms.CharField(label=_("Email domain"), max_length=120, help_text=_("e.g. greenacres.co.ke: people whose email ends with it"))
    role = forms.ModelChoiceField(label=_("Role"), queryset=Role.objects.none(), empty_label=None,
                                  help_text=_("The role of someone who signs in for the first time."))
    require_sso = forms.BooleanField(required=False, label=_("Require single sign-on for this domain"),
                                     help_text=_("Passwords stop working for these addresses."))
    issuer = forms.CharField(required=False, max_length=300, label=_("Issuer URL (OpenID Connect)"),
                             help_text=_("e.g. https://login.microsoftonline.com/<tenant>/v2.0"))
    client_id = forms.CharField(required=False, max_length=191, label=_("Client id (OpenID Connect)"))
    client_secret = forms.CharField(required=False, max_length=191, label=_("Client secret (OpenID Connect)"),
                                    widget=forms.PasswordInput(render_value=True))
    idp_entity_id = forms.CharField(required=False, max_length=300, label=_("Identity provider entity id (SAML)"))
    idp_sso_url = forms.CharField(required=False, max_length=300, label=_("Sign-on URL (SAML)"))
    idp_certificate = forms.CharField(required=False, label=_("Signing certificate, PEM (SAML)"),
                                      widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = roles.exclude(key="owner")
