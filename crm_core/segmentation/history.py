"""Class history (migration 007): the standard classes at each month end."""
from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from crm_core.segmentation.abc import abc_shares
from crm_core.segmentation.views import SegmentQuery, class_case
from crm_core.sql import Fragment, Identifier, compose, run

# -- class history (migration 007): the standard classes at each month end --------------------------

HISTORY_MONTHS = 12  # each snapshot classifies the 12 calendar months ending at its month end
HISTORY_RULE = SegmentQuery(date(2000, 1, 1), date(2000, 12, 31))  # revenue, 5% / 20%
DEMO_HISTORY_MONTHS = 24


def last_closed_month_end(day: date) -> date:
    """The last day of the month before ``day``'s month: the newest month that is over."""
    return day.replace(day=1) - timedelta(days=1)


def history_window(month_end: date) -> tuple[date, date]:
    start = (pd.Timestamp(month_end.replace(day=1)) - pd.DateOffset(months=HISTORY_MONTHS - 1)).date()
    return start, month_end


# The standard classes of one 12-month window, from the monthly revenue table, into a temp table.
_SNAPSHOT_CLASSES = """CREATE TEMP TABLE {table} AS
    WITH spend AS (
        SELECT customer_id, SUM(revenue) AS spend FROM seg_hist_monthly
        WHERE month BETWEEN $start AND $end GROUP BY customer_id HAVING SUM(revenue) > 0),
    ranked AS (SELECT customer_id, spend, ROW_NUMBER() OVER (ORDER BY spend DESC, customer_id) AS rank,
                      COUNT(*) OVER () AS n FROM spend)
    SELECT customer_id, rank, spend, {case} AS abc FROM ranked"""


def _snapshot_classes(cur, table: str, start: date, end: date, case: Fragment) -> None:
    run(cur, compose(_SNAPSHOT_CLASSES, table=Identifier(table), case=case, start=start, end=end))


def _record_snapshots(cur, month_ends: list[date]) -> int:
    """Write the snapshots of ``month_ends`` (ascending, consecutive) through ``cur``: the classes
    of each window compared with those of the month before; only changes are stored."""
    case = class_case(*abc_shares(HISTORY_RULE.a_share, HISTORY_RULE.b_share))
    first_start, _ = history_window(last_closed_month_end(month_ends[0]))
    cur.execute("""CREATE TEMP TABLE seg_hist_monthly AS
        SELECT customer_id, CAST(date_trunc('month', txn_date) AS DATE) AS month, SUM(amount) AS revenue
        FROM transactions WHERE txn_date BETWEEN ? AND ? GROUP BY ALL""", [first_start, month_ends[-1]])
    written = 0
    try:
        baseline_start, baseline_end = history_window(last_closed_month_end(month_ends[0]))
        _snapshot_classes(cur, "seg_hist_prev", baseline_start.replace(day=1), baseline_end, case)
        for month_end in month_ends:
            start, end = history_window(month_end)
            _snapshot_classes(cur, "seg_hist_curr", start, end, case)
            cur.execute("""INSERT INTO segment_class_changes (month_end, customer_id, prev_abc, abc, rank, spend)
                SELECT ?, COALESCE(c.customer_id, p.customer_id), COALESCE(p.abc, 'none'), COALESCE(c.abc, 'none'),
                       c.rank, c.spend
                FROM seg_hist_prev p FULL OUTER JOIN seg_hist_curr c ON p.customer_id = c.customer_id
                WHERE COALESCE(p.abc, 'none') <> COALESCE(c.abc, 'none')""", [month_end])
            cur.execute("""INSERT INTO segment_snapshots (month_end, period_start, measure, a_share, b_share, customers)
                SELECT ?, ?, ?, ?, ?, COUNT(*) FROM seg_hist_curr""",
                        [month_end, start, HISTORY_RULE.measure, str(HISTORY_RULE.a_share), str(HISTORY_RULE.b_share)])
            cur.execute("DROP TABLE seg_hist_prev")
            cur.execute("ALTER TABLE seg_hist_curr RENAME TO seg_hist_prev")
            written += 1
    finally:
        cur.execute("DROP TABLE IF EXISTS seg_hist_prev")
        cur.execute("DROP TABLE IF EXISTS seg_hist_curr")
        cur.execute("DROP TABLE IF EXISTS seg_hist_monthly")
    return written


