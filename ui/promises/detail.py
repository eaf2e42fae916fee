"""One promise: facts, event log, remedies, and the actions (record an event, deliver a remedy,
recompute under another policy version). Used by the Now tab and the customer 360 section."""
from __future__ import annotations

import json
from datetime import datetime

import pandas as pd
import streamlit as st

from crm_core.i18n import format_money
from crm_core.promises import actions, queries
from crm_core.promises.text import format_duration, label, policy_label, remedy_cost_text
from ui.common import denied_reason, lang, open_customer, plain, tr
from ui.promises import common
from ui.tables import frame_grid

OPEN_EVENTS = ("fulfilled", "paused", "resumed", "cancelled", "escalated", "complained")


def _write(key: str, done_text: str, write) -> None:
    """Run a write; on success remember the message and rerun, else show the error in place."""
    done, _ = common.attempt(write)
    if done:
        st.session_state[f"{key}_msg"] = done_text
        st.rerun()


def _selected_id(key: str, selected_key: str) -> int:
    """The promise number input, following the latest selection made on a board."""
    chosen = st.session_state.get(selected_key)
    if chosen is not None and chosen != st.session_state.get(f"{key}_followed"):
        st.session_state[f"{key}_id"] = chosen
        st.session_state[f"{key}_followed"] = chosen
    return int(st.number_input(tr("promises.detail.lookup"), min_value=0, step=1, key=f"{key}_id"))


def promise_panel(db, user, now: datetime, key: str, selected_key: str = "prom_selected") -> None:
    """The promise whose number is entered (or last selected: ``st.session_state[selected_key]``)."""
    promise_id = _selected_id(key, selected_key)
    message = st.session_state.pop(f"{key}_msg", None)
    if message:
        st.success(message)
    if not promise_id:
        st.caption(tr("promises.detail.pick"))
        return
    detail = queries.promise_detail(db, user, promise_id, now)
    if detail is None:
        st.warning(tr("promises.detail.not_found", id=promise_id))
        return
    language = lang()
    row = detail["promise"]
    with st.container(border=True):
        policy = plain(policy_label(row["policy_id"], language))  # a policy a user created is named by its id
        st.markdown(f"**{tr('promises.detail.title', id=promise_id, policy=policy)}**")
        facts = st.columns(4)
        facts[0].markdown(f"{tr('promises.col.customer')}: {plain(detail['customer_code'])} "
                          f"{plain(detail['customer_name'])}  \n{tr('promises.col.owner')}: {plain(row['owner'])}")
        facts[1].markdown(f"{tr('promises.col.made_at')}: {common.local_text(row['made_at'])}  \n"
                          f"{tr('promises.col.due_at')}: {common.local_text(row['due_at'])}")
        facts[2].markdown(f"{tr('promises.col.status')}: {label('status', row['live_status'], language)}  \n"
                          f"{tr('promises.col.clock')}: {label('clock', row['clock'], language)}")
        overrun = format_duration(row["overrun_seconds"], language, days=row["clock"] != "business")
        facts[3].markdown(f"{tr('promises.col.policy_version')}: {row['policy_version']}  \n"
                          f"{tr('promises.col.overrun')}: {overrun}")
        if row["description"]:
            st.caption(f"{tr('promises.col.description')}: {plain(row['description'])}")
        if row["negotiated_due"]:
            st.caption(tr("promises.detail.negotiated"))
        if pd.notna(row["parent_promise_id"]):
            st.caption(tr("promises.detail.parent", id=int(row["parent_promise_id"])))
        _log_and_remedies(detail, language, key)
        _actions(db, user, now, key, detail, language)
        if st.button(tr("promises.detail.open_customer"), key=f"{key}_open360"):
            open_customer(int(row["customer_id"]))


