"""Satisfaction page: service quality (gap chart, SERVPERF, key drivers) and regional response style."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from crm_core.i18n import format_number
from crm_core.satisfaction.report import SAMPLE
from crm_core.text_safety import chart_text
from ui.common import choice_label, lang, style_chart, tr
from ui.satisfaction import data
from ui.tables import show_frame
from ui.view_state import catalog_label, in_url


def _dim(name: str) -> str:
    return tr(f"satisfaction.dimension.{name}")


def _gap_chart(table: pd.DataFrame, view: str) -> None:
    labels = [_dim(d) for d in table.index]
    figure = go.Figure()
    if view == "gap":
        figure.add_trace(go.Bar(x=labels, y=table["expectation"], name=tr("sat.expectation")))
        figure.add_trace(go.Bar(x=labels, y=table["perception"], name=tr("sat.perception")))
        figure.add_trace(go.Scatter(x=labels, y=table["gap"], name=tr("satisfaction.servqual.gap"),
                                    mode="markers+text", text=[f"{g:+.2f}" for g in table["gap"]],
                                    textposition="top center", marker={"size": 12, "color": "#d62728"}, yaxis="y2"))
        figure.update_layout(barmode="group", yaxis2={"overlaying": "y", "side": "right", "title": tr("sat.gap_axis"),
                                                          "tickformat": "+.1f", "showgrid": False})
        title = tr("sat.gap_chart")
    else:
        figure.add_trace(go.Bar(x=labels, y=table["servperf"], name=tr("satisfaction.servqual.servperf")))
        title = tr("satisfaction.servqual.servperf")
    figure.update_layout(title=title, xaxis_title=tr("sat.dimension"), yaxis_title=tr("sat.score_1_7"),
                         legend={"orientation": "h", "y": -0.25})
    style_chart(figure, height=400)
    figure.update_layout(yaxis_tickformat=".1f")
    st.plotly_chart(figure, width="stretch", key=f"sat_gap_chart_{view}")


def _drivers_chart(table: pd.DataFrame, outcome: str) -> None:
    figure = go.Figure(go.Scatter(
        x=table["performance"], y=table["share"], mode="markers+text", text=[_dim(d) for d in table.index],
        textposition="top center", marker={"size": 14}))
    figure.add_vline(x=table["performance"].mean(), line_dash="dot")
    figure.add_hline(y=table["share"].mean(), line_dash="dot")
    for key, x, y in (("fix_first", 0.02, 0.98), ("keep_up", 0.98, 0.98), ("low_priority", 0.02, 0.02),
                      ("possible_overkill", 0.98, 0.02)):
        figure.add_annotation(text=tr(f"satisfaction.ipa.{key}"), xref="paper", yref="paper", x=x, y=y,
                              showarrow=False, xanchor="left" if x < 0.5 else "right", font={"size": 13})
    figure.update_layout(title=tr("sat.drivers_chart", outcome=tr(f"sat.outcome.{outcome}")),
                         xaxis_title=tr("sat.performance_axis"), yaxis_title=tr("sat.importance_axis"))
    style_chart(figure, height=420)
    figure.update_layout(yaxis_tickformat=".0f", xaxis_tickformat=".1f")
    st.plotly_chart(figure, width="stretch", key=f"sat_drivers_{outcome}")


def render_quality(db, user, wave_id) -> None:
    table = data.servqual(db, user, wave_id)
    st.subheader(tr("sat.quality_title"))
    if table.empty:
        st.info(tr("sat.no_servqual"))
        return
    view = st.radio(tr("sat.view"), ("gap", "servperf"), horizontal=True,
                    **in_url("sat_gap_view", ("gap", "servperf"), catalog_label("sat.view")),
                    format_func=lambda v: tr(f"sat.view.{v}"))
    _gap_chart(table, view)
    shown = table.rename(index=_dim).rename(columns=lambda c: tr(f"sat.col.{c}")).rename_axis(tr("sat.dimension"))
    show_frame(shown.reset_index(), title="sat.quality_title", key="sat_servqual", file_stem="servqual")
    st.caption(tr("sat.servqual_note"))

    st.subheader(tr("sat.drivers_title"))
    outcome = st.radio(tr("sat.outcome"), ("satisfaction", "recommend"), horizontal=True,
                       **in_url("sat_outcome", ("satisfaction", "recommend"), catalog_label("sat.outcome")),
                       format_func=lambda o: tr(f"sat.outcome.{o}"))
    drivers = data.drivers(db, user, wave_id, outcome)
    if drivers is None:
        st.info(tr("sat.no_drivers"))
        return
    _drivers_chart(drivers, outcome)
    st.caption(tr("satisfaction.drivers.r2", r2=drivers.attrs["r2"]) + " " + tr("sat.drivers_method", n=format_number(SAMPLE, lang())))
    shown = pd.DataFrame({tr("sat.dimension"): [_dim(d) for d in drivers.index],
                          tr("sat.importance_axis"): (drivers["share"] / 100).to_numpy(),  # a fraction: kind percent
                          tr("sat.performance_axis"): drivers["performance"].to_numpy(),
                          tr("sat.quadrant"): drivers["quadrant"].map(lambda q: tr(f"satisfaction.ipa.{q}")).to_numpy()})
    show_frame(shown, title="sat.drivers_title", key="sat_drivers", file_stem=f"key_drivers_{outcome}",
               kinds={tr("sat.importance_axis"): "percent"})


def render_regional(db, user, wave_id) -> None:
    st.subheader(tr("sat.regional_title"))
    method = st.radio(tr("sat.method"), ("label_calibration", "zscore"), horizontal=True,
                      **in_url("sat_region_method", ("label_calibration", "zscore"),
                               catalog_label("satisfaction.regional")),
                      format_func=lambda m: tr(f"satisfaction.regional.{m}"))
    table = data.regional(db, user, wave_id, method)
    if table is None:
        st.info(tr("sat.no_regional"))
        return
    if method == "zscore":
        overall = (table["raw_mean"] * table["n"]).sum() / table["n"].sum()
        st.warning(tr("sat.method_note.zscore", overall=format_number(overall, lang(), 2)))
    else:
        st.info(tr("sat.method_note.label_calibration"))
    region = choice_label("region")
    regions = [chart_text(region(r)) for r in table.index]  # a region typed by a user shows as typed
    figure = go.Figure([
        go.Bar(x=regions, y=table["raw_mean"], name=tr("satisfaction.regional.raw")),
        go.Bar(x=regions, y=table["adjusted_mean"], name=tr("satisfaction.regional.adjusted")),
    ])
    figure.update_layout(barmode="group", title=tr("sat.regional_chart"), xaxis_title=tr("sat.by.region"),
                         yaxis_title=tr("satisfaction.metric.mean"), legend_orientation="h")
    style_chart(figure, height=360)
    figure.update_layout(yaxis_tickformat=".2f", yaxis_range=[1, 5])
    st.plotly_chart(figure, width="stretch", key="sat_regional_chart")
    shown = pd.DataFrame({
        tr("sat.by.region"): [region(r) for r in table.index],
        tr("sat.answers"): table["n"].astype("Int64").to_numpy(),
        tr("satisfaction.regional.raw"): table["raw_mean"].to_numpy(),
        tr("satisfaction.regional.adjusted"): table["adjusted_mean"].to_numpy(),
        tr("sat.raw_csat"): (table["raw_csat"] / 100).to_numpy(),  # fractions: kind percent
    })
    kinds = {tr("sat.answers"): "count", tr("sat.raw_csat"): "percent"}
    if method == "label_calibration":
        shown[tr("sat.regional.n_intent")] = table["n_intent"].astype("Int64").to_numpy()
        shown[tr("sat.regional.weight")] = table["weight"].to_numpy()
        kinds |= {tr("sat.regional.n_intent"): "count", tr("sat.regional.weight"): "percent"}
    show_frame(shown, title="sat.regional_title", key="sat_regional", file_stem="regional_style", kinds=kinds)
    if method == "label_calibration":
        st.caption(tr("sat.regional.shrinkage_note", m=format_number(table["prior_strength"].iloc[0], lang(), 1)))
    st.caption(tr("sat.sample_note", n=format_number(SAMPLE, lang())))
