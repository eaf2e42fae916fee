"""The business at a glance: the Home page's KPI cards and revenue trend.

All figures are computed in DuckDB over the whole store (the revenue windows, the chart and the
churn rate from per-customer rows a background fit keeps for the default analysis date, when they
are of the current data: see "the figures kept per customer" below); a card whose data does not
exist yet is None (shown as "—"), never a made-up number. The relationship cards come from the capabilities
that declare them (their ``overview_figures`` in ``crm_core.capabilities``); this module imports none.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta

import pandas as pd

from crm_core import access, model_fits, summaries
from crm_core.capabilities import overview_figures
from crm_core.definitions import PURCHASE, PURCHASE_T, purchase
from crm_core.model_fits import FIT_CHUNK_ROWS, FIT_LEASE, Fitter, refit_job
from crm_core.scheduler import Job, every
from crm_core.sql import Fragment, compose, last_12_months, previous_12_months, relation, run
from crm_core.store import Store
from crm_core.users import Actor


@dataclass(frozen=True)
class Kpis:
    as_of: date
    customers: int
    active_customers: int
    revenue_12m: float | None
    revenue_prior_12m: float | None
    revenue_per_active_customer: float | None
    new_customers_this_year: int

    @property
    def revenue_growth(self) -> float | None:
        if not self.revenue_12m or not self.revenue_prior_12m:
            return None
        return self.revenue_12m / self.revenue_prior_12m - 1


# The revenue windows (crm_core.sql): the last 12 months (as_of − 12 months, as_of] and the 12
# before them (as_of − 24 months, as_of − 12 months]. The bounds are parameters, not a column of a
# joined one-row table, so DuckDB folds them to constants and skips row groups outside them (at 1M
# customers a prm.as_of cross join made this query 4× slower).
_KPIS_FROM_ROWS = """
    WITH scoped AS (SELECT customer_id FROM customers),
    per AS (  -- one pass over the 24 months, one row per customer with transactions
        SELECT t.customer_id,
               count(*) FILTER (WHERE {recent} AND {purchase}) AS recent_purchases,
               sum(t.amount) FILTER (WHERE {recent}) AS recent,
               sum(t.amount) FILTER (WHERE {prior}) AS prior
        FROM transactions t
        WHERE ({recent} OR {prior}) AND t.customer_id IN (SELECT customer_id FROM scoped)
        GROUP BY t.customer_id
    ),
    first_purchase AS (
        -- on a user's cursor transactions are already the user's (crm_core.access)
        SELECT t.customer_id, min(t.txn_date) AS first_day FROM transactions t
        WHERE {purchase} GROUP BY t.customer_id
    )
    SELECT
        (SELECT count(*) FROM scoped) AS customers,
        (SELECT count(*) FROM per WHERE recent_purchases > 0) AS active_customers,
        (SELECT sum(recent)::DOUBLE FROM per) AS revenue_12m,
        (SELECT sum(prior)::DOUBLE FROM per) AS revenue_prior,
        (SELECT count(*) FROM first_purchase
         WHERE first_day >= date_trunc('year', $as_of::DATE) AND first_day <= $as_of::DATE) AS new_this_year
    """

# The same figures from the customer summaries (crm_core.summaries), one row per customer instead
# of every transaction, used when the analysis date is at (or near) the data's end:
# - new this year: a customer's first purchase ever is ``first_purchase``, whatever the date;
# - active: a purchase in (as_of − 12 months, as_of]. A customer whose last purchase falls in the
#   window is active, one whose last purchase is on or before its start is not; only the rows of
#   the customers whose last purchase comes after as_of are read (``later``);
# - revenue: the window's rows summed in one pass without grouping them by customer; the rows of
#   customers missing from ``customers`` (orphans, see Store.integrity_problems) are left out as
#   above, found among the summaries (every customer with a transaction has one) rather than by
#   checking 11M rows against the customers table.
_KPIS = """
    WITH scoped AS (SELECT customer_id FROM customers),
    orphans AS (SELECT customer_id FROM customer_summary ANTI JOIN scoped USING (customer_id)),
    later AS (SELECT customer_id FROM customer_summary s WHERE s.last_purchase > $as_of::DATE),
    revenue AS (
        SELECT sum(t.amount) FILTER (WHERE {recent}) AS recent, sum(t.amount) FILTER (WHERE {prior}) AS prior
        FROM transactions t ANTI JOIN orphans USING (customer_id)
        WHERE ({recent} OR {prior})
    )
    SELECT
        (SELECT count(*) FROM scoped) AS customers,
        (SELECT count(*) FROM customer_summary s ANTI JOIN orphans USING (customer_id) WHERE {last_in_window})
        + (SELECT count(DISTINCT t.customer_id) FROM transactions t SEMI JOIN later USING (customer_id)
           ANTI JOIN orphans USING (customer_id) WHERE {recent} AND {purchase}) AS active_customers,
        (SELECT recent::DOUBLE FROM revenue) AS revenue_12m,
        (SELECT prior::DOUBLE FROM revenue) AS revenue_prior,
        -- on a user's cursor the summaries are already the user's customers' (crm_core.access)
        (SELECT count(*) FROM customer_summary s
         WHERE s.first_purchase >= date_trunc('year', $as_of::DATE) AND s.first_purchase <= $as_of::DATE)
            AS new_this_year
    """
# Above this share of customers buying after the analysis date, reading their rows costs more than
# the one pass of _KPIS_FROM_ROWS (measured at 1M: as of 17 March with 9 months of data after it).
_LATER_SHARE = 0.05


def _frame(store: Store, actor: Actor, query: Fragment) -> pd.DataFrame:
    """``query`` on the user's cursor (the access views scope every table)."""
    cur = store.cursor(actor)
    try:
        return run(cur, query).df()
    finally:
        cur.close()


