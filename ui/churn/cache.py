"""Cached reads for the Churn page and the churn section of the 360 view (shared, so one read serves both).

All go through ui.cache.cached_read. The purchase model and the purchase rhythms are never fitted
here: they are read from the fit kept by the background job (crm_core.churn.fits; the page gets
the fit's id from ui.fits.fitted), so the fit id is part of every key that reads one. The churn
rates, segments and funnel read the kept customer activity when it is current for the date
(``activity_fit``) and count from the transactions otherwise: the same answers either way. The model's
figures are aggregates computed in the store over the kept rows on the user's cursor (a rep's
cover their customers): no per-customer frame is pulled into a page.
"""
from __future__ import annotations

from datetime import date

from crm_core import model_fits
from crm_core.churn import activity, events, fits, measured, model
from crm_core.churn.activity import CHURN_ACTIVITY
from crm_core.store import Store
from ui.cache import cached_read
from ui.fits import current_fit

TTL = 600


def _cursor_call(db: Store, fn, *args):
    cur = db.cursor()
    try:
        return fn(cur, *args)
    finally:
        cur.close()


def _kept(cur, fit_id: int):
    fit = model_fits.fit_by_id(cur, fit_id)
    return None if fit is None or fit.empty else fit


@cached_read(ttl=TTL, max_entries=256)
def outlook(db: Store, fit_id: int, customer_id: int, months: int = model.DEFAULT_HORIZON) -> dict | None:
    """One customer's row of the kept model, values over ``months`` months (None without purchases
    up to its date): one row read, not the whole model."""
    def read(cur):
        fit = _kept(cur, fit_id)
        if fit is None:
            return None
        return model.customer_outlook(model.at_horizon(fits.stored_customer(cur, fit, customer_id), months),
                                      customer_id)
    return _cursor_call(db, read)


@cached_read(ttl=TTL, max_entries=16)
def fill_from_data(db: Store, user, as_of: date):
    return measured.fill_from_my_data(db, as_of, user)


@cached_read(ttl=TTL, max_entries=16)
def lapsed_totals(db: Store, user, k: float, fit_id: int) -> tuple[int, float]:
    """How many customers have lapsed by the kept purchase rhythms of fit ``fit_id``, and their revenue at risk."""
    return _cursor_call(db, fits.stored_lapsed_totals, fit_id, k, user)


@cached_read(ttl=TTL, max_entries=64)
def lapsed_page(db: Store, user, k: float, fit_id: int, offset: int, limit: int):
    """One page of the lapsed customers (largest revenue at risk first): only those rows read."""
    return _cursor_call(db, fits.stored_lapsed, fit_id, k, user, offset, limit)


def lapsed_all(db: Store, user, k: float, fit_id: int):
    """Every lapsed customer, for a download (not cached: read when the download is asked for)."""
    return _cursor_call(db, fits.stored_lapsed, fit_id, k, user)


def activity_fit(db: Store, as_of: date) -> int | None:
    """The id of the kept customer activity for ``as_of`` if it is current, else None (the tabs
    then count from the transactions, with the same answers, while it is fitted)."""
    fit = current_fit(db, CHURN_ACTIVITY, as_of)
    return None if fit is None else fit.fit_id


@cached_read(ttl=TTL, max_entries=16)
def rate_by_period(db: Store, user, as_of: date, period: str, fit_id: int | None):
    cur = db.cursor(user)  # the user's cursor: a rep's rates cover only their customers
    try:
        return activity.churn_rates(cur, period, as_of, fit_id, user)
    finally:
        cur.close()


@cached_read(ttl=TTL, max_entries=16)
def by_segments(db: Store, user, as_of: date, fit_id: int | None):
    return _cursor_call(db, activity.churn_segments, as_of, user, fit_id)


@cached_read(ttl=TTL, max_entries=16)
def funnel(db: Store, user, as_of: date, fit_id: int | None):
    return _cursor_call(db, activity.funnel, as_of, user, fit_id)


@cached_read(ttl=TTL, max_entries=16)
def reason_pareto(db: Store, user, start, end):
    return events.churn_event_pareto(db, user, start, end)


@cached_read(ttl=TTL, max_entries=32)
def event_rows(db: Store, user, start, end, offset: int, limit: int):
    """One page of the churn events (events.churn_event_rows): only its rows read."""
    return events.churn_event_rows(db, user, start, end, limit=limit, offset=offset)


def _user_call(db: Store, user, fn):
    cur = db.cursor(user)  # the user's cursor: a rep's figures cover only their customers
    try:
        return fn(cur)
    finally:
        cur.close()


@cached_read(ttl=TTL, max_entries=16)
def model_tables(db: Store, user, fit_id: int, months: int = model.DEFAULT_HORIZON):
    """Summary, histogram and expected loss by ABC class and by customer type (small frames) of the
    kept fit ``fit_id``, values over ``months`` months: aggregates in the store, no per-customer frame."""
    def read(cur):
        fit = _kept(cur, fit_id)
        if fit is None:
            return None
        return {"fit": fits.stored_bgnbd(fit), "spend": fits.stored_spend(fit),
                "summary": fits.stored_summary(cur, fit, months), "histogram": fits.stored_histogram(cur, fit),
                "abc": fits.stored_loss_table(cur, fit, "abc", months),
                "customer_type": fits.stored_loss_table(cur, fit, "customer_type", months)}
    return _user_call(db, user, read)


@cached_read(ttl=TTL, max_entries=16)
def retention(db: Store, user, fit_id: int, max_p_alive: float, min_value: float, limit: int,
              months: int = model.DEFAULT_HORIZON):
    def read(cur):
        fit = _kept(cur, fit_id)
        return None if fit is None else fits.stored_retention(cur, fit, months, max_p_alive, min_value, limit)
    return _user_call(db, user, read)
