"""The app's one analysis date: the day every window on every page ends (issue 15).

By default it is today in the store's zone. When the newest transaction is more than
``STALE_AFTER_DAYS`` days older than today (an old file imported, e.g. CDNOW 1997–98), the default
is that newest day instead, so the figures describe the data rather than an empty recent year.
"""
from __future__ import annotations

from datetime import date

from crm_core.store import Store

STALE_AFTER_DAYS = 60
TODAY = "today"
DATA_ENDS = "data_ends"


def data_span(db: Store) -> tuple[date | None, date | None]:
    """The first and the last transaction day in the store; (None, None) without transactions."""
    first, last = db.query_one("SELECT min(txn_date), max(txn_date) FROM transactions")
    return first, last


def default_from_span(last: date | None, today: date) -> tuple[date, str]:
    """``(day, reason)``: ``last`` with reason "data_ends" when it is more than STALE_AFTER_DAYS
    days before ``today``, else ``today`` with reason "today"."""
    if last is not None and (today - last).days > STALE_AFTER_DAYS:
        return last, DATA_ENDS
    return today, TODAY


def default_analysis_date(db: Store, today: date) -> tuple[date, str]:
    """The default analysis date and why: ("today" | "data_ends"); see default_from_span."""
    return default_from_span(data_span(db)[1], today)
