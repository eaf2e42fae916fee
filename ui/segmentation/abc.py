"""Segmentation tabs: ABC & Pareto, and movement between this period and the one before."""
from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from crm_core import segmentation as seg
from crm_core.i18n import format_date, format_number, format_percent
from ui.common import choice_label, lang, tr
from ui.metrics import count_metric, money_metric
from ui.segmentation import common
from ui.tables import frame_grid
from ui.view_state import catalog_label, in_url

CLASS_COLOURS = {"A": "#c0392b", "B": "#e67e22", "C": "#7f8c8d", "none": "#bdc3c7"}


def _pyramid(overview: seg.AbcOverview, language: str) -> go.Figure:
    """A funnel with A on top: bar width = customers; the label says how many and what share."""
    classes = list(seg.ABC_CLASSES)
    labels = [f"{common.class_label(c)}<br>" + tr("seg.pyramid_text",
                                                    count=format_number(overview.classes[c]["count"], language),
                                                    share=format_percent(overview.classes[c]["share"], language))
              for c in classes]
    figure = go.Figure(go.Funnel(y=labels, x=[overview.classes[c]["count"] for c in classes], textinfo="none",
                                 marker={"color": [CLASS_COLOURS[c] for c in classes]}, hoverinfo="y"))
    figure.update_layout(title=tr("seg.pyramid_title"), height=340, margin=dict(l=10, r=10, t=40, b=10))
    return figure


def _pareto(overview: seg.AbcOverview, measure: str, language: str) -> go.Figure:
    curve = overview.pareto
    figure = go.Figure()
    figure.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", line={"dash": "dot", "color": "#999"},
                                name=tr("seg.pareto.equal"), hoverinfo="skip"))
    figure.add_trace(go.Scatter(x=curve["customer_fraction"], y=curve["spend_fraction"], mode="lines",
                                name=tr("seg.pareto.curve"), line={"color": CLASS_COLOURS["A"]}))
    x, y = overview.top_customers / overview.classified, overview.top_spend_share
    figure.add_trace(go.Scatter(x=[x], y=[y], mode="markers+text", marker={"size": 11, "color": "#2c3e50"},
                                text=[f"{format_percent(overview.top_fraction, language, 0)} → "
                                      f"{format_percent(y, language)}"],
                                textposition="bottom right", name=tr("seg.pareto.point")))
    figure.update_layout(title=tr("seg.pareto.title"), height=360, margin=dict(l=10, r=10, t=40, b=10),
                         xaxis={"title": tr("seg.pareto.x"), "tickformat": ".0%", "range": [0, 1]},
                         yaxis={"title": tr("seg.pareto.y", measure=tr(f"seg.measure.{measure}")),
                                "tickformat": ".0%", "range": [0, 1.02]},
                         legend={"orientation": "h", "y": -0.25})
    return figure


def render_abc(db, user, q: seg.SegmentQuery) -> None:
    language = lang()
    overview, first_a_page = common.overview(db, user, q)
    cards = st.columns(5)
    count_metric(cards[0], tr("seg.kpi.classified"), overview.classified,
                 help=tr("seg.kpi.classified_help", measure=tr(f"seg.measure.{q.measure}")))
    count_metric(cards[1], tr("seg.inactive"), overview.no_purchase, help=tr("seg.inactive_help"))
    money_metric(cards[2], tr(f"seg.measure.{q.measure}"), overview.total_spend)
    cards[3].metric(tr("seg.kpi.top_share", fraction=format_percent(overview.top_fraction, language, 0)),
                    format_percent(overview.top_spend_share, language))
    cards[4].metric(tr("seg.gini"), format_number(overview.gini, language, 3), help=tr("seg.gini_help"))
    if overview.not_positive:
        st.caption(tr("seg.not_positive", count=format_number(overview.not_positive, language)))
    if overview.classified == 0:
        st.info(tr("seg.no_purchases"))
        return
    st.markdown(tr("seg.pareto_sentence", fraction=format_percent(overview.top_fraction, language, 0),
                   customers=format_number(overview.top_customers, language),
                   share=format_percent(overview.top_spend_share, language)))
    left, right = st.columns(2)
    left.plotly_chart(_pyramid(overview, language), width="stretch")
    right.plotly_chart(_pareto(overview, q.measure, language), width="stretch")
    st.caption(tr("seg.abc_rule", a=format_percent(float(q.a_share), language),
                  b=format_percent(float(q.b_share), language)))

    st.subheader(tr("seg.class_list"))
    chosen = st.segmented_control(tr("seg.show_class"), list(seg.ABC_CLASSES), default="A",
                                  format_func=choice_label("seg.class"),
                                  **in_url("seg_abc_class", seg.ABC_CLASSES, catalog_label("seg.class"))) or "A"
    total = overview.classes[chosen]["count"]
    common.customer_list(
        f"seg_abc_{chosen}", total,
        lambda offset: (first_a_page if (chosen, offset) == ("A", 0)
                        else common.class_page(db, user, q, chosen, offset))[0],
        f"abc_{chosen}_{q.start}_{q.end}",
        lambda: seg.class_customers(db, user, q, chosen, limit=None)[0])


