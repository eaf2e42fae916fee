"""Churn page helpers: a paged, exportable customer list whose rows open the 360 view."""
from __future__ import annotations

import math
from collections.abc import Callable

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import plotly.io as pio
import streamlit as st
from plotly.colors import qualitative

from crm_core.tables import Rows, Table
from ui.common import open_customer, tr
from ui.tables import show_table

PAGE_SIZE = 50


def rounded(frame: pd.DataFrame, columns) -> pd.DataFrame:
    """A copy with money ``columns`` rounded to whole units for display."""
    return frame.assign(**{c: frame[c].round(0) for c in columns if c in frame})


def _express_defaults() -> tuple[go.layout.Template, str]:
    """The template plotly express puts on a chart and the colour it gives its one series: the
    default sequence's first, else the template's colourway's (Streamlit's theme), else D3's
    (plotly.express's default cascade)."""
    template = px.defaults.template or pio.templates.default or "plotly"
    template = pio.templates[template] if isinstance(template, str) else template
    colours = px.defaults.color_discrete_sequence or template.layout.colorway or qualitative.D3
    return template, colours[0]


def bar_chart(frame: pd.DataFrame, x: str, y: str, labels: dict[str, str]) -> go.Figure:
    """``px.bar(frame, x=x, y=y, labels=labels)`` as plotly express makes it, to the same JSON, built
    directly: express spends ~50 ms a chart working that out (most of a re-render of the model tab)."""
    x_label, y_label = labels.get(x, x), labels.get(y, y)
    template, colour = _express_defaults()
    trace = go.Bar(x=frame[x].to_numpy(), y=frame[y].to_numpy(), name="", legendgroup="", showlegend=False,
                   hovertemplate=f"{x_label}=%{{x}}<br>{y_label}=%{{y}}<extra></extra>",
                   marker={"color": colour, "pattern": {"shape": ""}}, orientation="v",
                   textposition="auto", xaxis="x", yaxis="y")
    layout = {"xaxis_title_text": x_label, "yaxis_title_text": y_label, "legend_tracegroupgap": 0}
    if template.layout.margin.t is None:
        layout["margin_t"] = 60
    # the layout in express's order (the JSON's): the axes, their titles and the rest, the template last
    figure = go.Figure(trace).update_layout(xaxis={"anchor": "y", "domain": [0.0, 1.0]},
                                            yaxis={"anchor": "x", "domain": [0.0, 1.0]})
    return figure.update_layout(layout, barmode="relative").update_layout(template=template, overwrite=True)


def customer_list(frame: pd.DataFrame, key: str, file_stem: str, table: Table, export: Rows | None = None) -> None:
    """Show ``frame`` (must have customer_id; already in display order) 50 rows a page, as ``table``
    (crm_core.tables: headers, labels and formats, the same in the downloads).

    Selecting a row opens that customer's 360 view. The downloads hold the whole ``frame`` (or
    ``export``, when the page holds only part of the list). ``frame`` is not changed.
    """
    paged_customer_list(len(frame), lambda offset, limit: frame.iloc[offset: offset + limit], key, file_stem, table,
                        frame if export is None else export)


def paged_customer_list(total: int, page_rows: Callable[[int, int], pd.DataFrame], key: str, file_stem: str,
                        table: Table, export: Rows) -> None:
    """:func:`customer_list` of a list of ``total`` rows kept elsewhere: ``page_rows(offset, limit)``
    gives the rows of the page shown (a list of millions is never read whole), ``export`` all of them."""
    pages = max(1, math.ceil(total / PAGE_SIZE))
    left, right = st.columns([3, 1])
    page = right.number_input(tr("ui.page_of", pages=f"{pages:,}"), 1, pages, 1, key=f"{key}_page")
    left.caption(tr("churn.list.count", count=f"{total:,}"))
    rows = page_rows((page - 1) * PAGE_SIZE, PAGE_SIZE)
    event = show_table(table, rows, key=f"{key}_table", select=True, file_stem=file_stem, export=export)
    st.caption(tr("ui.click_row_for_360"))
    if event.selection.rows:
        open_customer(rows.iloc[event.selection.rows[0]]["customer_id"])
