"""Import and export center: real files from real analysts, streamed through DuckDB.

The app's Data page and ``python -m crm_core import`` call the same functions:

    prepared = prepare_file(path, kind="customers")     # decode.py, sheets.py, layout.py: see below
    kind = get_kind("customers")
    job = ImportJob(kind, prepared, guess_mapping(kind, prepared.headers, prepared.hidden_columns), mode="upsert")
    validation = validate(store, actor, job)            # counts, errors, likely duplicates, diff sample
    result = commit(store, actor, job)                  # ONE transaction; ImportRejected if atomic and bad rows
    undo_import(store, actor, result.import_id)

``prepare_file`` reads CSV/TXT in any encoding Excel or WPS writes, space-aligned text, and the
spreadsheets .xlsx/.xlsm/.xls/.ods (python-calamine); it finds the header row below titles (or takes
``header_row``), leaves out totals at the end, and says what it did in ``prepared.notices``.
``run_import`` does all of that for a path (the CLI). A file already imported as the same kind
(same sha256, not undone: ``previous_import_of``) is imported again only when asked to
(``again=True``; the CLI's ``--again``, the Data page's confirmation): importing the same
transactions twice would double them, silently. The core kinds (customers, transactions,
interactions) are declared in ``kinds.py``; capabilities declare theirs in the capability registry
(``crm_core.capabilities``), which ``KINDS`` / ``kinds()`` / ``get_kind`` read, in its order.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from crm_core.ingest.decode import MAX_UPLOAD_BYTES, ImportProblem, PreparedFile, prepare_file, sheet_names
from crm_core.ingest.kinds import MODES, Kind, get_kind, kinds
from crm_core.ingest.layout import column_letter
from crm_core.ingest.mappings import (
    guess_mapping,
    mapping_from_file,
    remember_mapping,
    remembered_mapping,
    suggested_mapping,
)
from crm_core.ingest.pipeline import (
    ImportJob,
    ImportRejected,
    ImportResult,
    Validation,
    check_job,
    commit,
    drop_stage,
    error_lines,
    error_report,
    import_history,
    preview_rows,
    problem_text,
    rejected_rows,
    stage,
    undo_import,
    undo_preview,
    validate,
    with_column_names,
)
from crm_core.store import Store
from crm_core.users import Actor


@dataclass(frozen=True)
class PreviousImport:
    """An import of the same file as the same kind that is still in the store (not undone)."""

    import_id: int
    imported_at: datetime
    actor: str
    file_name: str

    def message_params(self, timezone: str) -> dict:
        """The parameters of the "already imported" messages: number, when (local time), by whom, file."""
        when = self.imported_at.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M")
        return {"import_id": self.import_id, "when": when, "actor": self.actor, "file": self.file_name}


def previous_import_of(store: Store, kind: str, sha256: str) -> PreviousImport | None:
    """The latest import, not undone, of the file whose content hashes to ``sha256`` as ``kind``."""
    row = store.query_one("SELECT import_id, imported_at, actor, file_name FROM imports WHERE kind = ? AND sha256 = ?"
                          " AND undone_at IS NULL ORDER BY import_id DESC LIMIT 1", [kind, sha256])
    return None if row is None else PreviousImport(int(row[0]), row[1], row[2], row[3])


@dataclass
class RunOutcome:
    """What ``run_import`` did: a result, or the validation that rejected the file (with its error lines),
    and what reading the file found and skipped (``notices``: catalog key and params)."""

    result: ImportResult | None
    validation: Validation | None = None
    lines: list[str] = field(default_factory=list)
    notices: list[tuple[str, dict]] = field(default_factory=list)


def run_import(store: Store, actor: Actor, kind_name: str, path: str, mode: str = "create",
               skip_invalid: bool = False, mapping_text: str | None = None, create_customers: bool = False,
               lang: str = "en", file_name: str | None = None, sheet: str | None = None,
               max_bytes: int | None = None, progress=None, header_row: int | None = None,
               pad_codes: bool = False, again: bool = False) -> RunOutcome:
    """Import one file end to end. Clean files commit straight from the CSV (one pass to check, one to
    write); a file with bad rows is staged so every problem is named by its row.

    The header row is found by the kind's headers unless ``header_row`` (as Excel numbers it) is given.
    Raises ImportProblem for whole-file problems (missing, type, encoding, empty, missing column, bad
    mapping, and a file already imported as this kind unless ``again``).
    """
    kind = get_kind(kind_name)
    prepared = prepare_file(path, file_name=file_name, sheet=sheet, max_bytes=max_bytes, kind=kind,
                            header_row=header_row)
    try:
        previous = None if again else previous_import_of(store, kind.name, prepared.sha256)
        if previous is not None:
            raise ImportProblem("uploads.already_imported_cli", **previous.message_params(store.timezone))
        if mapping_text:
            try:
                mapping = mapping_from_file(kind, prepared.headers, mapping_text)
            except ValueError as error:
                raise ImportProblem("ingest.err_mapping_file", detail=str(error)) from None
        else:
            mapping = suggested_mapping(store, kind, prepared.headers, prepared.hidden_columns)[0]
        job = ImportJob(kind, prepared, mapping, mode, skip_invalid, create_customers, pad_codes=pad_codes)
        check_job(job)
        try:
            try:
                return RunOutcome(commit(store, actor, job, progress=progress), notices=prepared.notices)
            except ImportRejected:
                validation = validate(store, actor, job, detail=True)
                return RunOutcome(None, validation, error_lines(job, validation.errors, lang), prepared.notices)
        finally:
            drop_stage(store, job)
    finally:
        prepared.cleanup()


__all__ = [
    "KINDS", "MAX_UPLOAD_BYTES", "MODES", "ImportJob", "ImportProblem", "ImportRejected", "ImportResult", "Kind",
    "PreparedFile", "PreviousImport", "RunOutcome", "Validation", "check_job", "column_letter", "commit", "drop_stage", "error_lines", "error_report",
    "get_kind", "guess_mapping", "import_history", "kinds", "mapping_from_file", "prepare_file", "preview_rows",
    "previous_import_of", "problem_text",
    "rejected_rows", "remember_mapping", "remembered_mapping", "run_import", "sheet_names", "stage",
    "suggested_mapping", "undo_import", "undo_preview", "validate", "with_column_names",
]


def __getattr__(name: str):
    """``KINDS``: every import kind by name, in registry order (read on use, so the base layer
    never imports a capability; see crm_core.capabilities)."""
    if name == "KINDS":
        return kinds()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
