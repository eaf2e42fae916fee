"""Downloads that Excel in China opens correctly and that cannot run formulas.

CSV is UTF-8 with a BOM (without it Excel reads UTF-8 as GBK and garbles Chinese). A text cell
beginning with ``= + - @``, tab or carriage return is prefixed with ``'`` so a spreadsheet shows
it as text instead of evaluating it (OWASP "CSV injection"); numbers stay numbers. A text that is
plainly a number or a phone number (``+86 138-0013-8000``, ``-1,234.50``: digits, spaces and
``+ - ( ) . ,`` only) is kept exactly as written: it names no function and no cell, so it cannot
run anything, and the value in an error list still matches the file it came from.
``neutralise`` is the rule; ``neutralise_sql`` is the same rule for the exports DuckDB writes itself.

``export_bytes`` is the whole download: neutralised, serialised and recorded in the audit log
(who, which file, how many rows), so a caller cannot hand out a file without the audit row. It
writes what it is given: the frame must have been read for the same actor (through the user's
cursor or ``crm_core.access``), as every page's download is — tests/test_scope_downloads.py opens
every page as a rep and as a viewer and searches each file for what they may not read.
"""
from __future__ import annotations

import csv
import io
import re
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter

from crm_core import tables
from crm_core.audit import record_event
from crm_core.i18n import currency_symbol
from crm_core.store import Store
from crm_core.users import Actor

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A number or phone number as people type it: the same pattern in Python's re and DuckDB's RE2.
PLAIN_NUMBER = r"[0-9 +\-().,]*[0-9][0-9 +\-().,]*"
_PLAIN_NUMBER_RE = re.compile(PLAIN_NUMBER)


def neutralise(value):
    """A text value made safe for a spreadsheet; anything that is not text is returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER_RE.fullmatch(value):
        return "'" + value
    return value


def neutralise_sql(column: str) -> str:
    """``neutralise`` as a DuckDB expression over ``column`` (a quoted name from our own lists)."""
    starts = ", ".join(f"chr({ord(c)})" for c in FORMULA_STARTS)
    return (f"CASE WHEN left({column}, 1) IN ({starts}) AND NOT regexp_full_match({column}, '{PLAIN_NUMBER}')"
            f" THEN '''' || {column} ELSE {column} END")


def neutralised(frame: pd.DataFrame) -> pd.DataFrame:
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(neutralise)
    safe.columns = [neutralise(str(c)) for c in safe.columns]
    return safe


def _without_timezones(frame: pd.DataFrame) -> pd.DataFrame:
    """Excel has no time zones: write local wall-clock time (the zone is in the app settings)."""
    out = frame.copy()
    for column in out.columns:
        if isinstance(out[column].dtype, pd.DatetimeTZDtype):
            out[column] = out[column].dt.tz_localize(None)
    return out


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    return neutralised(frame).to_csv(index=False).encode("utf-8-sig")


def to_xlsx_bytes(frame: pd.DataFrame, sheet_name: str = "data") -> bytes:
    """A frame's raw values (the Data page's re-importable export); shown tables use ``export_table``."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        _without_timezones(neutralised(frame)).to_excel(writer, index=False, sheet_name=sheet_name[:31])
    return buffer.getvalue()


# XLSX number formats per column kind (Excel's own codes; the grid shows the same, ui/tables.py).
def _xlsx_number_format(column: tables.Column) -> str | None:
    if column.kind == "money":
        return f'"{currency_symbol().strip()}"#,##0.00'
    if column.kind == "count":
        return "#,##0"
    if column.kind == "number":
        return "#,##0" + ("." + "0" * column.decimals if column.decimals else "")
    if column.kind == "percent":
        return "0.0%"
    if column.kind == "date":
        return "yyyy-mm-dd"
    if column.kind == "datetime":
        return "yyyy-mm-dd hh:mm"
    return None


MAX_WIDTH = 60
WIDE = r"[\u2e80-\uffff]"  # CJK and other characters Excel draws two columns wide


def _fitted_width(header: str, values: pd.Series, column: tables.Column) -> float:
    """Excel column width fitting the header and the first chunk's values (CJK counts double)."""
    width = tables.display_width(header) + 2  # bold header
    present = values.dropna()
    if not present.empty:
        if column.kind in tables.NUMERIC_KINDS:
            biggest = float(present.abs().max())
            sample = {"money": f"{currency_symbol()}{biggest:,.2f}", "count": f"{biggest:,.0f}",
                      "number": f"{biggest:,.{column.decimals}f}", "percent": f"{100 * biggest:.1f}%"}[column.kind]
            width = max(width, len(sample) + 2)
        elif column.kind == "date":
            width = max(width, 12)
        elif column.kind == "datetime":
            width = max(width, 18)
        else:
            texts = present.astype(str)
            widths = texts.str.len() + texts.str.count(WIDE)
            width = max(width, int(widths.max()) + 2)
    return min(width, MAX_WIDTH)


def _plain_rows(shown: pd.DataFrame, columns: tuple[tables.Column, ...]) -> list[list]:
    """Rows of Python values for the writers: blanks as None, text neutralised."""
    out = {}
    for column, header in zip(columns, shown.columns):
        values = shown[header].to_numpy(dtype=object, copy=True)
        values[shown[header].isna().to_numpy()] = None  # NaN, NaT and pd.NA alike
        if column.kind in ("text", "label"):
            values = [neutralise(v) for v in values]
        out[header] = values
    return list(zip(*out.values())) if out else [()] * len(shown)


