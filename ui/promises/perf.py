"""The Performance tab: attainment with its stated denominator and Wilson interval by type, rep,
customer class and month; overrun p50/p90 on both clocks; compensation owed vs delivered; and
business hours vs calendar time side by side."""
from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from crm_core.i18n import format_number, format_percent, t
from crm_core.promises.reports import BREAKDOWN_ORDER
from crm_core.promises.text import format_duration, label, policy_label
from ui.common import lang, style_chart, tr
from ui.promises import common
from ui.tables import frame_grid, show_frame
from ui.view_state import in_url

WINDOWS = (30, 90, 180, 365)


def _group_label(by: str, value, language: str) -> str:
    if by == "promise_type":
        return label("type", value, language)
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "—"
    return str(value)


def _attainment_shown(table: pd.DataFrame, by: str, language: str) -> pd.DataFrame:
    frame = table.reset_index().rename(columns={table.index.name or "index": "group"})
    return common.labelled(frame, {
        by: lambda f: [_group_label(by, g, language) for g in f["group"]],
        "met": lambda f: f["met"],
        "breached": lambda f: f["breached"],
        "excluded": lambda f: f["excluded"],
        "pct": lambda f: f["pct"].map(lambda v: format_percent(v, language)),
        "ci": lambda f: [f"{format_percent(lo, language)} – {format_percent(hi, language)}"
                         for lo, hi in zip(f["ci_low"], f["ci_high"])],
    })


def _month_chart(table: pd.DataFrame) -> None:
    table = table[table["met"] + table["breached"] > 0]
    if table.empty:
        return
    months = list(table.index)
    pct = table["pct"] * 100
    figure = go.Figure(go.Scatter(
        x=months, y=pct, mode="lines+markers", name=tr("promises.col.pct"),
        error_y={"type": "data", "symmetric": False, "array": table["ci_high"] * 100 - pct,
                 "arrayminus": pct - table["ci_low"] * 100}))
    figure.update_layout(title=tr("promises.perf.chart_month"), xaxis_title=tr("promises.col.month"),
                         yaxis_title=tr("promises.col.pct"), xaxis_type="category")
    st.plotly_chart(style_chart(figure, height=320), width="stretch")


def performance_tab(db, user, now: datetime) -> None:
    language = lang()
    days = st.selectbox(tr("promises.perf.window"), WINDOWS, index=3,
                        **in_url("prom_perf_window", WINDOWS, lambda d, code: t("promises.perf.window_days", code, days=d)),
                        format_func=lambda d: t("promises.perf.window_days", language, days=d))
    end = now.replace(second=0)
    start = end - timedelta(days=days)
    data = common.performance(db, user, start, end)
    total = data["total"]
    if total.empty or (total["met"] + total["breached"]).sum() == 0:
        st.info(tr("promises.perf.none"))
        return
    row = total.iloc[0]
    st.markdown(tr("promises.perf.denominator", start=common.local_text(start, False), end=common.local_text(end, False),
                   met=format_number(row["met"], language), breached=format_number(row["breached"], language),
                   excluded=format_number(row["excluded"], language)))
    st.metric(tr("promises.perf.attainment"), format_percent(row["pct"], language),
              help=f"{format_percent(row['ci_low'], language)} – {format_percent(row['ci_high'], language)}")
    st.caption(f"{tr('promises.col.ci')}: {format_percent(row['ci_low'], language)} – "
               f"{format_percent(row['ci_high'], language)}")
    columns = st.columns(2)
    for i, by in enumerate(BREAKDOWN_ORDER):
        with columns[i % 2]:
            st.markdown(f"**{tr(f'promises.perf.by.{by}')}**")
            shown = _attainment_shown(data["by"][by], by, language)
            show_frame(shown, title=f"promises.perf.by.{by}", key=f"prom_perf_{by}",
                       file_stem=f"promise_attainment_{by}")
    _month_chart(data["by"]["month"])
    _overrun(data["overrun"], language)
    _clocks(data["clocks"], language)
    _compensation(data["compensation"], data["remedies"], language)


