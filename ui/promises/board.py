"""The Now tab: headline cards, the Now board (overdue first, coloured at the warning points), the
selected promise's detail, and the complaint board."""
from __future__ import annotations

from datetime import datetime

import streamlit as st

from crm_core.i18n import format_number, format_percent, join_list, t
from crm_core.promises.policy import PROMISE_TYPES
from crm_core.promises.text import label
from ui.common import lang, open_customer, tr
from ui.metrics import count_metric, money_metric
from ui.promises import common
from ui.promises.detail import promise_panel
from ui.tables import show_frame
from ui.view_state import in_url


def kpi_cards(db, user, now: datetime) -> None:
    """Open / overdue / warnings / paused / due soon / complaints / owed / kept % in 30 days."""
    numbers = common.overview(db, user, now)
    language = lang()
    top = st.columns(4)
    for column, key in zip(top, ("open", "overdue", "warning_2", "warning_1")):
        count_metric(column, tr(f"promises.kpi.{key}"), numbers[key])
    second = st.columns(4)
    count_metric(second[0], tr("promises.kpi.due_24h"), numbers["due_24h"])
    count_metric(second[1], tr("promises.kpi.open_complaints"), numbers["open_complaints"])
    money_metric(second[2], tr("promises.kpi.outstanding"), numbers["cost_outstanding"],
                 help=tr("promises.kpi.outstanding_help",
                         count=format_number(numbers["remedies_outstanding"], language)))
    kept = numbers["attainment"]
    second[3].metric(tr("promises.kpi.attainment_30d"), format_percent(kept["pct"], language),
                     help=tr("promises.kpi.attainment_help", met=kept["met"], decided=kept["met"] + kept["breached"],
                             excluded=kept["excluded"], low=format_percent(kept["ci_low"], language),
                             high=format_percent(kept["ci_high"], language)))
    st.caption(tr("promises.page.as_of", time=common.local_text(now)) + " · "
               + tr("promises.kpi.paused") + f": {format_number(numbers['paused'], language)}")
    years = common.uncertain_years(db, user, now)
    if years:
        st.warning(tr("promises.calendar.provisional", years=join_list(years, language)))


def _all(language: str) -> str:
    return t("promises.board.all", language)


def now_tab(db, user, now: datetime) -> None:
    language = lang()
    st.subheader(tr("promises.board.title"))
    left, right = st.columns(2)
    everyone = tr("promises.board.all")
    owners, types = [None, *common.owners(db, user)], [None, *PROMISE_TYPES]
    owner = left.selectbox(tr("promises.board.owner"), owners, format_func=lambda o: everyone if o is None else o,
                           **in_url("prom_board_owner", owners, lambda o, code: _all(code) if o is None else o))
    ptype = right.selectbox(tr("promises.board.type"), types,
                            **in_url("prom_board_type", types,
                                     lambda p, code: _all(code) if p is None else label("type", p, code)),
                            format_func=lambda p: everyone if p is None else label("type", p, language))
    frame = common.board(db, user, now, owner, ptype)
    if frame.empty:
        st.info(tr("promises.board.empty"))
    else:
        columns = common.promise_columns(language)
        shown = common.labelled(frame, {
            # Status, customer, due and time left first: all a phone shows without scrolling sideways.
            "status": columns["status"],
            "customer": lambda f: f["code"].fillna("") + " " + f["customer_name"].fillna(""),
            "due_at": columns["due_at"],
            "time_left": lambda f: [common.left_text(s, p, c == "business") for s, p, c in
                                    zip(f["time_left_seconds"], f["paused"], f["clock"])],
            "promise_id": columns["promise_id"],
            "owner": columns["owner"],
            "policy": columns["policy"],
            "wall_left": lambda f: [common.left_text(s) for s in f["wall_left_seconds"]],
            "clock": lambda f: f["clock"].map(lambda c: label("clock", c, language)),
            "promise_type": columns["promise_type"],
            "description": lambda f: f["description"],
        })
        event = show_frame(shown, title="promises.board.title", key="prom_board_table", file_stem="open_promises",
                           select=True, style=lambda f: common.coloured(f, {"status": frame["status"]}))
        st.caption(tr("promises.board.legend"))
        total = common.overview(db, user, now)["open"]
        if len(frame) < total:
            st.caption(tr("promises.board.shown", shown=format_number(len(frame), language),
                          total=format_number(total, language)))
        if event.selection.rows:
            st.session_state["prom_selected"] = int(frame.iloc[event.selection.rows[0]]["promise_id"])
    promise_panel(db, user, now, key="prom_detail")
    complaint_board(db, user, now)


def complaint_board(db, user, now: datetime) -> None:
    language = lang()
    st.subheader(tr("promises.board.complaints"))
    st.caption(tr("promises.board.complaints_hint"))
    frame = common.complaints(db, user, now)
    if frame.empty:
        st.info(tr("promises.board.no_complaints"))
        return
    shown = common.labelled(frame, {
        "complaint_id": lambda f: f["complaint_id"],
        "customer": lambda f: f["code"].fillna("") + " " + f["customer_name"].fillna(""),
        "received_at": lambda f: common.local_texts(f["received_at"]),
        "channel": lambda f: f["channel"].map(lambda c: label("channel", c, language)),
        "description": lambda f: f["description"],
        "owner": lambda f: f["owner"],
        "to_gm_status": lambda f: common.status_text(f["to_gm_status"]),
        "to_gm_due": lambda f: common.local_texts(f["to_gm_due"]),
        "reply_status": lambda f: common.status_text(f["reply_status"]),
        "reply_due": lambda f: common.local_texts(f["reply_due"]),
    })
    statuses = {"to_gm_status": frame["to_gm_status"], "reply_status": frame["reply_status"]}
    event = show_frame(shown, title="promises.board.complaints", key="prom_complaint_table", file_stem="complaints",
                       select=True, style=lambda f: common.coloured(f, statuses))
    if event.selection.rows:
        open_customer(int(frame.iloc[event.selection.rows[0]]["customer_id"]))
