"""Huey tasks: thin, they take ids or plain values and call services.

Every task module is imported here when Django starts (this package is an installed app), so the web process that enqueues and the consumer that runs know the same tasks.
"""


def register_all() -> None:
    from . import billing, breeding, feeding, finance, health, maintenance, milk, notify, outbox, storage, webhooks  # noqa: F401
