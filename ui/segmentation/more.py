"""Segmentation tabs: need types, resource allocation (seed 000), satisfaction × loyalty."""
from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from crm_core import segmentation as seg
from crm_core.i18n import format_money, format_number, t
from crm_core.tables import SEGMENT_SUMMARY, Column, Table
from ui.common import choice_label, lang, tr
from ui.satisfaction.quadrant import render_quadrant
from ui.segmentation import common
from ui.tables import show_table
from ui.view_state import catalog_label, in_url


def _need_chart(summary) -> go.Figure:
    """Customers per need type, stacked by source (a bar per source, in the summary's order).
    Built from graph objects: plotly.express took ~0.3 s a render for these few bars."""
    types = summary["need_type"].map(lambda v: tr(f"seg.need.{v}"))
    sources = summary["need_source"].map(lambda v: tr(f"seg.need_source.{v}"))
    titles = tr("seg.col.need_type"), tr("seg.col.customers"), tr("seg.col.need_source")
    figure = go.Figure([go.Bar(name=source, x=types[sources == source], y=summary.loc[sources == source, "customers"],
                               hovertemplate=f"{titles[2]}={source}<br>{titles[0]}=%{{x}}<br>{titles[1]}=%{{y}}<extra></extra>")
                        for source in sources.unique()])
    figure.update_layout(barmode="stack", title=tr("seg.need_chart"), height=340, margin=dict(l=10, r=10, t=40, b=10),
                         xaxis_title=titles[0], yaxis_title=titles[1], legend_title_text=titles[2],
                         legend_traceorder="normal")  # as the sources come (a stack would list them reversed)
    return figure


def render_need_types(db, user, q: seg.SegmentQuery) -> None:
    st.info(tr("seg.need_rule"))
    summary = common.need_summary(db, user, q.start, q.end)
    left, right = st.columns(2)
    left.plotly_chart(_need_chart(summary), width="stretch")
    with right:
        show_table(SEGMENT_SUMMARY, summary, key="seg_need_sum", file_stem=f"need_types_{q.start}_{q.end}")
    kinds = [k for k in (*seg.NEED_TYPES, "unknown") if k in set(summary["need_type"])]
    chosen = st.segmented_control(tr("seg.col.need_type"), kinds, default=kinds[0] if kinds else None,
                                  format_func=choice_label("seg.need"),
                                  **in_url("seg_need_pick", kinds, catalog_label("seg.need")))
    if chosen:
        total = int(summary.loc[summary["need_type"] == chosen, "customers"].sum())
        common.customer_list(f"seg_need_{chosen}", total,
                             lambda offset: common.need_page(db, user, q.start, q.end, chosen, offset),
                             f"need_{chosen}_{q.start}_{q.end}",
                             lambda: seg.need_members(db, user, q.start, q.end, chosen, limit=None))


def _plan_inputs():
    c = st.columns(4)
    unit = c[0].radio(tr("seg.budget_unit"), ["money", "hours"],
                      **in_url("seg_budget_unit", ["money", "hours"], catalog_label("seg.unit")),
                      format_func=choice_label("seg.unit"))
    budget = c[1].number_input(tr(f"seg.budget.{unit}"), 0.0, 1e12, 1_000_000.0 if unit == "money" else 2000.0,
                               1000.0 if unit == "money" else 10.0, **in_url(f"seg_budget_{unit}"))
    key_pct = c[2].number_input(tr("seg.tier_a_share"), 0.1, 100.0, 10.0, 1.0, **in_url("seg_tier_a"))
    general_pct = c[3].number_input(tr("seg.tier_b_share"), 0.1, 100.0, 40.0, 1.0, **in_url("seg_tier_b"))
    s = st.columns(3)
    split = [s[i].number_input(tr("seg.split", tier=tr(f"seg.tier.{tier}")), 0.0, 100.0, default, 5.0,
                               **in_url(f"seg_split_{tier}"))
             for i, (tier, default) in enumerate(zip(seg.ALLOCATION_TIERS, (60.0, 30.0, 10.0)))]
    return unit, budget, key_pct, general_pct, split


