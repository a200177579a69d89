"""Uploads the file store refused for a while: sent again by a task, and by a sweep every ten minutes."""

import logging

from django.core.files.storage import default_storage
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from apps.core.storage import send_with

log = logging.getLogger(__name__)


def _backend():
    backend = getattr(default_storage, "_wrapped", default_storage)
    if not hasattr(backend, "send_spooled"):
        default_storage._setup()
        backend = default_storage._wrapped
    return backend if hasattr(backend, "send_spooled") else None


@send_with
@db_task(retries=5, retry_delay=60)
def send_spooled(name: str) -> None:
    backend = _backend()
    if backend is not None and not backend.send_spooled(name):
        raise RuntimeError(f"the file store still refuses {name}")  # Huey tries again; the sweep after that


@db_periodic_task(crontab(minute="*/10"))
@lock_task("storage-spool")
def sweep_spool() -> int:
    from apps.core.storage import spooled_names

    backend = _backend()
    if backend is None:
        return 0
    sent = sum(1 for name in spooled_names() if backend.send_spooled(name))
    if sent:
        log.info("sent %s spooled uploads to the file store", sent)
    return sent
