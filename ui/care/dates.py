"""Care page sections: key dates ahead (with one-click greeting log) and long-absent customers."""
from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from crm_core.care import board
from crm_core.care.ics import key_date_events
from crm_core.i18n import format_date, format_money
from crm_core.segmentation import ABC_CLASSES
from crm_core.users import PermissionDenied
from ui.care.common import (
    EXPORT_LIMIT,
    PAGE_SIZE,
    absent_page,
    downloads,
    export_rows,
    key_date_page,
    key_date_start,
    page_first,
    paged_rows,
    table,
    with_cards,
)
from ui.common import choice_label, denied_reason, lang, open_customer, plain, tr
from ui.view_state import in_url

CARD_COLUMNS = ["name", "code", "abc", "sales_rep", "preferences", "last_gift_date", "last_gift",
                "last_concession_date", "last_concession"]


def _dates_shape(language: str):
    occasion_text = choice_label("care.occasion")

    def shape(rows: pd.DataFrame) -> pd.DataFrame:
        shown = pd.DataFrame({"customer_id": rows["customer_id"], "date": rows["date"].dt.date,
                              "occasion": rows["occasion"].astype(str).map(occasion_text),
                              "years": rows["years"], "label": rows["label"]})
        for column in CARD_COLUMNS:
            shown[column] = rows[column]
        shown["last_concession"] = rows["last_concession"].map(
            lambda v: format_money(v, language) if pd.notna(v) else None)
        return shown
    return shape


def _log_panel(db, user, row: pd.Series) -> None:
    language = lang()
    day = pd.Timestamp(row["date"]).date()
    st.markdown(tr("care.ui.selected", name=plain(row["name"]), occasion=tr(f"care.occasion.{row['occasion']}"),
                   date=format_date(day, language)))
    cannot_write = denied_reason(user, "write")
    left, middle, right, last = st.columns(4, vertical_alignment="bottom")
    channel = left.selectbox(tr("care.ui.channel"), board.GREETING_CHANNELS, format_func=choice_label("channel"),
                             key="care_log_channel", disabled=cannot_write is not None)
    cost = middle.number_input(tr("care.ui.gift_cost"), min_value=0.0, step=10.0, key="care_log_cost",
                               disabled=cannot_write is not None)
    if right.button(tr("care.ui.log_greeting"), type="primary", key="care_log", disabled=cannot_write is not None,
                    help=cannot_write):
        try:
            board.log_greeting(db, user, int(row["customer_id"]), str(row["occasion"]), day, channel, language,
                               cost=round(cost, 2))
        except PermissionDenied as denied:
            st.error(tr(denied.key))
        except ValidationError as error:
            st.error(plain(error.errors()[0]["msg"]))
        else:
            st.success(tr("care.ui.logged", name=plain(row["name"]),
                          note=board.greeting_note(str(row["occasion"]), day, language)))
    if last.button(tr("care.ui.open_360"), key="care_open_360"):
        open_customer(int(row["customer_id"]))
    if cannot_write:
        st.caption(cannot_write)


