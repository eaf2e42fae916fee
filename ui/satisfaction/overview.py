"""Satisfaction page: headline scores per wave, the ladder, the trend and the breakdowns."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from crm_core import tables
from crm_core.i18n import format_date, format_number
from crm_core.satisfaction.report import BREAKDOWNS, MISSING
from crm_core.text_safety import chart_text
from ui.common import choice_label, lang, style_chart, tr
from ui.metrics import count_metric
from ui.satisfaction import data
from ui.tables import show_frame, show_table
from ui.view_state import catalog_label, in_url


def pct(value, decimals: int = 1) -> str:
    return "—" if value is None or pd.isna(value) else f"{format_number(value, lang(), decimals)}%"


def group_label(by: str):
    """Display text of a breakdown group: regions and channels through the catalog."""
    prefix = {"region": "region", "channel": "sat.channel", "segment": "sat.segment"}.get(by)
    named = choice_label(prefix) if prefix else str
    return lambda value: tr("sat.missing") if value == MISSING else named(value)


def _headline(row: pd.Series, previous: pd.Series | None) -> None:
    cards = st.columns(5)
    change = None if previous is None else row["csat_top_two_box"] - previous["csat_top_two_box"]
    sig = bool(row.get("csat_significant_change", False))
    cards[0].metric(tr("satisfaction.metric.csat"), pct(row["csat_top_two_box"]),
                    delta=f"{change:+.1f}" if sig and change is not None else None,
                    help=tr("satisfaction.metric.interval", low=row["csat_top_two_box_low"],
                            high=row["csat_top_two_box_high"]))
    cards[1].metric(tr("satisfaction.metric.top_box"), pct(row["csat_top_box"]),
                    help=tr("satisfaction.metric.interval", low=row["csat_top_box_low"], high=row["csat_top_box_high"]))
    cards[2].metric(tr("satisfaction.metric.mean"), format_number(row["csat_mean"], lang(), 2))
    nps_change = None if previous is None else row["nps_score"] - previous["nps_score"]
    nps_sig = bool(row.get("nps_significant_change", False))
    cards[3].metric(tr("satisfaction.metric.nps"), format_number(row["nps_score"], lang(), 1),
                    delta=f"{nps_change:+.1f}" if nps_sig and nps_change is not None else None,
                    help=tr("satisfaction.metric.interval", low=row["nps_ci_low"], high=row["nps_ci_high"])
                    + " " + tr("satisfaction.metric.nps_interval_note", adjusted=row["nps_score_adjusted"]))
    count_metric(cards[4], tr("sat.answers"), row["csat_n"])
    st.caption(tr("sat.interval_line", csat=pct(row["csat_top_two_box"]),
                  csat_low=pct(row["csat_top_two_box_low"]), csat_high=pct(row["csat_top_two_box_high"]),
                  nps=format_number(row["nps_score"], lang(), 1), nps_low=format_number(row["nps_ci_low"], lang(), 1),
                  nps_high=format_number(row["nps_ci_high"], lang(), 1)))
    st.caption(tr("sat.top_box_line", top=pct(row["csat_top_box"]), low=pct(row["csat_top_box_low"]),
                  high=pct(row["csat_top_box_high"])))
    if previous is not None:
        st.caption(tr("sat.delta_rule"))


def _wave_table(waves: pd.DataFrame) -> None:
    shown = pd.DataFrame({
        tr("sat.wave"): waves["name"], tr("sat.started_on"): waves["started_on"].map(
            lambda d: format_date(pd.Timestamp(d).date(), lang())),
        tr("sat.invited"): waves["invited"].map(lambda v: format_number(v, lang()) if pd.notna(v) else "—"),
        tr("sat.answers"): waves["responses"].map(lambda v: format_number(v, lang())),
        tr("sat.response_rate"): waves["response_rate"].map(pct),
        tr("sat.rate_interval"): [f"{pct(lo)} – {pct(hi)}" if pd.notna(lo) else "—"
                                  for lo, hi in zip(waves["rate_low"], waves["rate_high"], strict=True)],
    })
    show_frame(shown, title="table.survey_waves", key="sat_waves", file_stem="survey_waves")


def _ladder(ladder: pd.DataFrame) -> None:
    st.subheader(tr("sat.ladder_title"))
    labels = [tr(f"satisfaction.ladder.{level}") for level in ladder["level"]]
    figure = go.Figure(go.Funnel(y=labels, x=ladder["count"], textinfo="value+percent initial"))
    st.plotly_chart(style_chart(figure, height=300), width="stretch", key="sat_ladder_chart")
    st.caption(tr("sat.ladder_note"))


def render_overview(db, user, waves: pd.DataFrame, wave_id) -> None:
    trend = data.trend(db, user, "wave_id")
    if wave_id is None or wave_id not in trend.index:
        st.info(tr("sat.pick_wave_for_headline"))
    else:
        position = trend.index.get_loc(wave_id)
        _headline(trend.iloc[position], trend.iloc[position - 1] if position > 0 else None)
    _ladder(data.ladder(db, user, wave_id))
    st.subheader(tr("sat.waves_title"))
    _wave_table(waves)


def _trend_chart(table: pd.DataFrame, column: str, low: str, high: str, flag: str, title: str, key: str) -> None:
    labels = table["label"].map(chart_text)  # wave names as typed
    figure = go.Figure(go.Scatter(
        x=labels, y=table[column], mode="lines+markers", name=title,
        error_y={"type": "data", "symmetric": False, "array": table[high] - table[column],
                     "arrayminus": table[column] - table[low]}))
    marked = table[table[flag]]
    figure.add_trace(go.Scatter(x=labels[table[flag]], y=marked[column], mode="markers", name=tr("sat.significant"),
                                marker={"symbol": "star", "size": 16, "color": "#d62728"}))
    figure.update_layout(title=title, xaxis_title=tr("sat.period"), yaxis_title=title, legend_orientation="h")
    st.plotly_chart(style_chart(figure, height=340), width="stretch", key=key)


def render_trend(db, user) -> None:
    period = st.radio(tr("sat.period"), ("wave_id", "month"), horizontal=True,
                      **in_url("sat_period", ("wave_id", "month"), catalog_label("sat.period")),
                      format_func=lambda p: tr(f"sat.period.{p}"))
    table = data.trend(db, user, period)
    left, right = st.columns(2)
    with left:
        _trend_chart(table, "csat_top_two_box", "csat_top_two_box_low", "csat_top_two_box_high",
                     "csat_significant_change", tr("satisfaction.metric.csat"), "sat_trend_csat")
    with right:
        _trend_chart(table, "nps_score", "nps_ci_low", "nps_ci_high", "nps_significant_change",
                     tr("satisfaction.metric.nps"), "sat_trend_nps")
    st.caption(tr("sat.trend_tests"))
    show_table(TREND, _trend_rows(table), key="sat_trend", file_stem="satisfaction_trend")


# The trend per period as a list (the charts' numbers), on screen and in its downloads.
TREND = tables.Table("grids.trend_title", (
    tables.text("label", "sat.period"), tables.count("csat_n", "sat.answers"),
    tables.percent("csat", "satisfaction.metric.csat"), tables.percent("csat_low", "grids.csat_low"),
    tables.percent("csat_high", "grids.csat_high"),
    tables.label("csat_significant_change", "grids.csat_change", "table.yes_no"),
    tables.number("nps_score", "satisfaction.metric.nps"), tables.number("nps_ci_low", "grids.nps_low"),
    tables.number("nps_ci_high", "grids.nps_high"),
    tables.label("nps_significant_change", "grids.nps_change", "table.yes_no")))


def _trend_rows(table: pd.DataFrame) -> pd.DataFrame:
    """CSAT as fractions (the trend holds percentages), for the percent kind."""
    return table.assign(csat=table["csat_top_two_box"] / 100, csat_low=table["csat_top_two_box_low"] / 100,
                        csat_high=table["csat_top_two_box_high"] / 100)


def _mark(direction) -> str:
    return {1: "▲ " + tr("satisfaction.vs_rest.above"), -1: "▼ " + tr("satisfaction.vs_rest.below")}.get(
        int(direction), tr("satisfaction.vs_rest.same"))


def _p(value) -> str:
    return "—" if pd.isna(value) else f"{value:.3f}"


def render_breakdowns(db, user, wave_id, as_of) -> None:
    st.subheader(tr("sat.breakdowns_title"))
    by = st.selectbox(tr("sat.breakdown_by"), BREAKDOWNS, **in_url("sat_breakdown_by", BREAKDOWNS, catalog_label("sat.by")),
                      format_func=lambda b: tr(f"sat.by.{b}"))
    table = data.breakdown(db, user, by, wave_id, as_of).sort_values("csat_top_two_box", ascending=False)
    label = group_label(by)
    shown = pd.DataFrame({
        tr(f"sat.by.{by}"): [label(g) for g in table.index],
        tr("sat.answers"): table["csat_n"].map(lambda v: format_number(v, lang())),
        tr("satisfaction.metric.csat"): table["csat_top_two_box"].map(pct),
        tr("sat.interval"): [f"{pct(lo)} – {pct(hi)}" for lo, hi in
                             zip(table["csat_top_two_box_low"], table["csat_top_two_box_high"], strict=True)],
        tr("sat.csat_vs_rest"): table["csat_direction"].map(_mark),
        tr("sat.p_value"): table["csat_vs_rest_p"].map(_p),
        tr("sat.csat_p_holm"): table["csat_vs_rest_p_holm"].map(_p),
        tr("satisfaction.metric.nps"): table["nps_score"].map(lambda v: format_number(v, lang(), 1)),
        tr("sat.interval") + " ": [f"{format_number(lo, lang(), 1)} – {format_number(hi, lang(), 1)}"
                                   for lo, hi in zip(table["nps_ci_low"], table["nps_ci_high"], strict=True)],
        tr("sat.nps_vs_rest"): table["nps_direction"].map(_mark),
    })
    show_frame(shown, title="sat.breakdowns_title", key="sat_breakdown", file_stem=f"satisfaction_by_{by}")
    colours = table["csat_direction"].map({1: "#2ca02c", -1: "#d62728", 0: "#7f7f7f"})
    figure = go.Figure(go.Bar(
        x=[chart_text(label(g)) for g in table.index][:40], y=table["csat_top_two_box"][:40], marker_color=colours[:40],
        error_y={"type": "data", "symmetric": False, "array": (table["csat_top_two_box_high"] - table["csat_top_two_box"])[:40],
                     "arrayminus": (table["csat_top_two_box"] - table["csat_top_two_box_low"])[:40]}))
    figure.update_layout(title=tr("sat.breakdown_chart", by=tr(f"sat.by.{by}")), xaxis_title=tr(f"sat.by.{by}"),
                         yaxis_title=tr("satisfaction.metric.csat"))
    st.plotly_chart(style_chart(figure, height=340), width="stretch", key="sat_breakdown_chart")
    st.caption(tr("sat.breakdown_tests", tests=format_number(int(table["csat_tests"].max()) if len(table) else 0, lang())))
