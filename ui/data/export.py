"""The export tab of the Data page: every table as CSV (all rows, streamed by DuckDB) and XLSX (capped)."""
from __future__ import annotations

import os

import streamlit as st

from crm_core.exporting import to_xlsx_bytes
from crm_core.i18n import format_number
from crm_core.ingest import exports
from ui.cache import cached_read
from ui.common import choice_label, lang, tr


@cached_read(ttl=120, max_entries=16)
def _count(db, who, table: str) -> int:
    return exports.row_count(db, who, table)


def render(db, user) -> None:
    st.caption(tr("data.export_note"))
    label = choice_label("ingest.kind")
    for table in exports.EXPORT_TABLES:
        rows = _count(db, user, table)
        st.subheader(f"{label(table)} · {format_number(rows, lang())}")
        left, right = st.columns(2)
        if left.button(tr("data.prepare_csv"), key=f"data_exp_csv_{table}"):
            with st.spinner(tr("data.preparing")):
                path = exports.export_csv_file(db, user, table)
            with open(path, "rb") as handle:
                st.session_state[f"data_csv_{table}"] = handle.read()
            os.unlink(path)
        if f"data_csv_{table}" in st.session_state:
            left.download_button(tr("ui.download_csv"), st.session_state[f"data_csv_{table}"], f"{table}.csv",
                                 "text/csv", key=f"data_dl_csv_{table}")
        if right.button(tr("data.prepare_xlsx"), key=f"data_exp_xlsx_{table}"):
            with st.spinner(tr("data.preparing")):
                frame = exports.export_frame(db, user, table)
                st.session_state[f"data_xlsx_{table}"] = to_xlsx_bytes(frame, table)
        if f"data_xlsx_{table}" in st.session_state:
            right.download_button(tr("ui.download_xlsx"), st.session_state[f"data_xlsx_{table}"], f"{table}.xlsx",
                                  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                                  key=f"data_dl_xlsx_{table}")
        if rows > exports.XLSX_DEFAULT_CAP:
            right.caption(tr("data.xlsx_capped", cap=format_number(exports.XLSX_DEFAULT_CAP, lang()),
                             rows=format_number(rows, lang())))
