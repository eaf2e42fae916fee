"""Upcoming key dates (三节两寿 and the customer's own dates) for the next N days.

Occasion keys: ``birthday``, ``founding``, ``anniversary``, ``first_purchase_anniversary``,
``custom`` (yearly dates from ``key_dates``), and the festivals ``spring_festival``,
``dragon_boat``, ``mid_autumn``. Rule for 29 February: in a year without it the date is
remembered on 28 February (a day early rather than a day late — a card that arrives after the
day says the day was forgotten).

The window is ``[start, start + days)``: ``days=30`` covers today and the next 29 days.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

import numpy as np
import pandas as pd

from crm_core import access, summaries
from crm_core.china_calendar import festival_dates
from crm_core.definitions import PURCHASE
from crm_core.sql import TRUE, Fragment, compose, run

COLUMNS = ["customer_id", "occasion", "date", "years", "label"]


def _window(start: date, days: int) -> tuple[date, date]:
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    return start, start + timedelta(days=days)


def _finish(frame: pd.DataFrame, ordered: bool = False) -> pd.DataFrame:
    frame = frame[COLUMNS].astype({"customer_id": "int64", "years": "Int64"})
    frame["date"] = pd.to_datetime(frame["date"]).astype("datetime64[us]")
    frame["occasion"] = frame["occasion"].astype("str")
    frame["label"] = frame["label"].astype("str")  # missing stays missing (NaN), not "None"
    if ordered:  # the query's ORDER BY date, customer_id, occasion: the order this sort gives (DuckDB
        return frame.reset_index(drop=True)  # compares text byte by byte, as Python does code points)
    return frame.sort_values(["date", "customer_id", "occasion"], kind="stable").reset_index(drop=True)


def anniversary_sql(origin: str, year: str) -> str:
    """SQL for the date of ``origin``'s month/day in ``year``, with the 29 February rule.

    ``origin`` and ``year`` are SQL expressions written in this package (never user text).
    """
    return (f"make_date({year}, month({origin}), CASE WHEN month({origin}) = 2 AND day({origin}) = 29 "
            f"AND NOT (({year}) % 4 = 0 AND (({year}) % 100 <> 0 OR ({year}) % 400 = 0)) "
            f"THEN 28 ELSE day({origin}) END)")


_UPCOMING_SQL = f"""
WITH w AS (SELECT $lo::DATE AS lo, $hi::DATE AS hi),
yrs AS (SELECT range AS y FROM range($first_year, $end_year)),
sc AS {{kept_once}} (SELECT customer_id, birthday FROM customers WHERE {{scope}}),
origins AS (
    SELECT customer_id, 'birthday' AS occasion, birthday AS origin, NULL::VARCHAR AS label
    FROM sc WHERE birthday IS NOT NULL
    UNION ALL
    SELECT customer_id, kind, day, label FROM key_dates {{scope_filter}}
    UNION ALL
    SELECT customer_id, 'first_purchase_anniversary', first_day, NULL FROM ({{first_purchases}})
),
near AS (SELECT * FROM origins o WHERE {{near}}),
occ AS (
    SELECT o.customer_id, o.occasion, o.label, {anniversary_sql('o.origin', 'yrs.y')} AS date,
           yrs.y - year(o.origin) AS n,
           o.occasion IN ('birthday', 'founding', 'anniversary', 'first_purchase_anniversary') AS counted
    FROM near o CROSS JOIN yrs
),
fest AS (SELECT unnest($fest_occasions::VARCHAR[]) AS occasion, unnest($fest_dates::DATE[]) AS date),
recipients AS ({{festival_source}})
SELECT customer_id, occasion, date, CASE WHEN counted THEN n END AS years, label
FROM occ, w WHERE date >= w.lo AND date < w.hi AND n >= CASE WHEN counted THEN 1 ELSE 0 END
UNION ALL
SELECT c.customer_id, f.occasion, f.date, NULL, NULL
FROM recipients c CROSS JOIN fest f
"""
# The list's order: by day, customer and occasion, then label and years, so that it is total (a
# customer may have two dates of one kind on a day) and every page read with LIMIT/OFFSET is the
# slice of the whole list (rows equal in all five are the same row twice).
_ORDER = "date, customer_id, occasion, label, years"
_PAGE_SQL = "SELECT * FROM ({dates}) WHERE {occasions} ORDER BY " + _ORDER + " LIMIT $limit OFFSET $offset"
# How many rows of each occasion on each day, and the list's first rows (every occasion), from one
# pass over the origins: the page's opening view (the counts for the occasion picker and the count
# shown, and the first page). Rows have n NULL and their place in the list; counts have n set.
_START_SQL = f"""
WITH d AS MATERIALIZED ({{dates}}),
head AS (SELECT *, row_number() OVER (ORDER BY {_ORDER}) AS place FROM d ORDER BY {_ORDER} LIMIT $limit)
SELECT date, occasion, count(*) AS n, NULL::BIGINT AS customer_id, NULL::BIGINT AS years, NULL::VARCHAR AS label,
       NULL::BIGINT AS place
