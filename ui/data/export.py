"""The export tab of the Data page: every table as CSV (all rows, streamed by DuckDB) and XLSX (capped).

Each file is read through the user's scope (``crm_core.ingest.exports``: a rep's own customers, a
viewer's contact details masked) when its button is pressed, and kept for the download button
with the user it was made for: after a change of account or role in the same browser session the
old file is no longer offered.
"""
from __future__ import annotations

import os

import streamlit as st

from crm_core.exporting import to_xlsx_bytes
from crm_core.i18n import format_number
from crm_core.ingest import exports
from ui.cache import cached_read
from ui.common import choice_label, lang, tr

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@cached_read(ttl=120, max_entries=16)
def _count(db, who, table: str) -> int:
    return exports.row_count(db, who, table)


def _csv(db, user, table: str) -> bytes:
    path = exports.export_csv_file(db, user, table)
    try:
        with open(path, "rb") as handle:
            return handle.read()
    finally:
        os.unlink(path)


def _xlsx(db, user, table: str) -> bytes:
    return to_xlsx_bytes(exports.export_frame(db, user, table), table)


def _prepared(user, slot: str) -> bytes | None:
    """The file prepared in this session under ``slot``, if it was prepared for ``user``."""
    made = st.session_state.get(slot)
    return made[1] if made is not None and made[0] == user else None


def _file_buttons(column, db, user, table: str, fmt: str, make, mime: str) -> None:
    slot = f"data_{fmt}_{table}"
    if column.button(tr(f"data.prepare_{fmt}"), key=f"data_exp_{fmt}_{table}"):
        with st.spinner(tr("data.preparing")):
            st.session_state[slot] = (user, make(db, user, table))
    data = _prepared(user, slot)
    if data is not None:
        column.download_button(tr(f"ui.download_{fmt}"), data, f"{table}.{fmt}", mime, key=f"data_dl_{fmt}_{table}")


def render(db, user) -> None:
    st.caption(tr("data.export_note"))
    label = choice_label("ingest.kind")
    for table in exports.EXPORT_TABLES:
        rows = _count(db, user, table)
        st.subheader(f"{label(table)} · {format_number(rows, lang())}")
        left, right = st.columns(2)
        _file_buttons(left, db, user, table, "csv", _csv, "text/csv")
        _file_buttons(right, db, user, table, "xlsx", _xlsx, XLSX_MIME)
        if rows > exports.XLSX_DEFAULT_CAP:
            right.caption(tr("data.xlsx_capped", cap=format_number(exports.XLSX_DEFAULT_CAP, lang()),
                             rows=format_number(rows, lang())))
