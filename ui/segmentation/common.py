"""Segmentation page: cached reads (keyed on the store file, its generation, the user and the
query) and the paged, exportable, click-through customer list every tab uses."""
from __future__ import annotations

import math
from decimal import Decimal

import streamlit as st

from crm_core import segmentation as seg
from crm_core.i18n import format_number
from ui.cache import cached_read
from ui.common import audited_export, choice_label, download_buttons, lang, open_customer, store, tr

PAGE_SIZE = 50
TTL = 600


@cached_read(ttl=TTL, max_entries=16)
def overview(db, who, q: seg.SegmentQuery) -> seg.AbcOverview:
    return seg.abc_overview(db, who, q)


@cached_read(ttl=TTL, max_entries=64)
def class_page(db, who, q: seg.SegmentQuery, abc: str | None, offset: int):
    return seg.class_customers(db, who, q, abc, PAGE_SIZE, offset)


@cached_read(ttl=TTL, max_entries=8)
def movement(db, who, q: seg.SegmentQuery) -> seg.Movement:
    return seg.class_movement(db, who, q)


@cached_read(ttl=TTL, max_entries=64)
def movement_page(db, who, q: seg.SegmentQuery, prev: tuple, curr: tuple, offset: int):
    return seg.movement_customers(db, who, q, prev, curr, PAGE_SIZE, offset)


@cached_read(ttl=TTL, max_entries=8)
def top50(db, who, q: seg.SegmentQuery):
    return seg.top_customers(db, who, q, 50)


@cached_read(ttl=TTL, max_entries=4)
def values(db, who, q: seg.SegmentQuery, weights: tuple) -> seg.ValueView:
    return seg.value_view(db, who, q, dict(weights))


@cached_read(ttl=TTL, max_entries=4)
def rfm(db, who, start, end):
    return seg.rfm_view(db, who, start, end)


@cached_read(ttl=TTL, max_entries=4)
def needs(db, who, start, end):
    return seg.need_view(db, who, start, end)


@cached_read(ttl=TTL, max_entries=8)
def effort(db, who, q: seg.SegmentQuery):
    return seg.effort_by_class(db, who, q)


def percent_share(value: float) -> Decimal:
    """A percentage typed by the user as the exact share its decimal text says (7 → 0.07)."""
    return Decimal(str(value)) / 100


def class_label(value) -> str:
    return tr(f"seg.class.{value}")


SHARE_COLUMNS = {"share", "cum_share", "discount_share", "revenue_share", "actual_share"}
NUMBER_COLUMNS = {"spend", "prev_spend", "curr_spend", "monetary", "revenue", "score", "relative_price"}


def column_config(frame) -> dict:
    """Translated headers; ids hidden; shares as percentages, money with separators."""
    config = {}
    for column in frame.columns:
        label = tr(f"seg.col.{column}")
        if column == "customer_id":
            config[column] = None
        elif column in SHARE_COLUMNS:
            config[column] = st.column_config.NumberColumn(label, format="percent")
        elif column in NUMBER_COLUMNS:
            config[column] = st.column_config.NumberColumn(label, format="localized")
        else:
            config[column] = st.column_config.Column(label)
    return config


LABELLED = {"abc": "seg.class", "prev_abc": "seg.class", "curr_abc": "seg.class", "segment": "seg.rfm",
            "need_type": "seg.need", "need_source": "seg.need_source", "tier": "seg.value_tier",
            "top_grade": "seg.top_grade"}


def labelled(frame):
    """Stored keys (A, champions, price …) shown as catalog text; the frame itself is unchanged."""
    shown = frame.copy()
    for column, prefix in LABELLED.items():
        if column in shown.columns:
            shown[column] = shown[column].map(choice_label(prefix))
    return shown


def customer_list(key: str, total: int, fetch, stem: str, full=None) -> None:
    """A paged list: ``fetch(offset)`` gives one page (with ``customer_id``); selecting a row opens
    the customer's 360 view; the page exports as CSV/XLSX and ``full()`` (deferred, run only when
    clicked) as one CSV of the whole list."""
    pages = max(1, math.ceil(total / PAGE_SIZE))
    left, right = st.columns([3, 1])
    number = right.number_input(tr("ui.page_of", pages=f"{pages:,}"), 1, pages, 1, key=f"{key}_page_{pages}")
    left.caption(tr("seg.list_count", count=format_number(total, lang())))
    if total == 0:
        st.info(tr("seg.list_empty"))
        return
    rows = fetch((int(number) - 1) * PAGE_SIZE)
    event = st.dataframe(labelled(rows), hide_index=True, width="stretch", on_select="rerun",
                         selection_mode="single-row", key=f"{key}_table", column_config=column_config(rows))
    st.caption(tr("ui.click_row_for_360"))
    if event.selection.rows:
        open_customer(rows.iloc[event.selection.rows[0]]["customer_id"])
    download_buttons(rows, stem, key=f"{key}_dl")
    if full is not None and total > len(rows):
        st.download_button(tr("seg.download_all", count=format_number(total, lang())),
                           data=audited_export(f"{stem}_all.csv", "csv", full),
                           file_name=f"{stem}_all.csv",
                           mime="text/csv", key=f"{key}_all", on_click="ignore")


def frame_list(key: str, frame, stem: str) -> None:
    """``customer_list`` over a frame already in memory (RFM, need types, value scores), each
    row shown with the customer's code and name."""
    db = store()
    customer_list(key, len(frame), lambda offset: seg.with_customer_names(db, frame.iloc[offset:offset + PAGE_SIZE]),
                  stem, lambda: seg.with_customer_names(db, frame))
