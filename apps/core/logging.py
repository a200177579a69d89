import logging

from .context import current_request_meta


class RequestIdFilter(logging.Filter):
    """Attach the current request id to every log record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_meta().request_id or "-"
        return True
