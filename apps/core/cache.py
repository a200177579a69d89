"""Redis as the cache, with a process-local stand-in while Redis cannot be reached.

With django-redis alone, an outage turns every cache call into a miss. That is fine for cached
pages, but not for the things that need a working cache to say yes: allauth's rate limiter takes
a lock with cache.add(), and with Redis down it refuses every login (429). This backend serves
those calls from local memory for a few seconds at a time and tries Redis again after that, so
limits hold per process and nothing waits on a dead server.
"""

import logging
import time
import uuid

from django.core.cache.backends.locmem import LocMemCache
from django_redis.cache import RedisCache
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import RedisError

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 5
_FAILURES = (ConnectionInterrupted, RedisError, OSError)


class RedisWithLocalFallback(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._local = LocMemCache("ifarm-fallback", {"TIMEOUT": params.get("TIMEOUT", 300), "OPTIONS": {"MAX_ENTRIES": 10_000}})
        self._down_until = 0.0

    @property
    def degraded(self) -> bool:
        return time.monotonic() < self._down_until

    def _call(self, name, *args, **kwargs):
        if self.degraded:
            return getattr(self._local, name)(*args, **kwargs)
        try:
            return getattr(super(), name)(*args, **kwargs)
        except _FAILURES as error:
            log.warning("Redis unreachable (%s); using local memory for %s s", error.__class__.__name__, RETRY_AFTER_SECONDS)
            self._down_until = time.monotonic() + RETRY_AFTER_SECONDS
            return getattr(self._local, name)(*args, **kwargs)

    def get(self, *args, **kwargs):
        return self._call("get", *args, **kwargs)

    def set(self, *args, **kwargs):
        return self._call("set", *args, **kwargs)

    def add(self, *args, **kwargs):
        return self._call("add", *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._call("delete", *args, **kwargs)

    def get_many(self, *args, **kwargs):
        return self._call("get_many", *args, **kwargs)

    def set_many(self, *args, **kwargs):
        return self._call("set_many", *args, **kwargs)

    def delete_many(self, *args, **kwargs):
        return self._call("delete_many", *args, **kwargs)

    def incr(self, *args, **kwargs):
        return self._call("incr", *args, **kwargs)

    def decr(self, *args, **kwargs):
        return self._call("decr", *args, **kwargs)

    def has_key(self, *args, **kwargs):
        return self._call("has_key", *args, **kwargs)

    def touch(self, *args, **kwargs):
        return self._call("touch", *args, **kwargs)

    def clear(self, *args, **kwargs):
        self._local.clear()
        return self._call("clear", *args, **kwargs)


# Entries kept under a version token -----------------------------------------------------------------
# A value read from the database is kept with the token its version key held *before* the read; a change
# sets a new token at once and again when its transaction commits. An entry built from rows older than a
# change therefore never carries the token set after it, whatever order the two requests finish in.


def shared() -> bool:
    """True when the cache is one every process sees (Redis, reachable): only then may a value read from the
    database be kept for other processes' requests."""
    from django.core.cache import caches

    backend = caches["default"]
    return isinstance(backend, RedisWithLocalFallback) and not backend.degraded


def new_version(version_key: str, timeout: int) -> str:
    """The version key's token, made now if it has none."""
    from django.core.cache import cache

    version = uuid.uuid4().hex
    if not cache.add(version_key, version, timeout):
        version = cache.get(version_key) or version
    return version


def versioned(version_keys, entry_key: str, load, timeout: int):
    """`load()`'s value, from the cache while the version keys' tokens are the ones it was kept with (one key or
    a list of them)."""
    from django.core.cache import cache

    if not shared():
        return load()
    keys = [version_keys] if isinstance(version_keys, str) else list(version_keys)
    found = cache.get_many([*keys, entry_key])
    versions = tuple(found.get(key) for key in keys)
    entry = found.get(entry_key)
    if None not in versions and entry is not None and entry[0] == versions:
        return entry[1]
    versions = tuple(version or new_version(key, timeout) for key, version in zip(keys, versions))
    value = load()
    cache.set(entry_key, (versions, value), timeout)
    return value


def versions_changed(version_keys, timeout: int) -> None:
    """New tokens for these version keys now and again when the current transaction commits."""
    from django.core.cache import cache
    from django.db import transaction

    keys = list(version_keys)
    if not keys:
        return

    def renew():
        cache.set_many({key: uuid.uuid4().hex for key in keys}, timeout)

    renew()
    transaction.on_commit(renew)


def count_in_window(name: str, seconds: int) -> int:
    """Count one more event under `name` in the current fixed window of `seconds`; return the window's count."""
    import time as _time

    return count_once_more(f"{name}:{int(_time.time() // seconds)}", timeout=seconds + 30)


def count_once_more(key: str, *, timeout: int) -> int:
    """Add one to the counter under `key` (made with `timeout` when new); return its count."""
    from django.core.cache import cache

    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=timeout)
        return 1
