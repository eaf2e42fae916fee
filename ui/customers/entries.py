"""The forms on the 360 view: log an interaction, record a transaction, add a key date."""
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import streamlit as st
from pydantic import ValidationError

from crm_core import customers as cust
from crm_core.models import CHANNELS, InteractionIn, KeyDateIn, TransactionIn, field_errors
from crm_core.store import Store
from crm_core.users import Actor, PermissionDenied
from ui.common import choice_label, denied_reason, lang, plain, tr


def _save(save, model, values: dict) -> None:
    try:
        save(model.model_validate(values))
    except ValidationError as error:
        for name, message in field_errors(error, lang()).items():
            st.error(f"{tr(f'field.{name}')}: {plain(message)}")  # a message may quote the input
        return
    except PermissionDenied as denied:
        st.error(tr(denied.key))
        return
    st.success(tr("ui.saved"))


def _interaction_form(db: Store, user: Actor, customer_id: int, record: dict) -> None:
    with st.form("c360_interaction", clear_on_submit=False):
        a, b, c = st.columns(3)
        day = a.date_input(tr("field.date"), value=date.today(), max_value=date.today())
        at = b.time_input(tr("field.time"), value=time(10, 0))
        channel = c.selectbox(tr("field.channel"), CHANNELS, format_func=choice_label("channel"))
        d, e, f = st.columns(3)
        place = d.text_input(tr("field.place"))
        rep = e.text_input(tr("field.rep"), value=record.get("sales_rep") or "")
        cost = f.number_input(tr("field.cost"), min_value=0.0, step=10.0)
        g, h = st.columns(2)
        concession = g.number_input(tr("field.concession"), min_value=0.0, step=10.0)
        products = h.text_input(tr("field.products_provided"))
        note = st.text_area(tr("field.note"))
        if st.form_submit_button(tr("ui.log_interaction")):
            occurred = datetime.combine(day, at, tzinfo=ZoneInfo(db.timezone))
            _save(lambda m: cust.log_interaction(db, user, m), InteractionIn, dict(
                customer_id=customer_id, occurred_at=occurred, channel=channel, place=place or None,
                rep=rep or None, cost=str(cost), concession=str(concession),
                products_provided=products or None, note=note or None))


def _transaction_form(db: Store, user: Actor, customer_id: int) -> None:
    with st.form("c360_transaction"):
        a, b, c = st.columns(3)
        day = a.date_input(tr("field.txn_date"), value=date.today(), max_value=date.today())
        amount = b.number_input(tr("field.amount"), step=100.0, format="%.2f")
        order_id = c.text_input(tr("field.order_id"))
        d, e, f = st.columns(3)
        product = d.text_input(tr("field.product"))
        quantity = e.number_input(tr("field.quantity"), min_value=0.0, step=1.0)
        margin = f.number_input(tr("field.gross_margin"), step=10.0, format="%.2f")
        if st.form_submit_button(tr("ui.record_transaction")):
            _save(lambda m: cust.record_transaction(db, user, m), TransactionIn, dict(
                customer_id=customer_id, txn_date=day, amount=f"{amount:.2f}", order_id=order_id or None,
                product=product or None, quantity=str(quantity) if quantity else None,
                gross_margin=f"{margin:.2f}" if margin else None))


def _key_date_form(db: Store, user: Actor, customer_id: int) -> None:
    with st.form("c360_key_date"):
        a, b, c = st.columns(3)
        kind = a.selectbox(tr("field.kind"), ("founding", "anniversary", "custom"), format_func=choice_label("keydate"))
        label = b.text_input(tr("field.label"))
        day = c.date_input(tr("field.date"), value=date.today(), min_value=date(1900, 1, 1))
        if st.form_submit_button(tr("ui.add_key_date")):
            _save(lambda m: cust.add_key_date(db, user, m), KeyDateIn,
                  dict(customer_id=customer_id, kind=kind, label=label or None, day=day))


def entry_forms(db: Store, user: Actor, customer_id: int, record: dict) -> None:
    """The three forms, for a user who may write; anyone else is told why instead."""
    reason = denied_reason(user, "write")
    if reason:
        st.caption(reason)
        return
    with st.expander(tr("ui.log_interaction")):
        _interaction_form(db, user, customer_id, record)
    with st.expander(tr("ui.record_transaction")):
        _transaction_form(db, user, customer_id)
    with st.expander(tr("ui.add_key_date")):
        _key_date_form(db, user, customer_id)