def _from_summaries(store: Store, as_of: date) -> bool:
    """Whether few enough customers bought after ``as_of`` for ``_KPIS`` to be the faster way."""
    (later, summarised) = store.query_one(
        "SELECT count(*) FILTER (WHERE last_purchase > ?), count(*) FROM customer_summary", [as_of])
    return later <= _LATER_SHARE * summarised


def kpis(store: Store, actor: Actor, as_of: date, from_rows: bool | None = None, kept: bool = True) -> Kpis:
    """Active = made a purchase (crm_core.definitions) in the last 12 months up to ``as_of``;
    revenue, net of refunds, over the last 12 months (as_of − 12 months, as_of] and the previous 12
    months (as_of − 24 months, as_of − 12 months] (``crm_core.sql.last_12_months`` /
    ``previous_12_months``); new = first purchase ever between 1 January of as_of's year and as_of.
    Read from the rows kept for ``as_of`` by the background fit when it is current (``kept``; see
    ``_KEPT_KPIS``), else from the customer summaries when ``as_of`` is near the data's end
    (``_KPIS`` says why that is exact), from the transactions otherwise; ``from_rows`` forces one
    of the two live ways (tests)."""
    summaries.ensure_current(store)
    if kept and from_rows is None:
        row = _from_kept(store, actor, as_of, lambda fit: lambda cur: compose(
            _KEPT_KPIS, fit_id=fit.fit_id, as_of=as_of, known=on_file(cur)))
        if row is not None:
            return _kpis_of(as_of, row.iloc[0])
    if from_rows is None:
        from_rows = not _from_summaries(store, as_of)
    query = compose(_KPIS_FROM_ROWS if from_rows else _KPIS, recent=last_12_months(as_of, "t.txn_date"),
                    prior=previous_12_months(as_of, "t.txn_date"), purchase=purchase("t"),
                    **({} if from_rows else {"last_in_window": last_12_months(as_of, "s.last_purchase")}))
    return _kpis_of(as_of, _frame(store, actor, query).iloc[0])


def _kpis_of(as_of: date, row: pd.Series) -> Kpis:
    active = int(row["active_customers"])
    revenue = None if pd.isna(row["revenue_12m"]) else float(row["revenue_12m"])
    return Kpis(
        as_of=as_of,
        customers=int(row["customers"]),
        active_customers=active,
        revenue_12m=revenue,
        revenue_prior_12m=None if pd.isna(row["revenue_prior"]) else float(row["revenue_prior"]),
        revenue_per_active_customer=revenue / active if revenue is not None and active else None,
        new_customers_this_year=int(row["new_this_year"]),
    )