FROM d GROUP BY date, occasion
UNION ALL
SELECT date, occasion, NULL, customer_id, years, label, place FROM head
"""
# Festival recipients (fixed SQL text): everyone in scope, or the registered subset within scope,
# or a subset a query of the caller's selects (``festival_sql``), within scope.
_FESTIVAL_SOURCES = {
    "all": "SELECT customer_id FROM sc",
    "subset": "SELECT DISTINCT customer_id FROM care_festival_customers WHERE customer_id IN "
              "(SELECT customer_id FROM sc)",
    "query": "SELECT DISTINCT customer_id FROM ({festival_sql}) WHERE customer_id IN (SELECT customer_id FROM sc)",
}


def month_days(start: date, end: date, column: str) -> Fragment:
    """The dates in ``column`` (an expression of this package) whose month and day can fall in
    ``[start, end)`` in some year: every 10M customers' birthday and first purchase need no date
    arithmetic for a window of two weeks. The window's month-days (month × 100 + day) are one run
    from the first day's to the last day's, wrapping past 31 December at most once, so this is one
    BETWEEN (a set of month-days tested row by row was most of the query). A 29 February
    date falls on the 28th in a year without it, so it is kept when the window ends on the 28th
    (otherwise the run already covers 229 whenever it covers 228). A window of a year or more keeps
    everything."""
    if (end - start).days >= 366:
        return Fragment("TRUE")
    first, last = _month_day(start), _month_day(end - timedelta(days=1))
    if last == 228:
        last = 229
    md = f"(month({column}) * 100 + day({column}))"  # written once: DuckDB computes it once a row
    if first <= last:
        return Fragment(f"{md} BETWEEN $md_first AND $md_last", {"md_first": first, "md_last": last})
    # wrapping past the year's end: every month-day but those between the two runs
    return Fragment(f"{md} NOT BETWEEN $md_last + 1 AND $md_first - 1", {"md_first": first, "md_last": last})


def _month_day(day: date) -> int:
    return day.month * 100 + day.day


# Each customer's first purchase ever (the day of their earliest transaction with amount > 0): one
# row per customer from the customer summaries (crm_core.summaries) when the store keeps them
# current, else from the transactions — the same days.
_FIRST_FROM_SUMMARIES = ("SELECT customer_id, first_purchase AS first_day FROM customer_summary"
                         " WHERE first_purchase IS NOT NULL {scope_and}")
_FIRST_FROM_ROWS = f"SELECT customer_id, min(txn_date) AS first_day FROM transactions WHERE {PURCHASE} {{scope_and}}" \
                   " GROUP BY customer_id"

# The customers in scope (sc) are read once and kept for the query's other tables when they are a
# rep's (the other tables are filtered by them); everyone is read where used (kept, they would be a
# copy of every customer: a third of the query at a million customers).
_ONCE, _EACH_TIME = Fragment("MATERIALIZED"), Fragment("NOT MATERIALIZED")
# Whose dates: the customers in scope (sc) and the other tables' rows about them (fixed SQL text).
_SCOPE_FILTER = Fragment("WHERE customer_id IN (SELECT customer_id FROM sc)")
_SCOPE_AND = Fragment("AND customer_id IN (SELECT customer_id FROM sc)")
_NO_FILTER = Fragment("")


def festivals_between(start: date, end: date) -> list[tuple[str, date]]:
    """The three festivals falling in ``[start, end)``: (occasion, day), by year."""
    return [(key, day) for year in range(start.year, (end - timedelta(days=1)).year + 1)
            for key, day in festival_dates(year).items() if start <= day < end]


def upcoming_key_dates_sql(db, start: date, days: int, festival_customers: Iterable[int] | None = None,
                           *, rep: str | None = None, customer_id: int | None = None,
                           festival_sql: Fragment | None = None, occasions: Iterable[str] | None = None,
                           offset: int = 0, limit: int | None = None) -> pd.DataFrame:
    """Every key date of the customers in ``[start, start + days)``, computed in DuckDB from the
    store's tables (the pandas reference is ``upcoming_key_dates`` in tests/reference.py).

    First purchase = earliest transaction with ``amount > 0``. ``festival_customers``: the ids who
    get the three festivals, ``None`` for everyone (registered as a temporary view for the
    query). Built for 10,000,000 customers: month/day arithmetic in SQL, festivals as two array parameters.
    ``rep`` restricts everything to that sales rep's customers, ``customer_id`` to one customer
    (festival recipients too: a subset is intersected with the scope). ``festival_sql``: the
    recipients as a query selecting customer_id (instead of ``festival_customers``).
    ``occasions``: those occasions only (None: all); ``offset``/``limit``: rows ``offset`` to
    ``offset + limit`` of the list in its order (``_ORDER``; ``limit`` None: all), so a page reads
    50 rows, not the million of a whole list at ten million customers.
    """
    shown = TRUE if occasions is None else Fragment("occasion IN (SELECT unnest($occasions::VARCHAR[]))",
                                                    {"occasions": [str(o) for o in occasions]})
    frame = _dated(db, start, days, festival_customers, rep, customer_id, festival_sql,
                   lambda dates: compose(_PAGE_SQL, dates=dates, occasions=shown, limit=limit, offset=int(offset)))
    return _finish(frame, ordered=True)  # sorted by the query: not sorted again (0.1 s at 3M customers)


def key_date_start_sql(db, start: date, days: int, festival_customers: Iterable[int] | None = None,
                       *, rep: str | None = None, festival_sql: Fragment | None = None,
                       limit: int = 50) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(counts, first rows): how many rows of each occasion ``upcoming_key_dates_sql`` lists on each
    day (same arguments; columns date, occasion, n (int64), by day and occasion; a day and occasion
    without a row is left out) and its first ``limit`` rows of every occasion, from one query."""
    frame = _dated(db, start, days, festival_customers, rep, None, festival_sql,
                   lambda dates: compose(_START_SQL, dates=dates, limit=int(limit)))
    listed = frame["n"].isna()
    counts = frame.loc[~listed, ["date", "occasion", "n"]].astype({"occasion": "str", "n": "int64"})
    counts["date"] = pd.to_datetime(counts["date"]).astype("datetime64[us]")
    counts = counts.sort_values(["date", "occasion"], kind="stable").reset_index(drop=True)
    return counts, _finish(frame[listed].sort_values("place"), ordered=True)


