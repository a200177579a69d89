"""Writes for breeding: heats, services, checks and births; sire hire agreements; farm tasks."""

from .hires import hire_amount, hire_end, hire_save, hires_end_due
from .records import (
    birth_record,
    birth_void,
    heat_record,
    inbreeding_of,
    is_pregnant,
    pregnancy_check_record,
    service_record,
)
from .tasks import next_due, reminders_send, task_close, task_save

__all__ = [
    "birth_record", "birth_void", "heat_record", "hire_amount", "hire_end", "hire_save", "hires_end_due", "inbreeding_of",
    "is_pregnant", "next_due", "pregnancy_check_record", "reminders_send", "service_record", "task_close", "task_save",
]
