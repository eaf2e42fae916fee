"""Satisfaction × loyalty quadrants (Jones & Sasser; seed 001), reusable on the Segmentation page.

``render_quadrant(db, user, key_prefix)`` draws the controls, the quadrant chart with counts and
the list behind the chosen quadrant (each row opens the customer's 360 view). Widget keys start
with ``key_prefix`` so the chart can appear on two pages.
"""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from crm_core import tables
from crm_core.i18n import format_number
from crm_core.satisfaction.loyalty import QUADRANTS
from crm_core.satisfaction.report import LOYAL_FROM, SATISFIED_FROM
from ui.common import analysis_date, lang, open_customer, style_chart, tr
from ui.metrics import count_metric
from ui.satisfaction import data
from ui.tables import show_table
from ui.view_state import catalog_label, in_url

COLOURS = {"saboteur": "#d62728", "mercenary": "#ff7f0e", "hostage": "#9467bd", "apostle": "#2ca02c"}
LIST_NOTE = {"saboteur": "sat.list_note.saboteur", "hostage": "sat.list_note.hostage",
             "mercenary": "sat.list_note.mercenary", "apostle": "sat.list_note.apostle"}


def _chart(cells: pd.DataFrame, counts: pd.DataFrame, loyalty: str, sat: int, loyal: int, key: str) -> None:
    y = cells["loyalty"].astype(float)  # purchases, or intent as 0/1
    figure = go.Figure()
    for quadrant in QUADRANTS:
        part = cells["quadrant"] == quadrant
        figure.add_trace(go.Scatter(
            x=cells.loc[part, "sat"], y=y[part], mode="markers", name=tr(f"satisfaction.quadrant.{quadrant}"),
            marker={"size": cells.loc[part, "n"], "sizemode": "area", "sizeref": 2.0 * cells["n"].max() / 50 ** 2,
                        "sizemin": 3, "color": COLOURS[quadrant], "opacity": 0.7},
            customdata=cells.loc[part, "n"], hovertemplate="%{x}, %{y}: %{customdata:,}<extra></extra>"))
    figure.add_vline(x=sat - 0.5, line_dash="dot")
    figure.add_hline(y=loyal - 0.5 if loyalty == "behaviour" else 0.5, line_dash="dot")
    for quadrant, x, y_pos in (("saboteur", 0.02, 0.02), ("mercenary", 0.98, 0.02), ("hostage", 0.02, 0.98),
                               ("apostle", 0.98, 0.98)):
        figure.add_annotation(
            text=f"{tr(f'satisfaction.quadrant.{quadrant}')}: {format_number(counts.loc[quadrant, 'count'], lang())}",
            xref="paper", yref="paper", x=x, y=y_pos, showarrow=False, xanchor="left" if x < 0.5 else "right",
            font={"size": 14, "color": COLOURS[quadrant]})
    y_title = tr("sat.loyal_axis.behaviour") if loyalty == "behaviour" else tr("sat.loyal_axis.intent")
    figure.update_layout(title=tr("sat.quadrant_chart"), xaxis_title=tr("sat.sat_axis"), yaxis_title=y_title,
                         legend_orientation="h")
    style_chart(figure, height=440)
    if loyalty == "intent":
        figure.update_yaxes(tickvals=[0, 1], ticktext=[tr("sat.no"), tr("sat.yes")])
    st.plotly_chart(figure, width="stretch", key=key)


def _member_list(db, user, quadrant: str, loyalty: str, as_of, sat: int, loyal: int, key_prefix: str) -> None:
    rows = data.members(db, user, quadrant, loyalty, as_of, sat, loyal)
    st.markdown(f"**{tr(f'satisfaction.quadrant.{quadrant}')}** — {tr(f'satisfaction.action.{quadrant}')}")
    st.caption(tr(LIST_NOTE[quadrant]))
    if rows.empty:
        st.info(tr("ui.no_matches"))
        return
    language = lang()
    event = show_table(MEMBERS, rows, key=f"{key_prefix}_list", file_stem=f"quadrant_{quadrant}", select=True)
    st.caption(tr("sat.list_cap", shown=format_number(len(rows), language)) + " " + tr("ui.click_row_for_360"))
    if event.selection.rows:
        open_customer(rows.iloc[event.selection.rows[0]]["customer_id"])


# The customers of one quadrant, on screen and in its downloads (numbers numeric: Excel sums them).
MEMBERS = tables.Table("sat.quadrant_title", (
    tables.text("code", "field.code"), tables.text("name", "field.name"),
    tables.label("region", "field.region", "region"), tables.text("sales_rep", "field.sales_rep"),
    tables.label("satisfaction", "sat.latest_answer", "satisfaction.label"),
    tables.label("repurchase_intent", "sat.intent_col", "table.yes_no"),
    tables.count("purchases_12m", "sat.purchases_12m"), tables.money("spend_12m", "sat.spend_12m")))


def render_quadrant(db, user, key_prefix: str) -> None:
    """Controls, quadrant chart with counts, and the list behind the chosen quadrant."""
    as_of = analysis_date()
    st.subheader(tr("sat.quadrant_title"))
    c1, c2, c3 = st.columns(3)
    loyalty = c1.radio(tr("sat.loyalty_source"), ("behaviour", "intent"),
                       **in_url(f"{key_prefix}_source", ("behaviour", "intent"), catalog_label("sat.loyalty")),
                       format_func=lambda s: tr(f"sat.loyalty.{s}"))
    sat = c2.number_input(tr("sat.sat_threshold"), 2, 5, SATISFIED_FROM, **in_url(f"{key_prefix}_sat"))
    loyal = c3.number_input(tr("sat.loyal_threshold"), 1, 12, LOYAL_FROM, **in_url(f"{key_prefix}_loyal"),
                            disabled=loyalty != "behaviour")
    cells = data.cells(db, user, loyalty, as_of, int(sat), int(loyal))
    if cells.empty:
        st.info(tr("sat.no_quadrant"))
        return
    from crm_core.satisfaction.report import quadrant_counts

    counts = quadrant_counts(cells)
    loyal_text = (tr("satisfaction.loyal.repeat", n=int(loyal)) if loyalty == "behaviour"
                  else tr("satisfaction.loyal.intent"))
    st.caption(tr("satisfaction.quadrant.thresholds", sat=int(sat), loyal=loyal_text) + " " + tr("sat.quadrant_basis"))
    _chart(cells, counts, loyalty, int(sat), int(loyal), f"{key_prefix}_chart")
    cards = st.columns(4)
    for card, quadrant in zip(cards, QUADRANTS, strict=True):
        count_metric(card, tr(f"satisfaction.quadrant.{quadrant}"), counts.loc[quadrant, "count"],
                     help=tr(f"satisfaction.action.{quadrant}"))
        card.caption(f"{format_number(counts.loc[quadrant, 'share'], lang(), 1)}%")
    quadrant = st.segmented_control(tr("sat.show_list"), QUADRANTS, default="saboteur",
                                    **in_url(f"{key_prefix}_pick", QUADRANTS, catalog_label("satisfaction.quadrant")),
                                    format_func=lambda q: tr(f"satisfaction.quadrant.{q}")) or "saboteur"
    _member_list(db, user, quadrant, loyalty, as_of, int(sat), int(loyal), key_prefix)
