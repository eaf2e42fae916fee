"""The history tab of the Data page: every import, its rejected rows, and undo."""
from __future__ import annotations

import streamlit as st

from crm_core import ingest
from crm_core.exporting import to_csv_bytes
from crm_core.users import PermissionDenied
from ui.common import choice_label, download_buttons, lang, tr

COLUMNS = ("import_id", "imported_at", "actor", "file_name", "kind", "mode", "encoding", "rows_read", "rows_created",
           "rows_updated", "rows_rejected", "undone_at", "sha256")


def render(db, user) -> None:
    history = ingest.import_history(db, user)
    if history.empty:
        st.info(tr("data.no_imports"))
        return
    shown = history[list(COLUMNS)].copy()
    shown["kind"] = shown["kind"].map(choice_label("ingest.kind"))
    shown.columns = [tr(f"data.h_{c}") for c in COLUMNS]
    st.dataframe(shown, hide_index=True, width="stretch", key="data_history_table")
    download_buttons(history, "imports", key="data_hist_dl")
    ids = history["import_id"].tolist()
    chosen = st.selectbox(tr("data.pick_import"), ids, key="data_pick_import",
                          format_func=lambda i: f"#{i} · {history.set_index('import_id').loc[i, 'file_name']}")
    row = history.set_index("import_id").loc[chosen]
    rejects = ingest.rejected_rows(db, chosen)
    if not rejects.empty:
        report = ingest.error_report(ingest.get_kind(row["kind"]), rejects.rename(columns={"message_key": "key"}),
                                     lang())
        st.download_button(tr("data.download_rejects", count=len(rejects)), to_csv_bytes(report),
                           f"import_{chosen}_rejected.csv", "text/csv", key="data_rej_dl")
    if row["undone_at"] == row["undone_at"] and row["undone_at"] is not None:
        st.caption(tr("data.already_undone"))
        return
    if st.button(tr("data.undo", import_id=chosen), key="data_undo"):
        try:
            done = ingest.undo_import(db, user, chosen)
        except ingest.ImportProblem as problem:
            st.error(ingest.problem_text(problem, lang()))
        except PermissionDenied as denied:
            st.error(tr(denied.key))
        else:
            st.success(tr("data.undone", import_id=chosen, customers=done["customers"], restored=done["restored"],
                          transactions=done["transactions"], interactions=done["interactions"]))
