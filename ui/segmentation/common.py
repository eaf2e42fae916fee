"""Segmentation page: cached reads (keyed on the store file, its generation, the user and the
query) and the paged, exportable, click-through customer list every tab uses."""
from __future__ import annotations

import math
from decimal import Decimal

import streamlit as st

from crm_core import segmentation as seg
from crm_core.i18n import format_number
from crm_core.segmentation import views as value_views
from crm_core.store import Store
from crm_core.tables import SEGMENT_CUSTOMERS
from ui.cache import cached_read, generation, store_hash_funcs
from ui.common import lang, open_customer, store, tr
from ui.tables import show_table

PAGE_SIZE = 50
TTL = 600
FELL_OUT_OF_A = (("A",), ("B", "C", "none"))  # the movement tab's list until other cells are chosen


@cached_read(ttl=TTL, max_entries=16)
def overview(db, who, q: seg.SegmentQuery) -> tuple[seg.AbcOverview, tuple]:
    """The ABC tab's figures and the first page of the A list (the list it opens on), in one
    query: a new measure or period opens without a second pass over the transactions for its
    list. Another class's list, or another page, is read when chosen (``class_page``)."""
    return seg.abc_overview_and_page(db, who, q, limit=PAGE_SIZE)


@cached_read(ttl=TTL, max_entries=64)
def class_page(db, who, q: seg.SegmentQuery, abc: str | None, offset: int):
    return seg.class_customers(db, who, q, abc, PAGE_SIZE, offset)


@cached_read(ttl=TTL, max_entries=8)
def movement(db, who, q: seg.SegmentQuery) -> tuple[seg.Movement, tuple]:
    """The movement matrix and the first page of the list the tab opens on (out of A), in one
    query; another choice of cells, or another page, is read when chosen (``movement_page``)."""
    return seg.class_movement_and_page(db, who, q, FELL_OUT_OF_A[0], FELL_OUT_OF_A[1], PAGE_SIZE)


@cached_read(ttl=TTL, max_entries=64)
def movement_page(db, who, q: seg.SegmentQuery, prev: tuple, curr: tuple, offset: int):
    return seg.movement_customers(db, who, q, prev, curr, PAGE_SIZE, offset)


@cached_read(ttl=TTL, max_entries=8)
def top50(db, who, q: seg.SegmentQuery):
    """The top 50 of the big-customer tab: the first ranks of ``value_base`` (no second ranking),
    of the kept value scores when current."""
    top = value_views.kept_value_top(db, who, q, 50)
    return seg.top_customers(db, who, q, 50, classified=value_base(db, who, q) if top is None else top)


def shared_read(*, ttl: int, max_entries: int):
    """``cached_read`` without the copy: the value/RFM/need frames hold a row per customer (850,000
    at 1M), and st.cache_data pickles such a frame back for every rerun (0.3-1 s). One shared
    object instead, keyed the same way (store file and data version, user, arguments); the tabs
    only read it (every filter or sort makes a new frame), never change it."""
    def store_key(db: Store) -> tuple:
        return id(db), db.path, generation(db)

    decorate = st.cache_resource(ttl=ttl, max_entries=max_entries, show_spinner=False,
                                 hash_funcs=store_hash_funcs(store_key))

    def register(function):
        shared = decorate(function)
        SHARED_READS.append(shared)
        return shared
    return register


SHARED_READS: list = []  # every shared_read function: the benchmark empties them to time first opens


@shared_read(ttl=TTL, max_entries=4)
def value_base(db, who, q: seg.SegmentQuery):
    """The big-customer tab's classification with each customer's factor scores (one query; the
    kept factor scores when current, ``value_views.kept_value_base``): the top 50 and every
    weighting of the sliders read it, so a slider moved runs no query."""
    kept = value_views.kept_value_base(db, who, q)
    return value_views.value_base(db, who, q) if kept is None else kept


@shared_read(ttl=TTL, max_entries=4)
def values(db, who, q: seg.SegmentQuery, weights: tuple):
    """``value_views.kept_value_view`` when the kept value scores are current for these weights
    (no row per customer here), else ``scored_values`` of ``value_base``."""
    kept = value_views.kept_value_view(db, who, q, dict(weights))
    return kept if kept is not None else value_views.scored_values(value_base(db, who, q), dict(weights))


@cached_read(ttl=TTL, max_entries=64)
def value_lists(db, who, q: seg.SegmentQuery, weights: tuple, which: str, offset: int):
    """One page of a list of ``values`` (``which``: "overlook", the C customers not to overlook with
    their factor scores; "score", every score highest first), with code and name: a top-N read, not
    a sort of every customer (850,000 at 1M). The whole list is ``value_views.value_list``'s."""
    return value_views.value_list(db, values(db, who, q, weights), which, offset, PAGE_SIZE)


@cached_read(ttl=TTL, max_entries=8)
def rfm_summary(db, who, start, end):
    """Customers and revenue per RFM segment (one GROUP BY in DuckDB)."""
    return seg.rfm_summary(db, who, start, end)


@cached_read(ttl=TTL, max_entries=64)
def rfm_page(db, who, start, end, segment: str, offset: int):
    """One page of the customers of RFM ``segment`` by monetary, with their scores."""
    return seg.rfm_members(db, who, start, end, segment, PAGE_SIZE, offset)


@cached_read(ttl=TTL, max_entries=8)
def need_summary(db, who, start, end):
    return seg.need_summary(db, who, start, end)


@cached_read(ttl=TTL, max_entries=64)
def need_page(db, who, start, end, kind: str, offset: int):
    """One page of the customers of need type ``kind`` ("unknown": none known) by revenue."""
    return seg.need_members(db, who, start, end, kind, PAGE_SIZE, offset)


@cached_read(ttl=TTL, max_entries=8)
def effort(db, who, q: seg.SegmentQuery):
    return seg.effort_by_class(db, who, q)


def percent_share(value: float) -> Decimal:
    """A percentage typed by the user as the exact share its decimal text says (7 → 0.07)."""
    return Decimal(str(value)) / 100


def class_label(value) -> str:
    return tr(f"seg.class.{value}")


def customer_list(key: str, total: int, fetch, stem: str, full=None) -> None:
    """A paged list: ``fetch(offset)`` gives one page (with ``customer_id``); selecting a row opens
    the customer's 360 view; the downloads hold ``full()`` (deferred, run only when clicked: the
    whole list), as shown (crm_core.tables.SEGMENT_CUSTOMERS)."""
    pages = max(1, math.ceil(total / PAGE_SIZE))
    left, right = st.columns([3, 1])
    number = right.number_input(tr("ui.page_of", pages=f"{pages:,}"), 1, pages, 1, key=f"{key}_page_{pages}")
    left.caption(tr("seg.list_count", count=format_number(total, lang())))
    if total == 0:
        st.info(tr("seg.list_empty"))
        return
    rows = fetch((int(number) - 1) * PAGE_SIZE)
    event = show_table(SEGMENT_CUSTOMERS, rows, key=f"{key}_table", select=True, file_stem=stem,
                       export=full if full is not None else rows)
    st.caption(tr("ui.click_row_for_360"))
    if event.selection.rows:
        open_customer(rows.iloc[event.selection.rows[0]]["customer_id"])


def frame_list(key: str, frame, stem: str) -> None:
    """``customer_list`` over a frame already in memory (RFM, need types, value scores), each
    row shown with the customer's code and name."""
    db = store()
    customer_list(key, len(frame), lambda offset: seg.with_customer_names(db, frame.iloc[offset:offset + PAGE_SIZE]),
                  stem, lambda: seg.with_customer_names(db, frame))
