"""Quick edits of several customers at once in a grid, with the form's validation and audit."""
import pandas as pd
import streamlit as st
from pydantic import ValidationError

from crm_core import customers as cust
from crm_core.i18n import currency_symbol
from crm_core.models import CUSTOMER_TYPES, TENURE_STAGES, CustomerIn, field_errors
from crm_core.store import Store
from crm_core.users import Actor, PermissionDenied
from ui.common import choice_label, denied_reason, lang, plain, tr
from ui.tables import frame_grid

EDITABLE = ["name", "customer_type", "tenure_stage", "region", "city", "phone", "sales_rep", "credit_limit"]


def _column_config() -> dict:
    return {
        "code": st.column_config.TextColumn(tr("field.code"), disabled=True),
        "name": st.column_config.TextColumn(tr("field.name"), required=True),
        "customer_type": st.column_config.SelectboxColumn(tr("field.customer_type"), options=CUSTOMER_TYPES,
                                                          format_func=choice_label("ctype")),
        "tenure_stage": st.column_config.SelectboxColumn(tr("field.tenure_stage"), options=TENURE_STAGES,
                                                         format_func=choice_label("tenure")),
        "region": st.column_config.TextColumn(tr("field.region")),
        "city": st.column_config.TextColumn(tr("field.city")),
        "phone": st.column_config.TextColumn(tr("field.phone")),
        "sales_rep": st.column_config.TextColumn(tr("field.sales_rep")),
        "credit_limit": st.column_config.NumberColumn(tr("field.credit_limit"), min_value=0,
                                                      format=f"{currency_symbol()}%,.2f"),  # as the grids show money
    }


def _validated_edits(db: Store, user: Actor, before: pd.DataFrame, after: pd.DataFrame):
    """(edits by customer id, [(code, field, message)]) for rows whose values changed."""
    edits, problems = {}, []
    for index in after.index:
        if after.loc[index].equals(before.loc[index]):
            continue
        customer_id = int(before.loc[index, "customer_id"])
        record = cust.get_customer(db, user, customer_id)
        values = {k: v for k, v in cust.customer_from_record(record).model_dump().items() if v is not None}
        values.update({k: (None if pd.isna(v) else v) for k, v in after.loc[index, EDITABLE].items()})
        try:
            edits[customer_id] = CustomerIn.model_validate(values)
        except ValidationError as error:
            problems += [(before.loc[index, "code"], tr(f"field.{f}"), m) for f, m in
                         field_errors(error, lang()).items()]
    return edits, problems


def quick_edit(db: Store, user: Actor, rows: pd.DataFrame) -> None:
    """The grid and its save button, for a user who may write; anyone else is told why instead."""
    reason = denied_reason(user, "write")
    if reason:
        st.caption(reason)
        return
    before = rows[["customer_id", "code", *EDITABLE]].reset_index(drop=True)
    after = st.data_editor(before.drop(columns="customer_id"), hide_index=True, width="stretch",
                           column_config=_column_config(), num_rows="fixed", key="cust_grid", placeholder="")
    if not st.button(tr("ui.save_changes"), key="cust_grid_save", type="primary"):
        return
    edits, problems = _validated_edits(db, user, before.drop(columns="customer_id"), after)
    if problems:
        st.error(tr("ui.nothing_saved_fix"))
        frame_grid(pd.DataFrame(problems, columns=[tr("field.code"), tr("ui.column"), tr("ui.problem")]),
                   title="ui.nothing_saved_fix", key="cust_grid_problems")
        return
    try:
        changed = cust.update_many(db, user, edits)
    except cust.CodeTaken as taken:
        st.error(tr("err.code_taken", code=plain(taken)))
        return
    except PermissionDenied as denied:
        st.error(tr(denied.key))
        return
    st.success(tr("ui.saved_fields", count=changed))
