"""A shown table on screen and in its downloads, from ONE crm_core.tables.Table.

``show_table`` draws the grid (headers in the UI language, stored keys as text, number, percent
and date formats per column kind, blanks blank) and puts the CSV/XLSX downloads under it; the
files hold ALL the list's rows (``export``: a frame or a function giving a frame or chunks), with
the same headers and formats (crm_core.exporting.export_table).
"""
from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

import pandas as pd
import streamlit as st

from crm_core import exporting
from crm_core.i18n import currency_symbol
from crm_core.tables import Rows, Table, inferred
from ui.common import actor, lang, store, tr

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _screen_column(column, header: str):
    """The grid's format for a column kind — the same as the XLSX number format of that kind."""
    kind = column.kind
    if kind == "money":
        return st.column_config.NumberColumn(header, format=f"{currency_symbol()}%,.2f")
    if kind == "count":
        return st.column_config.NumberColumn(header, format="%,d")
    if kind == "number":
        return st.column_config.NumberColumn(header, format=f"%,.{column.decimals}f")
    if kind == "percent":  # the grid gets 100 × the fraction (see _for_screen): 1.9%, as in Excel's 0.0%
        return st.column_config.NumberColumn(header, format="%.1f%%")
    if kind == "date":
        return st.column_config.DateColumn(header, format="YYYY-MM-DD")
    if kind == "datetime":
        return st.column_config.DatetimeColumn(header, format="YYYY-MM-DD HH:mm")
    return st.column_config.TextColumn(header)


def column_config(table: Table, frame: pd.DataFrame, language: str) -> dict:
    return {header: _screen_column(column, header)
            for column, header in zip(table.present(frame), table.headers(language, frame))}


def screen_frame(table: Table, frame: pd.DataFrame, language: str) -> pd.DataFrame:
    """``Table.shown`` with percentages as 100 × the fraction, which the grid's printf format needs,
    and blank texts as empty strings."""
    shown = table.shown(frame, language)
    for column, header in zip(table.present(frame), shown.columns):
        if column.kind == "percent":
            shown[header] = shown[header] * 100
        elif column.kind in ("text", "label"):  # a blank text is an empty string (numbers: the grid's placeholder)
            shown[header] = shown[header].where(shown[header].notna(), "")
    return shown


def show_table(table: Table, rows: pd.DataFrame, *, key: str, file_stem: str, export: Rows | None = None, select: bool = False,
               style: Callable[[pd.DataFrame], object] | None = None, target=None, **grid_options):
    """Draw ``rows`` as ``table`` and under it the downloads ``file_stem``.csv/.xlsx of ``export``
    (default: ``rows`` themselves — pass a function giving every matching row when ``rows`` is one
    page). Every shown list can be downloaded as it is shown.

    ``select`` makes one row selectable (the event is returned; its row numbers index ``rows``).
    ``style`` gets the shown frame and returns a Styler (e.g. status colours); ``target`` is the
    container to draw in (a column); other keyword arguments go to st.dataframe.
    """
    place = target or st
    event = grid(table, rows, key=key, select=select, style=style, target=place, **grid_options)
    with place.container():
        table_downloads(table, rows if export is None else export, file_stem, key=f"{key}_dl")
    return event


# What a selectable grid's event reads as when nothing is (or can be) selected.
NOTHING_SELECTED = SimpleNamespace(selection=SimpleNamespace(rows=[], columns=[], cells=[]))


def grid(table: Table, rows: pd.DataFrame, *, key: str, select: bool = False,
         style: Callable[[pd.DataFrame], object] | None = None, target=None, **grid_options):
    """The grid alone (``show_table`` without downloads: for a list whose files are made apart).
    No rows: a line saying so instead, since Streamlit's empty grid shows the English word "empty"."""
    if rows.empty:
        (target or st).caption(tr("ui.no_rows"))
        return NOTHING_SELECTED
    language = lang()
    shown = screen_frame(table, rows, language)
    options = {"hide_index": True, "width": "stretch", "placeholder": "", "key": key,
               "column_config": column_config(table, rows, language)} | grid_options
    if select:
        options |= {"on_select": "rerun", "selection_mode": "single-row"}
    return (target or st).dataframe(style(shown) if style else shown, **options)


def table_downloads(table: Table, rows: Rows, file_stem: str, key: str) -> None:
    """CSV (UTF-8 with BOM) and XLSX of ALL ``rows`` as shown; built only when clicked, audited.

    The store, user and language are taken now: Streamlit calls the data function outside the run.
    """
    db, user, language = store(), actor(), lang()

    def build(fmt: str):
        return lambda: exporting.export_table(db, user, table, rows, f"{file_stem}.{fmt}", fmt, language)

    left, right = st.columns(2)
    left.download_button(tr("ui.download_csv"), build("csv"), f"{file_stem}.csv", "text/csv",
                         key=f"{key}_csv", width="stretch", on_click="ignore")
    right.download_button(tr("ui.download_xlsx"), build("xlsx"), f"{file_stem}.xlsx", XLSX_MIME,
                          key=f"{key}_xlsx", width="stretch", on_click="ignore")


def show_frame(frame: pd.DataFrame, *, title: str, key: str, file_stem: str, header_prefix: str | None = None,
               kinds: dict | None = None, export: Rows | None = None, **options):
    """``show_table`` for a small list without a hand-made Table (crm_core.tables.inferred): headers
    ``{header_prefix}.{column}`` (or the frame's own, already shown, headers), kinds from the data."""
    table = inferred(title, frame, header_prefix, kinds)
    return show_table(table, frame, key=key, file_stem=file_stem, export=export, **options)


def frame_grid(frame: pd.DataFrame, *, title: str, key: str, header_prefix: str | None = None,
               kinds: dict | None = None, **options):
    """``grid`` (no downloads) for a small list without a hand-made Table: headers and kinds as in
    ``show_frame`` (crm_core.tables.inferred)."""
    return grid(inferred(title, frame, header_prefix, kinds), frame, key=key, **options)
