"""Care page plumbing: cached lists (keyed on db path, generation, user, params), the paged
table with row selection, and downloads built only when clicked."""
from __future__ import annotations

import math
from datetime import date

import pandas as pd
import streamlit as st

from crm_core.care import board
from crm_core.care import fits as care_fits
from crm_core.care.fits import REPLENISHMENT
from crm_core.care.ics import to_ics
from crm_core.model_fits import Fit
from crm_core.tables import Table, inferred
from ui.cache import cached_read
from ui.common import tr
from ui.fits import fitted
from ui.tables import grid, table_downloads

PAGE_SIZE = 50
EXPORT_LIMIT = 5000  # rows per download: one rep's list, not a million-customer file


@cached_read(ttl=900, max_entries=8)
def classes(db, as_of: date) -> pd.DataFrame:
    return board.customer_classes(db, as_of)


# Key dates: counted per day and occasion in SQL with the first page in the same query, another page
# read from its days. The classes are read only when a festival falls in the window and the kept
# purchase model is not current.
@cached_read(ttl=600, max_entries=16)
def key_date_start(db, user, as_of: date, days: int, rep, fest: tuple) -> tuple[pd.DataFrame, pd.DataFrame]:
    return board.key_date_start(db, user, as_of, days, rep, lambda: classes(db, as_of), fest, PAGE_SIZE)


@cached_read(ttl=600, max_entries=32)
def key_date_page(db, user, as_of: date, days: int, rep, fest: tuple, occasions: tuple, offset: int,
                  limit: int) -> pd.DataFrame:
    """Rows ``offset``… of the key dates of ``occasions`` (empty: every occasion): the first page of
    every occasion from ``key_date_start``, another read from its days."""
    counts, first = key_date_start(db, user, as_of, days, rep, fest)
    if not occasions and offset == 0 and limit == PAGE_SIZE:
        return first
    return board.key_date_page(db, user, as_of, days, counts, offset, limit, rep, lambda: classes(db, as_of), fest,
                               occasions or None)


@cached_read(ttl=600, max_entries=32)
def absent_page(db, user, as_of: date, months: int, rep, offset: int, limit: int) -> tuple[pd.DataFrame, int, int]:
    """(rows ``offset``…, absent, with a birthday soon): a page and its counts in one query."""
    return board.long_absent_paged(db, user, as_of, months, rep, offset=offset, limit=limit)


def forecast_fit(db, as_of: date) -> Fit | None:
    """The replenishment forecast kept by the background fit for ``as_of`` (its age shown), or None
    while it is being fitted (ui.fits): its back-test, the method it chose and every run-out day."""
    return fitted(db, REPLENISHMENT, as_of)


@cached_read(ttl=600, max_entries=32)
def delivery_page(db, user, fit_id: int, as_of: date, days: int, rep, offset: int,
                  limit: int) -> tuple[pd.DataFrame, int]:
    """(rows ``offset``… of the deliveries due within ``days``, each customer by the chosen method, how
    many are due): a page and its count in one query."""
    return care_fits.stored_deliveries_page(db, user, fit_id, as_of, days, rep, offset, limit)


@cached_read(ttl=600, max_entries=16)
def overdue_counts(db, user, as_of: date, every: tuple, rep) -> pd.DataFrame:
    """Per rep: how many contacts are due (``board.overdue_counts``); the list's rows are read a page at a time."""
    return board.overdue_counts(db, user, as_of, dict(every), lambda: classes(db, as_of), rep)


@cached_read(ttl=600, max_entries=32)
def overdue_page(db, user, as_of: date, every: tuple, rep, offset: int, limit: int) -> pd.DataFrame:
    summary = overdue_counts(db, user, as_of, every, rep)
    return board.overdue_page(db, user, as_of, dict(every), lambda: classes(db, as_of), summary, offset, limit, rep)


