"""The history tab of the Data page: every import, its rejected rows, and undo.

Imports and rejected cells are read as the user may read them (``crm_core.access.RULES``): a rep
sees no import, a viewer sees rejected contact details masked; both downloads are audited. The
import picker starts on the newest import whenever a new one appears; undo first says what it
will delete and restore (``ingest.undo_preview``, the same checks as the undo itself) and runs only
after the user has ticked that they understand.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from crm_core import ingest
from crm_core.i18n import format_date, format_number
from crm_core.users import PermissionDenied
from ui.common import audited_export, choice_label, denied_reason, lang, plain, tr
from ui.tables import show_frame

COLUMNS = ("import_id", "imported_at", "actor", "file_name", "kind", "mode", "encoding", "rows_read", "rows_created",
           "rows_updated", "rows_rejected", "undone_at", "sha256")
UNDONE = "data_undone_message"  # the success message of an undo, shown after the page is drawn again


def _blank(value) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def _when(value) -> str:
    return "" if pd.isna(value) else format_date(pd.Timestamp(value).to_pydatetime(), lang())


def history_table(history: pd.DataFrame) -> pd.DataFrame:
    """The imports under the user's headings: kinds and modes in words, times readable, blanks blank."""
    shown = history[list(COLUMNS)].copy()
    shown["kind"] = shown["kind"].map(choice_label("ingest.kind"))
    shown["mode"] = shown["mode"].map(choice_label("ingest.mode"))
    for column in ("imported_at", "undone_at"):
        shown[column] = history[column].map(_when)
    for column in ("actor", "file_name", "encoding", "sha256"):
        shown[column] = history[column].map(_blank)
    shown.columns = [tr(f"data.h_{c}") for c in COLUMNS]
    return shown


def _undo(db, user, import_id: int) -> None:
    """Undo after a confirmation, saying first what the undo removes and restores."""
    reason = denied_reason(user, "import")  # undo needs the import right: say why it is not offered
    if reason:
        st.caption(reason)
        return
    preview = ingest.undo_preview(db, user, import_id)
    if preview["refused"] is not None:
        st.warning(tr("data.undo_refused", reason=plain(ingest.problem_text(preview["refused"], lang()))))
        return
    counts = {name: format_number(preview[name], lang())
              for name in ("customers", "restored", "transactions", "interactions", "rows")}
    kind = choice_label("ingest.kind")(preview["kind"])
    # A capability's import (churn events, survey answers) is its own rows; the core kinds' are the rest.
    message = "data.undo_preview_rows" if preview["rows"] else "data.undo_preview"
    st.info(tr(message, import_id=import_id, kind=kind, **counts))
    sure = st.checkbox(tr("data.undo_confirm"), key=f"data_undo_sure_{import_id}")
    if not st.button(tr("data.undo", import_id=import_id), key="data_undo", disabled=not sure):
        return
    try:
        done = ingest.undo_import(db, user, import_id)
    except ingest.ImportProblem as problem:
        st.error(plain(ingest.problem_text(problem, lang())))
    except PermissionDenied as denied:
        st.error(tr(denied.key))
    else:
        st.session_state[UNDONE] = tr("data.undone_rows" if done["rows"] else "data.undone", import_id=import_id,
                                      kind=kind, **{name: format_number(done[name], lang()) for name in counts})
        st.rerun()  # the table above shows the undo too


def render(db, user) -> None:
    if UNDONE in st.session_state:
        st.success(st.session_state.pop(UNDONE))
    history = ingest.import_history(db, user)
    if history.empty:
        st.info(tr("data.no_imports"))
        return
    show_frame(history_table(history), title="table.imports", key="data_history_table", file_stem="imports")
    by_id = history.set_index("import_id")
    ids = history["import_id"].tolist()  # newest first
    # Keyed on the newest import: a new import makes a new picker, which starts on it.
    chosen = st.selectbox(tr("data.pick_import"), ids, key=f"data_pick_import_{ids[0]}",
                          format_func=lambda i: f"#{i} · {by_id.loc[i, 'file_name']}")
    row = by_id.loc[chosen]
    rejects = ingest.rejected_rows(db, user, chosen)
    if not rejects.empty:
        report = ingest.error_report(ingest.get_kind(row["kind"]), rejects.rename(columns={"message_key": "key"}),
                                     lang())
        st.download_button(tr("data.download_rejects", count=len(rejects)),
                           audited_export(f"import_{chosen}_rejected.csv", "csv", lambda: report),
                           f"import_{chosen}_rejected.csv", "text/csv", key="data_rej_dl", on_click="ignore")
    if not pd.isna(row["undone_at"]):
        st.caption(tr("data.already_undone", import_id=chosen, when=_when(row["undone_at"]),
                      who=plain(_blank(row["undone_by"]))))
        return
    _undo(db, user, int(chosen))
