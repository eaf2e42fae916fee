"""What the Segmentation page keeps fitted in the background (crm_core.model_fits): for the default
analysis date, each customer's RFM figures, need signals and value features over the page's default
period (the 12 months up to that date; model 'segments', table fit_segments, migration 023), and
each customer's revenue and margin over that period and the one before it, with their ranks over
the whole store (model 'segment_spend', table fit_segment_spend, migration 024), the big-customer
tab's value scores of the whole store (model 'value_scores', table fit_value_scores, migration 026),
the need tab's summary of the whole store (model 'need_summary', table fit_need_summary), each
customer's interactions and their cost in the period beside their ranks, for the resources tab's
effort by class (model 'segment_effort', table fit_segment_effort), and the ABC tab's figures and the
movement matrix of the default classification (models 'segment_overview' and 'segment_movement',
tables fit_segment_overview and fit_segment_movement) and the RFM tab's buyers per (recency,
frequency) cell (model 'rfm_cells', table fit_rfm_cells; all five migration 031).

At 1M customers computing them from the transactions took 1.5-4 s per tab. The per-customer rows
depend on the transactions alone (kept per customer with a transaction in the period); a customer's
recorded need type and influence, the complaints and the survey answers are read live when the rows
are, so editing a customer or logging a complaint never makes them stale. The value scores and the
need summary read such data when fitted: they note a fingerprint of it and are stale once it
changes; the effort notes the last interaction it counted, and its reader adds the ones logged
since. Everything kept is made by the same SQL text as the live reads (crm_core.segmentation.views,
value, needs, rfm): the same answers. Another period, other shares for the ABC figures and the
movement, newer transactions, or a user who sees only some customers are computed live.
"""
from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from crm_core import model_fits
from crm_core.definitions import PURCHASE
from crm_core.model_fits import FIT_CHUNK_ROWS, FIT_LEASE, Fitter, refit_job
from crm_core.scheduler import Job, every
from crm_core.segmentation.abc import check_period
from crm_core.segmentation.needs import NEED_CTES
from crm_core.segmentation.value import REPEAT_RATE, SPEND_CV, TENURE_DAYS, feature_ctes, months_in_period
from crm_core.sql import Fragment, last_12_months_dates

MODEL = "segments"
TABLE = "fit_segments"

# rfm_table_sql's figures (recency to the period's end), here for every customer with a
# transaction in the period: the RFM tab keeps those with a purchase (frequency > 0), the need
# tab's revenue is ``monetary`` (the period's net amount) of all of them.
_ROWS = """
    WITH {features},
    {needs},
    rfm AS (
        SELECT customer_id,
               date_diff('day', MAX(txn_date) FILTER (WHERE {purchase}), CAST($end AS DATE)) AS recency_days,
               COUNT(DISTINCT txn_date) FILTER (WHERE {purchase}) AS frequency,
               CAST(SUM(amount) AS DOUBLE) AS monetary
        FROM transactions WHERE txn_date BETWEEN $start AND $end GROUP BY customer_id)
    SELECT r.customer_id, r.recency_days, r.frequency, r.monetary, n.discount_share, n.relative_price,
           {tenure} AS tenure_days, {repeat} AS repeat_rate, {cv} AS spend_cv
    FROM rfm r LEFT JOIN per_customer n USING (customer_id) LEFT JOIN spread p USING (customer_id)
    LEFT JOIN first_purchase f USING (customer_id)
    ORDER BY r.customer_id"""


def _fit_segments(cur, as_of: date):
    """The rows of fit_segments for ``as_of``'s default period, streamed ``FIT_CHUNK_ROWS`` at a time."""
    start, end = last_12_months_dates(as_of)
    sql = _ROWS.format(features=feature_ctes(cur), needs=NEED_CTES, purchase=PURCHASE, tenure=TENURE_DAYS,
                       repeat=REPEAT_RATE, cv=SPEND_CV)
    rows = cur.sql(sql, params={"start": start, "end": end, "months": months_in_period(start, end)})
    params = {"start": start.isoformat(), "end": end.isoformat()}
    # a relation streams; an executed result is copied first
    return params, _revenue_floors(rows.to_arrow_reader(FIT_CHUNK_ROWS), params)


# How far down the revenues the need tab looks for a page first (views.need_members): the fit notes
# the k-th highest revenue for each k, so the page reads the rows above it without ranking them all.
REVENUE_FLOOR_REACHES = (1_000, 10_000, 100_000)