def _month_ends_between(first: date, last: date) -> list[date]:
    return [d.date() for d in pd.date_range(first, last, freq="ME")]


def record_class_history(store, through: date, backfill: int = 1) -> list[date]:
    """Bring the class history up to the last closed month before ``through``: one snapshot per
    month end not yet recorded (with no history yet, the last ``backfill`` month ends). Each
    snapshot classifies revenue over the 12 calendar months ending there with the default
    shares (``HISTORY_RULE``) and stores the customers whose class differs from the month
    before. Returns the month ends written (empty when up to date)."""
    last = last_closed_month_end(through)
    if _months_to_record(store.query_one("SELECT MAX(month_end) FROM segment_snapshots")[0], last, backfill) == []:
        return []  # up to date: no write, so no cache anywhere is invalidated
    with store.transaction() as cur:  # decided again under the write lock: two sessions may race here
        recorded = cur.execute("SELECT MAX(month_end) FROM segment_snapshots").fetchone()[0]
        month_ends = _months_to_record(recorded, last, backfill)
        if month_ends:
            _record_snapshots(cur, month_ends)
    return month_ends


def class_history_job(store, now) -> dict[str, int]:
    """The scheduled job ``segment_history``: the months closed by ``now`` recorded even when nobody
    opens the Segmentation page (which also records them); ``{"months": months written}``."""
    return {"months": len(record_class_history(store, now.date()))}


def _months_to_record(recorded: date | None, last: date, backfill: int) -> list[date]:
    if recorded is not None and recorded >= last:
        return []
    if recorded is None:
        first = (pd.Timestamp(last) - pd.DateOffset(months=max(backfill, 1) - 1) + pd.offsets.MonthEnd(0)).date()
    else:
        first = (pd.Timestamp(recorded) + pd.offsets.MonthEnd(1)).date()
    return _month_ends_between(first, last)


def load_demo(cur, customers: pd.DataFrame, transactions: pd.DataFrame, as_of: date, seed: int,
              months: int = DEMO_HISTORY_MONTHS) -> int:
    """Demo class history: snapshots for the ``months`` (default 24) month ends before ``as_of``'s
    month (those not recorded yet), computed from the ``transactions`` table already inserted through ``cur`` (the
    frames are not needed: the history is derived, deterministic, and uses no randomness).
    Returns the number of change rows written."""
    last = last_closed_month_end(as_of)
    recorded = cur.execute("SELECT MAX(month_end) FROM segment_snapshots").fetchone()[0]
    month_ends = _months_to_record(recorded, last, months)  # idempotent: a second call adds nothing
    before = cur.execute("SELECT COUNT(*) FROM segment_class_changes").fetchone()[0]
    if month_ends:
        _record_snapshots(cur, month_ends)
    return int(cur.execute("SELECT COUNT(*) FROM segment_class_changes").fetchone()[0] - before)


def class_history(store, actor, customer_id: int) -> pd.DataFrame:
    """The recorded class changes of one customer, newest first: month_end, prev_abc, abc,
    rank, spend (float). Empty when the user may not see the customer."""
    frame = store.query_df("""SELECT month_end, prev_abc, abc, rank, CAST(spend AS DOUBLE) AS spend
        FROM segment_class_changes WHERE customer_id = ? ORDER BY month_end DESC""",
                           [int(customer_id)], actor=actor)
    frame["month_end"] = pd.to_datetime(frame["month_end"]).dt.date
    return frame


def history_span(store) -> tuple[date | None, date | None]:
    """First and last recorded month end (None, None without history)."""
    first, last = store.query_one("SELECT MIN(month_end), MAX(month_end) FROM segment_snapshots")
    return first, last

