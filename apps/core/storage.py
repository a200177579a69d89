"""Files in Supabase Storage through the `supabase` client, and one way to hand a stored file to a browser.

Names stay what the models make them (`receipts/<tenant>/<yyyy>/<mm>/<file>`): the first segment picks
the bucket (animal photos, receipts, invoice PDFs, reports, profile photos, audit archives; all
private), the rest is the object's path, so every object of an organisation sits under its id.
Downloads are checked by the view (tenant, farm, permission) and then answered with a redirect to a
signed URL that lives a few minutes: the bytes never pass through a web worker. A server error or a
timeout is tried again twice; an upload that still fails is kept in a local spool (the record saves as
usual and the file is served from there) and sent by a task, then by a sweep every ten minutes, until the
store takes it. Other calls that still fail raise a clear `StorageUnavailable`.
"""

from __future__ import annotations

import logging
import mimetypes
import time
from contextvars import ContextVar
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import transaction
from django.http import FileResponse, HttpResponseRedirect
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)
# The names spooled while serving the current request (None outside one): the page then says so.
spooled_in_request: ContextVar[list[str] | None] = ContextVar("spooled_in_request", default=None)

BUCKETS = {
    "animals": "animal-photos",
    "receipts": "receipts",
    "invoices": "invoice-pdfs",
    "reports": "reports",
    "profiles": "profile-photos",
    "audit": "audit-archives",
}


class StorageUnavailable(OSError):
    """The file store did not answer (an error of its own, or no answer in time)."""

    def __init__(self, what: str):
        super().__init__(_("The file store is not answering (%(what)s). The file was not saved; try again in a minute.")
                         % {"what": what})


@deconstructible
class SupabaseStorage(Storage):
    def __init__(self, url: str | None = None, key: str | None = None, buckets: dict | None = None,
                 default_bucket: str = "files", signed_url_seconds: int | None = None, timeout: int = 10,
                 attempts: int = 3):
        self.base_url = url or settings.SUPABASE_URL
        self.key = key or settings.SUPABASE_SERVICE_KEY
        self.buckets = buckets or BUCKETS
        self.default_bucket = default_bucket
        self.signed_url_seconds = signed_url_seconds or settings.SIGNED_URL_SECONDS
        self.timeout, self.attempts = timeout, attempts
        self._client = None

    # The client and its buckets ------------------------------------------------------------------

    def _files(self, bucket: str):
        if self._client is None:
            from supabase import ClientOptions, create_client

            self._client = create_client(self.base_url, self.key, options=ClientOptions(storage_client_timeout=self.timeout))
        return self._client.storage.from_(bucket)

    def _split(self, name: str) -> tuple[str, str]:
        kind, _, rest = name.partition("/")
        if kind in self.buckets and rest:
            return self.buckets[kind], rest
        return self.default_bucket, name

    def _call(self, what: str, function):
        """Run a storage call, again after a server error or a timeout (0.2 s, then 0.6 s)."""
        import httpx
        from storage3.exceptions import StorageApiError

        for attempt in range(1, self.attempts + 1):
            try:
                return function()
            except StorageApiError as error:
                if str(error.status).isdigit() and int(error.status) < 500:
                    raise
                problem = f"{what}: {error.status}"
            except (httpx.TimeoutException, httpx.TransportError) as error:
                problem = f"{what}: {error.__class__.__name__}"
            log.warning("file store %s (attempt %s of %s)", problem, attempt, self.attempts)
            if attempt < self.attempts:
                time.sleep(0.2 * (3 ** (attempt - 1)))
        raise StorageUnavailable(problem)

    # Storage API ---------------------------------------------------------------------------------

    def _upload(self, name: str, data: bytes, *, replace: bool = False) -> None:
        bucket, path = self._split(name)
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        self._call("upload", lambda: self._files(bucket).upload(path, data, {"content-type": content_type,
                                                                            "upsert": "true" if replace else "false"}))

    def get_available_name(self, name, max_length=None):
        try:
            return super().get_available_name(name, max_length=max_length)
        except StorageUnavailable:
            # The store cannot say whether the name is taken: take one nobody has (it goes to the spool).
            import os

            directory, file_name = os.path.split(name)
            root, extension = os.path.splitext(file_name)
            return os.path.join(directory, self.get_alternative_name(root, extension))

    def _save(self, name, content):
        content.seek(0)
        data = content.read()
        try:
            self._upload(name, data)
        except StorageUnavailable as error:
            spooled = spool_path(name)
            spooled.parent.mkdir(parents=True, exist_ok=True)
            spooled.write_bytes(data)
            log.warning("%s Kept %s in the local spool; it is sent when the store answers.", error, name)
            if (spooled_now := spooled_in_request.get()) is not None:
                spooled_now.append(name)
            transaction.on_commit(lambda: _queue_send(name))
        return name

    def send_spooled(self, name: str) -> bool:
        """Send a spooled upload to the store; True once it is there (and gone from the spool)."""
        spooled = spool_path(name)
        if not spooled.exists():
            return True
        try:
            self._upload(name, spooled.read_bytes(), replace=True)
        except StorageUnavailable:
            return False
        spooled.unlink(missing_ok=True)
        return True

    def is_spooled(self, name: str) -> bool:
        return spool_path(name).exists()

    def _open(self, name, mode="rb"):
        if self.is_spooled(name):
            return ContentFile(spool_path(name).read_bytes(), name=name)
        bucket, path = self._split(name)
        return ContentFile(self._call("download", lambda: self._files(bucket).download(path)), name=name)

    def exists(self, name):
        if self.is_spooled(name):
            return True
        bucket, path = self._split(name)
        return self._call("lookup", lambda: self._files(bucket).exists(path))

    def delete(self, name):
        spool_path(name).unlink(missing_ok=True)
        bucket, path = self._split(name)
        self._call("delete", lambda: self._files(bucket).remove([path]))

    def size(self, name):
        bucket, path = self._split(name)
        info = self._call("lookup", lambda: self._files(bucket).info(path))
        return int(info.get("size") or (info.get("metadata") or {}).get("size") or 0)

    def url(self, name, *, download: str | None = None):
        """A signed URL, good for SIGNED_URL_SECONDS; with `download`, the browser saves it under that name."""
        bucket, path = self._split(name)
        options = {"download": download} if download else None
        answer = self._call("signing", lambda: self._files(bucket).create_signed_url(path, self.signed_url_seconds,
                                                                                      options))
        return answer["signedURL"]