def monthly_revenue(store: Store, actor: Actor, as_of: date, months: int = 36, kept: bool = True) -> pd.DataFrame:
    """Net revenue and customers who made a purchase, per calendar month, the last ``months`` months
    up to ``as_of`` (crm_core.definitions). The default 36 months are read from the rows kept for
    ``as_of`` by the background fit when it is current (``kept``), from the transactions otherwise."""
    months = int(months)
    if kept and months == KEPT_MONTHS:
        frame = _from_kept(store, actor, as_of, lambda fit: _kept_trend(fit, actor, as_of))
        if frame is not None:
            return frame
    if not 1 <= months <= 64:
        return _monthly_revenue_plain(store, actor, as_of, months)
    return _frame(store, actor, _trend_query(as_of, months))


def _trend_query(as_of: date, months: int) -> Fragment:
    """monthly_revenue's query for 1..64 months. Buying customers per month without
    count(DISTINCT) over ~10M (month, customer) pairs: one 64-bit mask of months bought per
    customer (bit k = k months before as_of's month), then the set bits counted per month — about
    3× faster at 10M transactions, the same numbers."""
    return Fragment(
        """
        WITH t AS (
            SELECT customer_id, amount, date_diff('month', txn_date, $as_of::DATE) AS k FROM transactions
            WHERE txn_date <= $as_of::DATE AND txn_date >= date_trunc('month', $as_of::DATE) - to_months($months - 1)
        ),
        per AS (SELECT customer_id, bit_or(CAST(1 AS UBIGINT) << k) AS mask FROM t WHERE """ + PURCHASE + """
                 GROUP BY customer_id),
        buyers AS (SELECT r.k, count(*) AS customers FROM per, range($months) r(k)
                   WHERE (mask >> r.k) & 1 = 1 GROUP BY r.k),
        revenue AS (SELECT k, sum(amount)::DOUBLE AS revenue FROM t GROUP BY k)
        SELECT (date_trunc('month', $as_of::DATE) - to_months(revenue.k))::DATE AS month, revenue.revenue,
               coalesce(buyers.customers, 0) AS customers
        FROM revenue LEFT JOIN buyers USING (k) ORDER BY month
        """,
        {"as_of": as_of, "months": months})


def _monthly_revenue_plain(store: Store, actor: Actor, as_of: date, months: int) -> pd.DataFrame:
    return _frame(store, actor, Fragment(
        """
        SELECT date_trunc('month', t.txn_date)::DATE AS month, sum(t.amount)::DOUBLE AS revenue,
               count(DISTINCT t.customer_id) FILTER (WHERE """ + PURCHASE_T + """) AS customers
        FROM transactions t
        WHERE t.txn_date <= $as_of::DATE
          AND t.txn_date >= date_trunc('month', $as_of::DATE) - to_months($months - 1)
        GROUP BY 1 ORDER BY 1
        """,
        {"as_of": as_of, "months": months}))


# -- the figures kept per customer (crm_core.model_fits, table fit_overview, migration 022) --------
#
# Revenue windows and the monthly chart read 24-36 months of transactions: at 10M customers
# (110M rows) 40 s a render. They depend only on the transactions and the analysis date, so the
# background fit keeps, for the default date, one row per customer with a transaction in the
# chart's 36 months — the window sums, whether they made a purchase in the last 12 months, the
# months they made one in (a bit mask) and each month's net revenue — and the page sums those rows
# on the user's cursor (a rep's are their customers'). Sums of the customers' DECIMAL sums are the
# sums of the rows, exactly, so the figures are the live ones; a stale or missing fit (another
# date, newer data) is computed live.

MODEL = "overview"
KEPT_MONTHS = 36  # the chart's default: the months the rows keep
_MONTH_COLUMNS = [f"m{k}" for k in range(KEPT_MONTHS)]

