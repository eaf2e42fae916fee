"""What the Satisfaction page keeps fitted in the background (crm_core.model_fits) for its
quadrant and non-response tabs, which would otherwise group every answer, every customer and a year
of transactions at each opening (6.4 and 5.9 s at ten million customers with the spend alone kept):

- 'sat_spend' (table fit_sat_spend, migration 027): each customer's number of transactions and
  spend over the 12 months up to a date (``last_12_months``), for the default analysis date and the
  start of the latest survey wave (the wave the page opens on), which the job asks for itself
  (``refit``). The live readers of both tabs read them when current.
- 'sat_respondents' (fit_sat_respondents, migration 030), for the default analysis date: every
  respondent's row of the quadrant tab (report.respondents_12m: the latest answer, the 12 months'
  purchases and spend) with the customer's columns its lists show, made by the live reader's SQL.
- 'sat_nonresponse' (fit_sat_nonresponse, migration 030), for the start of the latest wave: the
  whole base's non-response table of that wave, made by the live reader's code.

The answers and the customers have no recorded data version (the import center writes and undoes
both without one), so the last two fits carry versions read from those rows (``SOURCES``): a reader
uses the kept rows only while the transactions' version and those are the fit's (the quadrants
need the answers' only, the lists' customer columns and the non-response table the customers'
too), and the job refits when they moved (the respondents: when the answers did). Another date
(analysis date chosen, an older wave), a rep's non-response table, or data newer than the fit:
computed live, by the same SQL text (:data:`PURCHASES`, :data:`SPEND`, report's queries), so the
answers are the same.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from datetime import date, datetime, timedelta

import pandas as pd

from crm_core import model_fits
from crm_core.data_version import TRANSACTIONS, current
from crm_core.model_fits import FIT_CHUNK_ROWS, FIT_LEASE, Fitter, customer_ranges, fit_one, refit_stale
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
SPEND_FITTER = Fitter(MODEL, TABLE, _fit_spend, kept_dates=3)

RESPONDENTS_MODEL = "sat_respondents"
RESPONDENTS_TABLE = "fit_sat_respondents"
NONRESPONSE_MODEL = "sat_nonresponse"
NONRESPONSE_TABLE = "fit_sat_nonresponse"

# What those two fits read besides the transactions, versioned by aggregates of the rows themselves
# (their writers record no data version; crm_core.summaries versions the transactions alike):
# - answers are appended, their ids drawn from a sequence (always above every id before), and
#   deleted (an import's undo), never edited: the count and the greatest id are the same only
#   while the rows are (a row added since raises the greatest id unless deleted again, a row
#   deleted lowers the count);
# - customers are also edited, and every edit adds 1 to their version (the form, an import's
#   update, its undo's restore): with the ids as for answers, equal counts, greatest ids and sums
#   of versions mean the same customers with the same columns (region, tenure stage, code, name,
#   sales rep...). 1 and 4-6 ms at a million customers, where hashing the columns read (names
#   included: decoding them is most of it) took 0.1-0.2 s.
SOURCES = {"answers": "SELECT count(*), max(response_id) FROM survey_responses",
           "customers": "SELECT count(*), max(customer_id), sum(version) FROM customers"}


def source(cur, name: str) -> list:
    """The version of ``SOURCES[name]`` as ``cur`` sees it (JSON-ready: a fit's params hold it)."""
    return [None if value is None else int(value) for value in cur.execute(SOURCES[name]).fetchall()[0]]


def _sources(cur) -> dict:
    """Every source's version in ``cur``'s snapshot (a fit's parameters)."""
    return {name: source(cur, name) for name in SOURCES}


def unchanged(cur, fit: model_fits.Fit, names=tuple(SOURCES)) -> bool:
    """Whether the sources ``names`` are as ``fit`` read them, as ``cur`` sees them."""
    return all(fit.params.get(name) == source(cur, name) for name in names)


def _fit_respondents(cur, as_of: date) -> tuple[dict, Iterator]:
    """The rows of fit_sat_respondents for ``as_of`` and everyone's quadrant cells
    (report.respondent_rows), with the versions of the answers and customers read."""
    from crm_core.satisfaction import report  # report reads the fits of this module

    versions = _sources(cur)  # before the rows' stream opens (it holds the cursor's result)
    cells, rows = report.respondent_rows(cur, as_of)
    return {"cells": cells, **versions}, rows


def wave_starting(cur, day: date) -> int | None:
    """The wave the page opens on among those starting on ``day`` (the greatest id), None without one."""
    rows = cur.execute("SELECT wave_id FROM survey_waves WHERE started_on = ? ORDER BY wave_id DESC LIMIT 1",
                       [day]).fetchall()
    return int(rows[0][0]) if rows else None


def _fit_nonresponse(cur, as_of: date) -> tuple[dict, pd.DataFrame]:
    """The non-response table of the wave starting on ``as_of`` (``wave_starting``) for the whole
    base, by report's own code (the spend from the rows of fit_sat_spend when current, as the live
    reader), numbered; ValueError when no wave starts on that day."""
    from crm_core.satisfaction import report

    wave_id = wave_starting(cur, as_of)
    if wave_id is None:
        raise ValueError(f"no survey wave starts on {as_of}")
    params = {"wave_id": wave_id, **_sources(cur)}
    spend_fit = kept(cur, as_of)  # fit_one reads in one snapshot: no transaction of the reader's own

    table = report.nonresponse_counted(cur, None, wave_id, as_of,
                                       lambda read: None if spend_fit is None else read(spend_fit))
    return params, pd.concat([pd.DataFrame({"row_no": range(len(table))}), table.reset_index(drop=True)], axis=1)


# Refitted when the answers moved, not for an edited customer: a customer edit is frequent, the
# refit costs about a minute at ten million customers, and the lists stay right by joining the
# customers meanwhile (report.quadrant_members); the next refit (new answers or transactions, the
# next day's default date) takes the customer columns again.
RESPONDENTS_FITTER = Fitter(RESPONDENTS_MODEL, RESPONDENTS_TABLE, _fit_respondents, kept_dates=1,
                            fresh=lambda store, cur, fit: fit.empty or unchanged(cur, fit, ["answers"]))
# Fitted for the latest wave's start only (``refit``), not for the default analysis date.
NONRESPONSE_FITTER = Fitter(NONRESPONSE_MODEL, NONRESPONSE_TABLE, _fit_nonresponse, kept_dates=1)
FITTERS = (SPEND_FITTER, RESPONDENTS_FITTER, NONRESPONSE_FITTER)


def latest_wave_start(cur) -> date | None:
    """The start of the wave the page opens on (the latest by start day, then id), None without waves."""
    rows = cur.execute("SELECT started_on FROM survey_waves ORDER BY started_on DESC, wave_id DESC LIMIT 1").fetchall()
    return rows[0][0] if rows else None


def nonresponse_current(cur, fit: model_fits.Fit, wave_id: int | None) -> bool:
    """Whether the kept non-response ``fit`` (current for the transactions) is ``wave_id``'s and was
    made from the answers and customers as ``cur`` sees them."""
    return fit.params.get("wave_id") == wave_id and unchanged(cur, fit)


def refit(store: Store, now: datetime) -> dict[str, int]:
    """The fit job: asks for the latest wave's spend when its fit is missing or stale (a new wave,
    newer transactions), fits what is stale (``model_fits.refit_stale``: the default date's spend
    and respondents too), then the latest wave's non-response table when missing or stale."""
    with closing(store.system_cursor()) as cur:
        day, version = latest_wave_start(cur), current(cur, TRANSACTIONS)
        spend = None if day is None else model_fits.latest_fit(cur, MODEL, day)
        stale = day is not None and (spend is None or spend.data_version != version)
        table = None if day is None else model_fits.latest_fit(cur, NONRESPONSE_MODEL, day)
        table_stale = day is not None and (table is None or table.data_version != version
                                           or not nonresponse_current(cur, table, wave_starting(cur, day)))
    if stale:
        model_fits.request(store, MODEL, day, now)
    try:
        fitted = refit_stale(store, (SPEND_FITTER, RESPONDENTS_FITTER), now)["fitted"]
    finally:  # after the spend it reads (a failed one is summed live); tried even when another failed
        if table_stale:
            fit_one(store, NONRESPONSE_FITTER, day, now)
    return {"fitted": fitted + table_stale}


refit.fitters = FITTERS  # fit_now and job_name_of find the fit jobs by this
FITS_JOB = Job("satisfaction_fits", every(timedelta(minutes=1)), refit, lease=FIT_LEASE)


def kept(cur, as_of: date) -> model_fits.Fit | None:
    """The current fit for the 12 months up to ``as_of``, or None (compute live). Call inside a
    transaction on ``cur`` and read its rows there (``model_fits.read_current``)."""
    return model_fits.current_fit(cur, MODEL, as_of)
