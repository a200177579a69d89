"""What the milk app, standing above health, answers and does for it.

Health needs to know whether an animal is in milk (a product not for lactating animals), and when a treatment
is entered after the milking, the milk already saved for the sessions its withdrawal covers must be discarded.
Both are the milk app's: it registers them when it starts. Without it, no animal is in milk and nothing is saved
to discard.
"""

from __future__ import annotations

from collections.abc import Callable

_milk: dict[str, Callable] = {}


def milk_register(*, in_milk: Callable[..., bool], withheld_discard: Callable[..., object]) -> None:
    _milk.update(in_milk=in_milk, withheld_discard=withheld_discard)


def in_milk(animal) -> bool:
    return bool(_milk) and _milk["in_milk"](animal)


def withheld_discard(*, membership, animal, since, until, withheld: Callable) -> None:
    """Discard the milk saved for `animal` between `since` and `until` in the sessions `withheld(day, session)`."""
    if _milk:
        _milk["withheld_discard"](membership=membership, animal=animal, since=since, until=until, withheld=withheld)
