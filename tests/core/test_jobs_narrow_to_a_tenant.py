"""A periodic job that works through every organisation narrows the database (row-level security's
setting) to one organisation at a time, as a request does, and leaves it at none of them afterwards."""

import pytest
from django.db import connection

from apps.core.rls import SETTING


def database_tenant() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting(%s, true)", [SETTING])
        return cursor.fetchone()[0]


@pytest.fixture
def narrowing(settings, postgres):
    settings.DATABASE_TENANT_SETTING = True


@pytest.mark.parametrize("job, service, answer", [
    ("tasks.finance.overdue_invoices", "apps.finance.services.overdue_invoices_announce", 0),
    ("tasks.breeding.morning_round", "apps.breeding.services.reminders_send", 0),
    ("tasks.billing.measure_usage", "apps.billing.services.runs.usage_measure", None),
])
def test_a_periodic_job_sees_one_organisation_at_a_time(narrowing, owner, outsider, monkeypatch, job, service, answer):
    import importlib

    seen = []

    def spy(*args, tenant_id, **kwargs):
        seen.append((tenant_id, database_tenant()))
        return answer

    module, name = service.rsplit(".", 1)
    monkeypatch.setattr(importlib.import_module(module), name, spy)
    task_module, task_name = job.rsplit(".", 1)
    getattr(importlib.import_module(task_module), task_name).call_local()
    tenants = {owner.tenant_id, outsider.tenant_id}
    assert {tenant for tenant, _ in seen} >= tenants
    assert all(setting == str(tenant) for tenant, setting in seen), seen
    assert database_tenant() == "all"  # back where a connection starts


def test_one_organisations_failure_does_not_stop_the_others(narrowing, owner, outsider, caplog):
    """Every periodic job loops through `each_tenant`: a failing organisation is logged, the next still runs,
    each narrowed to itself (scope and rows), and nothing stays narrowed afterwards."""
    from django_scopes import get_scope

    from apps.core.rls import each_tenant

    def work(tenant_id):
        if tenant_id == owner.tenant_id:
            raise RuntimeError("storage away")
        return tenant_id, get_scope()["tenant"], database_tenant()

    done = each_tenant([owner.tenant_id, outsider.tenant_id], work, job="probe")
    assert done == [(outsider.tenant_id, outsider.tenant_id, str(outsider.tenant_id))]
    assert f"probe failed for tenant {owner.tenant_id}" in caplog.text
    assert database_tenant() == "all"


def test_the_morning_round_goes_on_past_an_organisation_that_fails(narrowing, owner, outsider, monkeypatch):
    from apps.breeding import services

    seen = []

    def reminders(*, tenant_id, today):
        seen.append(tenant_id)
        if tenant_id == min(owner.tenant_id, outsider.tenant_id):
            raise RuntimeError("mail away")
        return 2

    monkeypatch.setattr(services, "reminders_send", reminders)
    from tasks.breeding import morning_round

    assert morning_round.call_local() == {"invoiced": 0, "sent": 2}
    assert set(seen) >= {owner.tenant_id, outsider.tenant_id}
