"""The Admin page's accounts section (admins only): the list, create an account, change one —
role, display name, rep codes, a new password, disable or enable. crm_core.accounts checks the
role, bounds every input and audits every change; accounts kept in users.toml are shown, not edited.
"""
from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from crm_core import accounts
from crm_core.store import Store
from crm_core.users import ROLES, Actor
from ui.common import tr
from ui.tables import frame_grid

_CODE_SEPARATORS = re.compile(r"[,，、;；\n]")


def _role_labels() -> dict[str, str]:
    """Role names in the page's language, fixed now (Streamlit may format options outside the run)."""
    return {role: tr(f"role.{role}") for role in ROLES}


def _codes(text: str) -> list[str]:
    return [code for code in _CODE_SEPARATORS.split(text or "") if code.strip()]


def _table(known: list[accounts.Account]) -> None:
    if not known:
        st.caption(tr("accounts.none"))
        return
    frame_grid(pd.DataFrame([{
        tr("auth.user_name"): a.name, tr("admin.display_name"): a.display_name, tr("admin.role"): tr(f"role.{a.role}"),
        tr("accounts.rep_codes"): "、".join(a.rep_codes), tr("accounts.enabled"): a.enabled,
        tr("accounts.managed_by"): tr(f"accounts.managed_by.{a.managed_by}"),
    } for a in known]), title="admin.accounts", key="acc_table")


_NOTICE = "acc_notice"  # session state: the outcome of the last change, shown after the rerun


def _attempt(action, done_key: str, **params) -> None:
    """Run one change: a refusal is shown in the catalog's words (never a traceback); a success
    reruns the page so the table shows the change, and says what was done."""
    try:
        changed = action()
    except accounts.AccountError as error:
        st.error(tr(error.key, **error.params))
    else:
        st.session_state[_NOTICE] = tr("accounts.unchanged") if changed == [] else tr(done_key, **params)
        st.rerun()


def _create_form(db: Store, user: Actor) -> None:
    with st.expander(tr("accounts.create")), st.form("acc_create", clear_on_submit=True):
        left, right = st.columns(2)
        name = left.text_input(tr("auth.user_name"), max_chars=accounts.MAX_NAME)
        display = right.text_input(tr("admin.display_name"), max_chars=accounts.MAX_DISPLAY_NAME)
        role = left.selectbox(tr("admin.role"), ROLES, index=ROLES.index("viewer"), format_func=_role_labels().get)
        password = right.text_input(tr("auth.password"), type="password", max_chars=accounts.MAX_PASSWORD)
        codes = st.text_input(tr("accounts.rep_codes"), help=tr("accounts.rep_codes_help"),
                              max_chars=accounts.MAX_REP_CODES * (accounts.MAX_REP_CODE + 1))
        if st.form_submit_button(tr("accounts.create_button"), type="primary"):
            _attempt(lambda: accounts.create(db, user, name, role, password, display, _codes(codes)),
                     "accounts.created", name=name)


def _edit_form(db: Store, user: Actor, known: list[accounts.Account]) -> None:
    if not known:
        return
    st.markdown(f"**{tr('accounts.edit')}**")
    by_name = {a.name: a for a in known}
    name = st.selectbox(tr("accounts.pick"), list(by_name), key="acc_pick")
    account = by_name[name]
    if account.managed_by == "file" and account.enabled:
        st.info(tr("accounts.managed_in_file_note"))
        return
    with st.form(f"acc_edit_{name}"):
        left, right = st.columns(2)
        display = left.text_input(tr("admin.display_name"), account.display_name, max_chars=accounts.MAX_DISPLAY_NAME)
        role = right.selectbox(tr("admin.role"), ROLES, index=ROLES.index(account.role),
                               format_func=_role_labels().get, key=f"acc_role_{name}")
        codes = st.text_input(tr("accounts.rep_codes"), "、".join(account.rep_codes), help=tr("accounts.rep_codes_help"),
                              max_chars=accounts.MAX_REP_CODES * (accounts.MAX_REP_CODE + 1))
        if st.form_submit_button(tr("accounts.save")):
            _attempt(lambda: accounts.update(db, user, name, role=role, display_name=display,
                                             rep_codes=_codes(codes)), "accounts.saved")
    with st.form(f"acc_password_{name}", clear_on_submit=True):
        password = st.text_input(tr("accounts.reset_password"), type="password", max_chars=accounts.MAX_PASSWORD)
        if st.form_submit_button(tr("accounts.reset_password")):
            _attempt(lambda: accounts.reset_password(db, user, name, password), "accounts.password_reset_done")
    if account.enabled:
        if st.button(tr("accounts.disable"), key=f"acc_disable_{name}"):
            _attempt(lambda: accounts.set_enabled(db, user, name, False), "accounts.disabled_done")
    elif st.button(tr("accounts.enable"), key=f"acc_enable_{name}"):
        _attempt(lambda: accounts.set_enabled(db, user, name, True), "accounts.enabled_done")


def render_accounts(db: Store, user: Actor) -> None:
    """The whole section; call it for admins only (crm_core refuses the changes for anyone else)."""
    st.subheader(tr("admin.accounts"))
    if _NOTICE in st.session_state:
        st.success(st.session_state.pop(_NOTICE))
    known = accounts.all_accounts(db)
    _table(known)
    st.caption(tr("admin.accounts_help", path=str(accounts.users_file())))
    _create_form(db, user)
    _edit_form(db, user, known)
