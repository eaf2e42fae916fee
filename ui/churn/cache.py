"""Cached reads for the Churn page and the churn section of the 360 view (shared, so one fit serves both).

All go through ui.cache.cached_read. The purchase model and the purchase rhythm (seconds at 10M
transactions) are keyed on a fingerprint of the data they read (model.model_data_version), not on
the store generation, so logging a call or a churn event does not refit them; everything else is
keyed on the generation. Whole-store objects (the model) are read only inside other cached reads,
so a page gets small results, never a copy of a per-customer frame on every run.
"""
from __future__ import annotations

from datetime import date

from crm_core.churn import events, measured, model
from crm_core.churn.lapsed import churn_rate_by_period_sql, purchase_rhythm_sql
from crm_core.store import Store
from ui.cache import cached_read

TTL = 600


def _cursor_call(db: Store, fn, *args):
    cur = db.cursor()
    try:
        return fn(cur, *args)
    finally:
        cur.close()


def purchase_data_version(db: Store) -> tuple:
    """What the model and the rhythm read: purchases and customers (see model.model_data_version)."""
    return _cursor_call(db, model.model_data_version)


@cached_read(ttl=3600, max_entries=2, data_version=purchase_data_version)
def store_model(db: Store, as_of: date):
    """The fitted StoreModel for ``as_of`` (None without purchases)."""
    try:
        return _cursor_call(db, model.fit_store_model, as_of)
    except ValueError:
        return None


@cached_read(ttl=TTL, max_entries=256)
def outlook(db: Store, as_of: date, customer_id: int, months: int = model.DEFAULT_HORIZON) -> dict | None:
    """One customer's row of the model, values over ``months`` months (None without purchases up to ``as_of``)."""
    fitted = store_model(db, as_of)
    return None if fitted is None else model.customer_outlook(model.at_horizon(fitted, months), customer_id)


@cached_read(ttl=TTL, max_entries=16)
def fill_from_data(db: Store, user, as_of: date):
    return measured.fill_from_my_data(db, as_of, user)


@cached_read(ttl=3600, max_entries=2, data_version=purchase_data_version)
def _rhythm(db: Store, as_of: date):
    return _cursor_call(db, purchase_rhythm_sql, as_of)


@cached_read(ttl=TTL, max_entries=8, data_version=purchase_data_version)
def lapsed(db: Store, user, as_of: date, k: float):
    """Lapsed customers: the k-independent rhythm is computed once per data version."""
    rhythm = _rhythm(db, as_of)
    return _cursor_call(db, lambda cur: measured.lapsed_report(cur, as_of, k, user, rhythm))


@cached_read(ttl=TTL, max_entries=16)
def rate_by_period(db: Store, user, as_of: date, period: str):
    cur = db.cursor(user)  # the user's cursor: a rep's rates cover only their customers
    try:
        return churn_rate_by_period_sql(cur, period, as_of)
    finally:
        cur.close()


@cached_read(ttl=TTL, max_entries=16)
def by_segments(db: Store, user, as_of: date):
    return _cursor_call(db, measured.churn_by_segments, as_of, user)


@cached_read(ttl=TTL, max_entries=16)
def funnel(db: Store, user, as_of: date):
    return measured.funnel_counts(db, as_of, None, user)


@cached_read(ttl=TTL, max_entries=16)
def reason_pareto(db: Store, user, start, end):
    return events.churn_event_pareto(db, user, start, end)


@cached_read(ttl=TTL, max_entries=32)
def event_page(db: Store, user, start, end, offset: int, limit: int):
    return events.list_churn_events(db, user, start, end, limit=limit, offset=offset)


@cached_read(ttl=TTL, max_entries=16)
def model_tables(db: Store, user, as_of: date, months: int = model.DEFAULT_HORIZON):
    """Summary, histogram and expected loss by ABC class and by customer type (small frames), values
    over ``months`` months (the horizon is part of the key; the fit behind it is shared)."""
    fitted = store_model(db, as_of)
    if fitted is None:
        return None
    fitted = model.at_horizon(fitted, months)
    return {"fit": fitted.bgnbd, "spend": fitted.spend, "summary": model.model_summary(fitted, user),
            "histogram": model.p_alive_histogram(fitted, user),
            "abc": model.expected_loss_table(fitted, "abc", user),
            "customer_type": model.expected_loss_table(fitted, "customer_type", user)}


@cached_read(ttl=TTL, max_entries=16)
def retention(db: Store, user, as_of: date, max_p_alive: float, min_value: float, limit: int,
              months: int = model.DEFAULT_HORIZON):
    fitted = store_model(db, as_of)
    if fitted is None:
        return None
    fitted = model.at_horizon(fitted, months)
    return _cursor_call(db, lambda cur: model.retention_list(cur, fitted, user, max_p_alive, min_value, limit))
