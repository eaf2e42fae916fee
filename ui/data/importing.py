"""The import tab of the Data page: upload → header row → preview → map → validate → commit
(logic in crm_core.ingest).

Everything is shown in the user's words: field labels from the catalog instead of field names,
Excel's column letters and row numbers, blanks blank (never ``None`` or ``nan``), numbers formatted.
The uploader accepts any file, so a type we cannot read gets our own message in the UI language
rather than Streamlit's English refusal.

An upload is checked before it is read (issue 16, finding 11): a user whose role may not import
gets the reason and no uploader, so no file of theirs reaches the server; then the type and the
size; spreadsheets are read by crm_core's bounded worker. The copy written for the reader
(``kehu_upload_*``, mode 600) and its decoded CSV are deleted when the import ends or fails, when
the file is removed from the uploader or replaced, and when the session ends (``UploadCopies``; the
stale purge in crm_core.ingest.decode catches what a killed server leaves). A file already
imported as the kind (same content, not undone) is imported again only after the user confirms.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import weakref
from collections import Counter
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pandas as pd
import streamlit as st

from crm_core import ingest
from crm_core.i18n import format_number, join_list
from crm_core.ingest.decode import TYPES_READ, is_spreadsheet
from crm_core.users import PermissionDenied
from ui.common import choice_label, denied_reason, lang, plain, tr
from ui.metrics import count_metric
from ui.tables import show_frame
from ui.uploader import file_uploader
from ui.view_state import catalog_label, in_url, kept

NUMBER_RULES = ("decimal", "int")                # field rules whose values are shown with thousands separators
OPTION_CELLS = 6                                 # header cells shown in a header-row choice
PAD_CODES = "data_pad_codes"                     # the upload whose codes get their leading zeros back
REVALIDATE = "data_revalidate"                   # check the file again on the next run (after a one-click fix)
COPIES = "data_upload_copies"                    # the session's UploadCopies
AGAIN = "data_import_again"                      # (+ kind and import): the user confirmed importing a file again


def _readable(name: str) -> bool:
    """The reader's own rule (crm_core.ingest.decode.is_spreadsheet) on which file types it reads."""
    try:
        is_spreadsheet(name)
    except ingest.ImportProblem:
        return False
    return True


def _delete(state: dict) -> None:
    """Delete what ``UploadCopies`` holds (a module function: the finalizer must not hold the object)."""
    for path in state["uploads"].values():
        with contextlib.suppress(OSError):
            os.unlink(path)
    state["uploads"].clear()
    if state["prepared"] is not None:
        state["prepared"][1].cleanup()
        state["prepared"] = None
    state["sheets"] = None


class UploadCopies:
    """A session's copies of its upload on disk: the file as uploaded (``kehu_upload_*``) and what
    the reader made of it (a PreparedFile and its decoded CSV), plus the upload's sheet names.

    ``forget`` deletes them; so does the finalizer, when Streamlit drops the session's state after the
    browser went away, and at the server's normal exit (weakref.finalize runs at exit).
    """

    def __init__(self):
        self._state = {"uploads": {}, "prepared": None, "sheets": None}
        weakref.finalize(self, _delete, self._state)

    def path_for(self, upload) -> str:
        """The upload written once to a temp file (mode 600: mkstemp, and the process umask is 077)."""
        uploads = self._state["uploads"]
        if upload.file_id not in uploads or not Path(uploads[upload.file_id]).exists():
            self.forget(keep=None)  # one upload at a time: a replaced file's copies go
            handle, path = tempfile.mkstemp(suffix=Path(upload.name).suffix or ".csv", prefix="kehu_upload_")
            with os.fdopen(handle, "wb") as out:
                out.write(upload.getbuffer())
            uploads[upload.file_id] = path
        return uploads[upload.file_id]

    def sheet_names(self, upload) -> list[str]:
        """The workbook's sheets, read once per upload (by crm_core's bounded worker)."""
        held = self._state["sheets"]
        if held is None or held[0] != upload.file_id:
            held = (upload.file_id, ingest.sheet_names(self.path_for(upload), file_name=upload.name))
            self._state["sheets"] = held
        return held[1]

    def prepared(self, read_as: tuple):
        held = self._state["prepared"]
        return held[1] if held is not None and held[0] == read_as else None

    def keep_prepared(self, read_as: tuple, prepared) -> None:
        held = self._state["prepared"]
        if held is not None and held[1] is not prepared:
            held[1].cleanup()
        self._state["prepared"] = (read_as, prepared)

    def forget(self, keep: str | None = None) -> None:
        """Delete every copy (``keep``: an upload's file id whose copy stays, with what was read of it)."""
        if keep is not None and set(self._state["uploads"]) <= {keep}:
            return
        _delete(self._state)


