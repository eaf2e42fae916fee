"""Churn page helpers: a paged, exportable customer list whose rows open the 360 view."""
from __future__ import annotations

import math
from collections.abc import Callable

import pandas as pd
import streamlit as st

from crm_core.tables import Rows, Table
from ui.common import open_customer, tr
from ui.tables import show_table

PAGE_SIZE = 50


def rounded(frame: pd.DataFrame, columns) -> pd.DataFrame:
    """A copy with money ``columns`` rounded to whole units for display."""
    return frame.assign(**{c: frame[c].round(0) for c in columns if c in frame})


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
