"""What the Satisfaction page keeps fitted in the background (crm_core.model_fits): each customer's
number of transactions and spend over the 12 months up to a date (``last_12_months``), model
'sat_spend', table fit_sat_spend (migration 027).

Two tabs group a year of transactions by customer at render time: the quadrant tab (its loyalty
measures: purchases and spend in the 12 months up to the analysis date, for every respondent) and
the non-response tab (spend in the 12 months before a wave's start, for every customer of the
base). At ten million customers that grouping was most of their 2.8-4 s. The figures depend on
the transactions alone, so they are kept per customer with a transaction in the window, for two
dates: the default analysis date (the job's own) and the start of the latest survey wave (the
wave the page opens on), which the job asks for itself (``refit``). Who answered, their answers and
the customers' regions are read live, so an answer recorded or a customer edited never makes the fit
stale. Another date (analysis date chosen, an older wave) or newer transactions: computed live,
by the same SQL text (:data:`PURCHASES`, :data:`SPEND`), so the answers are the same.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from datetime import date, datetime, timedelta

from crm_core import model_fits
from crm_core.data_version import TRANSACTIONS, current
from crm_core.model_fits import FIT_CHUNK_ROWS, FIT_LEASE, Fitter, customer_ranges, refit_stale
from crm_core.scheduler import Job, every
from crm_core.sql import compose, last_12_months
from crm_core.store import Store

MODEL = "sat_spend"
TABLE = "fit_sat_spend"

# A customer's figures over the window, live and kept alike: every transaction counts (refunds
# too), the spend is the exact sum (DECIMAL; a DECIMAL(18, 2) or the sum itself as DOUBLE are the
# same number).
PURCHASES = "count(*)"
SPEND = "sum(amount)"

_ROWS = f"""
    SELECT customer_id, {PURCHASES} AS purchases, CAST({SPEND} AS DECIMAL(18, 2)) AS spend
    FROM transactions WHERE {{window}} AND customer_id > $lo AND customer_id <= $hi
    GROUP BY customer_id ORDER BY customer_id"""


def _fit_spend(cur, as_of: date) -> tuple[dict, Iterator]:
    """The rows of fit_sat_spend for ``as_of``: one customer range at a time (bounded memory; the
    transactions lie by customer), streamed ``FIT_CHUNK_ROWS`` at a time, in customer order."""
    query = compose(_ROWS, window=last_12_months(as_of, "txn_date"))

    def batches() -> Iterator:
        for lo, hi in customer_ranges(cur):
            yield from cur.sql(query.sql, params={**query.params, "lo": lo, "hi": hi}).to_arrow_reader(FIT_CHUNK_ROWS)
    return {"window": "last_12_months"}, batches()


# The default analysis date and the latest wave's start, and the wave before it (a new wave's fit,
# the newest, would otherwise prune the default date's, fitted before it: model_fits keeps the
# dates fitted last). Other dates are never asked for: the page counts them live.
FITTERS = (Fitter(MODEL, TABLE, _fit_spend, kept_dates=3),)


def latest_wave_start(cur) -> date | None:
    """The start of the wave the page opens on (the latest by start day, then id), None without waves."""
    rows = cur.execute("SELECT started_on FROM survey_waves ORDER BY started_on DESC, wave_id DESC LIMIT 1").fetchall()
    return rows[0][0] if rows else None


def refit(store: Store, now: datetime) -> dict[str, int]:
    """The fit job: asks for the latest wave's start when its fit is missing or stale (a new wave,
    newer transactions), then fits what is stale (``model_fits.refit_stale``: the default date too)."""
    with closing(store.system_cursor()) as cur:
        day = latest_wave_start(cur)
        fit = None if day is None else model_fits.latest_fit(cur, MODEL, day)
        stale = day is not None and (fit is None or fit.data_version != current(cur, TRANSACTIONS))
    if stale:
        model_fits.request(store, MODEL, day, now)
    return refit_stale(store, FITTERS, now)


refit.fitters = FITTERS  # fit_now and job_name_of find the fit jobs by this
FITS_JOB = Job("satisfaction_fits", every(timedelta(minutes=1)), refit, lease=FIT_LEASE)


def kept(cur, as_of: date) -> model_fits.Fit | None:
    """The current fit for the 12 months up to ``as_of``, or None (compute live). Call inside a
    transaction on ``cur`` and read its rows there (``model_fits.read_current``)."""
    return model_fits.current_fit(cur, MODEL, as_of)