def _copies() -> UploadCopies:
    if COPIES not in st.session_state:
        st.session_state[COPIES] = UploadCopies()
    return st.session_state[COPIES]


def _prepared(upload, kind, sheet: str | None, header_row: int | None):
    """The upload read with ``header_row`` (None: the row the reader finds), kept for the session.

    Choosing the row that was already taken reuses that read: a big file is not read twice.
    """
    copies = _copies()
    read_as = (upload.file_id, sheet, kind.name)
    prepared = copies.prepared(read_as)
    if prepared is not None and header_row in (None, prepared.header_row):
        return prepared
    chosen = {} if header_row is None else {"header_row": header_row}  # the reader's own choice otherwise
    # The kind's headers tell the reader which row holds them (below titles and notes).
    prepared = ingest.prepare_file(copies.path_for(upload), file_name=upload.name, sheet=sheet, kind=kind, **chosen)
    copies.keep_prepared(read_as, prepared)
    return prepared


# -- showing values -------------------------------------------------------------------------------------
def _is_blank(value) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def _text(value) -> str:
    """A cell as the user reads it: blank for a missing value (None, NaN, NaT, <NA>)."""
    return "" if _is_blank(value) else str(value)


def _row_text(value) -> str:
    """A row number as Excel shows it (3, not 3.0); blank when there is none."""
    return "" if _is_blank(value) else str(int(value))


def _value_text(kind, field_name: str, value) -> str:
    """A stored or new value of a field, numbers with thousands separators (1,234.50)."""
    text = _text(value)
    if text and kind.field(field_name).rule.name in NUMBER_RULES:
        try:
            return f"{Decimal(text):,}"
        except InvalidOperation:
            return text
    return text


