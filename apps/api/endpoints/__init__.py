"""The operations of API v1. Each reads through the same selectors and writes through the same
services as the pages, with the caller's membership (a key's own, or the signed-in member's)."""

from ninja import Router

from . import care, deliveries, herd, icar, milk, money

router = Router()
for part in (herd, milk, icar, money, care, deliveries):
    router.add_router("", part.router)
