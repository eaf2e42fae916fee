"""Segmentation tabs: big-customer identification (seed 001) and RFM segments."""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from crm_core import segmentation as seg
from crm_core.i18n import join_list
from crm_core.segmentation.views import value_list, value_list_sizes
from crm_core.tables import SEGMENT_CUSTOMERS, SEGMENT_SUMMARY
from crm_core.text_safety import chart_text
from ui.common import choice_label, lang, open_customer, tr
from ui.metrics import count_metric
from ui.segmentation import common
from ui.tables import frame_grid, show_table
from ui.view_state import catalog_label, in_url

# The grade within the top 50 is not an ABC class: blues, never the A/B/C reds and greys.
TOP_GRADE_COLOURS = {1: "#1f4e79", 2: "#2e86c1", 3: "#a9cce3"}


def _top50(db, user, q: seg.SegmentQuery) -> None:
    top = common.top50(db, user, q)
    st.subheader(tr("seg.top_n", n=50))
    if top.empty:
        st.info(tr("seg.no_purchases"))
        return
    st.caption(tr("seg.top_n_help"))
    st.plotly_chart(_top50_chart(top, q.measure), width="stretch")
    rows = top[["customer_id", "code", "name", "rank", "abc", "top_grade", "spend", "share", "cum_share"]]
    event = show_table(SEGMENT_CUSTOMERS, rows, key="seg_top50_table", select=True, file_stem=f"top50_{q.start}_{q.end}")
    if event.selection.rows:
        open_customer(rows.iloc[event.selection.rows[0]]["customer_id"])


# The tab's charts are built from graph objects: plotly.express took ~0.3 s a chart a render.

def _top50_chart(top: pd.DataFrame, measure: str) -> go.Figure:
    """The top 50's spend by code, a bar colour per grade (grades in order, the codes by rank)."""
    grade = choice_label("seg.top_grade")
    code, spend, name, abc = (tr("seg.col.code"), tr(f"seg.measure.{measure}"), tr("seg.col.name"),
                              tr("seg.col.abc"))
    bars = []
    for g in seg.TOP_GRADES:
        rows = top[top["top_grade"] == g]
        detail = np.column_stack([rows["name"].map(chart_text), rows["abc"].map(common.class_label)])  # as typed
        bars.append(go.Bar(name=grade(g), x=rows["code"].map(chart_text), y=rows["spend"], customdata=detail,
                           marker_color=TOP_GRADE_COLOURS[g],
                           hovertemplate=f"{tr('seg.col.top_grade')}={grade(g)}<br>{code}=%{{x}}<br>{spend}=%{{y}}"
                                         f"<br>{name}=%{{customdata[0]}}<br>{abc}=%{{customdata[1]}}<extra></extra>"))
    figure = go.Figure(bars)
    figure.update_layout(height=320, margin=dict(l=10, r=10, t=10, b=10), yaxis_tickformat=",.0f",
                         xaxis_title=code, yaxis_title=spend, legend_title_text=tr("seg.col.top_grade"))
    return figure


def _grid_chart(grid: pd.DataFrame) -> go.Figure:
    """ABC class (rows, A on top) × value tier (columns): each cell prints its count."""
    x, y, count = tr("seg.value_tier"), tr("seg.col.abc"), tr("seg.col.customers")
    figure = go.Figure(go.Heatmap(z=grid.to_numpy(), x=list(grid.columns), y=list(grid.index), colorscale="Blues",
                                  showscale=False,  # each cell prints its count; a scale only squeezes the grid
                                  texttemplate="%{z}",
                                  hovertemplate=f"{x}: %{{x}}<br>{y}: %{{y}}<br>{count}: %{{z}}<extra></extra>"))
    figure.update_layout(title=tr("seg.grid_title"), height=320, margin=dict(l=10, r=10, t=40, b=10),
                         xaxis_title=x, yaxis={"title": y, "autorange": "reversed"})
    return figure


def _rfm_chart(shown: pd.DataFrame) -> go.Figure:
    """The RFM segments with customers, sized by customers, coloured by share of revenue."""
    figure = go.Figure(go.Treemap(labels=shown["label"], parents=[""] * len(shown), values=shown["customers"],
                                  customdata=shown["revenue"], branchvalues="total",
                                  marker={"colors": shown["revenue_share"], "colorscale": "RdYlGn",
                                          "colorbar": {"title": {"text": tr("seg.col.revenue_share")}},
                                          "showscale": True},
                                  texttemplate="%{label}<br>%{value:,}",
                                  hovertemplate="%{label}<br>%{value:,}<extra></extra>"))
    figure.update_layout(title=tr("seg.rfm_treemap"), height=420, margin=dict(l=10, r=10, t=40, b=10))
    return figure