_FIT_ROWS = """
    SELECT t.customer_id,
           CAST(sum(t.amount) FILTER (WHERE {recent}) AS DECIMAL(18, 2)) AS recent,
           CAST(sum(t.amount) FILTER (WHERE {prior}) AS DECIMAL(18, 2)) AS prior,
           count(*) FILTER (WHERE {recent} AND {purchase}) > 0 AS bought_recent,
           coalesce(bit_or(CAST(1 AS UBIGINT) << t.k) FILTER (WHERE {purchase}), 0) AS months,
           """ + ",\n           ".join(
    f"CAST(sum(t.amount) FILTER (WHERE t.k = {k}) AS DECIMAL(18, 2)) AS m{k}" for k in range(KEPT_MONTHS)) + """
    FROM (SELECT customer_id, amount, txn_date, date_diff('month', txn_date, $as_of::DATE) AS k FROM transactions
          WHERE txn_date <= $as_of::DATE AND txn_date >= date_trunc('month', $as_of::DATE) - to_months($back)
            AND customer_id BETWEEN $lo AND $hi) t
    GROUP BY t.customer_id ORDER BY t.customer_id
    """
# The chart's window holds both revenue windows: (as_of - 24 months, as_of] starts after the first
# day of the month 35 months before as_of's.


def _fit_overview(cur, as_of: date) -> tuple[dict, Iterator]:
    """The rows of fit_overview for ``as_of``, one range of ``FIT_CHUNK_ROWS`` customer ids at a
    time (the transactions lie by customer: a range reads its own row groups, and neither DuckDB
    nor this process holds ten million customers' rows at once)."""
    (first, last) = cur.execute(
        "SELECT min(customer_id), max(customer_id) FROM transactions WHERE txn_date <= $as_of::DATE"
        " AND txn_date >= date_trunc('month', $as_of::DATE) - to_months($back)",
        {"as_of": as_of, "back": KEPT_MONTHS - 1}).fetchall()[0]

    def ranges() -> Iterator:
        if first is None:
            return
        for lo in range(first, last + 1, FIT_CHUNK_ROWS):
            yield relation(cur, compose(_FIT_ROWS, recent=last_12_months(as_of, "t.txn_date"),
                                        prior=previous_12_months(as_of, "t.txn_date"), purchase=purchase("t"),
                                        as_of=as_of, back=KEPT_MONTHS - 1, lo=lo,
                                        hi=lo + FIT_CHUNK_ROWS - 1)).to_arrow_table()

    trend = run(cur, _trend_query(as_of, KEPT_MONTHS)).df()  # the whole store's chart (every row: see _kept_trend)
    return {"months": KEPT_MONTHS, "trend": {"month": [d.date().isoformat() for d in trend["month"]],
                                             "revenue": trend["revenue"].tolist(),
                                             "customers": trend["customers"].tolist()}}, ranges()


# One date kept: ~115 MB of rows per date at 1M customers (the 36 month columns), and the page never
# asks for another date (it computes those live).
FITTERS = (Fitter(MODEL, "fit_overview", _fit_overview, kept_dates=1),)
# Declared by the report capability (crm_core.report.capability): the report opens with these figures.
FITS_JOB = Job("overview_fits", every(timedelta(minutes=1)), refit_job(FITTERS), lease=FIT_LEASE)

# The cards from the kept rows: the customers' count and the new customers as in _KPIS (the
# customers table, the summaries); the rows of customers missing from ``customers`` (orphans) left
# out of revenue and active customers as the live queries do.
_KEPT_KPIS = """
    WITH kept AS (SELECT * FROM fit_overview WHERE fit_id = $fit_id AND {known})
    SELECT
        (SELECT count(*) FROM customers) AS customers,
        (SELECT count(*) FROM kept WHERE bought_recent) AS active_customers,
        (SELECT sum(recent)::DOUBLE FROM kept) AS revenue_12m,
        (SELECT sum(prior)::DOUBLE FROM kept) AS revenue_prior,
        (SELECT count(*) FROM customer_summary s
         WHERE s.first_purchase >= date_trunc('year', $as_of::DATE) AND s.first_purchase <= $as_of::DATE)
            AS new_this_year
    """
# The chart of a user who sees every transaction (no rep scope): the fit's own, made by the live
# query on the whole store (kept in its parameters: floats as JSON keeps them, exactly), read back
# through DuckDB so the frame's types are the query's.
_STORE_TREND = """
    SELECT unnest($month::DATE[]) AS month, unnest($revenue::DOUBLE[]) AS revenue,
           unnest($customers::BIGINT[]) AS customers
    """