def _log_and_remedies(detail: dict, language: str, key: str) -> None:
    row = detail["promise"]
    events = detail["events"]
    st.markdown(f"**{tr('promises.detail.events')}**")
    frame_grid(common.labelled(events, {
        "at": lambda f: f["at"],
        "kind": lambda f: [_event_label(k, d, language) for k, d in zip(f["kind"], f["detail"])],
        "actor": lambda f: f["actor"],
        "remedy": lambda f: f["detail"].map(lambda d: _remedy_of(d, language)),
    }), title="promises.detail.events", key=f"{key}_events",
       kinds={tr("promises.col.at"): "datetime"})
    remedies = detail["remedies"]
    st.markdown(f"**{tr('promises.detail.remedies')}**")
    ladder = {rung.key: rung for rung in detail["policy"].ladder}
    bill = row.get("bill_amount")
    bill = None if bill is None or pd.isna(bill) else bill
    if not ladder:  # say why nothing is owed, however late
        st.caption(tr("promises.detail.no_ladder"))
    else:
        clock_hours = detail["policy"].clock == "business"
        st.caption(tr("promises.detail.ladder") + ": " + "; ".join(
            tr("promises.detail.ladder_step", over=format_duration(r.over.total_seconds(), language,
                                                                    days=not clock_hours),
               remedy=plain(label("remedy", r.key, language)), cost=remedy_cost_text(r, bill, language))
            for r in ladder.values()))
    if remedies.empty:
        if ladder:
            st.caption(tr("promises.detail.no_remedies"))
        return

    def cost_text(key, cost):  # a share of an unknown bill is "20% of the order", never ¥0
        rung = ladder.get(key)
        return remedy_cost_text(rung, bill, language) if rung is not None and bill is None and \
            rung.cost_bill_fraction else format_money(cost, language)

    frame_grid(common.labelled(remedies, {
        "remedy": lambda f: f["key"].map(lambda k: label("remedy", k, language)),
        "cost": lambda f: [cost_text(k, c) for k, c in zip(f["key"], f["cost"])],
        "granted_at": lambda f: f["granted_at"], "delivered_at": lambda f: f["delivered_at"],
        "child_promise_id": lambda f: f["child_promise_id"].map(lambda c: None if pd.isna(c) else str(int(c))),
    }), title="promises.detail.remedies", key=f"{key}_remedies",
       kinds={tr("promises.col.granted_at"): "datetime", tr("promises.col.delivered_at"): "datetime"})


def _event_label(kind: str, detail_text: str, language: str) -> str:
    """The event's name; a recompute says why (a new policy version, or a year's holiday notice)."""
    detail = json.loads(detail_text or "{}")
    if kind == "recomputed" and detail.get("reason") == "holiday_notice":
        return tr("promises.event.recomputed_notice", year=detail.get("year", ""))
    return label("event", kind, language)


def _remedy_of(detail_text: str, language: str) -> str:
    key = json.loads(detail_text or "{}").get("key")
    return label("remedy", key, language) if key else ""


def _actions(db, user, now: datetime, key: str, detail: dict, language: str) -> None:
    """Record an event and deliver a remedy (write rights: else the reason instead), recompute
    (managers: else the button disabled with the reason)."""
    row = detail["promise"]
    promise_id = int(row["promise_id"])
    cannot_write = denied_reason(user, "write")
    if cannot_write:
        st.caption(cannot_write)
    elif row["status"] == "open":
        st.markdown(f"**{tr('promises.detail.record')}**")
        paused = pd.notna(row["paused_at"])
        kinds = [k for k in OPEN_EVENTS if not (k == "paused" and paused) and not (k == "resumed" and not paused)]
        kind = st.selectbox(tr("promises.detail.event_kind"), kinds, key=f"{key}_kind",
                            format_func=lambda k: label("event", k, language))
        at = common.moment_input(db, f"{key}_when", now)
        if st.button(tr("promises.detail.record_button"), key=f"{key}_record", type="primary"):
            _write(key, tr("promises.detail.recorded", kind=label("event", kind, language)),
                   lambda: actions.record(db, user, promise_id, kind, at))
    else:
        st.caption(tr("promises.detail.closed", status=label("status", row["status"], language)))
    owed = detail["remedies"][detail["remedies"]["delivered_at"].isna()]
    if not owed.empty and not cannot_write:
        names = dict(zip(owed["remedy_id"], owed["key"]))
        left, right = st.columns([3, 1])
        remedy = left.selectbox(tr("promises.detail.deliver"), list(names), key=f"{key}_remedy",
                                format_func=lambda r: label("remedy", names[r], language))
        if right.button(tr("promises.detail.deliver_button"), key=f"{key}_deliver"):
            _write(key, tr("promises.event.remedy_delivered"),
                   lambda: actions.deliver_remedy(db, user, promise_id, int(remedy), now))
    others = [v for v in detail["versions"] if v != row["policy_version"]]
    if others:
        with st.expander(tr("promises.detail.recompute")):
            st.caption(tr("promises.detail.recompute_help", version=row["policy_version"]))
            version = st.selectbox(tr("promises.col.version"), others, key=f"{key}_version")
            cannot_manage = denied_reason(user, "manage")
            if st.button(tr("promises.detail.recompute_button"), key=f"{key}_recompute",
                         disabled=cannot_manage is not None, help=cannot_manage):
                _write(key, tr("promises.event.recomputed"),
                       lambda: actions.recompute(db, user, promise_id, int(version), now))
