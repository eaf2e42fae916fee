"""Customer 360 section: every promise any rep made to this customer (who, what, when due, kept /
broken / open, compensation), what each rep promised, the selected promise's log and actions, and
"make a promise" / "log a complaint" for this customer."""
from __future__ import annotations

import streamlit as st

from crm_core.promises import queries
from crm_core.promises.text import format_duration, label
from ui.common import lang, tr
from ui.promises import common
from ui.promises.detail import promise_panel
from ui.promises.forms import complaint_form, make_promise_form
from ui.tables import frame_grid, show_frame


def render(db, user, customer_id: int, record: dict) -> None:
    language = lang()
    now = common.now_instant(db)
    st.subheader(tr("promises.c360.title"))
    frame = common.customer_ledger(db, user, int(customer_id), now)
    if frame.empty:
        st.info(tr("promises.c360.none"))
    else:
        st.markdown(f"**{tr('promises.c360.by_rep')}**")
        by_rep = queries.ledger_by_rep(frame)
        def money(column):  # numeric, shown with kind money (Excel sums it)
            return lambda f: f[column].astype("float64")

        money_kinds = {tr("promises.col.owed_cost"): "money", tr("promises.col.delivered_cost"): "money"}
        frame_grid(common.labelled(by_rep, {
            "owner": lambda f: f["owner"], "promises": lambda f: f["promises"], "kept": lambda f: f["kept"],
            "broken": lambda f: f["broken"], "open": lambda f: f["open"], "cancelled": lambda f: f["cancelled"],
            "owed_cost": money("owed_cost"), "delivered_cost": money("delivered_cost"),
        }), title="promises.c360.by_rep", key="p360_by_rep", kinds=money_kinds)
        shown = common.labelled(frame, {
            **common.promise_columns(language),
            "description": lambda f: f["description"],
            "closed_at": lambda f: common.local_texts(f["closed_at"]),
            "overrun": lambda f: [format_duration(s, language, days=c != "business") if s else "—"
                                  for s, c in zip(f["overrun_seconds"], f["clock"])],
            "remedies": lambda f: f["remedy_keys"].map(
                lambda keys: "、".join(label("remedy", k, language) for k in keys.split(",")) if isinstance(keys, str)
                else "—"),
            "owed_cost": money("owed_cost"), "delivered_cost": money("delivered_cost"),
        })
        ordered = shown.iloc[::-1]  # newest first
        event = show_frame(ordered, title="table.customer_promises", key="p360_table", select=True,
                           file_stem=f"promises_{record.get('code', customer_id)}", kinds=money_kinds,
                           style=lambda f: common.coloured(f, {"status": frame["status"].iloc[::-1].tolist()}))
        st.caption(tr("promises.c360.select_hint"))
        if event.selection.rows:
            st.session_state["p360_selected"] = int(frame["promise_id"].iloc[::-1].iloc[event.selection.rows[0]])
        promise_panel(db, user, now, key="p360_detail", selected_key="p360_selected")
    # Lazy expanders (keyed, rerun on toggle): a closed form computes nothing. The promise form's
    # default class ranks a year of every customer's transactions (queries.customer_class_of),
    # which the tab would otherwise pay on every first open although the form starts closed.
    with st.expander(tr("promises.form.make"), key="p360_make_open", on_change="rerun") as form:
        if form.open:
            make_promise_form(db, user, now, key="p360_make", customer_id=int(customer_id))
    with st.expander(tr("promises.form.complaint"), key="p360_complain_open", on_change="rerun") as form:
        if form.open:
            complaint_form(db, user, now, key="p360_complain", customer_id=int(customer_id))
