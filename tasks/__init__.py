"""Huey tasks: thin, they take ids or plain values and call services.

Every task module is imported here, and this package is imported when Django starts (the core
app's ready), so the web process that enqueues and the consumer that runs know the same tasks.
"""


def register_all() -> None:
    from . import maintenance, milk, outbox  # noqa: F401
