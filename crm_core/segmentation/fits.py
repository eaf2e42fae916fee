"""What the Segmentation page keeps fitted in the background (crm_core.model_fits, table
fit_segments, migration 023): for the default analysis date, each customer's RFM figures, need
signals and value features over the page's default period (the 12 months up to that date).

At 1M customers computing them from the transactions took 1.5-4 s per tab. They depend on the
transactions alone, so they are kept per customer with a transaction in the period; a customer's
recorded need type and influence, the complaints and the survey answers are read live when the
rows are, so editing a customer or logging a complaint never makes a fit stale. The kept rows are
made by the same SQL text as the live reads (crm_core.segmentation.value / needs / rfm): the
same answers. Another period, or newer transactions, are computed live.
"""
from __future__ import annotations

from datetime import date, timedelta

from crm_core import model_fits
from crm_core.definitions import PURCHASE
from crm_core.model_fits import FIT_CHUNK_ROWS, FIT_LEASE, Fitter, refit_job
from crm_core.scheduler import Job, every
from crm_core.segmentation.needs import NEED_CTES
from crm_core.segmentation.value import REPEAT_RATE, SPEND_CV, TENURE_DAYS, feature_ctes, months_in_period
from crm_core.sql import last_12_months_dates

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
    # a relation streams; an executed result is copied first
    return {"start": start.isoformat(), "end": end.isoformat()}, rows.to_arrow_reader(FIT_CHUNK_ROWS)


FITTERS = (Fitter(MODEL, TABLE, _fit_segments, kept_dates=1),)
FITS_JOB = Job("segment_fits", every(timedelta(minutes=1)), refit_job(FITTERS),
               lease=FIT_LEASE)


def kept_fit(cur, start: date, end: date) -> model_fits.Fit | None:
    """The current fit for ``start``..``end`` when that is the default period of ``end`` (the only
    one kept), else None: compute live. Call inside a transaction on ``cur`` and read its rows there."""
    if (start, end) != last_12_months_dates(end):
        return None
    return model_fits.current_fit(cur, MODEL, end)
