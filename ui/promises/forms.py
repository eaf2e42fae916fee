"""The "make a promise" and "log a complaint" forms (the Promises page and the customer 360 view)."""
from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import streamlit as st

from crm_core import customers as cust
from crm_core.i18n import format_percent
from crm_core.promises import actions, queries
from crm_core.promises.text import format_duration, label, policy_label
from ui.cache import cached_read
from ui.common import denied_reason, lang, tr
from ui.picker import customer_picker
from ui.promises import common


@cached_read(ttl=600, max_entries=64)
def _customer_class(db, customer_id: int, as_of: date) -> str | None:
    return queries.customer_class_of(db, customer_id, as_of)


def _may_write(user) -> bool:
    """Whether ``user`` may fill in a form; if not, the reason is shown instead of it."""
    reason = denied_reason(user, "write")
    if reason:
        st.caption(reason)
    return reason is None


def _customer(db, user, key: str, customer_id: int | None) -> dict | None:
    """The customer the form is for: fixed (360 view) or found with the customer picker."""
    if customer_id is None:
        customer_id = customer_picker(tr("find.customer"), f"{key}_customer")
        if customer_id is None:
            return None
    return cust.get_customer(db, user, int(customer_id))


def _show_result(key: str) -> None:
    message = st.session_state.pop(f"{key}_msg", None)
    if message:
        st.success(message)


def _run(key: str, write, describe) -> None:
    done, result = common.attempt(write)
    if done:
        st.session_state[f"{key}_msg"] = describe(result)
        st.rerun()


def _due_text(db, user, promise_id: int, now: datetime) -> str:
    detail = queries.promise_detail(db, user, promise_id, now)
    return common.local_text(detail["promise"]["due_at"]) if detail else "—"


def make_promise_form(db, user, now: datetime, key: str, customer_id: int | None = None) -> None:
    """Pick the customer (unless fixed), the policy, who promised, details; make the promise."""
    language = lang()
    _show_result(key)
    if not _may_write(user):
        return
    record = _customer(db, user, key, customer_id)
    if record is None:
        return
    if actions.ensure_presets(db):  # a new, empty store: the shipped policies first
        st.rerun()
    policies = {p.policy_id: p for p in common.policies(db)}
    policy_id = st.selectbox(tr("promises.form.policy"), list(policies), key=f"{key}_policy",
                             format_func=lambda p: f"{policy_label(p, language)} (v{policies[p].version})")
    policy = policies[policy_id]
    guessed = _customer_class(db, int(record["customer_id"]), now.date())
    classes = [None, "A", "B", "C"]
    none_text = tr("promises.form.no_class")  # fixed now: format_func may run outside the script
    left, right = st.columns(2)
    klass = left.selectbox(tr("promises.form.customer_class"), classes, index=classes.index(guessed),
                           key=f"{key}_class_{record['customer_id']}", help=tr("promises.form.class_help"),
                           format_func=lambda c: none_text if c is None else c)
    owners = common.owners(db, user)
    rep = record.get("sales_rep")
    owner = right.selectbox(tr("promises.form.owner"), owners, key=f"{key}_owner_{record['customer_id']}",
                            index=owners.index(rep) if rep in owners else 0, disabled=user.rep_scope is not None)
    st.caption(tr("promises.form.limit", target=format_duration(policy.target_for(klass).total_seconds(), language),
                  clock=label("clock", policy.clock, language), w1=format_percent(policy.warnings[0], language, 0),
                  w2=format_percent(policy.warnings[1], language, 0)))
    description = st.text_input(tr("promises.form.description"), key=f"{key}_description")
    bill = None
    if any(rung.cost_bill_fraction for rung in policy.ladder):
        bill = st.number_input(tr("promises.form.bill"), min_value=0.0, value=None, step=10.0, key=f"{key}_bill")
    due = None
    if st.checkbox(tr("promises.form.negotiated"), key=f"{key}_negotiated"):
        a, b = st.columns(2)
        day = a.date_input(tr("promises.form.due_date"), value=now.date(), key=f"{key}_due_date")
        clock = b.time_input(tr("promises.form.due_time"), value=time(17, 0), key=f"{key}_due_time", step=900)
        due = datetime.combine(day, clock, tzinfo=ZoneInfo(db.timezone))
    made = common.moment_input(db, f"{key}_made", now, "promises.form.made_now")
    if st.button(tr("promises.form.submit"), key=f"{key}_submit", type="primary"):
        _run(key, lambda: actions.make_promise(
                db, user, int(record["customer_id"]), policy_id, made, owner=owner, description=description,
                due_at=due, customer_class=klass, bill_amount=None if bill is None else Decimal(str(bill))),
             lambda pid: tr("promises.form.made_ok", id=pid, due=_due_text(db, user, pid, now)))


def complaint_form(db, user, now: datetime, key: str, customer_id: int | None = None) -> None:
    """Log a complaint (channel, text, optionally the promise it is about): opens the green channel."""
    language = lang()
    _show_result(key)
    if not _may_write(user):
        return
    record = _customer(db, user, key, customer_id)
    if record is None:
        return
    left, right = st.columns(2)
    channel = left.selectbox(tr("promises.form.channel"), actions.COMPLAINT_CHANNELS, key=f"{key}_channel",
                             format_func=lambda c: label("channel", c, language))
    about = right.number_input(tr("promises.form.about_promise"), min_value=0, step=1, key=f"{key}_about")
    text = st.text_area(tr("promises.form.complaint_text"), key=f"{key}_text", height=80)
    received = common.moment_input(db, f"{key}_received", now)

    def describe(result):
        complaint_id, (to_gm, reply) = result
        return tr("promises.form.complaint_ok", id=complaint_id, gm=_due_text(db, user, to_gm, now),
                  reply=_due_text(db, user, reply, now))

    if st.button(tr("promises.form.complaint_submit"), key=f"{key}_submit", type="primary"):
        _run(key, lambda: actions.log_complaint(db, user, int(record["customer_id"]), received, channel, text,
                                                about_promise_id=int(about) or None), describe)
