"""Cached reads for the Churn page and the churn section of the 360 view (shared, so one fit serves both).

The purchase model (seconds at 10M transactions) is a cache *resource* — one object shared by all
sessions, never copied, never mutated — keyed on the store path, a fingerprint of the data it reads
and the analysis date. Everything small is cache *data* keyed on the store generation.
"""
from __future__ import annotations

from datetime import date

import streamlit as st

from crm_core.churn import events, measured, model
from crm_core.churn.lapsed import churn_rate_by_period_sql, purchase_rhythm_sql
from ui.common import store

TTL = 600


def _cursor_call(fn, *args):
    cur = store().cursor()
    try:
        return fn(cur, *args)
    finally:
        cur.close()


@st.cache_resource(ttl=3600, max_entries=2, show_spinner=False)
def _model(db_path: str, data_version: tuple, as_of: date):
    try:
        return _cursor_call(model.fit_store_model, as_of)
    except ValueError:
        return None


def store_model(as_of: date):
    """The fitted StoreModel for ``as_of`` (None without purchases). Read-only."""
    version = _cursor_call(model.model_data_version)
    return _model(store().path, version, as_of)


@st.cache_data(ttl=TTL, max_entries=16, show_spinner=False)
def analysis_date(db_path: str, generation: int) -> date:
    return measured.default_as_of(store())


@st.cache_data(ttl=TTL, max_entries=16, show_spinner=False)
def fill_from_data(db_path: str, generation: int, user, as_of: date):
    return measured.fill_from_my_data(store(), as_of, user)


@st.cache_resource(ttl=3600, max_entries=2, show_spinner=False)
def _rhythm(db_path: str, data_version: tuple, as_of: date):
    return _cursor_call(purchase_rhythm_sql, as_of)


@st.cache_resource(ttl=TTL, max_entries=8, show_spinner=False)
def _lapsed(db_path: str, data_version: tuple, user, as_of: date, k: float):
    rhythm = _rhythm(db_path, data_version, as_of)
    return _cursor_call(lambda cur: measured.lapsed_report(cur, as_of, k, user, rhythm))


def lapsed(user, as_of: date, k: float):
    """Lapsed customers (read-only frame, shared): the k-independent rhythm is computed once per data version."""
    return _lapsed(store().path, _cursor_call(model.model_data_version), user, as_of, k)


@st.cache_data(ttl=TTL, max_entries=16, show_spinner=False)
def rate_by_period(db_path: str, generation: int, user, as_of: date, period: str):
    cur = store().cursor(user)  # the user's cursor: a rep's rates cover only their customers
    try:
        return churn_rate_by_period_sql(cur, period, as_of)
    finally:
        cur.close()


@st.cache_data(ttl=TTL, max_entries=16, show_spinner=False)
def by_segments(db_path: str, generation: int, user, as_of: date):
    return _cursor_call(measured.churn_by_segments, as_of, user)


@st.cache_data(ttl=TTL, max_entries=16, show_spinner=False)
def funnel(db_path: str, generation: int, user, as_of: date):
    return measured.funnel_counts(store(), as_of, None, user)


@st.cache_data(ttl=TTL, max_entries=16, show_spinner=False)
def reason_pareto(db_path: str, generation: int, user, start, end):
    return events.churn_event_pareto(store(), user, start, end)


@st.cache_data(ttl=TTL, max_entries=32, show_spinner=False)
def event_page(db_path: str, generation: int, user, start, end, offset: int, limit: int):
    return events.list_churn_events(store(), user, start, end, limit=limit, offset=offset)


@st.cache_data(ttl=TTL, max_entries=16, show_spinner=False)
def model_tables(db_path: str, generation: int, user, as_of: date):
    """Summary, histogram and expected loss by ABC class and by customer type (small frames)."""
    fitted = store_model(as_of)
    if fitted is None:
        return None
    return {"fit": fitted.bgnbd, "spend": fitted.spend, "summary": model.model_summary(fitted, user),
            "histogram": model.p_alive_histogram(fitted, user),
            "abc": model.expected_loss_table(fitted, "abc", user),
            "customer_type": model.expected_loss_table(fitted, "customer_type", user)}


@st.cache_data(ttl=TTL, max_entries=16, show_spinner=False)
def retention(db_path: str, generation: int, user, as_of: date, max_p_alive: float, min_value: float, limit: int):
    fitted = store_model(as_of)
    if fitted is None:
        return None
    return _cursor_call(lambda cur: model.retention_list(cur, fitted, user, max_p_alive, min_value, limit))


def clear() -> None:
    """After a write on this page: drop the small cached reads (the model keys on its own data version)."""
    for function in (fill_from_data, reason_pareto, event_page, analysis_date):
        function.clear()
