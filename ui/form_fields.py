"""One widget per master-file field; values live in session state so invalid input is never lost."""
from datetime import date

import pandas as pd
import streamlit as st

from crm_core.models import CUSTOMER_TYPES, NEED_TYPES, REGIONS, TENURE_STAGES, CustomerIn
from ui.common import choice_label, tr
from ui.view_state import kept

CHOICES = {
    "customer_type": (CUSTOMER_TYPES, "ctype"),
    "tenure_stage": (TENURE_STAGES, "tenure"),
    "need_type": ((None, *NEED_TYPES), "need"),
}
LONG_TEXT = {"address", "delivery_address", "invoice_address", "business_scope", "preferences", "notes",
             "attitude", "contract_fulfilment", "frictions", "credit_standing", "competitor_dealings",
             "needs_potential"}


def _initial(name: str, record: dict | None):
    value = None if record is None else record.get(name)
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        model_field = CustomerIn.model_fields[name]
        if not model_field.is_required() and model_field.default is not None:
            return model_field.default
        return None if name in CHOICES or name in ("birthday", "region") else ""
    if isinstance(value, pd.Timestamp):
        return value.date()
    if name in CHOICES or name in ("birthday", "region"):
        return value
    return str(value)


def initial_values(prefix: str, record: dict | None) -> None:
    """Seed each widget once; later reruns keep whatever the user typed.

    The version the user started from is kept too, so a save made on a stale copy is refused.
    """
    for name in CustomerIn.model_fields:
        st.session_state.setdefault(prefix + name, _initial(name, record))
    if record is not None:
        st.session_state.setdefault(prefix + "version", int(record["version"]))


def field_widget(prefix: str, name: str, error: str | None) -> None:
    key, label = prefix + name, tr(f"field.{name}")
    if name in CHOICES:
        options, catalog = CHOICES[name]
        st.selectbox(label, options, key=kept(key), format_func=choice_label(catalog))
    elif name == "region":
        st.selectbox(label, (None, *REGIONS), key=kept(key), accept_new_options=True,
                     format_func=choice_label("region"))
    elif name == "birthday":
        st.date_input(label, key=key, min_value=date(1900, 1, 1), max_value=date(2100, 1, 1), format="YYYY-MM-DD")
    elif name in LONG_TEXT:
        st.text_area(label, key=key, height=68)
    else:
        hint = tr(f"help.{name}")
        st.text_input(label, key=key, help=None if hint == f"help.{name}" else hint)
    if error:
        st.error(error)
