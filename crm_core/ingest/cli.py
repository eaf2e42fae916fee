"""``python -m crm_core import KIND FILE``: exit 0 when imported, 1 when rows were rejected, 2 when the
file itself cannot be imported (missing, unreadable, a type we do not read: one line, no traceback)
or was already imported as this kind and ``--again`` was not given (the line says when and by whom);
problems, and what reading the file found and skipped (header row, titles, totals), on stderr in the
chosen language."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from crm_core.i18n import language_from_locale, t
from crm_core.ingest import KINDS, MODES, ImportProblem, problem_text, run_import
from crm_core.store import Store
from crm_core.users import Actor

EXIT_REJECTED, EXIT_PROBLEM = 1, 2
# DuckDB keeps the blocks an import writes cached up to its memory limit, so without a bound of its
# own the command's memory grew with the file (674 MiB at 10M rows, 933 MiB at 30M, issue 18).
# Those blocks are on disk already: evicting them costs nothing. Python and the libraries take ~190 MiB;
# with 600 MiB a 10M-row import into the 10M store peaked at 980 MiB, too near the bound for ~1 s.
IMPORT_MEMORY = "512MiB"


def add_import_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("kind", choices=sorted(KINDS))
    parser.add_argument("file", help="CSV/TXT (UTF-8, UTF-8 with BOM, GBK/GB18030, UTF-16), XLSX, XLSM, XLS or ODS")
    parser.add_argument("--db", help="DuckDB file (default $CRM_DB or data/crm.duckdb)")
    parser.add_argument("--mode", choices=MODES, default="create")
    parser.add_argument("--skip-invalid", action="store_true", help="write the valid rows, keep the rejected ones")
    parser.add_argument("--mapping", help='JSON file {"file header": "field"}; default: guessed from the headers')
    parser.add_argument("--create-customers", action="store_true",
                        help="create skeleton customers for unknown codes (transactions, interactions)")
    parser.add_argument("--sheet", help="the sheet of an XLSX/XLSM/XLS/ODS workbook (default: the first)")
    parser.add_argument("--header-row", type=int, metavar="N",
                        help="the row holding the column headers, as Excel numbers it (default: found)")
    parser.add_argument("--pad-codes", action="store_true",
                        help="restore the leading zeros Excel dropped from customer codes (to the store's code width)")
    parser.add_argument("--again", action="store_true",
                        help="import the file even though the same file was already imported as this kind")
    parser.add_argument("--lang", choices=("zh", "en"), help="language of the messages (default from $LANG)")
    parser.add_argument("--actor", default=os.environ.get("USER", "cli"), help="name recorded with the import")


def bound_import_memory(store: Store) -> None:
    """The import command's DuckDB holds at most ``IMPORT_MEMORY`` (or ``CRM_DUCKDB_MEMORY`` when set):
    its peak memory stays under 1 GiB whatever the size of the file."""
    if os.environ.get("CRM_DUCKDB_MEMORY", "").strip():
        return  # the operator chose the bound; Store opened with it
    cur = store.cursor()
    try:
        cur.execute(f"SET memory_limit = '{IMPORT_MEMORY}'")  # a constant, not user text
    finally:
        cur.close()


def run_cli(args: argparse.Namespace, store: Store) -> int:
    lang = args.lang or language_from_locale(os.environ.get("LANG"))
    bound_import_memory(store)
    actor = Actor(name=args.actor, role="manager")

    def progress(fraction: float, label: str) -> None:
        print(f"{t(label, lang)} {fraction:.0%}", file=sys.stderr, flush=True)

    try:
        mapping_text = _mapping_text(args.mapping)
        outcome = run_import(store, actor, args.kind, args.file, mode=args.mode, skip_invalid=args.skip_invalid,
                             mapping_text=mapping_text, create_customers=args.create_customers, lang=lang,
                             sheet=args.sheet, progress=progress, header_row=args.header_row,
                             pad_codes=args.pad_codes, again=args.again)
    except ImportProblem as problem:
        print(problem_text(problem, lang), file=sys.stderr)
        return EXIT_PROBLEM
    for key, params in outcome.notices:
        print(t(key, lang, **params), file=sys.stderr)
    if outcome.result is None:
        for line in outcome.lines:
            print(line, file=sys.stderr)
        v = outcome.validation
        print(t("ingest.rejected", lang, rejected=f"{v.rejected_rows:,}", rows=f"{v.rows_read:,}"), file=sys.stderr)
        return EXIT_REJECTED
    r = outcome.result
    print(t("ingest.imported", lang, import_id=r.import_id, rows=f"{r.rows_read:,}", created=f"{r.created:,}",
            updated=f"{r.updated:,}", rejected=f"{r.rejected:,}", customers=f"{r.customers_created:,}",
            seconds=f"{r.seconds:.1f}"))
    return 0


def _mapping_text(path: str | None) -> str | None:
    """The ``--mapping`` file's text; a missing or unreadable one is an ImportProblem (one line, exit 2)."""
    if not path:
        return None
    if not Path(path).is_file():
        raise ImportProblem("ingest.err_file_missing", file=path)
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise ImportProblem("ingest.err_file_unreadable", file=path) from None
