"""``python -m crm_core report --lang zh --as-of 2026-06-30 --out report.pdf``: the management
report as a PDF file. Exit 0 when written; 2 when it cannot be made (no Chromium or Chinese font,
a bad date, an existing file without ``--force``, a folder that cannot be written): one line on
stderr, no traceback. The report is made as the OS user, as an admin (like backups), and audited."""
from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from pathlib import Path

import duckdb

from crm_core.__main__ import cli_actor
from crm_core.analysis_date import data_span, default_from_span
from crm_core.config import load_settings
from crm_core.customers import today_in
from crm_core.i18n import LANGUAGES, language_from_locale, t
from crm_core.report import ChromiumMissing, audited_download, build_pdfs, file_name
from crm_core.store import Store

EXIT_PROBLEM = 2


def add_report_command(subparsers) -> None:
    command = subparsers.add_parser("report", help="write the management report (PDF, A4) for an analysis date")
    command.add_argument("--lang", choices=LANGUAGES, help="language of the report (default from $LANG)")
    command.add_argument("--as-of", help="analysis date YYYY-MM-DD (default: the app's default analysis date)")
    command.add_argument("--out", help="PDF file to write (default kehu-report-<date>-<lang>.pdf here)")
    command.add_argument("--force", action="store_true", help="overwrite the file if it exists")
    command.add_argument("--db", help="DuckDB file (default $CRM_DB or data/crm.duckdb)")
    command.set_defaults(run=run_report)


def _default_as_of(store: Store) -> date:
    """The app's default analysis date: today, or the last transaction day of stale data."""
    _, last = data_span(store)
    return default_from_span(last, today_in(store))[0]


def run_report(args: argparse.Namespace) -> int:
    lang = args.lang or language_from_locale(os.environ.get("LANG"))
    try:
        as_of = date.fromisoformat(args.as_of) if args.as_of else None
    except ValueError:
        print(f"error: --as-of {args.as_of!r} is not a date (YYYY-MM-DD)", file=sys.stderr)
        return EXIT_PROBLEM
    settings = load_settings()
    try:
        store = Store(args.db or settings.db_path, settings.timezone)
    except duckdb.IOException as error:
        print(f"error: {error}\nThe app has the store open: use the report button on its Overview page, "
              "or stop the app and run this again.", file=sys.stderr)
        return EXIT_PROBLEM
    as_of = as_of or _default_as_of(store)
    out = Path(args.out or file_name(as_of, lang))
    if out.exists() and not args.force:
        print(f"error: {out} exists (use --force to overwrite it)", file=sys.stderr)
        return EXIT_PROBLEM
    actor = cli_actor()
    try:
        pdf = build_pdfs(store, actor, as_of, (lang,))[lang]
    except ChromiumMissing as missing:
        print(f"error: {t('report.no_chromium', lang)} ({missing})", file=sys.stderr)
        return EXIT_PROBLEM
    try:
        out.write_bytes(audited_download(store, actor, pdf, out.name))
    except OSError as error:
        print(f"error: cannot write {out}: {error.strerror}", file=sys.stderr)
        return EXIT_PROBLEM
    print(f"wrote {out} ({len(pdf):,} bytes, as of {as_of.isoformat()}, {lang})")
    return 0