def _blanks_blank(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype(object).map(_text)


def diff_table(kind, diff: pd.DataFrame) -> pd.DataFrame:
    """The changes an update would make, under the user's headings: row, code, field, old and new value."""
    return pd.DataFrame({
        tr("ingest.col_row"): [_row_text(r) for r in diff["row_number"]],
        tr(kind.field(kind.key).label_key): [_text(c) for c in diff["code"]],
        tr("col.field"): [tr(kind.field(f).label_key) for f in diff["field"]],
        tr("col.old_value"): [_value_text(kind, f, v) for f, v in zip(diff["field"], diff["old"])],
        tr("col.new_value"): [_value_text(kind, f, v) for f, v in zip(diff["field"], diff["new"])],
    })


def duplicates_table(kind, duplicates: pd.DataFrame) -> pd.DataFrame:
    """Likely duplicates under the user's headings; the other customer is stored or a row of this file."""
    label = {name: tr(kind.field(name).label_key) for name in ("code", "name", "phone")}
    return pd.DataFrame({
        tr("ingest.col_row"): [_row_text(r) for r in duplicates["row_number"]],
        label["code"]: [_text(v) for v in duplicates["code"]],
        label["name"]: [_text(v) for v in duplicates["name"]],
        label["phone"]: [_text(v) for v in duplicates["phone"]],
        tr("data.dup_same_as"): [_text(v) for v in duplicates["other_code"]],
        tr("data.dup_where"): [tr("data.dup_in_store") if _is_blank(r) else tr("data.dup_in_file", row=_row_text(r))
                               for r in duplicates["other_row"]],
    })


# -- the file --------------------------------------------------------------------------------------------
def _sheet_choice(upload) -> str | None:
    if not is_spreadsheet(upload.name):  # only workbooks have sheets to choose from
        return None
    return st.selectbox(tr("data.sheet"), _copies().sheet_names(upload), key="data_sheet")


def _header_row_key(upload, sheet: str | None) -> str:
    return f"data_header_row_{upload.file_id}_{sheet}"


def _header_row_choice(prepared, key: str) -> None:
    """Let the user take another row as the header (the choice re-reads the file); which row was taken
    and what was skipped above it are the reader's notices, shown next."""
    row = prepared.header_row
    candidates = list(prepared.header_candidates)
    cells = {number: texts for number, texts in candidates}
    if len(cells) < 2:
        return
    rows = sorted(set(cells) | {row})

    def label(number: int) -> str:
        filled = [" ".join(c.split()) for c in cells.get(number, []) if c and c.strip()]
        shown = " | ".join(filled[:OPTION_CELLS]) + (" | …" if len(filled) > OPTION_CELLS else "")
        return tr("data.header_row_option", row=number, cells=shown)

    labels = {number: label(number) for number in rows}  # made now: format_func may run outside the script
    st.selectbox(tr("data.header_row_pick"), rows, index=rows.index(row), format_func=labels.get, key=kept(key),
                 help=tr("data.header_row_help"))


def _notices(prepared) -> None:
    """What the reader did to the file on its own (title rows, totals, duplicate or hidden columns)."""
    for key, params in prepared.notices:
        st.info(plain(tr(key, **params)))  # params quote the file (titles, headers)


def _file_caption(upload, sheet: str | None, prepared) -> str:
    if sheet is not None:
        return tr("data.file_read_sheet", sheet=sheet, columns=len(prepared.headers))
    return tr("data.file_read", encoding=prepared.encoding, delimiter=repr(prepared.delimiter),
              columns=len(prepared.headers))


def field_labels(kind) -> dict[str, str]:
    """Each field of ``kind`` by its catalog label (客户编号, not ``code``); a label two fields share
    gets a number, so every choice in the mapping editor stays one field."""
    labels = {name: tr(kind.field(name).label_key) for name in kind.field_names}
    seen = Counter(labels.values())
    numbered = Counter()
    for name, label in labels.items():
        if seen[label] > 1:
            numbered[label] += 1
            labels[name] = f"{label} ({numbered[label]})"
    return labels


def _mapping_editor(db, kind, prepared, sample: pd.DataFrame) -> dict[int, str]:
    suggested, remembered = ingest.suggested_mapping(db, kind, prepared.headers, prepared.hidden_columns)
    if remembered:
        st.caption(tr("data.mapping_remembered"))
    labels = field_labels(kind)
    by_label = {v: k for k, v in labels.items()}
    hidden = prepared.hidden_columns
    count = len(prepared.headers)
    letters = [tr("data.hidden_column", letter=prepared.letter(i)) if i in hidden else prepared.letter(i)
               for i in range(count)]
    table = pd.DataFrame({
        tr("data.excel_column"): letters,
        tr("data.file_column"): [h or f"#{i + 1}" for i, h in enumerate(prepared.headers)],
        tr("data.sample_value"): [_text(sample.iloc[0, i]) if len(sample) and i < sample.shape[1] else ""
                                  for i in range(count)],
        tr("data.maps_to"): [labels.get(suggested.get(i), "") for i in range(count)],
    })
    signature = hashlib.sha1(repr((kind.name, prepared.headers)).encode()).hexdigest()[:10]
    edited = st.data_editor(
        table, hide_index=True, width="stretch", key=f"data_map_{signature}",
        disabled=[tr("data.excel_column"), tr("data.file_column"), tr("data.sample_value")],
        column_config={tr("data.maps_to"): st.column_config.SelectboxColumn(options=["", *labels.values()])})
    return {i: by_label[v] for i, v in enumerate(edited[tr("data.maps_to")]) if v in by_label}


# -- validate and commit ------------------------------------------------------------------------------------
def _restore_leading_zeros(file_id: str) -> None:
    st.session_state[PAD_CODES] = file_id
    st.session_state[REVALIDATE] = True


def _keep_leading_zeros_as_they_are() -> None:
    st.session_state.pop(PAD_CODES, None)
    st.session_state[REVALIDATE] = True


def _job(kind, prepared, mapping, mode, skip, skeletons, pad_codes: bool):
    # pad_codes is offered only once validation reports codes that lost their leading zeros
    return ingest.ImportJob(kind, prepared, mapping, mode, skip, skeletons, pad_codes=pad_codes)


def _show_validation(kind, job, validation, file_id: str, pad_codes: bool) -> None:
    c1, c2, c3, c4 = st.columns(4)
    count_metric(c1, tr("data.will_create"), validation.to_create)
    count_metric(c2, tr("data.will_update"), validation.to_update)
    count_metric(c3, tr("data.unchanged"), validation.unchanged)
    count_metric(c4, tr("data.rejected"), validation.rejected_rows)
    zeros = validation.pad_codes_would_fix
    if zeros and not pad_codes:
        st.warning(tr("data.pad_codes_note", count=format_number(zeros, lang())))
        st.button(tr("data.pad_codes_button"), key="data_pad_codes_fix", on_click=_restore_leading_zeros,
                  args=(file_id,))
    if validation.new_customers:
        st.info(tr("data.new_customers", count=format_number(validation.new_customers, lang())))
    if validation.rejected_rows:
        report = ingest.error_report(kind, ingest.with_column_names(job, validation.errors), lang())
        st.warning(tr("data.rejected_note", count=format_number(validation.rejected_rows, lang())))
        value = tr("ingest.col_value")  # the value as read from the file: text, a blank blank
        report = report.assign(**{value: report[value].map(_text)})
        show_frame(report.head(1000), title="grids.import_errors", key="data_errors", file_stem="import_errors",
                   export=report, kinds={tr("ingest.col_row"): "count"})
    if not validation.duplicates.empty:
        st.subheader(tr("data.duplicates"))
        st.caption(tr("data.duplicates_note"))
        st.dataframe(duplicates_table(kind, validation.duplicates), hide_index=True, width="stretch")
    if not validation.diff_sample.empty:
        st.subheader(tr("data.diff_sample"))
        st.dataframe(diff_table(kind, validation.diff_sample), hide_index=True, width="stretch")


def _commit(db, user, job) -> None:
    bar = st.progress(0.0, text=tr("ingest.stage_checking"))
    try:
        result = ingest.commit(db, user, job, progress=lambda f, label: bar.progress(min(f, 1.0), text=tr(label)))
    except ingest.ImportRejected as rejected:
        st.error(tr("data.rejected_atomic", count=format_number(rejected.validation.rejected_rows, lang())))
        return
    finally:  # the import ended, done or not: its copies go (the uploader still holds the file)
        _copies().forget()
    ingest.remember_mapping(db, user, job.kind, job.file.headers, job.mapping)
    st.session_state.pop("data_validation", None)
    st.success(tr("ingest.imported", import_id=result.import_id, rows=format_number(result.rows_read, lang()),
                  created=format_number(result.created, lang()), updated=format_number(result.updated, lang()),
                  rejected=format_number(result.rejected, lang()),
                  customers=format_number(result.customers_created, lang()), seconds=f"{result.seconds:.1f}"))


def _confirmed_again(db, kind, prepared) -> bool:
    """Whether this file may be imported: it never was as this kind (or that import was undone), or
    the user ticked "import it again" after being told when and by whom it was."""
    previous = ingest.previous_import_of(db, kind.name, prepared.sha256)
    if previous is None:
        return True
    params = previous.message_params(db.timezone)
    st.warning(tr("uploads.already_imported", **{**params, "actor": plain(params["actor"]),
                                                  "file": plain(params["file"])}))
    # keyed on that import: once this file is imported again, the next time asks afresh
    return st.checkbox(tr("uploads.import_again"), key=f"{AGAIN}_{kind.name}_{previous.import_id}")


def _upload():
    """The uploaded file once it passed what is checked before reading: type and size."""
    upload = file_uploader(tr("data.upload"), key="data_upload",
                           help=tr("data.upload_help", mb=ingest.MAX_UPLOAD_BYTES // (1024 * 1024)))
    if upload is None:
        _copies().forget()  # removed from the uploader (or never there): no copy stays
        st.caption(tr("data.upload_hint"))
        return None
    _copies().forget(keep=upload.file_id)  # another file replaced it
    if not _readable(upload.name):  # checked before the upload is saved or read
        st.error(tr("data.unsupported_type", file=plain(upload.name), types=join_list(TYPES_READ.split(", "), lang())))
        return None
    if upload.size > ingest.MAX_UPLOAD_BYTES:  # before a copy is written
        st.error(tr("ingest.err_too_large", size_mb=f"{upload.size / 1024 / 1024:,.1f}",
                    max_mb=f"{ingest.MAX_UPLOAD_BYTES / 1024 / 1024:,.0f}"))
        return None
    return upload


def render(db, user) -> None:
    reason = denied_reason(user, "import")
    if reason:  # role first: no uploader, so no file of this user's ever reaches the server
        _copies().forget()
        st.info(reason)
        return
    kind_name = st.selectbox(tr("data.kind"), list(ingest.KINDS), format_func=choice_label("ingest.kind"),
                             **in_url("data_kind", ingest.KINDS, catalog_label("ingest.kind")))
    kind = ingest.get_kind(kind_name)
    upload = _upload()
    if upload is None:
        return
    try:
        sheet = _sheet_choice(upload)
        header_key = _header_row_key(upload, sheet)
        prepared = _prepared(upload, kind, sheet, st.session_state.get(header_key))
        _header_row_choice(prepared, header_key)
        _notices(prepared)
        sample = ingest.preview_rows(db, prepared, 20)
    except ingest.ImportProblem as problem:
        _copies().forget()  # a file we cannot read is not kept
        st.error(plain(ingest.problem_text(problem, lang())))
        return
    st.caption(_file_caption(upload, sheet, prepared))
    st.dataframe(_blanks_blank(sample), hide_index=True, width="stretch")
    mapping = _mapping_editor(db, kind, prepared, sample)
    left, mid, right = st.columns(3)
    mode = left.radio(tr("data.mode"), kind.modes, format_func=choice_label("ingest.mode"),
                      **in_url("data_mode", kind.modes, catalog_label("ingest.mode")))
    skip = mid.checkbox(tr("data.skip_invalid"), key="data_skip", help=tr("data.skip_invalid_help"))
    skeletons = right.checkbox(tr("data.create_customers"), key="data_skeletons",
                               disabled=kind.customer_ref is None)
    pad_codes = st.session_state.get(PAD_CODES) == upload.file_id
    if pad_codes:
        right.checkbox(tr("data.pad_codes"), value=True, key="data_pad_codes_box",
                       on_change=_keep_leading_zeros_as_they_are)
    job = _job(kind, prepared, mapping, mode, skip, skeletons and kind.customer_ref is not None, pad_codes)
    token = (upload.file_id, sheet, prepared.header_row, kind_name, tuple(sorted(mapping.items())),
             mode, skip, skeletons, pad_codes)
    try:
        clicked = st.button(tr("data.validate"), type="primary", key="data_validate")
        if clicked or st.session_state.pop(REVALIDATE, False):
            st.session_state["data_validation"] = (token, ingest.validate(db, user, job))
        held = st.session_state.get("data_validation")
        if held is None or held[0] != token:
            return
        _show_validation(kind, job, held[1], upload.file_id, pad_codes)
        may_import = _confirmed_again(db, kind, prepared)
        if st.button(tr("data.commit"), key="data_commit",
                     disabled=bool(held[1].rejected_rows and not skip) or not may_import):
            _commit(db, user, job)
    except ingest.ImportProblem as problem:
        st.error(plain(ingest.problem_text(problem, lang())))
    except PermissionDenied as denied:
        st.error(tr(denied.key))
    finally:
        ingest.drop_stage(db, job)
