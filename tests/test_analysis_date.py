"""crm_core.analysis_date: the app's one analysis date and the span the pickers allow (issue 15)."""
from datetime import date, timedelta

import pytest

from crm_core.analysis_date import DATA_ENDS, TODAY, data_span, default_analysis_date, default_from_span
from crm_core.store import Store

TODAY_DAY = date(2026, 12, 3)


def add_purchases(db: Store, days: list[date]) -> None:
    with db.transaction() as cur:
        cur.execute("INSERT INTO customers (customer_id, code, name) VALUES (1, 'K001', '客户1')")
        for day in days:
            cur.execute("INSERT INTO transactions (customer_id, txn_date, amount) VALUES (1, ?, 100)", [day])


def test_an_empty_store_defaults_to_today(store):
    assert data_span(store) == (None, None)
    assert default_analysis_date(store, TODAY_DAY) == (TODAY_DAY, TODAY)


def test_newest_transaction_61_days_old_is_the_default(store):
    last = TODAY_DAY - timedelta(days=61)  # 2026-10-03
    add_purchases(store, [date(2025, 1, 5), last])
    assert last == date(2026, 10, 3)
    assert data_span(store) == (date(2025, 1, 5), last)
    assert default_analysis_date(store, TODAY_DAY) == (date(2026, 10, 3), DATA_ENDS)


def test_newest_transaction_59_days_old_keeps_today(store):
    add_purchases(store, [TODAY_DAY - timedelta(days=59)])
    assert default_analysis_date(store, TODAY_DAY) == (TODAY_DAY, TODAY)


@pytest.mark.parametrize(("last", "expected"), [
    (None, (TODAY_DAY, TODAY)),
    (date(2026, 10, 4), (TODAY_DAY, TODAY)),            # 60 days: not older than 60
    (date(2026, 10, 3), (date(2026, 10, 3), DATA_ENDS)),  # 61 days
    (date(1998, 6, 30), (date(1998, 6, 30), DATA_ENDS)),  # CDNOW
    (date(2026, 12, 10), (TODAY_DAY, TODAY)),           # a future-dated transaction: still today
])
def test_default_from_span_by_hand(last, expected):
    assert default_from_span(last, TODAY_DAY) == expected
