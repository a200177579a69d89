"""Writes for milk: records and their summaries and alerts, and lactations."""

from .alerts import alert_resolve, alerts_evaluate
from .lactations import lactation_dry_off, lactation_start, lactations_start_many
from .records import (
    bulk_tank_save,
    farm_sessions,
    lactation_on,
    milk_withheld_discard,
    milking_record_delete,
    milking_record_save,
    milking_row_save,
    sessions_announce,
    sessions_due_announce,
    summaries_reconcile,
    summaries_refresh,
)
from .versions import FARM_MILK, SESSION_CONTEXT

__all__ = [
    "alert_resolve", "alerts_evaluate", "bulk_tank_save", "FARM_MILK", "SESSION_CONTEXT", "farm_sessions", "lactation_dry_off",
    "lactation_on", "lactation_start", "lactations_start_many", "milk_withheld_discard", "milking_record_delete",
    "milking_record_save", "milking_row_save", "sessions_announce", "sessions_due_announce", "summaries_reconcile", "summaries_refresh",
]
