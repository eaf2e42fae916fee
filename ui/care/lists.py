"""Care page sections: deliveries before customers run out, and stay-in-touch contacts."""
from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from crm_core import tables
from crm_core.care import DEFAULT_CONTACT_DAYS, board, set_contact_every
from crm_core.care import fits as care_fits
from crm_core.care.fits import stored_backtest, stored_choice
from crm_core.care.ics import delivery_events
from crm_core.care.replenishment import chosen_error
from crm_core.i18n import format_number
from crm_core.users import PermissionDenied
from ui.care.common import (
    EXPORT_LIMIT,
    PAGE_SIZE,
    delivery_page,
    downloads,
    export_rows,
    forecast_fit,
    overdue_counts,
    overdue_page,
    page_first,
    paged_rows,
    table,
    with_cards,
)
from ui.common import choice_label, denied_reason, lang, open_customer, tr
from ui.metrics import count_metric
from ui.tables import frame_grid, grid
from ui.view_state import in_url


def _delivery_shape(rows: pd.DataFrame) -> pd.DataFrame:
    method = choice_label("care.method")
    return pd.DataFrame({
        "customer_id": rows["customer_id"], "run_out": rows["run_out"].dt.date, "name": rows["name"],
        "code": rows["code"], "product": rows["product"].astype(str), "last_purchase": rows["last_purchase"].dt.date,
        "last_quantity": rows["last_quantity"], "rate_per_day": rows["rate_per_day"].round(3),
        "days_left": rows["days_left"].round(1), "method": rows["method"].map(method),
        "payment_reminder": rows["payment_reminder"].dt.date, "address": rows["address"], "phone": rows["phone"],
        "sales_rep": rows["sales_rep"], "abc": rows["abc"]})


# The overall rows of a back-test: method, checks, mean and median error (days, one decimal).
BACKTEST = tables.Table("care.ui.backtest_title", (
    tables.label("method", "care.col.forecast_method", "care.forecast"), tables.count("n", "care.col.checks"),
    tables.number("mean_error", "care.col.mean_error"), tables.number("median_error", "care.col.median_error")))


def _method_panel(scores: pd.DataFrame, chosen, language: str) -> None:
    """Names the method the list uses (and any customer type using another) and shows each method's error."""
    name, group = choice_label("care.forecast"), choice_label("ctype")
    st.markdown(tr("care.ui.method_used", method=name(chosen.overall)))
    for customer_type, method in chosen.by_group.items():
        st.caption(tr("care.ui.method_for_group", group=group(customer_type), method=name(method)))
    with st.expander(tr("care.ui.backtest_title"), expanded=True):
        grid(BACKTEST, scores[scores["customer_type"].isna()], key="care_backtest")
        st.caption(tr("care.ui.backtest_help"))


