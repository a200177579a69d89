"""
iFarm settings: one module, every value from the environment.

With no variables set it runs embedded (SQLite in WAL mode, local memory cache, SqliteHuey,
local files, console mail). Setting DATABASE_URL, REDIS_URL and the storage variables switches
to the production services. Secrets may also come from files named by `<NAME>_FILE`.
"""

import secrets
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("IFARM_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()
environ.Env.smart_cast = False


def secret(name: str, default: str | None = None) -> str | None:
    """Read a secret from NAME, or from the file named by NAME_FILE."""
    file_name = env.str(f"{name}_FILE", default="")
    if file_name:
        return Path(file_name).read_text().strip()
    return env.str(name, default=default)


def _embedded_secret_key() -> str:
    # A random key kept under var/ so an embedded install is never left on a published key.
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = secret("SECRET_KEY") or _embedded_secret_key()
if not DEBUG and len(SECRET_KEY) < 32:
    # A short or placeholder key lets anyone sign sessions and reset links: refuse to start.
    raise ImproperlyConfigured("SECRET_KEY is shorter than 32 characters; set a long random one.")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
SITE_ID = 1

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
    "django_filters",
    "django_htmx",
    "django_tables2",
    "ninja",
    "huey.contrib.djhuey",
    "simple_history",
    "apps.core",
    "apps.accounts",
    "apps.audit",
    "apps.farms",
    "apps.herd",
    "apps.milk",
    "apps.finance",
    "apps.stock",
    "apps.health",
    "apps.breeding",
    "apps.deliveries",
    "apps.feeding",
    "apps.phone",
    "apps.notify",
    "apps.billing",
    "apps.insights",
    "apps.api",
    "apps.demo",
    "tasks",
]

MIDDLEWARE = [
    "apps.core.middleware.RequestIdMiddleware",
    "apps.core.replicas.ReplicaMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "apps.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "apps.accounts.security.AddressGuardMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "apps.accounts.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "apps.core.middleware.SpoolNoticeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "apps.accounts.usersessions.SessionActivityMiddleware",
    "apps.api.middleware.ApiKeyMiddleware",
    "apps.accounts.middleware.TenantMiddleware",
    "apps.accounts.middleware.SecondFactorMiddleware",
    "apps.accounts.security.RateRuleMiddleware",
    "apps.api.guard.ApiGuardMiddleware",
    "apps.billing.middleware.ReadOnlyMiddleware",
    "apps.core.middleware.ReplayGuardMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "ifarm.urls"
WSGI_APPLICATION = "ifarm.wsgi.application"
ASGI_APPLICATION = "ifarm.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "apps.accounts.context_processors.tenancy",
            ],
            "builtins": ["apps.core.templatetags.ifarm", "apps.accounts.templatetags.access", "apps.herd.templatetags.herd_names",
                         "apps.milk.templatetags.milk_names", "apps.billing.templatetags.billing_text"],
        },
    }
]

# Database: SQLite under var/ unless DATABASE_URL names another.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'ifarm.sqlite3'}")}
# Row-level security (apps/core/rls.py): the application connects as DATABASE_APP_ROLE, which does not own
# the tables; migrations run as the owner through DATABASE_OWNER_URL (`manage.py migrate --database owner`).
DATABASE_APP_ROLE = env.str("DATABASE_APP_ROLE", default="")
DATABASE_TENANT_SETTING = env.bool("DATABASE_TENANT_SETTING", default=bool(DATABASE_APP_ROLE))
if env.str("DATABASE_OWNER_URL", default=""):
    DATABASES["owner"] = env.db("DATABASE_OWNER_URL")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's pool keeps connections open itself, so CONN_MAX_AGE must stay 0. A connection is checked as it
    # leaves the pool: after a database restart the dead ones are replaced, not handed to a request.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"]["OPTIONS"] = {
        "pool": {
            "min_size": env.int("DATABASE_POOL_MIN", default=2),
            "max_size": env.int("DATABASE_POOL_MAX", default=10),
            "timeout": env.int("DATABASE_POOL_TIMEOUT", default=10),
        }
        if env.bool("DATABASE_POOL", default=True)
        else False,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Read replicas (apps/core/replicas.py): reads of GET requests go to a replica; a browser that wrote reads
# from the primary for REPLICA_PIN_SECONDS; a replica that lags or is down is skipped.
REPLICA_PIN_SECONDS = env.int("REPLICA_PIN_SECONDS", default=10)
REPLICA_MAX_LAG_SECONDS = env.int("REPLICA_MAX_LAG_SECONDS", default=10)
for _number, _url in enumerate(env.list("DATABASE_REPLICA_URLS", default=[]), start=1):
    _replica = environ.Env.db_url_config(_url)
    # Opened read-only: nothing can be written to a replica, whatever a code path asks.
    _replica["OPTIONS"] = {"options": "-c default_transaction_read_only=on", "connect_timeout": 2}
    _replica["CONN_MAX_AGE"] = 60
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES[f"replica{_number}"] = _replica
DATABASE_ROUTERS = ["apps.core.migrating.MigrationRouter"]  # a data migration queries the database it migrates
if any(alias.startswith("replica") for alias in DATABASES):
    DATABASE_ROUTERS.append("apps.core.replicas.ReplicaRouter")