def _overrun(overrun: pd.DataFrame, language: str) -> None:
    st.subheader(tr("promises.perf.overrun"))
    st.caption(tr("promises.perf.overrun_note"))
    if overrun.empty:
        st.info(tr("ui.no_data_yet"))
        return
    shown = common.labelled(overrun, {
        "policy": lambda f: f["policy_id"].map(lambda p: policy_label(p, language)),
        "promise_type": lambda f: f["promise_type"].map(lambda p: label("type", p, language)),
        "clock": lambda f: f["clock"].map(lambda c: label("clock", c, language)),
        "n": lambda f: f["n"],
        **{c: (lambda f, c=c: [format_duration(s, language, days=c.startswith("wall") or k != "business")
                                for s, k in zip(f[c], f["clock"])])
           for c in ("p50", "p90", "wall_p50", "wall_p90")},
    })
    show_frame(shown, title="promises.perf.overrun", key="prom_perf_overrun", file_stem="promise_overrun")


def _clocks(clocks: pd.DataFrame, language: str) -> None:
    st.subheader(tr("promises.perf.clocks"))
    st.caption(tr("promises.perf.clocks_note"))
    if clocks.empty:
        st.info(tr("promises.perf.clocks_same"))
        return
    frame = clocks.reset_index()
    shown = common.labelled(frame, {
        "promise_type": lambda f: f["promise_type"].map(lambda p: label("type", p, language)),
        "closed": lambda f: f["n"],
        "pct_business": lambda f: [f"{format_percent(p, language)} ({format_percent(lo, language)} – "
                                   f"{format_percent(hi, language)})" for p, lo, hi in
                                   zip(f["pct_business"], f["ci_low_business"], f["ci_high_business"])],
        "pct_calendar": lambda f: [f"{format_percent(p, language)} ({format_percent(lo, language)} – "
                                   f"{format_percent(hi, language)})" for p, lo, hi in
                                   zip(f["pct_calendar"], f["ci_low_calendar"], f["ci_high_calendar"])],
        "lead_hours_p50": lambda f: f["lead_hours_p50"].map(lambda h: format_duration(h * 3600, language)),
    })
    show_frame(shown, title="promises.perf.clocks", key="prom_perf_clocks", file_stem="promise_clocks")


def _compensation(months: pd.DataFrame, by_key: pd.DataFrame, language: str) -> None:
    st.subheader(tr("promises.perf.compensation"))
    if months.empty:
        st.info(tr("ui.no_data_yet"))
        return
    figure = go.Figure([
        go.Bar(x=months["month"], y=months["owed_cost"], name=tr("promises.perf.owed")),
        go.Bar(x=months["month"], y=months["delivered_cost"], name=tr("promises.perf.delivered")),
    ])
    figure.update_layout(title=tr("promises.perf.chart_comp"), xaxis_title=tr("promises.col.month"),
                         yaxis_title=tr("promises.perf.cost"), barmode="group", xaxis_type="category")
    st.plotly_chart(style_chart(figure, height=320), width="stretch")
    def money(column):  # numeric, shown with kind money (Excel sums it)
        return lambda f: f[column].astype("float64")

    money_kinds = {tr(f"promises.col.{c}"): "money" for c in ("owed_cost", "delivered_cost", "outstanding_cost")}
    shown = common.labelled(months, {
        "month": lambda f: f["month"], "owed_count": lambda f: f["owed_count"],
        "owed_cost": money("owed_cost"), "delivered_count": lambda f: f["delivered_count"],
        "delivered_cost": money("delivered_cost"), "outstanding_cost": money("outstanding_cost"),
    })
    show_frame(shown, title="promises.perf.compensation", key="prom_perf_comp", file_stem="promise_compensation",
               kinds=money_kinds)
    st.markdown(f"**{tr('promises.perf.remedies_by_key')}**")
    frame_grid(common.labelled(by_key, {
        "remedy": lambda f: f["key"].map(lambda k: label("remedy", k, language)),
        "owed_count": lambda f: f["owed_count"], "owed_cost": money("owed_cost"),
        "delivered_count": lambda f: f["delivered_count"], "delivered_cost": money("delivered_cost"),
    }), title="promises.perf.remedies_by_key", key="prom_perf_by_key", kinds=money_kinds)
