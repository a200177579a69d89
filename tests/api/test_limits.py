"""Idempotency-Key replays, the rate limit per key, and CSRF for a signed-in session."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django_scopes import scope

from apps.herd.models import Animal
from tests.api.conftest import Api, make_key
from tests.factories import make_farm, make_tenant


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_requests_with_one_key_create_one_animal(settings):
    owner = make_tenant(name="Concurrent Farms")
    farm = make_farm(owner, name="Busy Farm")
    _, secret = make_key(owner, name="Parlour")
    body = {"tag": "ONCE-1", "farm_id": farm.pk, "sex": "female"}
    answers = []

    def send():
        try:
            response = Api(Client(), secret).post("/animals", body, headers={"Idempotency-Key": "create-once-1"})
            answers.append((response.status_code, response.content))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with scope(tenant=owner.tenant_id):
        assert Animal.objects.filter(tag="ONCE-1").count() == 1
    assert {status for status, _ in answers} == {201}
    assert len({content for _, content in answers}) == 1  # every one got the first answer
    changed = Api(Client(), secret).post("/animals", dict(body, tag="ONCE-2"), headers={"Idempotency-Key": "create-once-1"})
    assert changed.status_code == 422 and changed["Content-Type"] == "application/problem+json"


@pytest.mark.usefixtures("owner_scope")
def test_a_replay_returns_the_first_answer_unchanged(api, farm):
    first = api.post("/animals", {"tag": "R-A", "farm_id": farm.pk, "sex": "male"}, headers={"Idempotency-Key": "k-1"})
    again = api.post("/animals", {"tag": "R-A", "farm_id": farm.pk, "sex": "male"}, headers={"Idempotency-Key": "k-1"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.content == again.content and again["Idempotent-Replayed"] == "true"
    assert Animal.objects.filter(tag="R-A").count() == 1


@pytest.mark.usefixtures("owner_scope")
def test_past_the_rate_limit_a_key_gets_429_with_retry_after(api, settings):
    settings.API_RATE_PER_MINUTE = 5
    statuses = [api.get("/farms").status_code for _ in range(7)]
    assert statuses[:5] == [200] * 5 and statuses[5:] == [429, 429]
    limited = api.get("/farms")
    assert int(limited["Retry-After"]) >= 1 and limited["Content-Type"] == "application/problem+json"


@pytest.mark.usefixtures("owner_scope")
def test_the_rate_limit_holds_when_redis_is_down(api, settings):
    settings.CACHES = {"default": {"BACKEND": "apps.core.cache.RedisWithLocalFallback", "LOCATION": "redis://127.0.0.1:1/0",
                                   "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2}}}
    settings.API_RATE_PER_MINUTE = 3
    statuses = [api.get("/farms").status_code for _ in range(5)]
    assert statuses[:3] == [200] * 3 and 429 in statuses[3:]


@pytest.mark.usefixtures("owner_scope")
def test_a_session_reads_the_api_and_needs_csrf_to_write(owner, farm):
    from tests.factories import PASSWORD

    browser = Client(enforce_csrf_checks=True)
    assert browser.login(email=owner.user.email, password=PASSWORD)
    assert browser.get("/api/v1/farms").status_code == 200
    refused = browser.post("/api/v1/animals", {"tag": "S-1", "farm_id": farm.pk, "sex": "male"}, content_type="application/json")
    assert refused.status_code in (401, 403)
    assert not Animal.objects.filter(tag="S-1").exists()


OFFICE = "198.51.100.20"  # one address for every key and browser of an office


@pytest.mark.usefixtures("owner_scope")
def test_a_key_past_its_limit_never_blocks_the_other_keys_or_browsers_at_its_address(client, owner, settings):
    from apps.accounts.models import AbuseEvent

    settings.API_RATE_PER_MINUTE = 3
    busy, quiet = make_key(owner, name="Robot")[1], make_key(owner, name="Accounts")[1]
    statuses = [client.get("/api/v1/farms", HTTP_AUTHORIZATION=f"Bearer {busy}", REMOTE_ADDR=OFFICE).status_code
                for _ in range(80)]
    assert statuses.count(429) == 77
    assert not AbuseEvent.objects.filter(ip=OFFICE).exists()
    assert Client().get("/api/v1/farms", HTTP_AUTHORIZATION=f"Bearer {quiet}", REMOTE_ADDR=OFFICE).status_code == 200
    assert Client().get("/accounts/login/", REMOTE_ADDR=OFFICE).status_code == 200


@pytest.mark.usefixtures("owner_scope")
def test_a_misconfigured_key_is_told_so_without_locking_the_office_out(owner):
    _, good = make_key(owner, name="Good")
    wrong = good[:-4] + "0000"
    answers = [Client().get("/api/v1/farms", HTTP_AUTHORIZATION=f"Bearer {wrong}", REMOTE_ADDR=OFFICE) for _ in range(60)]
    assert {a.status_code for a in answers} == {401}
    assert answers[-1]["Content-Type"] == "application/problem+json" and "not valid" in answers[-1].json()["detail"]
    assert Client().get("/api/v1/farms", HTTP_AUTHORIZATION=f"Bearer {good}", REMOTE_ADDR=OFFICE).status_code == 200
    assert Client().get("/accounts/login/", REMOTE_ADDR=OFFICE).status_code == 200


@pytest.mark.usefixtures("owner_scope")
def test_every_answer_under_the_api_is_a_problem_document(api, owner):
    from apps.accounts.security import ip_block

    missing = api.get("/no-such-thing")
    assert (missing.status_code, missing["Content-Type"]) == (404, "application/problem+json")
    wrong_method = api.client.delete("/api/v1/farms", HTTP_AUTHORIZATION=api._headers(None)["HTTP_AUTHORIZATION"])
    assert (wrong_method.status_code, wrong_method["Content-Type"]) == (405, "application/problem+json")
    assert "GET" in wrong_method["Allow"]
    import datetime as dt

    from django.utils import timezone

    ip_block(ip="203.0.113.99", until=timezone.now() + dt.timedelta(hours=1), reason="test")
    blocked = Client().get("/api/v1/farms", REMOTE_ADDR="203.0.113.99")
    assert (blocked.status_code, blocked["Content-Type"]) == (403, "application/problem+json")
    assert int(blocked["Retry-After"]) > 0 and blocked.json()["status"] == 403


@pytest.mark.usefixtures("owner_scope")
def test_a_retry_is_the_same_request_whatever_its_bytes(api, farm):
    import json

    first = api.client.post("/api/v1/animals", json.dumps({"tag": "SAME-1", "farm_id": farm.pk, "sex": "female"}),
                            content_type="application/json", HTTP_IDEMPOTENCY_KEY="retry-1", **api._headers(None))
    again = api.client.post("/api/v1/animals", json.dumps({"sex": "female", "farm_id": farm.pk, "tag": "SAME-1"}, indent=2),
                            content_type="application/json", HTTP_IDEMPOTENCY_KEY="retry-1", **api._headers(None))
    assert (first.status_code, again.status_code, again["Idempotent-Replayed"]) == (201, 201, "true")
    assert Animal.objects.filter(tag="SAME-1").count() == 1
