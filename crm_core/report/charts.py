"""The report's charts as plotly figures (exported to SVG by crm_core.report.printing).

Sized for the printed page: ``WIDTH`` × height CSS pixels fill the A4 text width (170 mm) at 96 px
per inch; fonts large enough to read on paper; the Noto CJK font named first so Chinese never falls
back to boxes. User text (wave names) goes through crm_core.text_safety.chart_text.
"""
from __future__ import annotations

import plotly.graph_objects as go

from crm_core.config import store_currency
from crm_core.i18n import format_number, format_percent, t
from crm_core.report.figures import ReportFigures
from crm_core.segmentation import ABC_CLASSES
from crm_core.text_safety import chart_text

WIDTH = 640  # CSS px: the A4 text width (210 mm − 2 × 20 mm margins ≈ 642 px)
HALF = 316  # two charts side by side
FONT = "Noto Sans CJK SC, Noto Sans SC, Noto Sans, sans-serif"
CLASS_A = "#c0392b"  # class A's colour on the Segmentation page
LINE = "#1f77b4"


def _layout(figure: go.Figure, title: str, height: int, width: int = WIDTH) -> go.Figure:
    figure.update_layout(title={"text": title, "font": {"size": 14}, "x": 0.01}, width=width, height=height,
                         font={"family": FONT, "size": 11}, margin={"l": 10, "r": 10, "t": 40, "b": 10},
                         template="plotly_white", showlegend=False)
    figure.update_yaxes(automargin=True)
    figure.update_xaxes(automargin=True)
    return figure


def revenue_chart(figures: ReportFigures, lang: str) -> go.Figure | None:
    """The Overview's revenue trend: every month of the last 36, the analysis date's month last."""
    trend = figures.revenue_by_month
    if trend.empty:
        return None
    figure = go.Figure(go.Bar(x=trend["month"], y=trend["revenue"], marker_color=LINE))
    # Every third month labelled, counted back from the analysis date's month so that one is labelled.
    figure.update_xaxes(tickformat="%Y-%m", tickvals=list(trend["month"])[::-1][::3], tickangle=-45)
    figure.update_yaxes(tickformat=",.0f")
    return _layout(figure, t("report.revenue_chart", lang, currency=store_currency()), 380)


def class_chart(figures: ReportFigures, lang: str) -> go.Figure | None:
    """Share of customers and share of revenue per ABC class, side by side."""
    abc = figures.abc
    if not abc.classified:
        return None
    names = [t("report.class_short", lang, abc=c) for c in ABC_CLASSES]  # full names are in the table above
    customers = [abc.classes[c]["count"] / abc.classified for c in ABC_CLASSES]
    shares = [abc.classes[c]["share"] for c in ABC_CLASSES]
    figure = go.Figure([
        go.Bar(x=names, y=customers, name=t("report.class_customers", lang), marker_color="#95a5a6",
               text=[format_percent(v, lang) for v in customers], textposition="outside"),
        go.Bar(x=names, y=shares, name=t("report.class_revenue", lang), marker_color=CLASS_A,
               text=[format_percent(v, lang) for v in shares], textposition="outside"),
    ])
    figure.update_yaxes(tickformat=".0%", range=[0, 1.12])
    _layout(figure, t("report.class_chart", lang), 330, HALF)
    figure.update_layout(showlegend=True, legend={"orientation": "h", "y": -0.15}, barmode="group")
    return figure