def _revenue_floors(batches, params: dict):
    """``batches`` as they are, noting in ``params["revenue_floors"]`` the k-th highest ``monetary``
    for each k of ``REVENUE_FLOOR_REACHES`` ({str(k): value}; None when fewer than k rows have one,
    or it is not > 0: then every row with a positive revenue is within reach). Only the highest
    max(k) values are held, whatever the number of rows."""
    keep = max(REVENUE_FLOOR_REACHES, default=0)
    top = np.empty(0)
    for batch in batches:
        values = batch.column("monetary").to_numpy(zero_copy_only=False).astype(float)
        top = np.concatenate([top, values[~np.isnan(values)]])
        if len(top) > keep:
            top = np.partition(top, len(top) - keep)[len(top) - keep:] if keep else top[:0]
        yield batch
    top = np.sort(top)[::-1]
    params["revenue_floors"] = {str(k): (float(top[k - 1]) if len(top) >= k and top[k - 1] > 0 else None)
                                for k in REVENUE_FLOOR_REACHES}


def _month_end(day: date) -> date:
    return (pd.Timestamp(day) + pd.offsets.MonthEnd(0)).date()


def previous_period(start: date, end: date) -> tuple[date, date]:
    """The period of the same length just before ``start``..``end``. Whole calendar months shift
    by months (2025-07-01..2026-06-30 → 2024-07-01..2025-06-30); other periods by days."""
    check_period(start, end)
    if start.day == 1 and end == _month_end(end):
        months = months_in_period(start, end)
        prev_start = (pd.Timestamp(start) - pd.DateOffset(months=months)).date()
        return prev_start, start - timedelta(days=1)
    length = (end - start).days + 1
    return start - timedelta(days=length), start - timedelta(days=1)


SPEND_MODEL = "segment_spend"
SPEND_TABLE = "fit_segment_spend"
# The measures' columns of fit_segment_spend: (measure, period) → (total, rank); the measures are
# abc.MEASURES' (revenue: amount, margin: gross_margin), the periods the default one ("") and the
# one before it ("prior_").
SPEND_COLUMNS = {(measure, prior): (f"{prior}{measure}", f"{prior}{measure}_rank")
                 for prior in ("", "prior_") for measure in ("revenue", "margin")}

# Every customer with a transaction in either period: the two periods' totals as the live reads
# sum them (views._spend_ctes: SUM of the column, NULL without a row or a margin, held as
# DECIMAL(18, 2)), and the rank of each positive total over the whole store (ORDER BY spend DESC,
# customer_id — abc_classify_sql's order); one pass over the two periods' transactions.
_SPEND_ROWS = """
    WITH totals AS (
        SELECT customer_id,
               CAST(SUM(amount) FILTER (WHERE txn_date >= $start) AS DECIMAL(18, 2)) AS revenue,
               CAST(SUM(gross_margin) FILTER (WHERE txn_date >= $start) AS DECIMAL(18, 2)) AS margin,
               CAST(SUM(amount) FILTER (WHERE txn_date <= $prev_end) AS DECIMAL(18, 2)) AS prior_revenue,
               CAST(SUM(gross_margin) FILTER (WHERE txn_date <= $prev_end) AS DECIMAL(18, 2)) AS prior_margin
        FROM transactions WHERE txn_date BETWEEN $prev_start AND $end GROUP BY customer_id)
    SELECT customer_id, revenue, margin, {revenue_rank} AS revenue_rank, {margin_rank} AS margin_rank,
           prior_revenue, prior_margin, {prior_revenue_rank} AS prior_revenue_rank,
           {prior_margin_rank} AS prior_margin_rank
    FROM totals ORDER BY customer_id"""


def _rank(total: str) -> str:
    return (f"CASE WHEN {total} > 0 THEN ROW_NUMBER() OVER (PARTITION BY {total} > 0 "
            f"ORDER BY {total} DESC, customer_id) END")


def _fit_spend(cur, as_of: date):
    """The rows of fit_segment_spend for ``as_of``'s default period and the one before it, streamed
    ``FIT_CHUNK_ROWS`` at a time; the header's ``ranked`` (how many customers each rank column
    ranks: n of the classes over the whole store) is counted while they stream."""
    start, end = last_12_months_dates(as_of)
    prev_start, prev_end = previous_period(start, end)  # ends the day before start: one pass reads both
    ranks = {rank: _rank(total) for total, rank in SPEND_COLUMNS.values()}
    rows = cur.sql(_SPEND_ROWS.format(**ranks),
                   params={"start": start, "end": end, "prev_start": prev_start, "prev_end": prev_end})
    params = {"start": start.isoformat(), "end": end.isoformat(), "prev_start": prev_start.isoformat(),
              "prev_end": prev_end.isoformat(), "ranked": {}}
    return params, _ranked(rows.to_arrow_reader(FIT_CHUNK_ROWS), params)


