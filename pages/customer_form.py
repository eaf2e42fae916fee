"""Enter or edit a customer: every master-file field, grouped as the text groups them."""
import streamlit as st
from pydantic import ValidationError

from crm_core import customers as cust
from crm_core.models import ANALYSIS_FIELDS, ORIGINAL_RECORD_GROUPS, CustomerIn, field_errors
from crm_core.users import PermissionDenied
from ui.common import actor, lang, open_customer, page_header, plain, store, tr
from ui.customers.trail import TRAIL
from ui.form_fields import field_widget, initial_values
from ui.tables import grid

page_header("page.customer_form", "intro.customer_form")
db, user = store(), actor()

editing_id = st.session_state.get("edit_customer_id")
record = cust.get_customer(db, user, editing_id) if editing_id else None
if record is not None:
    st.subheader(tr("ui.editing", name=plain(record["name"]), code=plain(record["code"])))
    if st.button(tr("ui.new_customer_instead"), key="form_new"):
        st.session_state.pop("edit_customer_id", None)
        st.rerun()
prefix = f"form_{editing_id or 'new'}_"
initial_values(prefix, record)

errors = st.session_state.get(prefix + "errors", {})
# Not an st.form: a form's choices wait in the browser until submitted, and a language switch
# before saving would silently put them back to their defaults; as plain widgets they are kept.
with st.container(border=True):
    for group, names in ORIGINAL_RECORD_GROUPS.items():
        st.markdown(f"#### {tr(f'group.{group}')}")
        columns = st.columns(3)
        for i, name in enumerate(names):
            with columns[i % 3]:
                field_widget(prefix, name, errors.get(name))
    st.markdown(f"#### {tr('group.analysis')}")
    columns = st.columns(2)
    for i, name in enumerate(ANALYSIS_FIELDS):
        with columns[i % 2]:
            field_widget(prefix, name, errors.get(name))
    submitted = st.button(tr("ui.save"), type="primary", key="form_save")

if submitted:
    values = {name: st.session_state[prefix + name] for name in CustomerIn.model_fields}
    st.session_state[prefix + "errors"] = {}
    try:
        customer = CustomerIn.model_validate({k: v for k, v in values.items() if v not in ("", None)})
        if record is None:
            new_id = cust.create_customer(db, user, customer)
        else:
            loaded_version = st.session_state[prefix + "version"]
            cust.update_customer(db, user, editing_id, customer, expected_version=loaded_version)
            new_id = editing_id
    except ValidationError as error:
        st.session_state[prefix + "errors"] = field_errors(error, lang())
        st.rerun()
    except cust.CodeTaken as taken:
        st.session_state[prefix + "errors"] = {"code": tr("err.code_taken", code=plain(taken))}
        st.rerun()
    except cust.StaleEdit as stale:
        st.error(tr("err.stale_edit"))
        grid(TRAIL, stale.changes, key=prefix + "stale_changes")
        # The user has now seen what changed: their next save applies their input on top of it.
        st.session_state[prefix + "version"] = int(record["version"])
    except PermissionDenied as denied:
        st.error(tr(denied.key))
    else:
        st.session_state.pop("edit_customer_id", None)
        for key in [k for k in st.session_state if str(k).startswith(prefix)]:
            del st.session_state[key]
        st.toast(tr("ui.saved"))
        open_customer(new_id)
elif errors:
    st.error(tr("ui.nothing_saved_fix"))
