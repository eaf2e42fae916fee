"""The import tab of the Data page: upload → preview → map → validate → commit (logic in crm_core.ingest)."""
from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from crm_core import ingest
from crm_core.exporting import to_csv_bytes
from crm_core.i18n import format_number
from crm_core.users import PermissionDenied
from ui.common import choice_label, lang, tr

UPLOAD_TYPES = ["csv", "txt", "tsv", "xlsx", "xlsm"]


def _saved_upload(upload) -> str:
    """The upload written once to a temp file (kept for the session under its content hash)."""
    files = st.session_state.setdefault("data_uploads", {})
    key = upload.file_id
    if key not in files or not Path(files[key]).exists():
        suffix = Path(upload.name).suffix or ".csv"
        handle, path = tempfile.mkstemp(suffix=suffix, prefix="kehu_upload_")
        with os.fdopen(handle, "wb") as out:
            out.write(upload.getbuffer())
        files[key] = path
    return files[key]


def _prepared(upload, sheet: str | None):
    key = (upload.file_id, sheet)
    cached = st.session_state.get("data_prepared")
    if cached is None or cached[0] != key:
        if cached is not None:
            cached[1].cleanup()
        prepared = ingest.prepare_file(_saved_upload(upload), file_name=upload.name, sheet=sheet)
        st.session_state["data_prepared"] = (key, prepared)
    return st.session_state["data_prepared"][1]


def _mapping_editor(db, kind, prepared, sample: pd.DataFrame) -> dict[int, str]:
    suggested, remembered = ingest.suggested_mapping(db, kind, prepared.headers)
    if remembered:
        st.caption(tr("data.mapping_remembered"))
    labels = {name: f"{tr(kind.field(name).label_key)} ({name})" for name in kind.field_names}
    by_label = {v: k for k, v in labels.items()}
    table = pd.DataFrame({
        tr("data.file_column"): [h or f"#{i + 1}" for i, h in enumerate(prepared.headers)],
        tr("data.sample_value"): [str(sample.iloc[0, i]) if len(sample) else "" for i in range(len(prepared.headers))],
        tr("data.maps_to"): [labels.get(suggested.get(i), "") for i in range(len(prepared.headers))],
    })
    signature = hashlib.sha1(repr((kind.name, prepared.headers)).encode()).hexdigest()[:10]
    edited = st.data_editor(
        table, hide_index=True, width="stretch", key=f"data_map_{signature}",
        disabled=[tr("data.file_column"), tr("data.sample_value")],
        column_config={tr("data.maps_to"): st.column_config.SelectboxColumn(options=["", *labels.values()])})
    return {i: by_label[v] for i, v in enumerate(edited[tr("data.maps_to")]) if v in by_label}


def _show_validation(kind, job, validation) -> None:
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(tr("data.will_create"), format_number(validation.to_create, lang()))
    c2.metric(tr("data.will_update"), format_number(validation.to_update, lang()))
    c3.metric(tr("data.unchanged"), format_number(validation.unchanged, lang()))
    c4.metric(tr("data.rejected"), format_number(validation.rejected_rows, lang()))
    if validation.new_customers:
        st.info(tr("data.new_customers", count=format_number(validation.new_customers, lang())))
    if validation.rejected_rows:
        report = ingest.error_report(kind, ingest.with_column_names(job, validation.errors), lang())
        st.warning(tr("data.rejected_note", count=format_number(validation.rejected_rows, lang())))
        st.dataframe(report.head(1000), hide_index=True, width="stretch")
        st.download_button(tr("data.download_errors"), to_csv_bytes(report), "import_errors.csv", "text/csv",
                           key="data_err_dl")
    if not validation.duplicates.empty:
        st.subheader(tr("data.duplicates"))
        st.caption(tr("data.duplicates_note"))
        st.dataframe(validation.duplicates, hide_index=True, width="stretch")
    if not validation.diff_sample.empty:
        st.subheader(tr("data.diff_sample"))
        st.dataframe(validation.diff_sample, hide_index=True, width="stretch")


def _commit(db, user, job) -> None:
    bar = st.progress(0.0, text=tr("ingest.stage_checking"))
    try:
        result = ingest.commit(db, user, job, progress=lambda f, label: bar.progress(min(f, 1.0), text=tr(label)))
    except ingest.ImportRejected as rejected:
        st.error(tr("data.rejected_atomic", count=format_number(rejected.validation.rejected_rows, lang())))
        return
    ingest.remember_mapping(db, user, job.kind, job.file.headers, job.mapping)
    st.session_state.pop("data_validation", None)
    st.success(tr("ingest.imported", import_id=result.import_id, rows=format_number(result.rows_read, lang()),
                  created=format_number(result.created, lang()), updated=format_number(result.updated, lang()),
                  rejected=format_number(result.rejected, lang()),
                  customers=format_number(result.customers_created, lang()), seconds=f"{result.seconds:.1f}"))


def render(db, user) -> None:
    kind_name = st.selectbox(tr("data.kind"), list(ingest.KINDS), format_func=choice_label("ingest.kind"),
                             key="data_kind")
    kind = ingest.get_kind(kind_name)
    upload = st.file_uploader(tr("data.upload"), type=UPLOAD_TYPES, key="data_upload",
                              help=tr("data.upload_help", mb=ingest.MAX_UPLOAD_BYTES // (1024 * 1024)))
    if upload is None:
        st.caption(tr("data.upload_hint"))
        return
    try:
        sheet = None
        if upload.name.lower().endswith((".xlsx", ".xlsm")):
            sheets = ingest.sheet_names(_saved_upload(upload))
            sheet = st.selectbox(tr("data.sheet"), sheets, key="data_sheet")
        prepared = _prepared(upload, sheet)
        sample = ingest.preview_rows(db, prepared, 20)
    except ingest.ImportProblem as problem:
        st.error(ingest.problem_text(problem, lang()))
        return
    st.caption(tr("data.file_read", encoding=prepared.encoding, delimiter=repr(prepared.delimiter),
                  columns=len(prepared.headers)))
    st.dataframe(sample, hide_index=True, width="stretch")
    mapping = _mapping_editor(db, kind, prepared, sample)
    left, mid, right = st.columns(3)
    mode = left.radio(tr("data.mode"), kind.modes, format_func=choice_label("ingest.mode"), key="data_mode")
    skip = mid.checkbox(tr("data.skip_invalid"), key="data_skip", help=tr("data.skip_invalid_help"))
    skeletons = right.checkbox(tr("data.create_customers"), key="data_skeletons",
                               disabled=kind.customer_ref is None)
    job = ingest.ImportJob(kind, prepared, mapping, mode, skip, skeletons and kind.customer_ref is not None)
    token = (upload.file_id, sheet, kind_name, tuple(sorted(mapping.items())), mode, skip, skeletons)
    try:
        if st.button(tr("data.validate"), type="primary", key="data_validate"):
            st.session_state["data_validation"] = (token, ingest.validate(db, user, job))
        held = st.session_state.get("data_validation")
        if held is None or held[0] != token:
            return
        _show_validation(kind, job, held[1])
        if st.button(tr("data.commit"), key="data_commit", disabled=bool(held[1].rejected_rows and not skip)):
            _commit(db, user, job)
    except ingest.ImportProblem as problem:
        st.error(ingest.problem_text(problem, lang()))
    except PermissionDenied as denied:
        st.error(tr(denied.key))
    finally:
        ingest.drop_stage(db, job)