def render_resources(db, user, q: seg.SegmentQuery) -> None:
    language = lang()
    st.caption(tr("seg.allocation.mapping"))
    unit, budget, key_pct, general_pct, split = _plan_inputs()
    if key_pct > general_pct:
        st.error(tr("seg.shares_invalid"))
        return
    tier_q = seg.SegmentQuery(q.start, q.end, q.measure, common.percent_share(key_pct),
                              common.percent_share(general_pct))
    try:
        shares = [common.percent_share(p) for p in split]
        plan = seg.allocation_plan(common.effort(db, user, tier_q), budget, shares, unit)
    except ValueError:
        st.error(tr("seg.split_invalid"))
        return
    effort = common.effort(db, user, tier_q)

    def amount(source: str, header: str) -> Column:  # money, or effort (interactions) to a tenth
        return Column(source, header, "money") if unit == "money" else Column(source, header, "number", decimals=1)

    table = Table("table.allocation", (
        Column("tier", "seg.alloc_col.tier", "label", prefix="seg.tier"),
        Column("customers", "seg.alloc_col.customers", "count"), Column("share", "seg.alloc_col.share", "percent"),
        amount("total", "seg.alloc_col.total"), amount("per_customer", "seg.alloc_col.per_customer"),
        amount("actual", f"seg.alloc_col.actual_{unit}"), Column("actual_share", "seg.alloc_col.actual_share", "percent")))
    show_table(table, plan, key="seg_alloc", file_stem=f"allocation_{q.start}_{q.end}")
    labels = [tr(f"seg.tier.{t}") for t in seg.ALLOCATION_TIERS]
    figure = go.Figure([go.Bar(name=tr("seg.allocation.recommended"), x=labels, y=plan["share"].astype(float)),
                        go.Bar(name=tr(f"seg.allocation.actual_{unit}"), x=labels, y=plan["actual_share"])])
    figure.update_layout(title=tr("seg.allocation.chart"), barmode="group", height=340, yaxis_tickformat=".0%",
                         margin=dict(l=10, r=10, t=40, b=10), yaxis_title=tr("seg.allocation.share_axis"))
    st.plotly_chart(figure, width="stretch")
    none = effort.set_index("abc").loc["none"]
    st.caption(tr("seg.allocation.no_purchase_effort", customers=format_number(none["customers"], language),
                  cost=format_money(none["cost_to_serve"], language),
                  interactions=format_number(none["interactions"], language)))
    if unit == "hours":
        st.caption(tr("seg.allocation.hours_note"))
    tier_label = choice_label("seg.tier")
    chosen = st.segmented_control(tr("seg.show_tier"), list(seg.ABC_CLASSES), default="A",
                                  format_func=lambda c: tier_label(seg.CLASS_TO_TIER[c]),
                                  **in_url("seg_tier_pick", seg.ABC_CLASSES,
                                           lambda c, code: t(f"seg.tier.{seg.CLASS_TO_TIER[c]}", code))) or "A"
    total = int(effort.set_index("abc").loc[chosen, "customers"])
    common.customer_list(
        f"seg_tier_{chosen}", total,
        lambda offset: common.class_page(db, user, tier_q, chosen, offset)[0],
        f"tier_{seg.CLASS_TO_TIER[chosen]}_{q.start}_{q.end}",
        lambda: seg.class_customers(db, user, tier_q, chosen, limit=None)[0])


def render_satisfaction(db, user, q: seg.SegmentQuery) -> None:
    """The satisfaction × loyalty quadrant of the Satisfaction page, here beside the other segments."""
    if not seg.survey_answers_linked(db):
        st.info(tr("seg.satisfaction_placeholder"))
        return
    render_quadrant(db, user, key_prefix="seg_quadrant")
