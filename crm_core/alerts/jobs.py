"""The alert jobs a scheduler runs (the scheduler itself, its registry and its status are another
module's): plain functions of the store and the clock, each returning counts for the status panel
and never raising for a message that could not be sent (the outbox keeps the error and retries).

- ``promise_alerts_job(store, now)``: queue the promise alerts due at ``now`` (each once), then send
  what is due — every few minutes.
- ``weekly_report_job(store, now)``: the weekly management report to the admin's addresses, once per
  ISO week; run it at ``next_weekly_report_at(last_run)``.
"""
from __future__ import annotations

from datetime import datetime

from crm_core.alerts import outbox, promise_alerts
from crm_core.alerts.weekly_report import next_weekly_report_at, weekly_report_job
from crm_core.store import Store

__all__ = ["next_weekly_report_at", "promise_alerts_job", "weekly_report_job"]


def promise_alerts_job(store: Store, now: datetime) -> dict:
    """Queue the alerts due at ``now`` and send the outbox rows due; ``{"queued": n, "sent": n,
    "retrying": n, "failed": n}``. ``now``: aware, in the store's zone."""
    return {"queued": promise_alerts.scan(store, now), **outbox.deliver_due(store, now)}
