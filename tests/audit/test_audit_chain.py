import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from apps.audit.models import AuditEntry
from tests.factories import make_animal, make_member

pytestmark = pytest.mark.usefixtures("owner_scope")


def _tamper(entry_id: int, **fields):
    """Change a stored entry the way someone with database access would."""
    table = AuditEntry._meta.db_table
    sets = ", ".join(f"{name} = %s" for name in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")  # a superuser bypassing triggers
        cursor.execute(f"UPDATE {table} SET {sets} WHERE id = %s", [*fields.values(), entry_id])
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = origin")


def test_service_writes_append_a_linked_chain(owner, farm):
    make_animal(owner, farm, tag="A-1")
    entries = list(AuditEntry.objects.filter(tenant_id=owner.tenant_id).order_by("seq"))
    assert [e.action for e in entries] == ["tenant.create", "farm.create", "animal.create"]
    assert [e.seq for e in entries] == [1, 2, 3]
    assert entries[1].prev_hash == entries[0].entry_hash
    call_command("audit_verify")


def test_tampering_names_exactly_that_entry(owner, farm, outsider, capsys):
    for n in range(4):
        make_animal(owner, farm, tag=f"A-{n}")
    target = AuditEntry.objects.get(tenant_id=owner.tenant_id, seq=4)
    _tamper(target.pk, object_repr="A-999 forged")
    with pytest.raises(CommandError):
        call_command("audit_verify")
    err = capsys.readouterr().err
    assert f"tenant {owner.tenant_id}: entry #4 (id {target.pk}) is broken" in err
    assert f"tenant {outsider.tenant_id}" not in err


def test_tampering_with_before_after_json_is_caught(owner, farm):
    from apps.audit.retention import audit_verify_tenant

    make_animal(owner, farm, tag="A-1")
    target = AuditEntry.objects.get(tenant_id=owner.tenant_id, action="animal.create")
    _tamper(target.pk, after='{"tag": "B-1"}')
    failure = audit_verify_tenant(tenant_id=owner.tenant_id)
    assert failure.seq == target.seq


def test_deleted_entry_breaks_the_sequence(owner, farm):
    from apps.audit.retention import audit_verify_tenant

    make_animal(owner, farm, tag="A-1")
    make_animal(owner, farm, tag="A-2")
    table = AuditEntry._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")  # a superuser bypassing triggers
        cursor.execute(f"DELETE FROM {table} WHERE tenant_id = %s AND seq = 3", [owner.tenant_id])
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = origin")
    assert audit_verify_tenant(tenant_id=owner.tenant_id).seq == 4


def test_database_refuses_update_and_delete(postgres, owner):
    entry = AuditEntry.objects.filter(tenant_id=owner.tenant_id).first()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(action="forged")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()


def test_entry_records_request_metadata(as_member, owner, farm):
    client = as_member(owner)
    client.post(
        reverse("farms:create"),
        {"name": "Audit Farm", "farm_type": "dairy", "milking_sessions_per_day": "1", "area_unit": "ha", "time_zone": "UTC"},
        HTTP_USER_AGENT="FarmPhone/1.0",
        HTTP_X_REQUEST_ID="req-12345678",
    )
    entry = AuditEntry.objects.get(tenant_id=owner.tenant_id, action="farm.create", object_repr="Audit Farm")
    assert entry.user_agent == "FarmPhone/1.0"
    assert entry.request_id == "req-12345678"
    assert entry.actor_id == owner.user_id and entry.role == "Owner"
    assert entry.farm_id == entry.object_id and entry.farm_id is not None or entry.object_id


def test_audit_page_for_owner_only(as_member, owner, outsider):
    assert as_member(owner).get(reverse("audit")).status_code == 200
    assert as_member(make_member(owner, "manager")).get(reverse("audit")).status_code == 403
    content = as_member(outsider).get(reverse("audit")).content.decode()
    assert "Green Acres" not in content


def test_audit_page_filters(as_member, owner, farm):
    make_animal(owner, farm, tag="FILTER-ME")
    content = as_member(owner).get(reverse("audit"), {"action": "animal"}).content.decode()
    assert "FILTER-ME" in content and "farm.create" not in content