def _ranked(batches, params: dict):
    """``batches`` as they are, counting each rank column's ranks into ``params["ranked"]`` (fit_one
    writes the parameters after the rows)."""
    counts = dict.fromkeys((rank for _, rank in SPEND_COLUMNS.values()), 0)
    for batch in batches:
        for column in counts:
            counts[column] += int(pc.count(batch.column(column)).as_py())
        yield batch
    params["ranked"] = counts


VALUE_MODEL = "value_scores"
VALUE_TABLE = "fit_value_scores"


def _fit_values(cur, as_of: date):
    """The rows of fit_value_scores for ``as_of``'s default period (views.value_rows)."""
    from crm_core.segmentation import views  # views reads the fits of this module

    return views.value_rows(cur, *last_12_months_dates(as_of))


def _values_fresh(store, cur, fit: model_fits.Fit, seen: tuple | None = None) -> bool:
    """Whether ``fit`` was made on the influence, complaints and survey answers as ``cur`` sees them
    (``seen``: views.value_sources' key, read before ``cur``'s transaction began; None: ``cur`` is
    in none, read now)."""
    from crm_core.segmentation import views

    seen = views.sources_key(store) if seen is None else seen
    return fit.empty or fit.params.get("sources") == views.value_sources(cur, seen)


NEED_MODEL = "need_summary"
NEED_TABLE = "fit_need_summary"


def _fit_needs(cur, as_of: date):
    """The rows of fit_need_summary for ``as_of``'s default period (views.need_summary_rows)."""
    from crm_core.segmentation import views

    return views.need_summary_rows(cur, *last_12_months_dates(as_of))


def _needs_fresh(store, cur, fit: model_fits.Fit) -> bool:
    """Whether ``fit`` was made on the customers' recorded need types as ``cur`` sees them."""
    from crm_core.segmentation import views

    return fit.empty or fit.params.get("sources") == views.need_sources(cur)


EFFORT_MODEL = "segment_effort"
EFFORT_TABLE = "fit_segment_effort"


def _fit_effort(cur, as_of: date):
    """The rows of fit_segment_effort for ``as_of``'s default period (views.effort_rows)."""
    from crm_core.segmentation import views

    return views.effort_rows(cur, *last_12_months_dates(as_of))


def _effort_fresh(store, cur, fit: model_fits.Fit) -> bool:
    """Whether the interactions and customers ``fit`` counted are all still there (views.effort_check;
    interactions logged since are added by the reader, no refit needed for them)."""
    from crm_core.segmentation import views

    return fit.empty or views.effort_check(cur, fit) is not None


def spend_ranks(cur, start: date, end: date) -> Fragment:
    """(customer_id, revenue_rank, margin_rank): the ranks of ``start``..``end``'s totals over the
    whole store (``_SPEND_ROWS``'), of every customer ranked by either; from the kept totals when
    current (``kept_spend``, on ``cur`` in a transaction), else computed by the same query."""
    fit = kept_spend(cur, start, end)
    if fit is not None:
        return Fragment(f"SELECT customer_id, revenue_rank, margin_rank FROM {SPEND_TABLE} WHERE fit_id = $ranks_fit"
                        " AND (revenue_rank IS NOT NULL OR margin_rank IS NOT NULL)", {"ranks_fit": fit.fit_id})
    prev_start, prev_end = previous_period(start, end)
    spend = _SPEND_ROWS.format(**{rank: _rank(total) for total, rank in SPEND_COLUMNS.values()})
    return Fragment(f"SELECT customer_id, revenue_rank, margin_rank FROM ({spend}) s"
                    " WHERE revenue_rank IS NOT NULL OR margin_rank IS NOT NULL",
                    {"start": start, "end": end, "prev_start": prev_start, "prev_end": prev_end})


OVERVIEW_MODEL = "segment_overview"
OVERVIEW_TABLE = "fit_segment_overview"
MOVEMENT_MODEL = "segment_movement"
MOVEMENT_TABLE = "fit_segment_movement"


def _fit_overview(cur, as_of: date):
    """The rows of fit_segment_overview for ``as_of``'s default period (views.overview_rows)."""
    from crm_core.segmentation import views

    return views.overview_rows(cur, *last_12_months_dates(as_of))


def _fit_movement(cur, as_of: date):
    """The rows of fit_segment_movement for ``as_of``'s default period (views.movement_rows)."""
    from crm_core.segmentation import views

    return views.movement_rows(cur, *last_12_months_dates(as_of))


RFM_CELLS_MODEL = "rfm_cells"
RFM_CELLS_TABLE = "fit_rfm_cells"


def _fit_rfm_cells(cur, as_of: date):
    """The rows of fit_rfm_cells for ``as_of``'s default period (views.rfm_cells_rows)."""
    from crm_core.segmentation import views

    return views.rfm_cells_rows(cur, *last_12_months_dates(as_of))


