"""Customer 360 section: this customer's P(alive), expected value, lapsed flag and churn events.

Wired by the lead: ``from ui.customers.sections.churn import render`` and call ``render(db, user, customer_id, record)``.
The purchase model is the one kept by the background fit (ui.fits), read one row at a time.
"""
from __future__ import annotations

import streamlit as st

from crm_core.churn import events as churn_events
from crm_core.churn.fits import PURCHASE_MODEL
from crm_core.churn.measured import customer_lapsed_status
from crm_core.i18n import format_percent
from crm_core.store import Store
from crm_core.users import Actor
from ui.churn import cache
from ui.churn.reasons import event_form
from ui.common import analysis_date, lang, tr
from ui.fits import fitted
from ui.metrics import money_metric
from ui.tables import frame_grid

LAPSED_K = 2.0


def _status_line(status: dict | None) -> None:
    if status is None:
        st.info(tr("churn.c360.no_purchases"))
    elif status["lapsed"] is None:
        st.info(tr("churn.c360.one_time", days=status["days_since_last"]))
    elif status["lapsed"]:
        st.warning(tr("churn.c360.lapsed", days=status["days_since_last"], k=LAPSED_K,
                      gap=f"{status['median_gap_days']:.0f}"))
    else:
        st.success(tr("churn.c360.on_rhythm", days=status["days_since_last"], gap=f"{status['median_gap_days']:.0f}"))


def render(db: Store, user: Actor, customer_id: int, record: dict) -> None:
    language = lang()
    currency = record.get("currency") or "CNY"
    st.subheader(tr("churn.c360.title"))
    as_of = analysis_date()
    _status_line(customer_lapsed_status(db, customer_id, as_of, LAPSED_K))
    fit = fitted(db, PURCHASE_MODEL, as_of)  # fitted in the background: one row read here
    outlook = None if fit is None else cache.outlook(db, fit.fit_id, int(customer_id))
    if outlook is not None:
        m = st.columns(4)
        m[0].metric(tr("churn.c360.p_alive"), format_percent(outlook["p_alive"], language),
                    help=tr("churn.p_alive.meaning"))
        money_metric(m[1], tr("churn.c360.value_if_alive"), outlook["value_if_alive"], currency=currency)
        money_metric(m[2], tr("churn.c360.clv"), outlook["clv"], currency=currency,
                     help=tr("churn.model.clv_help", months=12))
        money_metric(m[3], tr("churn.c360.expected_loss"), outlook["expected_loss"], currency=currency)
        key = "churn.p_alive.one_time_buyer" if outlook["one_time_buyer"] else "churn.p_alive.repeat_buyer"
        st.caption(tr(key))
    history = churn_events.customer_churn_events(db, user, customer_id)
    if not history.empty:
        st.markdown(f"**{tr('churn.c360.events')}**")
        shown = history.drop(columns=["event_id"]).assign(
            reason=history["reason"].map(lambda r: tr(f"churn.reason.{r}")))
        frame_grid(shown, title="churn.c360.events", key="c360_churn_events", header_prefix="churn.col")
    with st.expander(tr("churn.c360.record")):
        event_form(db, user, int(customer_id), "c360_churn_event")