def _sankey(matrix, language: str) -> go.Figure:
    """Previous-period classes on the left, this period's on the right; link width = customers."""
    classes = list(seg.MIGRATION_CLASSES)
    labels = [common.class_label(c) for c in classes] * 2
    source, target, value = [], [], []
    for i, before in enumerate(classes):
        for j, after in enumerate(classes):
            if matrix.loc[before, after]:
                source.append(i)
                target.append(len(classes) + j)
                value.append(int(matrix.loc[before, after]))
    colours = [CLASS_COLOURS[c] for c in classes] * 2
    figure = go.Figure(go.Sankey(node={"label": labels, "color": colours, "pad": 18},
                                 link={"source": source, "target": target, "value": value}))
    for x, key, anchor in ((0, "seg.movement.before", "left"), (1, "seg.movement.now", "right")):
        figure.add_annotation(x=x, y=1.06, xref="paper", yref="paper", text=f"<b>{tr(key)}</b>",
                              showarrow=False, xanchor=anchor)
    figure.update_layout(title=tr("seg.movement.sankey"), height=440, margin=dict(l=10, r=10, t=70, b=10))
    return figure


def render_movement(db, user, q: seg.SegmentQuery) -> None:
    language = lang()
    moved, first_page = common.movement(db, user, q)
    prev = moved.previous
    st.markdown(tr("seg.movement.periods", prev_start=format_date(prev.start, language),
                   prev_end=format_date(prev.end, language), start=format_date(q.start, language),
                   end=format_date(q.end, language)))
    matrix = moved.matrix
    shown = matrix.rename(index=common.class_label, columns=common.class_label)
    shown = shown.rename_axis(f"{tr('seg.movement.before')} \\ {tr('seg.movement.now')}").rename_axis(columns=None)
    st.markdown(f"**{tr('seg.movement.matrix')}**")
    frame_grid(shown.reset_index(), title="seg.movement.matrix", key="seg_movement_matrix")
    st.caption(tr("seg.movement.matrix_help"))
    st.plotly_chart(_sankey(matrix, language), width="stretch")

    st.subheader(tr("seg.fell_out_of_a"))
    st.caption(tr("seg.fell_out_help"))
    prev_classes, curr_classes = common.FELL_OUT_OF_A
    with st.expander(tr("seg.movement.other_cells")):
        c1, c2 = st.columns(2)
        picked_prev = c1.multiselect(tr("seg.movement.before"), list(seg.MIGRATION_CLASSES), default=["A"],
                                     format_func=choice_label("seg.class"), placeholder=tr("ui.choose"),
                                     **in_url("seg_mv_prev"))
        picked_curr = c2.multiselect(tr("seg.movement.now"), list(seg.MIGRATION_CLASSES),
                                     default=["B", "C", "none"], format_func=choice_label("seg.class"),
                                     placeholder=tr("ui.choose"), **in_url("seg_mv_curr"))
        if picked_prev and picked_curr:
            prev_classes, curr_classes = tuple(picked_prev), tuple(picked_curr)
    total = int(matrix.loc[list(prev_classes), list(curr_classes)].to_numpy().sum())
    common.customer_list(
        "seg_mv", total,
        lambda offset: (first_page if ((prev_classes, curr_classes), offset) == (common.FELL_OUT_OF_A, 0)
                        else common.movement_page(db, user, q, prev_classes, curr_classes, offset))[0],
        f"movement_{q.start}_{q.end}",
        lambda: seg.movement_customers(db, user, q, prev_classes, curr_classes, limit=None)[0])
    first, last = seg.history_span(db)
    if last is not None:
        st.caption(tr("seg.history_span", first=format_date(first, language), last=format_date(last, language)))
