"""Settings for the test suite: the real settings module, fed a test environment first."""

import os
from pathlib import Path

os.environ.setdefault("HUEY_IMMEDIATE", "true")
os.environ.setdefault("STATIC_STORAGE", "django.contrib.staticfiles.storage.StaticFilesStorage")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SESSION_COOKIE_SECURE", "false")
os.environ.setdefault("CSRF_COOKIE_SECURE", "false")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
os.environ.setdefault("MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN", "true")
os.environ.setdefault("SSO_ALLOW_HTTP", "true")  # the suite's identity providers run on http://localhost  # live-server tests run on http://localhost
os.environ.setdefault("IFARM_VAR_DIR", str(Path(__file__).resolve().parent.parent / "var" / "test"))

from ifarm.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