def _weights() -> dict:
    with st.expander(tr("seg.weights")):
        st.caption(tr("seg.weights_help"))
        columns = st.columns(4)
        return {factor: columns[i % 4].slider(tr(f"seg.factor.{factor}"), 0.0, 5.0, 1.0, 0.5,
                                               **in_url(f"seg_w_{factor}"))
                for i, factor in enumerate(seg.NONMONETARY_FACTORS)}


def render_big_customers(db, user, q: seg.SegmentQuery) -> None:
    language = lang()
    _top50(db, user, q)
    st.subheader(tr("seg.value_title"))
    weights = _weights()
    if not any(weights.values()):
        st.error(tr("seg.weights_all_zero"))
        return
    try:
        view = common.values(db, user, q, tuple(sorted(weights.items())))
    except ValueError:
        st.error(tr("seg.weights_no_data"))
        return
    counts, overlooked, scored = value_list_sizes(view)
    if not scored:
        st.info(tr("seg.no_purchases"))
        return
    missing = [tr(f"seg.factor.{f}") for f in seg.NONMONETARY_FACTORS if f not in view.factors]
    if missing:
        st.caption(tr("seg.factors_without_data", factors=join_list(missing, language)))
    grid = counts.rename(index=common.class_label, columns=lambda t: tr(f"seg.value_tier.{t}"))
    left, right = st.columns([3, 2])
    left.plotly_chart(_grid_chart(grid), width="stretch")
    count_metric(right, tr("seg.not_to_overlook_count"), overlooked)
    right.caption(tr("seg.tier_rule"))
    st.markdown(f"**{tr('seg.not_to_overlook')}**")
    _value_list(db, user, q, weights, view, "overlook", overlooked, "seg_overlook",
                f"not_to_overlook_{q.start}_{q.end}")
    with st.expander(tr("seg.all_scores")):
        _value_list(db, user, q, weights, view, "score", scored, "seg_scores", f"value_scores_{q.start}_{q.end}")


def _value_list(db, user, q: seg.SegmentQuery, weights: dict, view, which: str, total: int, key: str, stem: str) -> None:
    """A paged list of ``view`` (``common.value_lists``); its downloads hold the whole list."""
    chosen = tuple(sorted(weights.items()))
    common.customer_list(key, total, lambda offset: common.value_lists(db, user, q, chosen, which, offset), stem,
                         lambda: value_list(db, view, which, limit=None))


def render_rfm(db, user, q: seg.SegmentQuery) -> None:
    summary = common.rfm_summary(db, user, q.start, q.end)
    st.caption(tr("seg.rfm_help"))
    if not summary["customers"].any():
        st.info(tr("seg.no_purchases"))
        return
    summary["label"] = summary["segment"].map(lambda s: tr(f"seg.rfm.{s}"))
    left, right = st.columns([3, 2])
    shown = summary[summary["customers"] > 0]
    left.plotly_chart(_rfm_chart(shown), width="stretch")
    table = summary[["segment", "customers", "revenue", "revenue_share"]]
    with right:
        show_table(SEGMENT_SUMMARY, table, key="seg_rfm_sum", file_stem=f"rfm_segments_{q.start}_{q.end}")
    st.subheader(tr("seg.segment_list"))
    chosen = st.selectbox(tr("seg.segment"), list(shown["segment"]), format_func=choice_label("seg.rfm"),
                          **in_url("seg_rfm_segment", list(shown["segment"]), catalog_label("seg.rfm")))
    total = int(summary.loc[summary["segment"] == chosen, "customers"].sum())
    common.customer_list(f"seg_rfm_{chosen}", total,
                         lambda offset: common.rfm_page(db, user, q.start, q.end, chosen, offset),
                         f"rfm_{chosen}_{q.start}_{q.end}",
                         lambda: seg.rfm_members(db, user, q.start, q.end, chosen, limit=None))
    with st.expander(tr("seg.rfm_rules")):
        frame_grid(_rule_table(), title="seg.rfm_rules", key="seg_rfm_rules", width="content")


def _rule_table() -> pd.DataFrame:
    return pd.DataFrame({
        tr("seg.segment"): [tr(f"seg.rfm.{s}") for s, _, _ in seg.RFM_SEGMENT_RULES],
        "R": [", ".join(map(str, r)) for _, r, _ in seg.RFM_SEGMENT_RULES],
        "F": [", ".join(map(str, f)) for _, _, f in seg.RFM_SEGMENT_RULES],
    })
