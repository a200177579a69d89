"""Parts of pages kept drawn in the shared cache, each declaring what it is drawn from.

A `Source` is something pages are drawn from, kept under a version per key: an organisation's herd, one farm's
milk. It follows the models its rows come from (`follow`): a save or delete of one sets a new version, now and
again when the transaction commits, so whatever was drawn from it is drawn again. A fragment names its sources and
what else it varies on (`drawn`); its cache key is derived from them, never written by hand.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from .cache import versioned, versions_changed

T = TypeVar("T")


@dataclass(frozen=True)
class Source:
    name: str
    seconds: int = 600

    def key(self, *ids) -> str:
        return ":".join(["v", self.name, *map(str, ids)])

    def changed(self, *ids) -> None:
        versions_changed([self.key(*ids)], self.seconds)

    def changed_each(self, ids: Iterable[tuple]) -> None:
        versions_changed({self.key(*each) for each in ids}, self.seconds)

    def follow(self, *models, ids: Callable[[object], tuple] = lambda row: (row.tenant_id,)) -> None:
        """A save or delete of a row of `models` changes this source at `ids(row)` (default: the row's organisation).
        Rows written through save() only: a bulk write calls `changed` itself."""
        def row_changed(sender, instance, **kwargs):
            self.changed(*ids(instance))

        for signal in (post_save, post_delete):
            for model in models:
                signal.connect(row_changed, sender=model, weak=False,
                               dispatch_uid=f"fragments:{self.name}:{model._meta.label}:{id(signal)}")


def clock_step(minutes: int = 10) -> dt.datetime:
    """The start of the current step of the clock: a kept part that reads the time (a withdrawal running now) is drawn
    as at this moment and varies on it, so it is drawn again at least once a step."""
    now = timezone.now()
    return now.replace(minute=now.minute - now.minute % minutes, second=0, microsecond=0)


def drawn(name: str, *, sources: Iterable[tuple[Source, tuple]], vary_on: tuple, draw: Callable[[], T]) -> T:
    """`draw()`'s value, kept while the versions of `sources` (each a source with its ids) stay as they were when it
    was drawn; `vary_on` is everything else it depends on (the member, the language, the query). Kept for the
    shortest of the sources' times; drawn every time when the cache is not shared between processes."""
    sources = list(sources)
    if not sources:  # drawn from nothing that changes (a member with no farms yet): nothing to keep it by
        return draw()
    keys = [source.key(*ids) for source, ids in sources]
    digest = hashlib.sha256(repr((keys, vary_on)).encode()).hexdigest()[:32]
    return versioned(keys, f"fragment:{name}:{digest}", draw, min(source.seconds for source, _ in sources))
