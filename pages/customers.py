"""Customers: find a customer, sort and page through results, quick-edit several at once.

The search, filters, sort and page live in the URL (``bind="query-params"``): back, reload and a
shared link restore the view. Sorting is server-side: the list has 50 rows a page of up to a million.
"""
import math

import streamlit as st

from crm_core import customers as cust
from crm_core.models import CUSTOMER_TYPES, TENURE_STAGES
from crm_core.sql import last_12_months_dates
from crm_core.tables import CUSTOMERS
from ui.cache import cached_read
from ui.common import actor, analysis_date, choice_label, open_customer, page_header, store, tr
from ui.customers.grid import quick_edit
from ui.tables import show_table
from ui.view_state import catalog_label, in_url

PAGE_SIZE = 50
page_header("page.customers", "intro.customers")
db, user, as_of = store(), actor(), analysis_date()


@cached_read(ttl=600, max_entries=8)
def _options(db, who):
    return cust.filter_options(db, who)


# Keyed on what it reads (transactions, customers), not on every write: making a promise or
# logging a call does not make the next page view recompute a million customers' totals. The key
# is a fingerprint without a pass over the transactions (cust.activity_data_version).
@cached_read(ttl=600, max_entries=4, data_version=cust.activity_data_version)
def _activity(db, who, day):
    return cust.customer_activity(db, who, day)


@cached_read(ttl=600, max_entries=64, data_version=cust.activity_data_version)
def _page_activity(db, who, day, ids: tuple):
    return cust.customer_activity(db, who, day, ids)


# ``_activity_table`` (not hashed: a leading underscore) is the page's _activity(db, who, day),
# read once per view; the page's results are keyed on every write, which any change of it follows.
@cached_read(ttl=120, max_entries=64)
def _search(db, who, flt: cust.CustomerFilter, offset: int, sort: str, descending: bool, day, _activity_table):
    return cust.search_customers(db, who, flt, limit=PAGE_SIZE, offset=offset, sort=sort, descending=descending,
                                 activity=_activity_table)


def _first_page() -> None:
    st.session_state["cust_page"] = 1  # a new search, filter or order starts at its first page


options = _options(db, user)
text = st.text_input(tr("ui.search"), placeholder=tr("find.placeholder"), live=True, help=tr("find.help"),
                     on_change=_first_page, **in_url("cust_search"))
f1, f2, f3, f4 = st.columns(4)
everyone = tr("find.all")  # an empty filter keeps everyone
regions = f1.multiselect(tr("field.region"), options["region"], format_func=choice_label("region"),
                         on_change=_first_page, placeholder=everyone, **in_url("cust_regions"))
reps = f2.multiselect(tr("field.sales_rep"), options["sales_rep"],
                      on_change=_first_page, placeholder=everyone, **in_url("cust_reps"))
types = f3.multiselect(tr("field.customer_type"), CUSTOMER_TYPES, format_func=choice_label("ctype"),
                       on_change=_first_page, placeholder=everyone, **in_url("cust_types"))
stages = f4.multiselect(tr("field.tenure_stage"), TENURE_STAGES, format_func=choice_label("tenure"),
                        on_change=_first_page, placeholder=everyone, **in_url("cust_stages"))
flt = cust.CustomerFilter(text, tuple(regions), tuple(reps), tuple(types), tuple(stages))

s1, s2, s3 = st.columns([2, 1, 1])
sort = s1.selectbox(tr("find.sort_by"), cust.SORT_KEYS, format_func=choice_label("find.sort"), on_change=_first_page,
                    **in_url("cust_sort", cust.SORT_KEYS, catalog_label("find.sort")))
direction = s2.segmented_control(tr("find.direction"), ("asc", "desc"), default="asc", format_func=choice_label("find.direction"),
                                 on_change=_first_page,
                                 **in_url("cust_dir", ("asc", "desc"), catalog_label("find.direction"))) or "asc"
# Sorted by an activity column, every customer's activity is needed (cached per data version);
# sorted by one of the customer's own columns, only the shown page's (50 rows, not ten million).
activity = _activity(db, user, as_of) if sort in cust.ACTIVITY_COLUMNS else None
first_page, total = _search(db, user, flt, 0, sort, direction == "desc", as_of, activity)
pages = max(1, math.ceil(total / PAGE_SIZE))
if st.session_state.get("cust_page", 1) > pages:  # e.g. a link from a bigger list
    st.session_state["cust_page"] = 1
page_number = s3.number_input(tr("ui.page_of", pages=f"{pages:,}"), min_value=1, max_value=pages,
                              **in_url("cust_page"))
rows = first_page if page_number == 1 else _search(db, user, flt, (page_number - 1) * PAGE_SIZE, sort,
                                                   direction == "desc", as_of, activity)[0]
if activity is None and not rows.empty:
    rows = cust.with_activity(db, rows, _page_activity(db, user, as_of, tuple(rows["customer_id"].tolist())))
st.caption(f"{tr('ui.matches', count=f'{total:,}')} · {tr('find.sort_help', count=f'{total:,}')}")

if rows.empty:
    st.info(tr("ui.no_matches"))
    st.stop()

event = show_table(CUSTOMERS, rows, key="cust_table", select=True, file_stem="customers",
                   export=lambda: cust.all_matching_customers(db, user, flt, sort, direction == "desc",
                                                              _activity(db, user, as_of)))
start, end = last_12_months_dates(as_of)
st.caption(" ".join(tr(f"find.col.{c}_help", start=start.isoformat(), end=end.isoformat())
                    for c in ("revenue_12m", "abc")))
st.caption(tr("ui.click_row_for_360"))
if event.selection.rows:
    open_customer(rows.iloc[event.selection.rows[0]]["customer_id"])

with st.expander(tr("ui.quick_edit")):
    quick_edit(db, user, rows)