def spool_path(name: str) -> Path:
    target = (settings.VAR_DIR / "spool" / name).resolve()
    if not target.is_relative_to((settings.VAR_DIR / "spool").resolve()):
        raise ValueError(f"unsafe file name {name!r}")
    return target


def spooled_names() -> list[str]:
    root = settings.VAR_DIR / "spool"
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


_sender = None  # the task that sends a spooled upload; the tasks package names it (send_with)


def send_with(function):
    global _sender
    _sender = function
    return function


def _queue_send(name: str) -> None:
    if _sender is None:
        return
    try:
        _sender(name)
    except Exception:  # the spool file is the promise; the sweep sends it
        log.exception("could not queue the upload of %s; the sweep will send it", name)


def file_response(name: str, *, storage=None, content_type: str | None = None, filename: str | None = None,
                  sandbox: bool = False):
    """Answer a download the view has already allowed: a redirect to a short-lived signed URL when the
    store can sign one, else the bytes streamed from local files."""
    from django.core.files.storage import default_storage

    storage = storage or default_storage
    content_type = content_type or mimetypes.guess_type(filename or name)[0] or "application/octet-stream"
    backend = getattr(storage, "_wrapped", storage)
    if isinstance(backend, SupabaseStorage) and not backend.is_spooled(name):
        response = HttpResponseRedirect(storage.url(name, download=filename))
        response["Cache-Control"] = "private, no-store"
        return response
    response = FileResponse(storage.open(name, "rb"), content_type=content_type, as_attachment=filename is not None,
                            filename=filename or "")
    response["Cache-Control"] = "private, max-age=3600"
    if sandbox:
        response["Content-Security-Policy"] = "sandbox"
    return response