@cached_read(ttl=600, max_entries=64)
def cards(db, user, as_of: date, ids: tuple) -> pd.DataFrame:
    # the classes of these customers from the kept purchase model; the whole population's only when it is not current
    return board.customer_cards(db, user, ids, lambda: classes(db, as_of), as_of=as_of)


def with_cards(db, user, as_of: date, rows: pd.DataFrame) -> pd.DataFrame:
    """``rows`` (with customer_id) joined to what we know about those customers."""
    known = cards(db, user, as_of, tuple(int(i) for i in rows["customer_id"].unique()))
    return rows.merge(known, on="customer_id", how="left")


def export_rows(db, user, as_of: date, rows: pd.DataFrame, shape) -> pd.DataFrame:
    """Up to EXPORT_LIMIT ``rows`` with customer cards, shaped by ``shape`` (headed by ``care_table``).
    Called when a download is clicked (outside the script run): reads the store, not the page's caches."""
    head = rows.head(EXPORT_LIMIT)
    known = board.customer_cards(db, user, head["customer_id"].unique(), lambda: board.customer_classes(db, as_of),
                                 as_of=as_of)
    return shape(head.merge(known, on="customer_id", how="left"))


def care_table(shown: pd.DataFrame) -> Table:
    """A care list as shown and exported: headers ``care.col.*``, kinds from the shaped page."""
    return inferred("table.care_list", shown, "care.col")


def page_first(key: str) -> int:
    """The first row of the page the picker of ``paged_rows(…, key, …)`` is on (kept from the last
    run; the first page before it is shown): for a list read with its count in one query."""
    return (int(st.session_state.get(f"{key}_page", 1)) - 1) * PAGE_SIZE


def paged_rows(total: int, key: str, fetch) -> pd.DataFrame:
    """One page (PAGE_SIZE rows) of a list of ``total`` rows, ``fetch(first, PAGE_SIZE)`` reading it,
    with a page picker and a "rows a–b of n" caption."""
    pages = max(1, math.ceil(total / PAGE_SIZE))
    if st.session_state.get(f"{key}_page", 1) > pages:  # the list is shorter now: its last page
        st.session_state[f"{key}_page"] = pages
    left, right = st.columns([3, 1])
    number = right.number_input(tr("care.ui.page", pages=f"{pages:,}"), 1, pages, 1, key=f"{key}_page")
    first = (int(number) - 1) * PAGE_SIZE
    rows = fetch(first, PAGE_SIZE)
    left.caption(tr("care.ui.rows_shown", first=f"{first + 1:,}", last=f"{first + len(rows):,}",
                    total=f"{total:,}"))
    return rows


def table(shown: pd.DataFrame, key: str) -> int | None:
    """Show ``shown`` (columns named by catalog key ``care.col.*``) with single-row selection;
    returns the selected row's position or None."""
    event = grid(care_table(shown), shown, key=key, select=True)
    return event.selection.rows[0] if event.selection.rows else None


def downloads(make_frame, stem: str, key: str, make_events=None, calendar_key: str | None = None, *,
              like: pd.DataFrame) -> None:
    """CSV / Excel (and .ics) buttons whose files are built only when clicked.

    ``make_frame()`` returns the list to export (at most EXPORT_LIMIT rows), shaped like ``like``
    (the page on screen: the files have its headers and formats); ``make_events()`` returns calendar
    events (date, summary, uid) for the .ics file named by ``calendar_key``.
    """
    table_downloads(care_table(like), make_frame, stem, key)
    if make_events:
        calendar_name = tr(calendar_key) if calendar_key else ""  # now: the click runs outside the script
        st.download_button(tr("care.ui.download_ics"), lambda: to_ics(make_events(), calendar_name),
                           f"{stem}.ics", "text/calendar", key=f"{key}_ics", on_click="ignore")
    st.caption(tr("care.ui.export_limit", limit=f"{EXPORT_LIMIT:,}"))
