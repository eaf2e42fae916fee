"""Customers: find a customer, page through results, quick-edit several at once."""
import math

import streamlit as st

from crm_core import customers as cust
from crm_core.models import CUSTOMER_TYPES, TENURE_STAGES
from crm_core.tables import CUSTOMERS
from ui.cache import cached_read
from ui.common import actor, choice_label, open_customer, page_header, store, tr
from ui.customers.grid import quick_edit
from ui.tables import show_table

PAGE_SIZE = 50
page_header("page.customers", "intro.customers")
db, user = store(), actor()


@cached_read(ttl=600, max_entries=8)
def _options(db, who):
    return cust.filter_options(db, who)


@cached_read(ttl=120, max_entries=64)
def _search(db, who, flt: cust.CustomerFilter, offset: int):
    return cust.search_customers(db, who, flt, limit=PAGE_SIZE, offset=offset)


options = _options(db, user)
text = st.text_input(tr("ui.search"), placeholder=tr("ui.search_placeholder"), key="cust_search")
f1, f2, f3, f4 = st.columns(4)
regions = f1.multiselect(tr("field.region"), options["region"], key="cust_regions", format_func=choice_label("region"))
reps = f2.multiselect(tr("field.sales_rep"), options["sales_rep"], key="cust_reps")
types = f3.multiselect(tr("field.customer_type"), CUSTOMER_TYPES, format_func=choice_label("ctype"), key="cust_types")
stages = f4.multiselect(tr("field.tenure_stage"), TENURE_STAGES, format_func=choice_label("tenure"), key="cust_stages")
flt = cust.CustomerFilter(text, tuple(regions), tuple(reps), tuple(types), tuple(stages))

first_page, total = _search(db, user, flt, 0)
pages = max(1, math.ceil(total / PAGE_SIZE))
top_left, top_right = st.columns([3, 1])
page_number = top_right.number_input(tr("ui.page_of", pages=f"{pages:,}"), 1, pages, 1, key="cust_page")
rows = first_page if page_number == 1 else _search(db, user, flt, (page_number - 1) * PAGE_SIZE)[0]
top_left.caption(tr("ui.matches", count=f"{total:,}"))

if rows.empty:
    st.info(tr("ui.no_matches"))
    st.stop()

event = show_table(CUSTOMERS, rows, key="cust_table", select=True, file_stem="customers",
                   export=lambda: cust.all_matching_customers(db, user, flt))
st.caption(tr("ui.click_row_for_360"))
if event.selection.rows:
    open_customer(rows.iloc[event.selection.rows[0]]["customer_id"])

with st.expander(tr("ui.quick_edit")):
    quick_edit(db, user, rows)