def pareto_chart(figures: ReportFigures, lang: str) -> go.Figure | None:
    abc = figures.abc
    if not abc.classified:
        return None
    curve = abc.pareto
    figure = go.Figure([
        go.Scatter(x=[0, 1], y=[0, 1], mode="lines", line={"dash": "dot", "color": "#999"}),
        go.Scatter(x=curve["customer_fraction"], y=curve["spend_fraction"], mode="lines",
                   line={"color": CLASS_A, "width": 2.5}),
    ])
    if abc.top_spend_share is not None:
        x = abc.top_customers / abc.classified
        figure.add_trace(go.Scatter(x=[x], y=[abc.top_spend_share], mode="markers+text",
                                    marker={"size": 9, "color": "#2c3e50"}, textposition="bottom right",
                                    text=[f"{format_percent(abc.top_fraction, lang, 0)} → "
                                          f"{format_percent(abc.top_spend_share, lang)}"]))
    figure.update_xaxes(tickformat=".0%", range=[0, 1.02], dtick=0.2, title=t("seg.pareto.x", lang))
    figure.update_yaxes(tickformat=".0%", range=[0, 1.02],
                        title=t("seg.pareto.y", lang, measure=t("seg.measure.revenue", lang)))
    return _layout(figure, t("report.pareto_chart", lang), 330, HALF)


def _interval_line(x, y, low, high, colour: str) -> go.Scatter:
    return go.Scatter(x=x, y=y, mode="lines+markers", line={"color": colour}, marker={"size": 7},
                      error_y={"type": "data", "symmetric": False, "array": high - y, "arrayminus": y - low})


def promises_chart(figures: ReportFigures, lang: str) -> go.Figure | None:
    """Share of promises kept per month, with its 95% Wilson interval (the Performance tab's chart)."""
    months = figures.promises_by_month
    if months.empty:
        return None
    pct = months["pct"] * 100
    figure = go.Figure(_interval_line(list(months.index), pct, months["ci_low"] * 100, months["ci_high"] * 100,
                                      LINE))
    figure.update_xaxes(type="category", tickangle=-45)
    figure.update_yaxes(ticksuffix="%", range=[0, 105])
    return _layout(figure, t("promises.perf.chart_month", lang), 340)


def satisfaction_charts(figures: ReportFigures, lang: str) -> list[go.Figure]:
    """CSAT and NPS per survey wave with their intervals (the Satisfaction page's trend tab)."""
    table = figures.satisfaction
    if table.empty:
        return []
    labels = table["label"].map(chart_text)  # wave names as typed
    csat = go.Figure(_interval_line(labels, table["csat_top_two_box"], table["csat_top_two_box_low"],
                                    table["csat_top_two_box_high"], "#2ca02c"))
    csat.update_yaxes(ticksuffix="%", range=[0, 100])
    nps = go.Figure(_interval_line(labels, table["nps_score"], table["nps_ci_low"], table["nps_ci_high"], LINE))
    nps.update_yaxes(range=[-100, 100], zeroline=True)
    for figure in (csat, nps):
        figure.update_xaxes(type="category", tickangle=-45)
    return [_layout(csat, t("report.csat_chart", lang), 340, HALF), _layout(nps, t("report.nps_chart", lang), 340, HALF)]


def churn_chart(figures: ReportFigures, lang: str) -> go.Figure | None:
    rates = figures.churn_by_period
    if rates.empty:
        return None
    quarters = [f"{p.year} Q{(p.month - 1) // 3 + 1}" for p in rates["period"]]
    figure = go.Figure(go.Scatter(x=quarters, y=rates["churn_rate"], mode="lines+markers", line={"color": "#d62728"}))
    figure.update_xaxes(type="category", tickangle=-45)
    figure.update_yaxes(tickformat=".0%", range=[0, max(rates["churn_rate"].max() * 1.15, 0.05)])
    return _layout(figure, t("report.churn_chart", lang), 320, HALF)


def loss_chart(figures: ReportFigures, lang: str) -> go.Figure | None:
    loss = figures.churn_loss
    if loss is None or not loss.years:
        return None
    years = [t("report.year_n", lang, year=y.year) for y in loss.years]
    profit = [float(y.lost_profit) for y in loss.years]
    figure = go.Figure(go.Bar(x=years, y=profit, marker_color="#d62728",
                              text=[format_number(v, lang) for v in profit], textposition="outside"))
    figure.update_yaxes(tickformat=",.0f", range=[0, max(profit) * 1.18 or 1])
    return _layout(figure, t("report.loss_chart", lang, currency=store_currency()), 320, HALF)
