"""Churn page, "measured" tab: lapsed customers by their own rhythm, churn rate per period and per segment."""
from __future__ import annotations

import plotly.express as px
import streamlit as st

from crm_core import tables
from crm_core.churn.fits import PURCHASE_RHYTHM
from crm_core.i18n import format_percent
from ui.churn import cache
from ui.churn.common import paged_customer_list, rounded
from ui.common import choice_label, lang, style_chart, tr
from ui.fits import fitted
from ui.metrics import count_metric, money_metric
from ui.tables import frame_grid
from ui.view_state import catalog_label, in_url

PERIODS = ("month", "quarter", "year")


def _rates(db, user, as_of, language) -> None:
    st.subheader(tr("churn.rate.title"))
    period = st.segmented_control(tr("churn.rate.period"), PERIODS, default="quarter",
                                  **in_url("churn_period", PERIODS, catalog_label("churn.period")),
                                  format_func=choice_label("churn.period")) or "quarter"
    kept = cache.activity_fit(db, as_of)  # None: counted from the transactions (same answers)
    rates = cache.rate_by_period(db, user, as_of, period, kept)
    if rates.empty:
        st.info(tr("ui.no_data_yet"))
    else:
        labels = {"period": tr("churn.col.period"), "churn_rate": tr("churn.col.churn_rate"),
                  "active_prev": tr("churn.col.active_prev"), "churned": tr("churn.col.churned")}
        chart = px.line(rates, x="period", y="churn_rate", markers=True, labels=labels,
                        hover_data=["active_prev", "churned"])
        st.plotly_chart(style_chart(chart, height=300).update_layout(yaxis_tickformat=".0%"), width="stretch")
        st.caption(tr("churn.rate.explained"))
    st.subheader(tr("churn.segment.title"))
    tables = cache.by_segments(db, user, as_of, kept)
    base, churned = (int(tables["customer_type"][c].sum()) for c in ("active_before", "churned"))
    st.metric(tr("churn.rate.yearly"), format_percent(churned / base if base else None, language),
              help=tr("churn.rate.yearly_help"))
    ctype = choice_label("ctype")
    for column, by in zip(st.columns(2), ("abc", "customer_type")):
        table = rounded(tables[by], ("revenue_lost",))
        table = table.assign(segment=table["segment"].map(
            ctype if by == "customer_type" else lambda s: tr("churn.segment.abc_class", abc=s)))
        frame_grid(table, title="churn.segment.title", key=f"churn_segments_{by}", header_prefix="churn.col",
                   kinds={"churn_rate": "percent", "revenue_lost": "money"}, target=column)
    st.caption(tr("churn.segment.explained"))


def render_lapsed(db, user, as_of) -> None:
    k = st.slider(tr("churn.lapsed.k"), 1.0, 5.0, 2.0, 0.5, **in_url("churn_k"), help=tr("churn.lapsed.k_help"))
    fit = fitted(db, PURCHASE_RHYTHM, as_of)  # the rhythms are fitted in the background
    if fit is None:
        return
    with st.spinner(tr("churn.lapsed.computing")):
        count, at_risk = cache.lapsed_totals(db, user, k, fit.fit_id)
    m = st.columns(2)
    count_metric(m[0], tr("churn.lapsed.count"), count)
    money_metric(m[1], tr("churn.col.revenue_at_risk"), at_risk)
    st.caption(tr("churn.lapsed.explained", k=k))
    if not count:
        st.info(tr("churn.lapsed.none"))
        return
    # a page of the list at a time: at ten million customers over a million may have lapsed
    paged_customer_list(count, lambda offset, limit: cache.lapsed_page(db, user, k, fit.fit_id, offset, limit),
                        "churn_lapsed", "lapsed_customers", tables.CHURN_LAPSED,
                        export=lambda: cache.lapsed_all(db, user, k, fit.fit_id))


def render_rates(db, user, as_of) -> None:
    _rates(db, user, as_of, lang())