def key_dates_section(db, user, as_of: date, rep) -> None:
    a, b, c = st.columns([1, 2, 2])
    days = int(a.number_input(tr("care.ui.next_days"), 1, 366, 14, **in_url("care_days")))
    fest = b.multiselect(tr("care.ui.festival_classes"), ABC_CLASSES, default=["A", "B"], **in_url("care_fest"),
                         help=tr("care.ui.festival_classes_help"), placeholder=tr("ui.choose"))
    fest = tuple(sorted(fest))
    # Counted per day and occasion in SQL (the picker's choices and the count) with the first page; any
    # other page is read from the days it falls on.
    counts = key_date_start(db, user, as_of, days, rep, fest)[0]
    occasions = c.multiselect(tr("care.ui.occasions"), sorted(set(counts["occasion"])),
                              format_func=choice_label("care.occasion"), placeholder=tr("find.all"),  # empty: every occasion
                              **in_url("care_occasions"))
    chosen = tuple(sorted(occasions))
    total = int(counts.loc[counts["occasion"].isin(chosen), "n"].sum() if chosen else counts["n"].sum())
    st.subheader(tr("care.ui.count_dates", count=f"{total:,}", days=days))
    if total == 0:
        st.info(tr("care.ui.none"))
        return
    language, shape = lang(), _dates_shape(lang())
    page = paged_rows(total, "care_dates",
                      lambda first, size: key_date_page(db, user, as_of, days, rep, fest, chosen, first, size))
    rows = with_cards(db, user, as_of, page)
    picked = table(shape(rows), "care_dates_table")
    st.caption(tr("care.ui.select_row"))
    if picked is not None:
        _log_panel(db, user, rows.iloc[picked])

    def head() -> pd.DataFrame:  # read when a download is clicked (outside the run): the list's first rows
        return board.key_dates_ahead(db, user, as_of, days, rep, lambda: board.customer_classes(db, as_of), fest,
                                     chosen or None, 0, EXPORT_LIMIT)

    def events() -> pd.DataFrame:
        first = head()
        return key_date_events(first, board.customer_cards(db, user, first["customer_id"].unique()), language)

    downloads(lambda: export_rows(db, user, as_of, head(), shape), f"key_dates_{as_of:%Y%m%d}", "care_dates_dl",
              events, "care.calendar.key_dates", like=shape(rows))


def _absent_shape(rows: pd.DataFrame) -> pd.DataFrame:
    shown = rows[["customer_id", "name", "code", "abc", "sales_rep", "phone", "last_purchase", "days_absent",
                  "purchases"]].copy()
    shown["last_purchase"] = rows["last_purchase"].dt.date
    if "usual_products" in rows:
        shown["usual_products"] = rows["usual_products"].map(lambda v: "、".join(v) if isinstance(v, list) else "")
    shown["preferences"] = rows["preferences"]
    shown["next_birthday"] = rows["next_birthday"].dt.date
    shown["birthday_soon"] = rows["birthday_soon"]
    return shown


def absent_section(db, user, as_of: date, rep) -> None:
    months = int(st.number_input(tr("care.ui.months_absent"), 1, 120, 6, **in_url("care_months")))
    # The page on show and the counts in one query; the list is read a page at a time.
    first = page_first("care_absent")
    shown, total, soon = absent_page(db, user, as_of, months, rep, first, PAGE_SIZE)
    if first and first >= total:  # the list is shorter now: the picker goes to its last page
        first = max(0, (total - 1) // PAGE_SIZE * PAGE_SIZE)
        shown, total, soon = absent_page(db, user, as_of, months, rep, first, PAGE_SIZE)
    st.subheader(tr("care.ui.count_absent", count=f"{total:,}", months=months, soon=f"{soon:,}"))
    if total == 0:
        st.info(tr("care.ui.none"))
        return
    page = paged_rows(total, "care_absent", lambda at, size: shown if at == first else
                      absent_page(db, user, as_of, months, rep, at, size)[0])
    rows = with_cards(db, user, as_of, page)
    rows = rows.merge(board.usual_choices(db, user, rows["customer_id"], as_of), on="customer_id", how="left")
    picked = table(_absent_shape(rows), "care_absent_table")
    st.caption(tr("care.ui.select_row_360"))
    if picked is not None:
        open_customer(int(rows.iloc[picked]["customer_id"]))

    def export() -> pd.DataFrame:  # built when clicked (outside the run): the list's first rows
        head = board.long_absent_ahead(db, user, as_of, months, rep, offset=0, limit=EXPORT_LIMIT)
        head = head.merge(board.usual_choices(db, user, head["customer_id"], as_of), on="customer_id", how="left")
        return export_rows(db, user, as_of, head, _absent_shape)
    downloads(export, f"long_absent_{as_of:%Y%m%d}", "care_absent_dl", like=_absent_shape(rows))
