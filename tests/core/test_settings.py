import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k" * 20 + "-production-like-secret-key-with-enough-entropy-9f3a1c",
    "ALLOWED_HOSTS": "ifarm.example.com",
    "DATABASE_URL": "postgres://ifarm@127.0.0.1:5432/ifarm",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "EMAIL_HOST": "smtp.example.com",
}


def run_manage(*args, env):
    base = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), "IFARM_VAR_DIR": str(ROOT / "var" / "deploycheck")}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_with_production_variables():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


def test_embedded_default_needs_no_variables():
    result = run_manage("shell", "--no-imports", "-c", "from django.conf import settings as s; print(s.DATABASES['default']['ENGINE'], s.CACHES['default']['BACKEND'], s.HUEY['huey_class'], s.MAILERS['default']['BACKEND'])", env={})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "django.core.backends.locmem.LocMemCache".replace("core.backends", "core.cache.backends"),
        "huey.SqliteHuey",
        "apps.core.mail.ReadableConsoleBackend",
    ]


def test_production_variables_switch_the_services():
    result = run_manage(
        "shell", "--no-imports", "-c",
        "from django.conf import settings as s; print(s.DATABASES['default']['ENGINE'], s.DATABASES['default']['OPTIONS']['pool']['max_size'], s.DATABASES['default']['CONN_MAX_AGE'], s.CACHES['default']['BACKEND'], s.SESSION_ENGINE, s.HUEY['huey_class'], s.STORAGES['staticfiles']['BACKEND'])",
        env=PRODUCTION,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.postgresql", "10", "0", "apps.core.cache.RedisWithLocalFallback",
        "django.contrib.sessions.backends.cached_db", "huey.RedisHuey", "whitenoise.storage.CompressedManifestStaticFilesStorage",
    ]


def test_secret_key_can_come_from_a_file(tmp_path):
    key_file = tmp_path / "key"
    key_file.write_text("from-a-file-" + "x" * 50)
    env = {**PRODUCTION, "SECRET_KEY_FILE": str(key_file)}
    env.pop("SECRET_KEY")
    result = run_manage("shell", "--no-imports", "-c", "from django.conf import settings; print(settings.SECRET_KEY[:12])", env=env)
    assert result.stdout.strip() == "from-a-file-"


def test_supabase_variables_switch_uploads_to_supabase_storage():
    env = {**PRODUCTION, "SUPABASE_URL": "https://example.supabase.co", "SUPABASE_SERVICE_KEY": "service-key"}
    result = run_manage(
        "shell", "--no-imports", "-c",
        "from django.core.files.storage import default_storage as d; d._setup(); "
        "print(type(d._wrapped).__name__, d._wrapped.base_url, d._wrapped.signed_url_seconds)",
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["SupabaseStorage", "https://example.supabase.co", "300"]
