"""docker-compose.yml and the Dockerfile, checked without a Docker engine."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
HADOLINT = shutil.which("hadolint") or str(Path(sys.executable).with_name("hadolint"))


def _services():
    return COMPOSE["services"]


def test_compose_builds_from_the_dockerfile_in_deploy():
    for name, service in _services().items():
        build = service.get("build")
        if build is None:
            assert service.get("image"), f"{name} has neither a build nor an image"
            continue
        context = ROOT / build["context"]
        assert (context / build["dockerfile"]).is_file(), f"{name}: {build['dockerfile']} is not in {context}"


def test_compose_refuses_to_start_without_a_secret_key():
    for name, service in _services().items():
        key = service.get("environment", {}).get("SECRET_KEY")
        if key is not None:
            assert key.startswith("${SECRET_KEY:?"), f"{name} falls back to a known SECRET_KEY: {key}"


def test_compose_references_exist():
    volumes = set(COMPOSE.get("volumes", {}))
    for name, service in _services().items():
        for mount in service.get("volumes", []):
            source = mount.split(":")[0]
            if source.startswith((".", "/")):
                assert (ROOT / source).exists(), f"{name} mounts {source}, which is not in the repository"
            else:
                assert source in volumes, f"{name} uses the undeclared volume {source}"
        for dependency in service.get("depends_on", {}):
            assert dependency in _services(), f"{name} depends on an unknown service {dependency}"
        if service.get("restart") != "no":
            assert "healthcheck" in service, f"{name} has no health check"


def test_dockerfile_passes_hadolint():
    if not os.path.exists(HADOLINT):
        pytest.fail("hadolint is not installed (requirements-dev.txt installs it)")
    result = subprocess.run([HADOLINT, "--no-color", str(ROOT / "deploy" / "Dockerfile")], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_settings_refuse_a_short_secret_key_outside_debug():
    env = {**os.environ, "SECRET_KEY": "change-me", "DEBUG": "false", "DJANGO_SETTINGS_MODULE": "ifarm.settings"}
    result = subprocess.run([sys.executable, "-c", "import django; django.setup()"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode != 0 and "SECRET_KEY is shorter than 32 characters" in result.stderr
