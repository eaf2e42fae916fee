"""The Admin page's alerts section (admins only): the channels alerts go out through (with a test
message), the contacts (who is reached where, who manages whom), the weekly report's recipients and
language, and the recent alerts from the outbox. crm_core.alerts checks the role, validates, masks
the secrets and audits every change; sending happens in the background jobs, never here (except the
test message, which the admin asked for and waits for).
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from crm_core.alerts import config, contacts, outbox
from crm_core.alerts.channels import KINDS, SECURITY
from crm_core.i18n import LANGUAGES, join_list
from crm_core.store import Store
from crm_core.users import Actor
from ui.common import LANGUAGE_NAMES, lang, plain, tr
from ui.promises.common import now_instant
from ui.tables import frame_grid, show_frame

_NOTICE = "alerts_notice"  # session state: the outcome of the last change, shown after the rerun


def _attempt(action, done_key: str, forget: str | None = None) -> None:
    """Run one change: a refusal in the catalog's words; a success reruns the page and says so.
    ``forget``: a data editor's key, whose pending edits would otherwise be laid again over the
    saved table after the rerun (a saved new row shown twice)."""
    try:
        action()
    except config.AlertError as error:
        st.error(tr(error.key, **{k: plain(v) for k, v in error.params.items()}))
    else:
        st.session_state[_NOTICE] = tr(done_key)
        if forget:
            st.session_state.pop(forget, None)
        st.rerun()


def _kind_label(kind: str) -> str:
    return tr(f"alerts.kind.{kind}")


def _settings_text(channel: config.Channel) -> str:
    shown = config.masked(channel)
    if "security" in shown:
        shown["security"] = tr(f"alerts.security.{shown['security']}")
    return " · ".join(f"{tr(f'alerts.field.{k}')}: {v}" for k, v in shown.items() if v != "")


def _channel_fields(kind: str, old: config.Channel | None, key: str) -> dict:
    """The inputs of one kind of channel; secrets start empty (left empty: the stored one is kept)."""
    values = old.config if old else {}
    keep = tr("alerts.secret_kept") if old else None
    if kind == "email":
        a, b, c = st.columns([3, 1, 2])
        fields = {"host": a.text_input(tr("alerts.field.host"), values.get("host", ""), key=f"{key}_host"),
                  "port": b.number_input(tr("alerts.field.port"), 1, 65535, int(values.get("port", 465)),
                                         key=f"{key}_port"),
                  "security": c.selectbox(tr("alerts.field.security"), SECURITY,
                                          index=SECURITY.index(values.get("security", "ssl")),
                                          format_func={s: tr(f"alerts.security.{s}") for s in SECURITY}.get,
                                          key=f"{key}_security")}
        a, b, c = st.columns(3)
        fields["user"] = a.text_input(tr("alerts.field.user"), values.get("user", ""), key=f"{key}_user")
        fields["password"] = b.text_input(tr("alerts.field.password"), type="password", placeholder=keep,
                                          key=f"{key}_password")
        fields["sender"] = c.text_input(tr("alerts.field.sender"), values.get("sender", ""), key=f"{key}_sender")
        return fields
    a, b = st.columns([3, 2])
    return {"url": a.text_input(tr("alerts.field.url"), type="password", placeholder=keep,
                                help=tr(f"alerts.url_help.{kind}"), key=f"{key}_url"),
            "secret": b.text_input(tr("alerts.field.secret"), type="password", placeholder=keep,
                                   help=None if kind == "wecom" else tr("alerts.secret_help"), key=f"{key}_secret")}


def _channels(db: Store, user: Actor) -> None:
    st.markdown(f"**{tr('alerts.channels')}**")
    known = config.channels(db)
    if known:
        frame_grid(pd.DataFrame([{tr("alerts.col.channel"): c.name, tr("alerts.col.kind"): _kind_label(c.kind),
                                  tr("alerts.col.settings"): _settings_text(c), tr("alerts.col.enabled"): c.enabled}
                                 for c in known]), title="alerts.channels", key="alerts_channels")
    else:
        st.caption(tr("alerts.no_channels"))
    with st.expander(tr("alerts.add_channel")):
        kind = st.selectbox(tr("alerts.col.kind"), KINDS, format_func={k: _kind_label(k) for k in KINDS}.get,
                            key="alerts_new_kind")  # labels fixed now: Streamlit may format outside the run
        with st.form("alerts_new", clear_on_submit=True):
            name = st.text_input(tr("alerts.col.channel"), max_chars=config.MAX_NAME)
            fields = _channel_fields(kind, None, "alerts_new")
            if st.form_submit_button(tr("alerts.add_button"), type="primary"):
                _attempt(lambda: config.save_channel(db, user, kind, name, fields), "alerts.channel_saved")
    if not known:
        return
    by_name = {c.name: c for c in known}
    picked = by_name[st.selectbox(tr("alerts.pick_channel"), list(by_name), key="alerts_pick")]
    with st.form(f"alerts_edit_{picked.channel_id}"):
        name = st.text_input(tr("alerts.col.channel"), picked.name, max_chars=config.MAX_NAME)
        fields = _channel_fields(picked.kind, picked, f"alerts_edit_{picked.channel_id}")
        enabled = st.checkbox(tr("alerts.col.enabled"), picked.enabled)
        if st.form_submit_button(tr("alerts.save")):
            _attempt(lambda: config.save_channel(db, user, picked.kind, name, fields, enabled, picked.channel_id),
                     "alerts.channel_saved")
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    address = left.text_input(tr("alerts.test_address" if picked.kind == "email" else "alerts.test_mobile"),
                              key=f"alerts_test_to_{picked.channel_id}")
    if right.button(tr("alerts.send_test"), key=f"alerts_test_{picked.channel_id}"):
        problem = outbox.send_test_message(db, user, picked.channel_id, address, lang(), now_instant(db))
        if problem is None:
            st.success(tr("alerts.test_sent", channel=plain(picked.name)))
        else:
            st.error(tr("alerts.test_failed", channel=plain(picked.name), error=plain(problem)))


def _contacts(db: Store, user: Actor) -> None:
    st.markdown(f"**{tr('alerts.contacts')}**")
    st.caption(tr("alerts.contacts_help"))
    frame = contacts.contacts_frame(db).fillna("")  # an empty cell, not the word None
    edited = st.data_editor(
        frame, num_rows="dynamic", hide_index=True, width="stretch", key="alerts_contacts",
        column_config={
            "person": st.column_config.TextColumn(tr("alerts.col.person"), max_chars=contacts.MAX_PERSON,
                                                  required=True),
            # a new row's empty cells start blank, not as the word None
            "email": st.column_config.TextColumn(tr("alerts.col.email"), default=""),
            "mobile": st.column_config.TextColumn(tr("alerts.col.mobile"), default=""),
            "manager": st.column_config.TextColumn(tr("alerts.col.manager"), default=""),
            "language": st.column_config.SelectboxColumn(tr("alerts.col.language"), options=list(LANGUAGES),
                                                         default="zh", format_func=LANGUAGE_NAMES.get),
        })
    if st.button(tr("alerts.save_contacts"), key="alerts_save_contacts"):
        wanted = [contacts.Contact(**row) for row in edited.to_dict("records") if any(
            v is not None and str(v).strip() and v == v for v in row.values())]
        _attempt(lambda: contacts.save_contacts(db, user, wanted), "alerts.contacts_saved", forget="alerts_contacts")
    no_contact, no_manager = contacts.uncovered_owners(db)
    if no_contact:
        st.warning(tr("alerts.owners_without_contact", count=len(no_contact), names=plain(join_list(no_contact, lang()))))
    if no_manager:
        st.warning(tr("alerts.owners_without_manager", count=len(no_manager), names=plain(join_list(no_manager, lang()))))


def _weekly_report(db: Store, user: Actor) -> None:
    st.markdown(f"**{tr('alerts.weekly_report')}**")
    st.caption(tr("alerts.weekly_report_help"))
    current = config.weekly_report_settings(db)
    with st.form("alerts_weekly"):
        left, right = st.columns([3, 1])
        addresses = left.text_area(tr("alerts.report_addresses"), "\n".join(current["addresses"]),
                                   help=tr("alerts.report_addresses_help"))
        language = right.selectbox(tr("alerts.report_language"), LANGUAGES,
                                   index=LANGUAGES.index(current["language"]), format_func=LANGUAGE_NAMES.get)
        if st.form_submit_button(tr("alerts.save")):
            _attempt(lambda: config.save_weekly_report_settings(
                db, user, addresses.replace(",", "\n").replace(";", "\n").splitlines(), language),
                "alerts.report_saved")


def _recent(db: Store) -> None:
    st.markdown(f"**{tr('alerts.recent')}**")
    rows = outbox.recent(db)
    rows["kind"] = rows["kind"].map(lambda k: tr(f"alerts.alert_kind.{k}"))
    rows["status"] = rows["status"].map(lambda s: tr(f"alerts.status.{s}"))
    show_frame(rows, title="alerts.recent", header_prefix="alerts.col", key="alerts_recent", file_stem="alerts")


def render_alerts(db: Store, user: Actor) -> None:
    """The whole section; call it for admins only (crm_core refuses the changes for anyone else)."""
    st.subheader(tr("alerts.title"))
    st.caption(tr("alerts.intro"))
    if _NOTICE in st.session_state:
        st.success(st.session_state.pop(_NOTICE))
    _channels(db, user)
    _contacts(db, user)
    _weekly_report(db, user)
    _recent(db)
