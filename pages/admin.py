"""Admin: the audit log (managers and admins), accounts, scheduled jobs and backup/restore (admins)."""
import math

import streamlit as st

from crm_core import audit, backup, tables
from crm_core.config import is_database_url
from crm_core.users import PermissionDenied
from ui.accounts import render_accounts
from ui.alerts import render_alerts
from ui.common import actor, lang, page_header, plain, store, tr
from ui.scheduler import render_scheduler
from ui.tables import show_frame
from ui.uploader import file_uploader
from ui.view_state import in_url

PAGE_SIZE = 200
page_header("page.admin", "intro.admin")
db, user = store(), actor()
if user.role not in audit.AUDIT_READERS:
    st.error(tr("err.no_audit_permission"))
    st.stop()

st.subheader(tr("admin.audit_log"))
a, b, c = st.columns(3)
since = a.date_input(tr("admin.since"), value=None, **in_url("adm_since"))
who = b.text_input(tr("admin.who"), **in_url("adm_who")).strip() or None
action = c.selectbox(tr("admin.action"), [None, *audit.audit_actions(db)], **in_url("adm_action"),
                     format_func=lambda v: "—" if v is None else tables.label_text(v, audit.ACTION_LABELS, lang()))
first, total = audit.audit_entries(db, user, since, who, action, limit=PAGE_SIZE)
page = st.number_input(tr("ui.page_of", pages=max(1, math.ceil(total / PAGE_SIZE))), 1,
                       max(1, math.ceil(total / PAGE_SIZE)), 1, **in_url("adm_page"))
rows = first if page == 1 else audit.audit_entries(db, user, since, who, action, PAGE_SIZE, (page - 1) * PAGE_SIZE)[0]
st.caption(tr("admin.entries", count=f"{total:,}"))


def _customer_fields_worded(frame):
    """A customer's field as the form names it (电话, not phone); other entities' fields as stored
    (an account's "name.password", a survey wave's "name": the same code means other things there)."""
    customer = frame["entity"] == "customer"
    worded = frame["field"].map(lambda code: tables.label_text(code, "field", lang()))
    return frame.assign(field=worded.where(customer, frame["field"]))


show_frame(_customer_fields_worded(rows), title="table.audit_log", header_prefix="col", key="adm_audit",
           file_stem="audit_log",
           kinds={"action": tables.label("action", "col.action", audit.ACTION_LABELS),  # words, not codes
                  "entity": tables.label("entity", "col.entity", audit.ENTITY_LABELS)},
           export=lambda: _customer_fields_worded(audit.audit_entries(db, user, since, who, action,
                                                                      limit=max(total, 1))[0]))

if user.role != "admin":
    st.stop()

render_accounts(db, user)
render_alerts(db, user)
render_scheduler(db, user)  # the scheduled jobs: last run, next run, failures; run now

st.subheader(tr("admin.backup"))
if st.button(tr("admin.make_backup"), key="adm_backup"):
    try:
        target = backup.backup_now(db, user)
    except backup.BackupProblem as problem:  # another backup or restore still running
        st.error(plain(problem.message(lang())))
    else:
        st.success(tr("admin.backup_done", path=plain(target)))

# Team mode: a pg_dump archive, restored while every process runs. Any file is taken, so one of
# another kind gets our message naming it and the fix, in the page's language (embedded: the same,
# from check_backup).
team = is_database_url(db.path)
uploaded = file_uploader(tr("admin.restore_from"), types=None if team else ["duckdb"], key="adm_restore_file",
                         help=tr("admin.restore_team_help") if team else None)
if uploaded is not None and st.button(tr("admin.restore"), key="adm_restore", type="primary"):
    try:  # the upload is copied to a private file and checked there; nothing changes until it passes
        done = backup.restore(db, user, uploaded, name=uploaded.name)
    except backup.BackupProblem as problem:
        st.error(plain(problem.message(lang())))
    except PermissionDenied as error:
        st.error(tr(error.key))
    else:
        st.success(tr("restore.done_team", file=plain(uploaded.name)) if done.previous is None
                   else tr("restore.done", file=plain(uploaded.name), previous=plain(done.previous)))