# Cache and sessions: Redis when REDIS_URL is set. A Redis outage degrades to cache misses.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            # Redis, with local memory standing in while Redis is unreachable (see apps/core/cache.py).
            "BACKEND": "apps.core.cache.RedisWithLocalFallback",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "ifarm",
            "TIMEOUT": 300,
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
            },
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ifarm"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

# The JSON API: requests a minute per key (or per signed-in member).
API_RATE_PER_MINUTE = env.int("API_RATE_PER_MINUTE", default=600)

# Background work: Redis-backed Huey in production, a SQLite file otherwise.
HUEY_IMMEDIATE = env.bool("HUEY_IMMEDIATE", default=False)
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": env.str("HUEY_NAME", default="ifarm"),
        "url": REDIS_URL,
        "immediate": HUEY_IMMEDIATE,
        "consumer": {"workers": env.int("HUEY_WORKERS", default=2), "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "ifarm",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": HUEY_IMMEDIATE,
        # SqliteHuey polls: cap the idle back-off at 1 s so a PDF is ready within about a second.
        "consumer": {"workers": 2, "worker_type": "thread", "initial_delay": 0.1, "backoff": 1.15, "max_delay": 1.0},
    }

# Files: local under var/media, or Supabase Storage through its S3-compatible endpoint.
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_STORAGE = env.str(
    "STATIC_STORAGE",
    default="whitenoise.storage.CompressedManifestStaticFilesStorage"
    if not DEBUG
    else "django.contrib.staticfiles.storage.StaticFilesStorage",
)
# Files: local under var/media by default; Supabase Storage (private buckets per kind, paths under the
# organisation's id, downloads by signed URL) when SUPABASE_URL is set (apps/core/storage.py).
SUPABASE_URL = env.str("SUPABASE_URL", default="")
SUPABASE_SERVICE_KEY = secret("SUPABASE_SERVICE_KEY", default="")
SIGNED_URL_SECONDS = env.int("SIGNED_URL_SECONDS", default=300)
if SUPABASE_URL:
    _default_storage = {"BACKEND": "apps.core.storage.SupabaseStorage"}
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {"default": _default_storage, "staticfiles": {"BACKEND": STATIC_STORAGE}}
WHITENOISE_USE_FINDERS = DEBUG
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 10_485_760
PHOTO_MAX_BYTES = 5 * 1024 * 1024
IMAGE_MAX_PIXELS = env.int("IMAGE_MAX_PIXELS", default=40_000_000)

# Mail: console in development, SMTP when EMAIL_HOST is set.
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="iFarm <no-reply@ifarm.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if env.str("EMAIL_HOST", default=""):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": env.str("EMAIL_HOST"),
                "port": env.int("EMAIL_PORT", default=587),
                "username": env.str("EMAIL_HOST_USER", default=""),
                "password": secret("EMAIL_HOST_PASSWORD", default=""),
                "use_tls": env.bool("EMAIL_USE_TLS", default=True),
                "timeout": 10,
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "apps.core.mail.ReadableConsoleBackend"}}

# Billing: plans are data (admin); cards through Stripe when STRIPE_SECRET_KEY is set; bank transfer and
# mobile money are paid against the invoice number (staff or the signed payment webhook record it).
STRIPE_SECRET_KEY = secret("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = secret("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="")  # another address for Stripe's API (a test double)
PAYMENT_WEBHOOK_SECRET = secret("PAYMENT_WEBHOOK_SECRET", default="")  # whsec_... (Standard Webhooks)
BILLING_BANK_DETAILS = env.str("BILLING_BANK_DETAILS", default="iFarm Ltd, Example Bank, account 0123456789")
BILLING_MOBILE_DETAILS = env.str("BILLING_MOBILE_DETAILS", default="M-Pesa paybill 123456")

# Notifications: SMS through the console in development or Africa's Talking (SMS_PROVIDER=africastalking);
# Web Push signed with VAPID keys (made once under var/ when not given).
SMS_PROVIDER = env.str("SMS_PROVIDER", default="console")
SMS_API_URL = env.str("SMS_API_URL", default="https://api.africastalking.com")
SMS_USERNAME = env.str("SMS_USERNAME", default="sandbox")
SMS_API_KEY = secret("SMS_API_KEY", default="")
SMS_SENDER = env.str("SMS_SENDER", default="")
# The secret part of the addresses the SMS provider calls with incoming SMS and USSD steps (/phone/<it>/sms/,
# /phone/<it>/ussd/); empty: those addresses do not answer.
PHONE_CALLBACK_TOKEN = secret("PHONE_CALLBACK_TOKEN", default="")
VAPID_PRIVATE_KEY = secret("VAPID_PRIVATE_KEY", default="")
VAPID_PUBLIC_KEY = env.str("VAPID_PUBLIC_KEY", default="")
VAPID_SUBJECT = env.str("VAPID_SUBJECT", default="mailto:support@ifarm.local")
PUSH_ALLOW_HTTP = env.bool("PUSH_ALLOW_HTTP", default=False)
# The browsers' push services: a subscription's address must be on one of these hosts (".x" is any name under x).
PUSH_SERVICE_HOSTS = env.list("PUSH_SERVICE_HOSTS", default=[
    "fcm.googleapis.com", "android.googleapis.com", ".push.services.mozilla.com", ".push.apple.com", ".notify.windows.com"])