FITTERS = (Fitter(MODEL, TABLE, _fit_segments, kept_dates=1),
           Fitter(SPEND_MODEL, SPEND_TABLE, _fit_spend, kept_dates=1),
           Fitter(VALUE_MODEL, VALUE_TABLE, _fit_values, kept_dates=1, fresh=_values_fresh),
           # after the models they read the kept rows of (fit_segments, fit_segment_spend)
           Fitter(NEED_MODEL, NEED_TABLE, _fit_needs, kept_dates=1, fresh=_needs_fresh),
           Fitter(EFFORT_MODEL, EFFORT_TABLE, _fit_effort, kept_dates=1, fresh=_effort_fresh),
           Fitter(OVERVIEW_MODEL, OVERVIEW_TABLE, _fit_overview, kept_dates=1),
           Fitter(MOVEMENT_MODEL, MOVEMENT_TABLE, _fit_movement, kept_dates=1),
           Fitter(RFM_CELLS_MODEL, RFM_CELLS_TABLE, _fit_rfm_cells, kept_dates=1))
FITS_JOB = Job("segment_fits", every(timedelta(minutes=1)), refit_job(FITTERS),
               lease=FIT_LEASE)


def kept_fit(cur, start: date, end: date) -> model_fits.Fit | None:
    """The current fit for ``start``..``end`` when that is the default period of ``end`` (the only
    one kept), else None: compute live. Call inside a transaction on ``cur`` and read its rows there."""
    if (start, end) != last_12_months_dates(end):
        return None
    return model_fits.current_fit(cur, MODEL, end)


def kept_values(store, cur, start: date, end: date, seen: tuple) -> model_fits.Fit | None:
    """The current fit of the value scores kept for ``start``..``end`` when that is the default
    period of ``end``, made on the transactions as they are and on the influence, complaints and
    survey answers as they are (params.sources), else None: compute live. Call inside a
    transaction on ``cur`` begun after ``seen = views.sources_key(store)`` was read, and read the
    rows there."""
    if (start, end) != last_12_months_dates(end):
        return None
    fit = model_fits.current_fit(cur, VALUE_MODEL, end)
    return fit if fit is not None and _values_fresh(store, cur, fit, seen) else None


def kept_spend(cur, start: date, end: date) -> model_fits.Fit | None:
    """The current fit of the totals kept for ``start``..``end`` (and for ``previous_period`` of it)
    when that is the default period of ``end`` (the only one kept), else None: compute live. Call
    inside a transaction on ``cur`` and read its rows there."""
    if (start, end) != last_12_months_dates(end):
        return None
    return model_fits.current_fit(cur, SPEND_MODEL, end)


def kept_needs(cur, start: date, end: date) -> model_fits.Fit | None:
    """The current need summary kept for ``start``..``end`` when that is the default period of
    ``end``, made on the transactions and on the customers' recorded need types as they are
    (params.sources), else None: compute live. Call inside a transaction on ``cur`` and read the
    rows there."""
    if (start, end) != last_12_months_dates(end):
        return None
    fit = model_fits.current_fit(cur, NEED_MODEL, end)
    return fit if fit is not None and _needs_fresh(None, cur, fit) else None


def kept_effort(cur, start: date, end: date) -> model_fits.Fit | None:
    """The current fit of the effort kept for ``start``..``end`` when that is the default period of
    ``end``, else None: compute live. The reader checks it against the interactions and customers
    (views.effort_check). Call inside a transaction on ``cur`` and read the rows there."""
    if (start, end) != last_12_months_dates(end):
        return None
    return model_fits.current_fit(cur, EFFORT_MODEL, end)


def kept_overview(cur, start: date, end: date) -> model_fits.Fit | None:
    """The current ABC figures kept for ``start``..``end`` (the default classification of the whole
    store) when that is the default period of ``end``, else None. Call inside a transaction on
    ``cur`` and read the rows there."""
    if (start, end) != last_12_months_dates(end):
        return None
    return model_fits.current_fit(cur, OVERVIEW_MODEL, end)


def kept_movement(cur, start: date, end: date) -> model_fits.Fit | None:
    """The current movement matrix kept for ``start``..``end`` (the default classification of the
    whole store) when that is the default period of ``end``, else None. Call inside a transaction on
    ``cur`` and read the rows there."""
    if (start, end) != last_12_months_dates(end):
        return None
    return model_fits.current_fit(cur, MOVEMENT_MODEL, end)


def kept_rfm_cells(cur, start: date, end: date) -> model_fits.Fit | None:
    """The current RFM cells of the whole store kept for ``start``..``end`` when that is the default
    period of ``end``, else None. Call inside a transaction on ``cur`` and read the rows there."""
    if (start, end) != last_12_months_dates(end):
        return None
    return model_fits.current_fit(cur, RFM_CELLS_MODEL, end)
