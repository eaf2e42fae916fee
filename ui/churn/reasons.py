"""Churn page: why customers leave (Pareto of churn events, a form to record one) and the customer funnel."""
from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from pydantic import ValidationError

from crm_core import tables
from crm_core.churn import REASONS, customer_funnel
from crm_core.churn.events import ChurnEventIn, churn_event_rows, record_churn_event
from crm_core.i18n import format_number, format_percent
from crm_core.models import field_errors
from crm_core.tables import Column
from crm_core.users import PermissionDenied
from ui.churn import cache
from ui.churn.common import paged_customer_list
from ui.common import choice_label, denied_reason, lang, plain, style_chart, tr
from ui.metrics import count_metric
from ui.picker import customer_picker
from ui.tables import frame_grid
from ui.view_state import catalog_label, in_url, kept

WINDOWS = ("12m", "all")
LISTED = 2000  # the newest events listed (the download holds them all)


def _pareto_chart(table: pd.DataFrame):
    labels = [tr(f"churn.reason.{r}") for r in table["reason"]]
    colours = ["#d62728" if c == "controllable" else "#7f7f7f" for c in table["category"]]
    figure = go.Figure()
    figure.add_trace(go.Bar(x=labels, y=table["count"], marker_color=colours, name=tr("churn.col.count")))
    figure.add_trace(go.Scatter(x=labels, y=table["cumulative_share"], yaxis="y2", mode="lines+markers",
                                name=tr("churn.col.cumulative_share")))
    figure.update_layout(yaxis={"title": tr("churn.col.count")},
                         yaxis2={"title": tr("churn.col.cumulative_share"), "overlaying": "y", "side": "right",
                                     "tickformat": ".0%", "range": [0, 1.05]},
                         legend={"orientation": "h", "y": 1.12})
    return style_chart(figure, height=360)


def event_form(db, user, customer_id: int | None, key: str) -> None:
    """Record one churn event; with ``customer_id`` None the user types the customer code. A user
    who may not write is told why instead of being shown the form."""
    reason = denied_reason(user, "write")
    if reason:
        st.caption(reason)
        return
    if customer_id is None:  # found as one types
        customer_id = customer_picker(tr("find.customer"), f"{key}_customer")
    # Plain widgets, not st.form: a form's choices wait in the browser, and a language switch before
    # saving would put them back to their defaults (view_state.kept gives them again).
    with st.container(border=True):
        b, c = st.columns(2)
        day = b.date_input(tr("churn.events.churned_on"), value=date.today(), max_value=date.today(), key=f"{key}_day")
        reason = c.selectbox(tr("churn.events.reason"), list(REASONS), key=kept(f"{key}_reason"),
                             format_func=choice_label("churn.reason"))
        d, e = st.columns([1, 2])
        judged = d.selectbox(tr("churn.events.controllable"), ("auto", "yes", "no"), key=kept(f"{key}_ctl"),
                             format_func=choice_label("churn.ctl"))
        note = e.text_input(tr("churn.events.note"), key=f"{key}_note")
        if not st.button(tr("churn.events.save"), key=f"{key}_save"):
            return
    target = customer_id
    if target is None:
        st.error(tr("find.nobody"))
        return
    try:
        event = ChurnEventIn(customer_id=target, churned_on=day, reason=reason, note=note or None,
                             controllable=None if judged == "auto" else judged == "yes")
        record_churn_event(db, user, event)
    except ValidationError as error:
        for name, message in field_errors(error, lang()).items():
            st.error(f"{tr(f'churn.events.{name}')}: {plain(message)}")  # a message may quote the input
        return
    except PermissionDenied as denied:
        st.error(tr(denied.key))
        return
    st.success(tr("churn.events.saved"))


def render_reasons(db, user, as_of) -> None:
    language = lang()
    window = st.segmented_control(tr("churn.events.window"), WINDOWS, default="12m",
                                  **in_url("churn_reason_window", WINDOWS, catalog_label("churn.window")),
                                  format_func=choice_label("churn.window")) or "12m"
    start = (pd.Timestamp(as_of) - pd.DateOffset(years=1) + pd.Timedelta(days=1)).date() if window == "12m" else None
    # no end: an event recorded today counts even when the analysis date is the last purchase day
    pareto = cache.reason_pareto(db, user, start, None)
    m = st.columns(2)
    count_metric(m[0], tr("churn.events.total"), pareto.total)
    m[1].metric(tr("churn.events.controllable_share"), format_percent(pareto.controllable_share, language),
                help=tr("churn.events.controllable_help"))
    if pareto.total:
        st.plotly_chart(_pareto_chart(pareto.table), width="stretch")
        shown = pareto.table.assign(reason=pareto.table["reason"].map(lambda r: tr(f"churn.reason.{r}")),
                                    category=pareto.table["category"].map(lambda c: tr(f"churn.reason_category.{c}")))
        frame_grid(shown, title="churn.tab.reasons", key="churn_pareto", header_prefix="churn.col",
                   kinds={"share": "percent", "cumulative_share": "percent"})
        st.caption(tr("churn.events.pareto_explained"))
    else:
        st.info(tr("churn.events.none"))
    with st.expander(tr("churn.events.record")):
        event_form(db, user, None, "churn_event_form")
    st.subheader(tr("churn.events.list"))
    total = pareto.total  # the events the list holds: the same window and customers as the Pareto's
    if not total:
        return
    listed = min(total, LISTED)
    if total > listed:
        st.caption(tr("churn.events.latest", shown=f"{listed:,}", total=f"{total:,}"))
    # Only the page shown is read (50 rows), not all the events listed.
    paged_customer_list(listed, lambda offset, limit: cache.event_rows(db, user, start, None, offset,
                                                                        min(limit, listed - offset)),
                        "churn_events", "churn_events", tables.CHURN_EVENTS,
                        export=lambda: churn_event_rows(db, user, start, None, total))  # when clicked: not cached


def render_funnel(db, user, as_of) -> None:
    language = lang()
    counts = cache.funnel(db, user, as_of, cache.activity_fit(db, as_of))
    visitors = st.number_input(tr("churn.funnel.visitors_input"), min_value=0, value=counts["potential"],
                               step=100, key="churn_visitors", help=tr("churn.funnel.visitors_help"))
    if visitors < counts["potential"]:
        st.warning(tr("churn.funnel.visitors_too_few", potential=format_number(counts["potential"], language)))
    counts = {**counts, "visitor": max(int(visitors), counts["potential"])}
    table = customer_funnel(counts)
    labels = [tr(f"churn.funnel.{s}") for s in table["stage"]]
    figure = go.Figure(go.Funnel(y=labels, x=table["count"], textinfo="value+percent previous"))
    st.plotly_chart(style_chart(figure, height=340), width="stretch")
    frame_grid(table.assign(stage=labels), title="churn.tab.funnel", key="churn_funnel", kinds={
        "stage": Column("stage", "churn.col.stage"), "count": Column("count", "churn.col.customers", "count"),
        "step_conversion": Column("step_conversion", "churn.funnel.step_conversion", "percent"),
        "overall_conversion": Column("overall_conversion", "churn.funnel.overall_conversion", "percent")})
    st.markdown(tr("churn.funnel.definitions"))
    st.caption(tr("churn.funnel.aims", loyal=format_number(counts["loyal"], language)))
