"""The chain's long life: old months leave the live table for checked archive files, very old files are
purged, and verification walks both.

A month whose entries are all older than AUDIT_ARCHIVE_AFTER_DAYS (18 months by default) is written to
`audit/<tenant>/<YYYY-MM>.jsonl.gz` through the storage backend (one JSON line per entry, with its hash),
its checksum recorded in AuditArchive, and its entries deleted from the live table in the same
transaction (the only DELETE the database trigger lets through). Archives older than
AUDIT_PURGE_AFTER_DAYS (seven years) are deleted with an `audit.purge` entry appended to the chain; their
rows stay as the chain's anchor. `audit_verify` walks the files, then the live table, as one chain.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import io
import json

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from apps.core.models import tenant_model

from .models import AuditArchive, AuditEntry
from .services import GENESIS, Actor, ChainBreak, audit_append, canonical_json, compute_hash


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(month, dt.time.min, tzinfo=dt.UTC)
    return start, dt.datetime.combine(_next_month(month), dt.time.min, tzinfo=dt.UTC)


def archive_name(tenant_id: int, month: dt.date) -> str:
    return f"audit/{tenant_id}/{month:%Y-%m}.jsonl.gz"


def _lines(entries) -> bytes:
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as packed:
        for entry in entries:
            line = {"id": entry.pk, "fields": entry.canonical_fields(), "prev_hash": entry.prev_hash,
                    "entry_hash": entry.entry_hash}
            packed.write(canonical_json(line).encode() + b"\n")
    return buffer.getvalue()


def audit_archive_tenant(*, tenant_id: int, now: dt.datetime | None = None) -> list[AuditArchive]:
    """Archive each whole month (in UTC) older than the retention age, oldest first; idempotent."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.AUDIT_ARCHIVE_AFTER_DAYS)
    made = []
    while True:
        with scopes_disabled():
            oldest = AuditEntry.objects.filter(tenant_id=tenant_id).order_by("seq").values_list("created_at", flat=True).first()
        if oldest is None:
            break
        month = _month_start(oldest.astimezone(dt.UTC).date())
        start, end = _month_bounds(month)
        if end > cutoff:
            break
        made.append(_archive_month(tenant_id, month, end))
    return made


@transaction.atomic
def _archive_month(tenant_id: int, month: dt.date, end: dt.datetime) -> AuditArchive:
    Tenant = tenant_model()

    # The same lock as audit_append: the chain does not move while a month leaves it.
    Tenant.objects.select_for_update().filter(pk=tenant_id).values_list("pk", flat=True).get()
    with scopes_disabled():
        entries = list(AuditEntry.objects.filter(tenant_id=tenant_id, created_at__lt=end).order_by("seq"))
        data = _lines(entries)
        name = archive_name(tenant_id, month)
        if default_storage.exists(name):  # left by a run that failed before it committed
            default_storage.delete(name)
        stored = default_storage.save(name, ContentFile(data))
        archive = AuditArchive.objects.create(
            tenant_id=tenant_id, month=month, first_seq=entries[0].seq, last_seq=entries[-1].seq, entries=len(entries),
            first_prev_hash=entries[0].prev_hash, last_hash=entries[-1].entry_hash, file=stored, size=len(data),
            sha256=hashlib.sha256(data).hexdigest())
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL ifarm.audit_archive = 'on'")
        AuditEntry.objects.filter(tenant_id=tenant_id, pk__in=[e.pk for e in entries]).delete()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL ifarm.audit_archive = 'off'")
    return archive


