"""A database that restarts or is unreachable is never a 500: pooled connections it dropped are replaced as
they leave the pool, and a request that still cannot reach it is a 503 with Retry-After."""

import time

import pytest
import requests
from django.db import OperationalError, ProgrammingError, connection

from tests.api.conftest import make_key


@pytest.mark.django_db(transaction=True)
def test_connections_the_database_dropped_are_replaced_before_a_request_uses_them(live_server, owner, postgres):
    """What a PostgreSQL restart does to the pool: every open connection is cut. The review saw 6 requests
    answer 500 afterwards; each is now served on a fresh connection."""
    import psycopg

    _key, secret = make_key(owner, name="Parlour")
    headers = {"Authorization": f"Bearer {secret}"}
    url = f"{live_server.url}/api/v1/animals"
    first = requests.get(url, headers=headers, timeout=10)
    assert first.status_code == 200, first.text
    assert [requests.get(url, headers=headers, timeout=10).status_code for _ in range(3)] == [200] * 3
    settings = connection.settings_dict
    connection.close()  # this thread's own connection goes back first; the server's stay in its pool
    with psycopg.connect(host=settings["HOST"] or "127.0.0.1", port=settings["PORT"] or 5432, user=settings["USER"],
                         dbname=settings["NAME"], autocommit=True) as admin:
        pids = [row[0] for row in admin.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                                                "AND pid <> pg_backend_pid()")]
        admin.execute("SELECT pg_terminate_backend(pid) FROM unnest(%s::int[]) AS pid", [pids])
        while admin.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s)", [pids]).fetchone()[0]:
            time.sleep(0.05)
    assert pids
    statuses = [requests.get(url, headers=headers, timeout=30).status_code for _ in range(10)]
    # Served on fresh connections; at worst a moment's 503 while the pool reconnects, never a 500.
    assert set(statuses) <= {200, 503} and statuses[-5:] == [200] * 5, statuses


def fail_with(error):
    """Every query of this thread fails as the database would."""
    def wrapper(execute, sql, params, many, context):
        raise error

    return wrapper


@pytest.mark.parametrize("path", ["/api/v1/animals", "/herd/"])
def test_a_database_that_cannot_be_reached_is_a_503_with_retry_after(client, owner, as_member, path):
    from tests.api.conftest import make_key

    _key, secret = make_key(owner, name="Parlour")
    as_member(owner)
    client.raise_request_exception = False
    with connection.execute_wrapper(fail_with(OperationalError("server closed the connection unexpectedly"))):
        response = client.get(path, HTTP_AUTHORIZATION=f"Bearer {secret}" if path.startswith("/api/") else "")
    assert response.status_code == 503 and response["Retry-After"] == "5"
    if path.startswith("/api/"):
        assert response["Content-Type"] == "application/problem+json"
    else:
        assert "Back in a moment" in response.content.decode()


def test_any_other_failure_is_still_the_plain_500(client, owner, as_member):
    as_member(owner)
    client.raise_request_exception = False
    with connection.execute_wrapper(fail_with(ProgrammingError('relation "herd_animal" does not exist'))):
        response = client.get("/herd/")
    assert response.status_code == 500 and "Something went wrong" in response.content.decode()