def _dated(db, start: date, days: int, festival_customers: Iterable[int] | None, rep: str | None,
           customer_id: int | None, festival_sql: Fragment | None, wrap) -> pd.DataFrame:
    """``wrap(dates)`` run, ``dates`` the unordered key dates query (see ``upcoming_key_dates_sql``),
    with ``festival_customers`` registered for it when given."""
    start, end = _window(start, days)
    hits = festivals_between(start, end)
    if customer_id is not None:
        scope = Fragment("customer_id = $customer_id", {"customer_id": customer_id})
    else:
        scope = access.of_rep(rep, "customers")
    narrowed = scope.sql != "TRUE"
    subset = festival_customers is not None and festival_sql is None
    source = "query" if festival_sql is not None else "subset" if subset else "all"
    scope_and = _SCOPE_AND if narrowed else _NO_FILTER
    first = compose(_FIRST_FROM_SUMMARIES if summaries.usable(db) else _FIRST_FROM_ROWS, scope_and=scope_and)
    query = compose(_UPCOMING_SQL, scope=scope, scope_filter=_SCOPE_FILTER if narrowed else _NO_FILTER,
                    kept_once=_ONCE if narrowed else _EACH_TIME,
                    scope_and=scope_and, first_purchases=first,
                    festival_source=compose(_FESTIVAL_SOURCES[source], festival_sql=festival_sql or Fragment("")),
                    near=month_days(start, end, "o.origin"),
                    lo=start, hi=end, first_year=start.year, end_year=(end - timedelta(days=1)).year + 1,
                    fest_occasions=[k for k, _ in hits], fest_dates=[d for _, d in hits])
    if subset:
        ids = pd.DataFrame({"customer_id": pd.unique(np.asarray(list(festival_customers), dtype=np.int64))})
        db.register("care_festival_customers", ids)
    try:
        return run(db, wrap(query)).df()
    finally:
        if subset:
            db.unregister("care_festival_customers")