# Requests the server makes to addresses users gave (apps/core/outbound.py): only to the public internet,
# unless an operator names internal networks here on purpose. DNS_SERVERS ("host:port") replaces the
# system's resolver for those names and for domain verification's TXT records.
OUTBOUND_ALLOWED_NETWORKS = env.list("OUTBOUND_ALLOWED_NETWORKS", default=[])
DNS_SERVERS = env.list("DNS_SERVERS", default=[])
if not VAPID_PRIVATE_KEY:
    VAPID_PRIVATE_KEY, VAPID_PUBLIC_KEY = str(VAR_DIR / "vapid.pem"), ""  # made on first use (apps/notify/channels.py)

# Authentication: django-allauth with email login, verification and optional TOTP.
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "apps.accounts.backends.ModelBackend",
    "apps.accounts.backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = False
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_SIGNUP_FORM_CLASS = "apps.accounts.forms.OrganisationSignupForm"
ACCOUNT_ADAPTER = "apps.accounts.adapter.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[iFarm] "
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/h/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
}
ACCOUNT_SESSION_REMEMBER = None
# A second factor by app code or by passkey (WebAuthn), and passwordless sign-in with a passkey.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = "iFarm"
# Browsers allow WebAuthn on https and on http://localhost; this lets fido2 accept the latter in development.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = env.bool("MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN", default=DEBUG)
USERSESSIONS_TRACK_ACTIVITY = True
# Single sign-on: each organisation configures its own OpenID Connect or SAML identity provider
# (apps/accounts/sso.py). The provider vouches for the email address; a new person gets a membership
# with the connection's role; an existing account with that email is linked.
SOCIALACCOUNT_ADAPTER = "apps.accounts.sso.SsoAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = True
# An identity provider's email never signs in or links an existing account by itself (apps/accounts/sso.py).
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = False
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_EMAIL_REQUIRED = True
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_STORE_TOKENS = False
# Identity providers must be on https, except in development (and in the suite's local providers).
SSO_ALLOW_HTTP = env.bool("SSO_ALLOW_HTTP", default=DEBUG)
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=10)
# The audit chain: months older than this leave the live table for archive files; files are purged after 7 years.
AUDIT_ARCHIVE_AFTER_DAYS = env.int("AUDIT_ARCHIVE_AFTER_DAYS", default=548)
AUDIT_PURGE_AFTER_DAYS = env.int("AUDIT_PURGE_AFTER_DAYS", default=2557)

# Security: strict unless DEBUG is on.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Addresses (or networks) of the proxies whose X-Real-IP is believed: nginx on the same box by default.
# A monitor that sends "Authorization: Bearer <HEALTHZ_TOKEN>" sees /healthz's checks; others see up/down.
HEALTHZ_TOKEN = secret("HEALTHZ_TOKEN", default="")
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=["127.0.0.1", "::1"])
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
ACCOUNT_DEFAULT_HTTP_PROTOCOL = env.str("LINK_PROTOCOL", default="https" if SECURE_SSL_REDIRECT else "http")
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", "blob:"] + env.list("CSP_IMG_EXTRA", default=[]),
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    # Saving a card sends the owner on to Stripe Checkout (a redirect after a form, which form-action governs).
    "form-action": [CSP.SELF, *env.list("CSP_FORM_ACTION_EXTRA", default=["https://checkout.stripe.com"])],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

# Locale: stored in UTC, shown in the farm's or the user's time zone.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français"), ("sw", "Kiswahili")]
# Our catalogues (compiled by `make setup`); Django's and allauth's come with them.
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
# How each language writes dates: templates name a format ("DATE_FORMAT"), never spell one.
FORMAT_MODULE_PATH = ["ifarm.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5-responsive.html"
SIMPLE_HISTORY_HISTORY_ID_USE_UUID = False

# Logging: JSON lines with the request id, to stdout.
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "apps.core.logging.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": env.str("LOG_FORMAT", default="plain" if DEBUG else "json"),
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # A handler of its own (and no propagation): run_huey then adds none, so each line prints once.
        "huey": {"level": "INFO", "handlers": ["console"], "propagate": False},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

FORM_RENDERER = "apps.core.forms.FormRenderer"
