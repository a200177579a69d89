"""Audit retention: old months move to checked archive files, the chain verifies across files and table,
files past seven years are purged with a recorded entry, and an owner downloads an archive."""

import datetime as dt
import gzip
import json

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from apps.audit.models import AuditArchive, AuditEntry
from apps.audit.retention import audit_archive_tenant, audit_purge_tenant, audit_verify_tenant
from tests.factories import make_animal, make_farm, make_member, make_tenant


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def at(year, month, day=15):
    return dt.datetime(year, month, day, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def old(db):
    """An organisation with entries in January, February and March 2024, then some today (in its scope)."""
    from django_scopes import scope

    with time_machine.travel(at(2024, 1), tick=False):
        owner = make_tenant(name="Old Farm Co")
        farm = make_farm(owner, name="Old Farm")
        make_animal(owner, farm, tag="OLD-1")
    for month in (2, 3):
        with time_machine.travel(at(2024, month), tick=False):
            make_animal(owner, farm, tag=f"OLD-{month}")
    make_animal(owner, farm, tag="NEW-1")
    with scope(tenant=owner.tenant_id):
        yield owner, farm


def test_months_past_the_retention_age_move_to_archives_and_the_chain_still_verifies(old):
    owner, farm = old
    live_before = AuditEntry.objects.filter(tenant_id=owner.tenant_id).count()
    with time_machine.travel(at(2025, 10, 15), tick=False):  # 18 months after the end of March 2024
        made = audit_archive_tenant(tenant_id=owner.tenant_id)
    assert [a.month for a in made] == [dt.date(2024, 1, 1), dt.date(2024, 2, 1), dt.date(2024, 3, 1)]
    archived = sum(a.entries for a in made)
    assert AuditEntry.objects.filter(tenant_id=owner.tenant_id).count() == live_before - archived == 1
    assert not AuditEntry.objects.filter(tenant_id=owner.tenant_id, created_at__year=2024).exists()
    first = made[0]
    with default_storage.open(first.file, "rb") as handle:
        lines = [json.loads(line) for line in gzip.decompress(handle.read()).splitlines()]
    assert lines[0]["fields"]["seq"] == first.first_seq and lines[-1]["entry_hash"] == first.last_hash
    assert audit_verify_tenant(tenant_id=owner.tenant_id) is None
    # Running again archives nothing more, and new entries chain on.
    with time_machine.travel(at(2025, 10, 15), tick=False):
        assert audit_archive_tenant(tenant_id=owner.tenant_id) == []
    make_animal(owner, farm, tag="NEW-2")
    assert audit_verify_tenant(tenant_id=owner.tenant_id) is None


def test_a_chain_wholly_archived_goes_on_from_its_last_file(old):
    owner, farm = old
    with time_machine.travel(at(2040, 1, 1), tick=False):
        audit_archive_tenant(tenant_id=owner.tenant_id)
        assert not AuditEntry.objects.filter(tenant_id=owner.tenant_id).exists()
        make_animal(owner, farm, tag="AFTER")
    entry = AuditEntry.objects.get(tenant_id=owner.tenant_id)
    last = AuditArchive.objects.filter(tenant_id=owner.tenant_id).order_by("-last_seq").first()
    assert entry.seq == last.last_seq + 1 and entry.prev_hash == last.last_hash
    assert audit_verify_tenant(tenant_id=owner.tenant_id) is None


def test_a_changed_archive_file_is_named_by_audit_verify(old, capsys):
    owner, _farm = old
    with time_machine.travel(at(2025, 10, 15), tick=False):
        archive = audit_archive_tenant(tenant_id=owner.tenant_id)[0]
    with default_storage.open(archive.file, "rb") as handle:
        data = gzip.decompress(handle.read()).replace(b"OLD-1", b"OLD-X")
    default_storage.delete(archive.file)
    default_storage.save(archive.file, ContentFile(gzip.compress(data)))
    failure = audit_verify_tenant(tenant_id=owner.tenant_id)
    assert failure is not None and archive.file in failure.reason and "checksum" in failure.reason
    with pytest.raises(Exception, match="broken"):
        call_command("audit_verify", tenant=owner.tenant_id)
    assert archive.file in capsys.readouterr().err


def test_files_past_seven_years_are_purged_with_a_recorded_entry(old, django_capture_on_commit_callbacks):
    owner, _farm = old
    with time_machine.travel(at(2025, 10, 15), tick=False):
        archives = audit_archive_tenant(tenant_id=owner.tenant_id)
    with time_machine.travel(at(2031, 2, 15), tick=False), django_capture_on_commit_callbacks(execute=True):
        purged = audit_purge_tenant(tenant_id=owner.tenant_id)  # January 2024 is past seven years; February is not
    assert [a.month for a in purged] == [a.month for a in archives if a.month <= dt.date(2024, 1, 31)]
    for archive in purged:
        assert not default_storage.exists(archive.file)
        entry = AuditEntry.objects.get(tenant_id=owner.tenant_id, action="audit.purge", object_id=str(archive.pk))
        assert entry.after["last_hash"] == archive.last_hash
    assert audit_verify_tenant(tenant_id=owner.tenant_id) is None


def test_an_owner_downloads_an_archive_and_no_one_else_does(as_member, old, outsider):
    owner, _farm = old
    with time_machine.travel(at(2025, 10, 15), tick=False):
        archive = audit_archive_tenant(tenant_id=owner.tenant_id)[0]
    client = as_member(owner)
    page = client.get(reverse("audit")).content.decode()
    assert "Archived months" in page and reverse("audit_archive", args=[archive.pk]) in page
    response = client.get(reverse("audit_archive", args=[archive.pk]))
    assert response.status_code == 200 and response["X-Checksum-SHA256"] == archive.sha256
    assert gzip.decompress(b"".join(response.streaming_content)).count(b"\n") == archive.entries
    assert as_member(make_member(owner, "manager")).get(reverse("audit_archive", args=[archive.pk])).status_code == 403
    assert as_member(outsider).get(reverse("audit_archive", args=[archive.pk])).status_code == 404


def test_a_failing_storage_keeps_every_entry(old, monkeypatch):
    owner, _farm = old
    before = AuditEntry.objects.filter(tenant_id=owner.tenant_id).count()

    def refuse(*args, **kwargs):
        raise OSError("storage unavailable")

    monkeypatch.setattr(default_storage, "save", refuse)
    with time_machine.travel(at(2025, 10, 15), tick=False), pytest.raises(OSError):
        audit_archive_tenant(tenant_id=owner.tenant_id)
    assert AuditEntry.objects.filter(tenant_id=owner.tenant_id).count() == before
    assert not AuditArchive.objects.exists()


def test_outside_the_archive_the_database_still_refuses_delete(postgres, old):
    owner, _farm = old
    entry = AuditEntry.objects.filter(tenant_id=owner.tenant_id).first()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditEntry._meta.db_table} WHERE id = %s", [entry.pk])


def test_the_weekly_job_archives_each_tenant_once(old):
    from tasks.maintenance import archive_audit_chains

    owner, _farm = old
    with time_machine.travel(at(2025, 10, 15), tick=False):
        assert archive_audit_chains.call_local()["archived"] == 3
        assert archive_audit_chains.call_local()["archived"] == 0
    assert AuditArchive.objects.filter(tenant_id=owner.tenant_id).count() == 3
    assert audit_verify_tenant(tenant_id=owner.tenant_id) is None