def replenish_section(db, user, as_of: date, rep) -> None:
    days = int(st.number_input(tr("care.ui.due_days"), 1, 60, 7, **in_url("care_due_days")))
    fit = forecast_fit(db, as_of)  # fitted in the background, never here
    if fit is None:
        return
    # The page on show and the count in one query; the rows are read a page at a time (a million due
    # at ten million customers).
    first = page_first("care_due")
    shown, total = delivery_page(db, user, fit.fit_id, as_of, days, rep, first, PAGE_SIZE)
    if first and first >= total:  # the list is shorter now: the picker goes to its last page
        first = max(0, (total - 1) // PAGE_SIZE * PAGE_SIZE)
        shown, total = delivery_page(db, user, fit.fit_id, as_of, days, rep, first, PAGE_SIZE)
    scores, chosen, language = stored_backtest(fit), stored_choice(fit), lang()
    checks, error = chosen_error(scores, chosen)
    left, right = st.columns(2)
    count_metric(left, tr("care.ui.count_due"), total)
    right.metric(tr("care.ui.mae"), format_number(error, language, 1),
                 help=tr("care.ui.mae_help", n=format_number(checks, language)))
    _method_panel(scores, chosen, language)
    st.caption(tr("care.ui.forecast_basis"))
    if total == 0:
        st.info(tr("care.ui.none"))
        return
    page = paged_rows(total, "care_due", lambda at, size: shown if at == first else
                      delivery_page(db, user, fit.fit_id, as_of, days, rep, at, size)[0])
    rows = with_cards(db, user, as_of, page)
    picked = table(_delivery_shape(rows), "care_due_table")
    st.caption(tr("care.ui.select_row_360"))
    if picked is not None:
        open_customer(int(rows.iloc[picked]["customer_id"]))

    def head() -> pd.DataFrame:  # read when a download is clicked (outside the run): the list's first rows
        return care_fits.stored_deliveries(db, user, fit.fit_id, as_of, days, rep, 0, EXPORT_LIMIT)

    downloads(lambda: export_rows(db, user, as_of, head(), _delivery_shape), f"deliveries_{as_of:%Y%m%d}",
              "care_due_dl", lambda: _delivery_events(db, user, head(), language), "care.calendar.deliveries_file",
              like=_delivery_shape(rows))


def _delivery_events(db, user, head: pd.DataFrame, language: str) -> pd.DataFrame:
    return delivery_events(head, board.customer_cards(db, user, head["customer_id"].unique()), language)


def _contact_shape(rows: pd.DataFrame) -> pd.DataFrame:
    shown = rows[["customer_id", "name", "code", "sales_rep", "abc", "every_days", "last_contact", "due_date",
                  "days_overdue", "phone"]].copy()
    for column in ("last_contact", "due_date"):
        shown[column] = pd.to_datetime(rows[column]).dt.date
    shown["sales_rep"] = rows["sales_rep"].astype(object)
    return shown


def _own_interval(db, user, row: pd.Series) -> None:
    cannot_write = denied_reason(user, "write")
    left, middle, right = st.columns([2, 1, 1], vertical_alignment="bottom")
    every = left.number_input(tr("care.ui.own_every"), 1, 3650, int(row["every_days"]), key="care_own_every",
                              disabled=cannot_write is not None)
    for column, label, value in ((middle, "care.ui.save_every", int(every)), (right, "care.ui.clear_every", None)):
        if column.button(tr(label), key=f"{label}_btn", disabled=cannot_write is not None, help=cannot_write):
            try:
                set_contact_every(db, user, int(row["customer_id"]), value)
            except PermissionDenied as denied:
                st.error(tr(denied.key))
            else:
                st.success(tr("ui.saved"))
    if cannot_write:
        st.caption(cannot_write)
    if st.button(tr("care.ui.open_360"), key="care_contacts_360"):
        open_customer(int(row["customer_id"]))


def contacts_section(db, user, as_of: date, rep) -> None:
    st.markdown(f"**{tr('care.ui.frequency')}**")
    inputs = st.columns(len(DEFAULT_CONTACT_DAYS))
    every = tuple((abc, int(col.number_input(tr("care.ui.class_every", abc=abc), 1, 3650, days, key=f"care_every_{abc}")))
                  for col, (abc, days) in zip(inputs, DEFAULT_CONTACT_DAYS.items()))
    # Counted per rep in SQL; the rows are read a page at a time (2M due at 3M customers).
    counts = overdue_counts(db, user, as_of, every, rep)
    total = int(counts["overdue"].sum())
    st.subheader(tr("care.ui.count_overdue", count=f"{total:,}"))
    if total == 0:
        st.info(tr("care.ui.none"))
        return
    if rep is None and user.rep_scope is None:
        with st.expander(tr("care.ui.by_rep"), expanded=True):
            frame_grid(board.summary_by_rep(counts), title="care.ui.by_rep", key="care_overdue_by_rep",
                       header_prefix="care.col")
    page = paged_rows(total, "care_contacts", lambda first, size: overdue_page(db, user, as_of, every, rep, first, size))
    rows = with_cards(db, user, as_of, page.drop(columns=["sales_rep", "abc"]))
    picked = table(_contact_shape(rows), "care_contacts_table")
    st.caption(tr("care.ui.select_row_360"))
    if picked is not None:
        _own_interval(db, user, rows.iloc[picked])

    def export() -> pd.DataFrame:  # built when clicked (outside the run): the list's first EXPORT_LIMIT rows
        head = board.overdue_page(db, user, as_of, dict(every), lambda: board.customer_classes(db, as_of), counts,
                                  0, EXPORT_LIMIT, rep).drop(columns=["sales_rep", "abc"])
        return export_rows(db, user, as_of, head, _contact_shape)
    downloads(export, f"contacts_{as_of:%Y%m%d}", "care_contacts_dl", like=_contact_shape(rows))