# A rep's chart from their customers' kept rows, as monthly_revenue makes it: a month without
# transactions has no row; the buying customers are the rows with the month's bit set (summed as
# integers: three times faster than 36 filtered counts).
_KEPT_TREND = """
    WITH sums AS (
        SELECT [""" + ", ".join(f"sum({c})" for c in _MONTH_COLUMNS) + """] AS revenue,
               [""" + ", ".join(f"sum(((months >> {k}) & 1)::BIGINT)" for k in range(KEPT_MONTHS)) + """]
                   AS customers
        FROM fit_overview WHERE fit_id = $fit_id),
    per AS (SELECT unnest(range(""" + str(KEPT_MONTHS) + """)) AS k, unnest(revenue) AS revenue,
                   unnest(customers) AS customers FROM sums)
    SELECT (date_trunc('month', $as_of::DATE) - to_months(k))::DATE AS month, revenue::DOUBLE AS revenue,
           coalesce(customers, 0)::BIGINT AS customers
    FROM per WHERE revenue IS NOT NULL ORDER BY month
    """


def _kept_trend(fit: model_fits.Fit, actor: Actor, as_of: date) -> Fragment:
    """The chart from fit ``fit``: its whole-store chart for a user without a rep scope, the sums of
    their customers' kept rows for a rep."""
    if access.visible(actor, "transactions").sql == "TRUE" and "trend" in fit.params:
        return compose(_STORE_TREND, **fit.params["trend"])
    return compose(_KEPT_TREND, fit_id=fit.fit_id, as_of=as_of)


# A kept row's customer is on file (among the customers the cursor sees): by the customers' id range
# when no id in it is missing (as many customers as ids from the least to the greatest: then an id
# is a customer's exactly when it lies in the range) — no join of every kept row with the customers
# (1.1 s of the Home page's 1.3 s at 3M customers) — else joined.
_ON_FILE = Fragment("customer_id IN (SELECT customer_id FROM customers)")


def on_file(cur) -> Fragment:
    """The condition that a row's ``customer_id`` is in ``customers`` as ``cur`` sees it (read on
    ``cur``'s snapshot: call it inside the read it serves)."""
    lo, hi, n = cur.execute("SELECT min(customer_id), max(customer_id), count(*) FROM customers").fetchall()[0]
    if not n or hi - lo + 1 != n:
        return _ON_FILE
    return Fragment("customer_id BETWEEN $lo AND $hi", {"lo": int(lo), "hi": int(hi)})


def _from_kept(store: Store, actor: Actor, as_of: date, query) -> pd.DataFrame | None:
    """``query(fit)`` (a Fragment, or a function of the cursor giving one) over the rows kept for
    ``as_of`` on the user's cursor, or None when there is no fit of the current transactions for that date. One snapshot: a refit landing meanwhile
    (which prunes the older fit's rows) cannot leave the header without its rows."""
    cur = store.cursor(actor)
    try:
        return _kept_on(cur, as_of, query)
    finally:
        cur.close()


def _kept_on(cur, as_of: date, query) -> pd.DataFrame | None:
    """``_from_kept`` on a cursor of the caller's (a user's scoped one, not in a transaction)."""
    def read(fit: model_fits.Fit) -> pd.DataFrame:
        wanted = query(fit)
        if callable(wanted):  # a query that reads something else first, on the same snapshot
            wanted = wanted(cur)
        return run(cur, wanted).df()
    return model_fits.read_current(cur, MODEL, as_of, read)


@dataclass(frozen=True)
class RelationshipKpis:
    """Cards filled by later capabilities; each None until its data exists."""

    open_promises: int | None
    nps: float | None
    nps_low: float | None
    nps_high: float | None
    churn_rate: float | None


def relationship_kpis(store: Store, actor: Actor, now: datetime, as_of: date | None = None) -> RelationshipKpis:
    """Open promises at ``now``, NPS of the latest survey wave (with its interval), measured churn
    of the 12 months ending on ``as_of`` (the analysis date; default ``now``'s day): the figures
    the capabilities declare, read through the user's cursor."""
    cur = store.cursor(actor)
    try:
        figures = overview_figures(cur, now, as_of)
    finally:
        cur.close()
    unknown = set(figures) - {f.name for f in fields(RelationshipKpis)}
    if unknown:
        raise ValueError(f"overview figures no card shows: {sorted(unknown)}")
    return RelationshipKpis(**{f.name: figures.get(f.name) for f in fields(RelationshipKpis)})
