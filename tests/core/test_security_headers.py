"""Headers on every response, and the client address believed only from a configured proxy."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from apps.core.middleware import client_ip

pytestmark = pytest.mark.usefixtures("owner_scope")


def test_pages_forbid_powerful_features_and_cross_origin_reads(client, db):
    response = client.get(reverse("account_login"))
    assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"


def test_the_receipt_page_alone_may_use_the_camera(as_member, owner, farm):
    client = as_member(owner)
    assert "camera=(self)" in client.get(reverse("money:expense_submit"))["Permissions-Policy"]
    assert "camera=()" in client.get(reverse("home"))["Permissions-Policy"]


def test_signed_in_pages_are_not_stored(as_member, owner, farm):
    client = as_member(owner)
    for name in ("home", "herd:list", "money:home"):
        assert "no-store" in client.get(reverse(name))["Cache-Control"], name


def test_anonymous_pages_may_be_cached(client, db):
    assert "no-store" not in client.get(reverse("landing")).get("Cache-Control", "")


@pytest.mark.parametrize(("remote", "header", "expected"), [
    ("203.0.113.9", "1.2.3.4", "203.0.113.9"),     # reached gunicorn directly: the header is ignored
    ("127.0.0.1", "198.51.100.7", "198.51.100.7"),  # through nginx on the box: believed
    ("127.0.0.1", "not-an-ip", "127.0.0.1"),        # a proxy passing junk: ignored
])
def test_client_ip_believes_x_real_ip_only_from_a_trusted_proxy(settings, remote, header, expected):
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_REAL_IP=header)
    assert client_ip(request) == expected


def test_a_forged_x_real_ip_does_not_reach_the_login_limit(client, owner, settings):
    from apps.accounts.models import LoginFailure

    client.post(reverse("account_login"), {"login": owner.user.email, "password": "wrong-password"},
                REMOTE_ADDR="203.0.113.9", HTTP_X_REAL_IP="10.9.9.9")
    assert list(LoginFailure.objects.values_list("ip", flat=True)) == ["203.0.113.9"]


def test_the_site_installs_on_a_phones_home_screen(client):
    """A web app manifest with a name, a start page, standalone display and 192 and 512 px icons that exist (what
    browsers ask of an installable site), linked from every page."""
    import io

    from django.contrib.staticfiles import finders
    from PIL import Image

    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/manifest+json")
    manifest = response.json()
    assert manifest["name"] == "iFarm" and manifest["start_url"] == "/home/" and manifest["display"] == "standalone"
    sizes = set()
    for icon in manifest["icons"]:
        if icon["type"] != "image/png":
            continue
        path = finders.find(icon["src"].removeprefix("/static/"))
        with open(path, "rb") as file, Image.open(io.BytesIO(file.read())) as image:
            assert f"{image.width}x{image.height}" == icon["sizes"]
            sizes.add(image.width)
    assert {192, 512} <= sizes
    assert '<link rel="manifest" href="/manifest.webmanifest">' in client.get("/accounts/login/").content.decode()