def audit_purge_tenant(*, tenant_id: int, now: dt.datetime | None = None) -> list[AuditArchive]:
    """Delete the archive files older than the purge age, each with an audit.purge entry in the chain."""
    now = now or timezone.now()
    cutoff = (now - dt.timedelta(days=settings.AUDIT_PURGE_AFTER_DAYS)).date()
    purged = []
    with scopes_disabled():
        due = [a for a in AuditArchive.objects.filter(tenant_id=tenant_id, purged_at=None).order_by("month")
               if _next_month(a.month) <= cutoff]
    for archive in due:
        with transaction.atomic():
            audit_append(actor=Actor.system(tenant_id), action="audit.purge", obj=archive, after={
                "month": archive.month.isoformat(), "first_seq": archive.first_seq, "last_seq": archive.last_seq,
                "entries": archive.entries, "last_hash": archive.last_hash, "sha256": archive.sha256})
            archive.purged_at = now
            archive.save(update_fields=["purged_at"])
            transaction.on_commit(lambda name=archive.file: default_storage.delete(name))
        purged.append(archive)
    return purged


def verify_archives(tenant_id: int) -> tuple[ChainBreak | None, str, int]:
    """Walk the tenant's archive files in order: the first break, or the hash and next seq the live table
    must continue from."""
    prev_hash, expected = GENESIS, 1
    with scopes_disabled():
        archives = list(AuditArchive.objects.filter(tenant_id=tenant_id).order_by("first_seq"))
    for archive in archives:
        if archive.first_seq != expected:
            return ChainBreak(tenant_id, archive.first_seq, archive.pk,
                              f"archive {archive.file} starts at #{archive.first_seq}, not #{expected}"), prev_hash, expected
        if archive.first_prev_hash != prev_hash:
            return ChainBreak(tenant_id, archive.first_seq, archive.pk,
                              f"archive {archive.file} does not follow the entry before it"), prev_hash, expected
        if archive.purged_at is None:
            try:
                with default_storage.open(archive.file, "rb") as handle:
                    data = handle.read()
            except OSError:
                return ChainBreak(tenant_id, archive.first_seq, archive.pk,
                                  f"archive {archive.file} is missing"), prev_hash, expected
            if hashlib.sha256(data).hexdigest() != archive.sha256:
                return ChainBreak(tenant_id, archive.first_seq, archive.pk,
                                  f"archive {archive.file} does not match its checksum"), prev_hash, expected
            running, seq = prev_hash, expected
            for raw in gzip.decompress(data).splitlines():
                line = json.loads(raw)
                fields = line["fields"]
                if fields["seq"] != seq or line["prev_hash"] != running or compute_hash(running, fields) != line["entry_hash"]:
                    return ChainBreak(tenant_id, fields["seq"], line["id"],
                                      f"entry in archive {archive.file} does not hold"), prev_hash, expected
                running, seq = line["entry_hash"], seq + 1
            if running != archive.last_hash or seq != archive.last_seq + 1:
                return ChainBreak(tenant_id, archive.last_seq, archive.pk,
                                  f"archive {archive.file} ends short of its record"), prev_hash, expected
        prev_hash, expected = archive.last_hash, archive.last_seq + 1
    return None, prev_hash, expected


def archives_of(membership):
    return AuditArchive.objects.filter(tenant_id=membership.tenant_id, purged_at=None).order_by("-month")


def audit_verify_tenant(*, tenant_id: int) -> ChainBreak | None:
    """Walk one tenant's chain in order, archives first; return the first entry that does not hold."""
    broken, prev_hash, expected_seq = verify_archives(tenant_id)
    if broken is not None:
        return broken
    with scopes_disabled():
        entries = AuditEntry.objects.filter(tenant_id=tenant_id).order_by("seq").iterator(chunk_size=2000)
        for entry in entries:
            if entry.seq != expected_seq:
                return ChainBreak(tenant_id, entry.seq, entry.pk, f"sequence jumps from {expected_seq - 1} to {entry.seq}")
            if entry.prev_hash != prev_hash:
                return ChainBreak(tenant_id, entry.seq, entry.pk, "previous hash does not match the entry before it")
            if compute_hash(prev_hash, entry.canonical_fields()) != entry.entry_hash:
                return ChainBreak(tenant_id, entry.seq, entry.pk, "stored fields do not match the entry's hash")
            prev_hash = entry.entry_hash
            expected_seq += 1
    return None