def write_xlsx(path: Path, table: tables.Table, chunks, lang: str) -> int:
    """Stream ``chunks`` (frames of source rows) into one sheet at ``path``; returns the row count.

    XlsxWriter's constant_memory mode writes each row to disk as it goes, so a million rows need no
    more memory than one chunk. Header bold and frozen, widths fitted to the header and the first
    chunk, number formats per kind, a sheet named for the content. Text is never a formula: the
    writer is told so (strings_to_formulas off) and cells are neutralised as in every export.
    """
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "tmpdir": str(Path(path).parent),
                                           "strings_to_formulas": False, "strings_to_urls": False,
                                           "strings_to_numbers": False})
    sheet = book.add_worksheet(table.sheet_name(lang))
    bold = book.add_format({"bold": True, "valign": "top", "bottom": 1})
    written = 0
    for chunk in chunks:
        columns = table.present(chunk)
        shown = table.shown(chunk, lang)
        if written == 0 and sheet.dim_rowmax is None:  # the first chunk fixes headers, widths and formats
            for index, (column, header) in enumerate(zip(columns, shown.columns)):
                number_format = _xlsx_number_format(column)
                sheet.set_column(index, index, _fitted_width(header, shown[header], column),
                                 book.add_format({"num_format": number_format}) if number_format else None)
                sheet.write_string(0, index, neutralise(header), bold)
            sheet.freeze_panes(1, 0)
            # printed: landscape, all columns on the page width, the header row on every page
            sheet.set_landscape()
            sheet.fit_to_pages(1, 0)
            sheet.repeat_rows(0)
        for row in _plain_rows(shown, columns):
            written += 1
            sheet.write_row(written, 0, row)
    book.close()
    return written


def _csv_values(values: pd.Series, column: tables.Column) -> np.ndarray:
    """A shown column as CSV text. Numbers are plain (1234.5, no separators or symbol): Excel in any
    locale reads them as numbers to sum; percentages are written as shown (1.9%), which Excel reads
    as the number 0.019; dates ISO (2026-12-03), which Excel reads as dates."""
    present = values.notna().to_numpy(dtype=bool)
    kind = column.kind
    out = np.full(len(values), "", dtype=object)
    if not present.any():
        return out
    kept = values[present]
    if kind in ("money", "count", "number"):
        digits = {"money": 2, "count": 0, "number": column.decimals}[kind]
        out[present] = np.char.mod(f"%.{digits}f", kept.to_numpy(dtype=float))
    elif kind == "percent":
        out[present] = np.char.add(np.char.mod("%.1f", 100 * kept.to_numpy(dtype=float)), "%")
    elif kind in ("date", "datetime"):
        out[present] = pd.to_datetime(kept).dt.strftime("%Y-%m-%d" if kind == "date" else "%Y-%m-%d %H:%M").to_numpy()
    else:
        out[present] = [neutralise(v) for v in kept]
    return out


def write_csv(path: Path, table: tables.Table, chunks, lang: str) -> int:
    """Stream ``chunks`` into a UTF-8 CSV with a BOM (Excel in China then reads it as UTF-8, not
    GBK), the same headers as the screen; returns the row count."""
    written = 0
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        out = csv.writer(handle)
        for chunk in chunks:
            shown = table.shown(chunk, lang)
            columns = table.present(chunk)
            if written == 0 and handle.tell() == 0:
                out.writerow([neutralise(h) for h in shown.columns])
            texts = [_csv_values(shown[h], c) for c, h in zip(columns, shown.columns)]
            out.writerows(zip(*texts))
            written += len(shown)
    return written


TABLE_WRITERS = {"csv": write_csv, "xlsx": write_xlsx}


def export_table(store: Store, actor: Actor, table: tables.Table, rows: tables.Rows, file_name: str,
                 fmt: str, lang: str) -> bytes:
    """The bytes of a download of a shown table: ALL of ``rows`` (a frame, or a function giving a
    frame or chunks of frames, read for ``actor``), with the screen's headers, labels and formats
    in ``lang``, streamed through a temporary file; with the same audit row as ``export_bytes``."""
    try:
        write = TABLE_WRITERS[fmt]
    except KeyError:
        raise ValueError(f"export format must be one of {', '.join(TABLE_WRITERS)}, got {fmt!r}") from None
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"export.{fmt}"
        count = write(path, table, tables.chunks_of(rows), lang)
        data = path.read_bytes()
    record_event(store, actor, "export", "file", f"{file_name} ({count:,} rows)")
    return data


EXPORT_FORMATS = {"csv": to_csv_bytes, "xlsx": to_xlsx_bytes}


def export_bytes(store: Store, actor: Actor, frame: pd.DataFrame, file_name: str, fmt: str) -> bytes:
    """The bytes of a download of ``frame`` as ``fmt`` (csv: UTF-8 with BOM; xlsx), formula-
    neutralised, with its audit row: action ``export``, entity ``file``, detail
    ``"<file_name> (<n> rows)"`` (the same row the pages' downloads write)."""
    try:
        to_bytes = EXPORT_FORMATS[fmt]
    except KeyError:
        raise ValueError(f"export format must be one of {', '.join(EXPORT_FORMATS)}, got {fmt!r}") from None
    data = to_bytes(frame)
    record_event(store, actor, "export", "file", f"{file_name} ({len(frame):,} rows)")
    return data
