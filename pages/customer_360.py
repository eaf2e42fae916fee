"""Customer 360: everything about one customer, and the forms to add to their file."""
import pandas as pd
import plotly.express as px
import streamlit as st

from crm_core import customers as cust
from crm_core.i18n import format_date, format_money, format_number
from crm_core.models import ANALYSIS_FIELDS, ORIGINAL_RECORD_GROUPS
from crm_core.tables import Column
from ui.common import (
    actor,
    choice_label,
    denied_reason,
    lang,
    page_header,
    plain,
    store,
    style_chart,
    tr,
)
from ui.customers import sections
from ui.customers.entries import entry_forms
from ui.customers.trail import KEY_DATES, TRAIL
from ui.metrics import count_metric, money_metric
from ui.picker import customer_picker
from ui.tables import grid, show_frame

page_header("page.customer_360", "intro.customer_360")
db, user, language = store(), actor(), lang()

# ?code=C0000001 links here; the choice goes into the URL, so reload, back and shared links keep it
customer_id = customer_picker(tr("find.customer"), "c360", chosen_key="customer_id", url_param="code", echo=False)
view = cust.customer_360(db, user, customer_id) if customer_id else None
if view is None:
    st.info(tr("ui.pick_customer"))
    st.stop()

record, totals = view.record, view.totals
st.header(f"{plain(record['name'])} · {plain(record['code'])}")
st.caption(plain(" · ".join(filter(None, [choice_label("ctype")(record["customer_type"]),
                                    choice_label("tenure")(record["tenure_stage"]),
                                    choice_label("region")(record.get("region")), record.get("city"),
                                    record.get("sales_rep")]))))
m = st.columns([1, 0.7, 1.5, 0.9, 0.9])  # the last-purchase date (10 characters) gets the room it needs
money_metric(m[0], tr("kpi.lifetime_revenue"), totals["lifetime_revenue"])
count_metric(m[1], tr("kpi.orders"), totals["orders"])
last = totals["last_purchase"]
m[2].metric(tr("kpi.last_purchase"), "—" if last is None else f"{last:%Y-%m-%d}")  # short: fits the card
money_metric(m[3], tr("kpi.cost_to_serve"), totals["cost_to_serve"])
money_metric(m[4], tr("kpi.concessions"), totals["concessions"])
limit, balance = (None if pd.isna(v) else float(v) for v in (record.get("credit_limit"), record.get("open_balance")))
if limit:
    st.progress(min(max((balance or 0) / limit, 0.0), 1.0),
                text=tr("ui.credit_used", balance=format_money(balance, language), limit=format_money(limit, language)))


# Stored keys shown as their labels (individual → 个人客户).
LABELLED_FIELDS = {"customer_type": "ctype", "tenure_stage": "tenure", "need_type": "need", "region": "region"}


MONEY_FIELDS = ("credit_limit", "open_balance")


def _field_text(name: str) -> str:
    """A master-file value as a manager reads it: labels for stored keys, money and counts formatted,
    days as 2026-12-03, blanks blank. Shown in a grid, whose cells are plain text (never Markdown)."""
    value = record.get(name)
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if name in LABELLED_FIELDS:  # a region typed by a user has no catalog label: shown as typed
        return choice_label(LABELLED_FIELDS[name])(value)
    if name in MONEY_FIELDS:
        return format_money(value, language)
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    if isinstance(value, float) and value.is_integer():
        return format_number(value, language)
    return str(value)


def _fields_table(names, key: str) -> None:
    frame = pd.DataFrame({tr("grids.field"): [tr(f"field.{n}") for n in names],
                          tr("grids.value"): [_field_text(n) for n in names]})
    # the same field column width in every group, so the groups line up one under another
    st.dataframe(frame, hide_index=True, width="stretch", key=key, placeholder="",
                 column_config={tr("grids.field"): st.column_config.TextColumn(width=200)})


# Sections other capabilities contribute: (catalog key of the tab, render(db, user, id, record)).
SECTIONS = (("tab.segments", sections.segmentation.render), ("tab.promises", sections.promises.render),
            ("tab.surveys", sections.satisfaction.render), ("tab.churn", sections.churn.render),
            ("tab.care", sections.care.render))
# Lazy tabs: a section computes only when its tab is open (the churn model alone takes seconds on a
# big store), so opening a customer costs only the master file.
tabs = st.tabs([tr(k) for k in ("tab.original_record", "tab.analysis", "tab.investment", "tab.purchases",
                                "tab.key_dates", *(key for key, _ in SECTIONS), "tab.audit")],
               key="c360_tab", on_change="rerun")
with tabs[0]:
    for group, names in ORIGINAL_RECORD_GROUPS.items():
        st.markdown(f"**{tr(f'group.{group}')}**")
        _fields_table(names, key=f"c360_fields_{group}")
with tabs[1]:
    _fields_table(ANALYSIS_FIELDS, key="c360_fields_analysis")
with tabs[2]:
    if view.interactions.empty:
        st.info(tr("ui.no_data_yet"))
    else:
        show_frame(view.interactions, title="table.interactions", header_prefix="col", key="c360_int",
                   file_stem=f"interactions_{record['code']}", kinds={
                       "channel": Column("channel", "col.channel", "label", prefix="channel"),
                       "cost": "money", "concession": "money"})
with tabs[3]:
    if view.monthly_purchases.empty:
        st.info(tr("ui.no_data_yet"))
    else:
        chart = px.bar(view.monthly_purchases, x="month", y="revenue",
                       labels={"month": tr("col.month"), "revenue": tr("col.revenue")})
        st.plotly_chart(style_chart(chart, height=300, monthly=True), width="stretch")
        show_frame(view.recent_transactions, title="table.transactions", header_prefix="col", key="c360_txn",
                   file_stem=f"transactions_{record['code']}", kinds={"amount": "money", "gross_margin": "money"})
with tabs[4]:
    st.markdown(f"**{tr('field.birthday')}**: {format_date(record.get('birthday'), language)}")
    st.markdown(f"**{tr('field.preferences')}**: {plain(record.get('preferences') or '—')}")
    if not view.key_dates.empty:
        grid(KEY_DATES, view.key_dates, key="c360_key_dates", width="content")
for tab, (_, render) in zip(tabs[5:], SECTIONS):
    if tab.open:
        with tab:
            render(db, user, int(customer_id), record)
with tabs[-1]:
    grid(TRAIL, view.audit, key="c360_audit")

cannot_write = denied_reason(user, "write")  # the reason is shown under the button by entry_forms
if st.button(tr("ui.edit_customer"), key="c360_edit", disabled=cannot_write is not None, help=cannot_write):
    st.session_state["edit_customer_id"] = int(customer_id)
    st.switch_page("pages/customer_form.py")
entry_forms(db, user, int(customer_id), record)
