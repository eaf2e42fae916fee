"""Spreadsheets — .xlsx/.xlsm (Excel, WPS), .xls (Excel 97–2003, still what old ERP systems export)
and .ods (LibreOffice) — read with python-calamine, one sheet written as the UTF-8 CSV the pipeline reads.

calamine reads a 200,000-row × 8-column XLSX in about 1.0 s where openpyxl's read-only mode takes
11.3 s (2 cores, load < 1; ``python -m bench --only office``), and it reads the other three formats too. The format is told by
the content, not the name (an .xlsx saved as ``.xls`` opens); a file calamine cannot open is our
message naming the file, never calamine's.

Cells are written as the user saw them in Excel (``cell_text``): the cached value of a formula
(calamine reads what Excel last calculated), dates as ISO text, floating-point noise from formulas
rounded away (``=C2*1.13`` is 112.99999999999999 in the file, 113 on screen), and numbers of 10¹⁵ or
more in the scientific form Excel shows them in, because Excel kept only 15 digits of them
(``1.10101199003071E+17``); the value checks refuse such numbers in code, ID and account columns.

Two things calamine does not say are read from the file's XML (zipfile, streamed): the hidden
columns (XLSX ``<col hidden="1">``, ODS ``table:visibility="collapse"``; not detected in XLS) and
formulas that were never calculated (a program such as openpyxl wrote ``=A1*2`` with no value):
those cells would import as blanks, so the file is refused with the cells named.

A spreadsheet is read in a worker process (``read_sheet``, ``workbook_sheets``), never on the
server's own threads, because what a file makes calamine do is out of our hands (issue 16, finding
11, measured with python-calamine 0.9.1):

- a 1.6 KB XLSX holding two cells, A1 and XFD1048576, makes calamine allocate the whole range
  (17 billion cells × 32 bytes = 512 GiB); the allocation fails and Rust aborts the *process* —
  in the server, every user's session with it;
- one cell at XFD20000 asks for 10 GB, which a big machine grants: tens of seconds of page faults
  and then 327 million cells to walk, holding the interpreter the other sessions share;
- an 823-byte ODS repeating one cell 1,000 × 20,000 times expands to 20 million cells (1.3 GB)
  when opened (past 100 million calamine refuses by itself);
- a declared ``<dimension ref="A1:XFD1048576"/>`` over two real cells costs calamine nothing
  (it reserves only below 100,000 cells) but says the file was not written by a spreadsheet
  program.

So, in this order and before calamine reads a cell (``check_workbook``): a zip's directory — at
most MAX_ZIP_ENTRIES parts, MAX_UNPACKED_BYTES unpacked, no part packed more than MAX_PACK_RATIO : 1
(real sheets pack 8–15 : 1, zip bombs ~1000 : 1) — and an XLSX sheet's declared dimension, at most
MAX_CELLS cells. Then calamine opens the sheet and its used range (rows × columns, blanks included)
is checked against MAX_CELLS before a row is read. The worker runs under a memory limit
(READ_MEMORY_BYTES: an allocation calamine cannot get ends the worker, not the server) and a time
limit (READ_SECONDS: then it is killed); either way the user gets our message, and the server's
other sessions never wait for it. A worker reads one file and exits; the next one is started
ahead (a warm spare), so a read does not wait for Python to start.
"""
from __future__ import annotations

import atexit
import contextlib
import csv
import os
import pickle
import re
import signal
import subprocess
import sys
import threading
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from posixpath import dirname, normpath
from posixpath import join as join_path

from crm_core.ingest.decode import (  # decode imports this module when it reads a sheet
    ImportProblem,
)
from crm_core.ingest.layout import (
    HEADER_SCAN_ROWS,
    Row,
    choose_header,
    clean_header,
    column_letter,
    header_notices,
    is_blank,
    is_total_row,
    number_list,
    trim_right,
)

EXCEL_DIGITS = 15        # Excel keeps 15 significant digits of a number
SCIENTIFIC_FROM = 1e15   # from here on a number has lost digits in Excel: shown as Excel shows it
CENT_TOLERANCE = 1e-6    # a float this close to a whole cent is that cent (formula noise)
UNCALCULATED_SHOWN = 5   # cells named in the message about formulas without values

MAX_CELLS = 20_000_000             # rows × columns of the used range (Excel's own limit is 17 billion)
MAX_UNPACKED_BYTES = 1 << 30       # all parts of an XLSX/ODS together, unpacked
MAX_ZIP_ENTRIES = 10_000           # parts of an XLSX/ODS (a workbook of 200 sheets has ~420)
MAX_PACK_RATIO = 100               # unpacked : packed of one part; real sheets 8–15, zip bombs ~1000
RATIO_FROM_BYTES = 1 << 20         # parts smaller than this may pack as they like
READ_SECONDS = 120                 # one file's read in the worker (20M cells: 18 s, 1.6 GB here)
READ_MEMORY_BYTES = 3 << 30        # address space a read may add to the worker's own
HEAD_BYTES = 64 * 1024             # of a sheet's XML, read for its <dimension>


# -- cell values ----------------------------------------------------------------------------------
def excel_scientific(value: float) -> str:
    """``1.10101199003071E+17``: 15 significant digits, trailing zeros of the mantissa dropped."""
    mantissa, exponent = f"{value:.{EXCEL_DIGITS - 1}E}".split("E")
    mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}E{exponent[0]}{exponent[1:].lstrip('0').rjust(2, '0')}"


def number_text(value: float) -> str:
    """A number as Excel shows it in a General cell, without floating-point noise."""
    if value.is_integer() and -SCIENTIFIC_FROM < value < SCIENTIFIC_FROM:
        return str(int(value))
    if abs(value) >= SCIENTIFIC_FROM:
        return excel_scientific(value)
    cents = round(value * 100)
    if abs(value - cents / 100) < CENT_TOLERANCE:
        value = cents / 100
        if value.is_integer():
            return str(int(value))
    return f"{value:.{EXCEL_DIGITS}g}"


def cell_text(value) -> str:
    """One cell as text (see the module docstring)."""
    kind = type(value)
    if kind is str:
        return value
    if kind is float:
        return number_text(value)
    if value is None:
        return ""
    if kind is bool:
        return "TRUE" if value else "FALSE"
    if kind is int:
        return number_text(float(value)) if abs(value) >= SCIENTIFIC_FROM else str(value)
    if kind is datetime:
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if kind is date or kind is time:
        return value.isoformat()
    if kind is timedelta:  # a duration cell ([h]:mm:ss)
        return str(value)
    return str(value)


# -- opening ---------------------------------------------------------------------------------------
@contextlib.contextmanager
def open_workbook(path: str, file_name: str):
    """The workbook (format from the content); any failure to open is ImportProblem naming the file."""
    from python_calamine import CalamineWorkbook, PasswordError
    with open(path, "rb") as handle:
        try:
            book = CalamineWorkbook.from_filelike(handle)
        except PasswordError:
            raise ImportProblem("ingest.err_sheet_password", file=file_name) from None
        except Exception:  # calamine's CalamineError, ZipError, XmlError, a panic in the parser: all one answer
            # (an ODS whose repeated cells pass calamine's own limit of 100 million cells, too)
            raise ImportProblem("ingest.err_sheet_unreadable", file=file_name) from None
        try:
            yield book
        finally:
            book.close()


def sheet_names(path: str, file_name: str | None = None) -> list[str]:
    """The workbook's sheets, in workbook order."""
    with open_workbook(path, file_name or path) as book:
        return list(book.sheet_names)


# -- one sheet to CSV ------------------------------------------------------------------------------
@dataclass
class SheetTable:
    """Where the table was found in a sheet and how it was written."""

    sheet: str
    header_row: int                      # Excel row of the headers; 0: the sheet has no header row
    headers: list[str]
    first_column: int                    # 0-based sheet column of headers[0] (for Excel letters)
    first_data_row: int                  # Excel row of the CSV's first data line
    candidates: list[Row] = field(default_factory=list)
    notices: list[tuple[str, dict]] = field(default_factory=list)
    hidden_columns: frozenset[int] = frozenset()   # indexes into headers


def _rows(sheet, file_name: str) -> Iterator[Row]:
    """(Excel row number, cell texts from the sheet's first used column) for every row calamine holds.

    python-calamine's ``iter_rows`` yields every row from row 1 (empty rows above the data included)
    but only the columns from the first used one (``sheet.start[1]``); tests pin both.
    """
    if sheet.start is None:
        return
    try:
        for number, values in enumerate(sheet.iter_rows(), start=1):
            yield number, [v if type(v) is str else cell_text(v) for v in values]  # most cells are text
    except Exception:  # a cell calamine cannot decode midway
        raise ImportProblem("ingest.err_sheet_unreadable", file=file_name) from None


def sheet_to_csv(path: str, file_name: str, csv_path: str, sheet: str | None = None,
                 is_known: Callable[[str], bool] | None = None, header_row: int | None = None) -> SheetTable:
    """Write one sheet's table (the rows below its header row) as UTF-8 CSV.

    Rows above the header are left out; blank rows inside the table are written blank (so the CSV's
    rows keep Excel's row numbers); total rows at the end are left out and reported. Raises
    ImportProblem: no such sheet, empty sheet, a forced header row that is not in the first rows,
    formulas without values.
    """
    with open_workbook(path, file_name) as book:
        names = list(book.sheet_names)
        if sheet is not None and sheet not in names:
            raise ImportProblem("ingest.err_no_sheet", sheet=sheet)
        name = sheet if sheet is not None else names[0]
        try:
            ws = book.get_sheet_by_name(name)
        except Exception:
            raise ImportProblem("ingest.err_sheet_unreadable", file=file_name) from None
        if ws.start is not None:
            check_cells(file_name, name, ws.start, ws.end)
        first_column = ws.start[1] if ws.start else 0
        rows = _rows(ws, file_name)
        head = _head_rows(rows)
        if not head:
            raise ImportProblem("ingest.err_empty_file")
        table = _choose_table(name, head, first_column, is_known, header_row)
        skipped = _write_table(csv_path, table, head, rows)
    hidden = hidden_columns(path, name)
    table.hidden_columns = frozenset(i - first_column for i in hidden
                                     if 0 <= i - first_column < len(table.headers))
    cells = [ref for row, ref in uncalculated_formulas(path, name, first_column, first_column + len(table.headers))
             if row >= table.first_data_row and row not in skipped]
    if cells:
        shown = ", ".join(cells[:UNCALCULATED_SHOWN]) + (" …" if len(cells) > UNCALCULATED_SHOWN else "")
        raise ImportProblem("ingest.err_formulas_not_calculated", file=file_name, cells=shown, count=len(cells))
    return table


def _head_rows(rows: Iterator[Row]) -> list[Row]:
    """The rows up to and including the HEADER_SCAN_ROWS-th non-empty one."""
    head, seen = [], 0
    for number, cells in rows:
        head.append((number, cells))
        if not is_blank(cells):
            seen += 1
            if seen == HEADER_SCAN_ROWS:
                break
    return head


def _choose_table(name: str, head: list[Row], first_column: int, is_known, forced: int | None) -> SheetTable:
    candidates = [(n, trim_right(cells)) for n, cells in head if not is_blank(cells)]
    if forced is not None:
        if forced not in {n for n, _ in candidates}:
            raise ImportProblem("ingest.err_header_row", row=forced, first=candidates[0][0], last=candidates[-1][0])
        header_row = forced
    else:
        header_row = choose_header(candidates, is_known)
    if header_row:
        headers = [clean_header(h) for h in dict(candidates)[header_row]]
        first_data_row = header_row + 1
    else:  # no header: every column of the widest row, unnamed
        headers = [""] * max(len(cells) for _, cells in candidates)
        first_data_row = candidates[0][0]
    notices = header_notices(candidates, header_row, forced is not None)
    return SheetTable(name, header_row, headers, first_column, first_data_row, candidates, notices)


def _write_table(csv_path: str, table: SheetTable, head: list[Row], rest: Iterator[Row]) -> set[int]:
    """Write the header and the data rows; returns the Excel rows of the totals left out at the end."""
    width = len(table.headers)
    held: list[Row] = []   # blank and total rows, written only if a data row follows (keeps Excel row numbers)
    with open(csv_path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        if table.header_row:
            writer.writerow(table.headers)
        for number, cells in _chain(head, rest):
            if number < table.first_data_row:
                continue
            if is_blank(cells) or is_total_row(cells):
                held.append((number, cells))
                continue
            # a total row in the middle is data like any other (the value checks judge it)
            writer.writerows([""] * width if is_blank(c) else _fit(c, width) for _, c in held)
            held.clear()
            writer.writerow(_fit(cells, width))
    totals = [n for n, cells in held if not is_blank(cells)]
    if totals:
        table.notices.append(("ingest.notice_total_rows", {"rows": number_list(totals)}))
    return set(totals)


def _fit(cells: list[str], width: int) -> list[str]:
    return cells if len(cells) == width else (cells + [""] * width)[:width]


def _chain(head: list[Row], rest: Iterator[Row]) -> Iterator[Row]:
    yield from head
    yield from rest


# -- what calamine does not say: hidden columns, formulas without values ---------------------------
CHUNK = 1 << 20
_NS = r"(?:[A-Za-z][\w.-]*:)?"   # a namespace prefix some writers put on every tag (x:c)
_COL = re.compile(rb"<" + _NS.encode() + rb"col\b([^>]*)>")
_ATTR = re.compile(rb'([\w:]+)\s*=\s*"([^"]*)"')
_CELL = re.compile(rb"<" + _NS.encode() + rb"c\b([^>]*?)(?<!/)>(.*?)</" + _NS.encode() + rb"c>", re.S)
_FORMULA = re.compile(rb"<" + _NS.encode() + rb"f[\s>/]")
_VALUE = re.compile(rb"<" + _NS.encode() + rb"v>[^<]")
_EMPTY_VALUE = re.compile(rb"<" + _NS.encode() + rb"v\b")
_REF = re.compile(rb"^([A-Z]{1,3})([0-9]+)$")


def _attrs(text: bytes) -> dict[str, str]:
    return {k.decode().split(":")[-1]: v.decode() for k, v in _ATTR.findall(text)}


def column_index(letters: str) -> int:
    """``A`` → 0, ``AA`` → 26 (the inverse of layout.column_letter)."""
    index = 0
    for ch in letters:
        index = index * 26 + ord(ch) - ord("A") + 1
    return index - 1


def _xlsx_member(archive: zipfile.ZipFile, sheet: str) -> str | None:
    """The path inside the XLSX of the named sheet's XML (workbook.xml names it, its rels locate it)."""
    try:
        workbook = ET.fromstring(archive.read("xl/workbook.xml"))
        rels = ET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ET.ParseError):
        return None
    rel_id = None
    for element in workbook.iter():
        if element.tag.rsplit("}", 1)[-1] == "sheet" and element.get("name") == sheet:
            rel_id = next((v for k, v in element.attrib.items() if k.rsplit("}", 1)[-1] == "id"), None)
    for element in rels.iter():
        if element.get("Id") == rel_id and element.get("Target"):
            target = element.get("Target")
            return target.lstrip("/") if target.startswith("/") else normpath(join_path(dirname("xl/workbook.xml"),
                                                                                        target))
    return None


@contextlib.contextmanager
def _zip_member(path: str, member_of: Callable[[zipfile.ZipFile], str | None]):
    """The open member of a zip file, or None when the file is no zip or has no such member."""
    if not zipfile.is_zipfile(path):
        yield None
        return
    with zipfile.ZipFile(path) as archive:
        try:
            name = member_of(archive)
            handle = archive.open(name) if name else None
        except (KeyError, zipfile.BadZipFile):
            handle = None
        if handle is None:
            yield None
            return
        with handle:
            yield handle


def hidden_columns(path: str, sheet: str) -> set[int]:
    """0-based sheet columns hidden in an XLSX or ODS (an XLS says nothing: empty)."""
    with _zip_member(path, lambda a: _xlsx_member(a, sheet)) as xml:
        if xml is not None:
            return _xlsx_hidden(xml)
    with _zip_member(path, lambda a: "content.xml" if "content.xml" in a.namelist() else None) as xml:
        if xml is not None:
            return _ods_hidden(xml, sheet)
    return set()


def _xlsx_hidden(xml) -> set[int]:
    """``<cols><col min="4" max="4" hidden="1"/></cols>``: the part before ``<sheetData`` is enough."""
    head = b""
    while b"sheetData" not in head and (block := xml.read(64 * 1024)):
        head += block
    hidden = set()
    for attrs in map(_attrs, _COL.findall(head.split(b"sheetData", 1)[0])):
        if attrs.get("hidden") in ("1", "true"):
            with contextlib.suppress(KeyError, ValueError):
                hidden.update(range(int(attrs["min"]) - 1, int(attrs["max"])))
    return hidden


def _ods_hidden(xml, sheet: str) -> set[int]:
    """``<table:table-column table:visibility="collapse" table:number-columns-repeated="2"/>`` of the sheet,
    read until its first row."""
    hidden, column, inside = set(), 0, False
    for _event, element in ET.iterparse(xml, events=("start",)):
        tag = element.tag.rsplit("}", 1)[-1]
        attrs = {k.rsplit("}", 1)[-1]: v for k, v in element.attrib.items()}
        if tag == "table":
            if inside:
                break
            inside = attrs.get("name") == sheet
        elif inside and tag == "table-column":
            repeated = int(attrs.get("number-columns-repeated", "1"))
            if attrs.get("visibility") == "collapse":
                hidden.update(range(column, column + min(repeated, 16384)))
            column += repeated
        elif inside and tag == "table-row":
            break
    return hidden


def uncalculated_formulas(path: str, sheet: str, first_col: int, end_col: int) -> list[tuple[int, str]]:
    """(row, cell) of the cells in columns first_col..end_col-1 (0-based) whose formula has no value:
    ``<c r="C8"><f>C5*1.13</f><v/></c>``. A formula whose value is an empty string keeps
    its (empty) ``<v>`` with ``t="str"``: that one was calculated. XLSX only (XLS and ODS always hold
    values)."""
    found: list[tuple[int, str]] = []
    with _zip_member(path, lambda a: _xlsx_member(a, sheet)) as xml:
        if xml is None:
            return found
        rest = b""
        while block := xml.read(CHUNK):
            buffer = rest + block
            cut = buffer.rfind(b"row>") + 4  # after a row tag no cell is open
            part, rest = (buffer[:cut], buffer[cut:]) if cut >= 4 else (b"", buffer)
            if _may_hold_formula(part):
                found += _uncalculated_in(part, first_col, end_col)
        if _may_hold_formula(rest):
            found += _uncalculated_in(rest, first_col, end_col)
    return found


def _may_hold_formula(part: bytes) -> bool:
    """A cheap test first (a byte search), the pattern only where a formula tag may be."""
    return (b"<f" in part or b":f" in part) and _FORMULA.search(part) is not None


def _uncalculated_in(part: bytes, first_col: int, end_col: int) -> list[tuple[int, str]]:
    found = []
    for attrs_text, body in _CELL.findall(part):
        if not _FORMULA.search(body) or _VALUE.search(body):
            continue
        attrs = _attrs(attrs_text)
        if attrs.get("t") == "str" and _EMPTY_VALUE.search(body):
            continue
        ref = _REF.match(attrs.get("r", "").encode())
        if ref is None:
            continue
        row, col = int(ref.group(2)), column_index(ref.group(1).decode())
        if first_col <= col < end_col:
            found.append((row, f"{ref.group(1).decode()}{row}"))
    return found


# -- bounds: checked before calamine reads a cell (see the module docstring) -----------------------
_DIMENSION = re.compile(rb"<" + _NS.encode() + rb'dimension\b[^>]*?\bref\s*=\s*"([A-Z]{1,3})([0-9]{1,7})'
                        rb'(?::([A-Z]{1,3})([0-9]{1,7}))?"')


def check_cells(file_name: str, sheet: str, start: tuple[int, int], end: tuple[int, int]) -> None:
    """A used range from (row, column) ``start`` to ``end`` (0-based, inclusive) of at most MAX_CELLS
    cells; else ImportProblem naming the range, so the user knows what to delete."""
    rows, columns = end[0] - start[0] + 1, end[1] - start[1] + 1
    if rows * columns > MAX_CELLS:
        raise ImportProblem("uploads.err_too_many_cells", file=file_name, sheet=sheet, rows=f"{rows:,}",
                            columns=f"{columns:,}", cells=f"{rows * columns:,}", max_cells=f"{MAX_CELLS:,}",
                            first=f"{column_letter(start[1])}{start[0] + 1}",
                            last=f"{column_letter(end[1])}{end[0] + 1}")


def check_workbook(path: str, file_name: str, sheet: str | None = None, dimension: bool = True) -> None:
    """The bounds a zip (XLSX, XLSM, ODS) must keep, from its directory alone, and (``dimension``)
    the declared dimension of an XLSX sheet (``sheet``, or the first). An XLS has no directory to
    read: its format caps it (65,536 × 256 cells in Excel's files) and the used range is checked
    after opening."""
    if not zipfile.is_zipfile(path):
        return
    try:
        with zipfile.ZipFile(path) as archive:
            _check_zip_directory(archive, file_name)
            if not dimension:
                return
            name = sheet if sheet is not None else _first_xlsx_sheet(archive)
            member = _xlsx_member(archive, name) if name is not None else None
            if member is not None:
                _check_declared_dimension(archive, member, file_name, name)
    except (zipfile.BadZipFile, KeyError, OSError, EOFError):
        raise ImportProblem("ingest.err_sheet_unreadable", file=file_name) from None


def _check_zip_directory(archive: zipfile.ZipFile, file_name: str) -> None:
    parts = archive.infolist()
    if len(parts) > MAX_ZIP_ENTRIES:
        raise ImportProblem("uploads.err_zip_entries", file=file_name, count=f"{len(parts):,}",
                            max_count=f"{MAX_ZIP_ENTRIES:,}")
    unpacked = sum(part.file_size for part in parts)
    if unpacked > MAX_UNPACKED_BYTES:
        raise ImportProblem("uploads.err_unpacked_too_large", file=file_name, size_mb=f"{unpacked / 2**20:,.0f}",
                            max_mb=f"{MAX_UNPACKED_BYTES / 2**20:,.0f}")
    for part in parts:
        if part.file_size > RATIO_FROM_BYTES and part.file_size > MAX_PACK_RATIO * max(part.compress_size, 1):
            raise ImportProblem("uploads.err_pack_ratio", file=file_name,
                                ratio=f"{part.file_size // max(part.compress_size, 1):,}", max_ratio=MAX_PACK_RATIO)


def _first_xlsx_sheet(archive: zipfile.ZipFile) -> str | None:
    """The name of the workbook's first sheet (workbook.xml), None for an ODS or a broken XLSX."""
    try:
        workbook = ET.fromstring(archive.read("xl/workbook.xml"))
    except (KeyError, ET.ParseError):
        return None
    return next((e.get("name") for e in workbook.iter() if e.tag.rsplit("}", 1)[-1] == "sheet"), None)


def _check_declared_dimension(archive: zipfile.ZipFile, member: str, file_name: str, sheet: str) -> None:
    """``<dimension ref="A1:XFD1048576"/>``, before ``<sheetData``: what the writer says it used."""
    with archive.open(member) as xml:
        head = xml.read(HEAD_BYTES)
    found = _DIMENSION.search(head.split(b"sheetData", 1)[0])
    if found is None:
        return
    first_col, first_row, last_col, last_row = (g.decode() if g else None for g in found.groups())
    start = (int(first_row) - 1, column_index(first_col))
    end = (int(last_row) - 1, column_index(last_col)) if last_col else start
    check_cells(file_name, sheet, start, (max(start[0], end[0]), max(start[1], end[1])))


# -- the worker: one read in a process of its own -----------------------------------------------------
def bounded_sheet_to_csv(path: str, file_name: str, csv_path: str, sheet: str | None = None,
                         is_known: Callable[[str], bool] | None = None,
                         header_row: int | None = None) -> SheetTable:
    """``sheet_to_csv`` after ``check_workbook`` (what the worker runs)."""
    check_workbook(path, file_name, sheet)
    return sheet_to_csv(path, file_name, csv_path, sheet, is_known, header_row)


def bounded_sheet_names(path: str, file_name: str) -> list[str]:
    check_workbook(path, file_name, dimension=False)  # no sheet is opened to list them
    return sheet_names(path, file_name)


_TASKS = {"sheet_to_csv": bounded_sheet_to_csv, "sheet_names": bounded_sheet_names}


def read_sheet(path: str, file_name: str, csv_path: str, sheet: str | None = None,
               is_known: Callable[[str], bool] | None = None, header_row: int | None = None) -> SheetTable:
    """One sheet's table written to ``csv_path`` as UTF-8 CSV (``sheet_to_csv``), by a worker
    process under the bounds of the module docstring. ``is_known`` must pickle (a module-level
    class, not a lambda)."""
    return in_worker("sheet_to_csv", file_name, path, file_name, csv_path, sheet, is_known, header_row)


def workbook_sheets(path: str, file_name: str) -> list[str]:
    """The workbook's sheets (``sheet_names``), read by a worker process under the same bounds."""
    return in_worker("sheet_names", file_name, path, file_name)


def in_worker(task: str, file_name: str, *args):
    """Run ``_TASKS[task](*args)`` in a worker process; its ImportProblem is raised here. A worker
    that runs out of time is killed; one that dies (a failed allocation aborts it) or fails in any
    other way is our message naming the file, never a traceback."""
    worker = _take_worker()
    try:
        answer, _ = worker.communicate(pickle.dumps((task, args)), timeout=READ_SECONDS)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.communicate()
        raise ImportProblem("uploads.err_read_time", file=file_name, seconds=READ_SECONDS) from None
    try:
        outcome, value = pickle.loads(answer)
    except Exception:  # no answer: the worker died — aborted by a failed allocation (Rust aborts), or
        # killed by the system's OOM killer, is the memory limit; anything else a crash in the reader
        ran_out = worker.returncode in (-signal.SIGABRT, -signal.SIGKILL)
        outcome, value = ("memory" if ran_out else "unreadable"), None
    if outcome == "ok":
        return value
    if outcome == "problem":
        raise value
    if outcome == "memory":
        raise ImportProblem("uploads.err_read_memory", file=file_name, gb=READ_MEMORY_BYTES >> 30)
    raise ImportProblem("ingest.err_sheet_unreadable", file=file_name)


def serve_one() -> None:
    """A worker's life: take one task from stdin, pickle its outcome to stdout, exit.

    Started ahead of need (``_take_worker``), it waits on stdin with calamine already loaded; a
    spare nobody takes sees stdin close when the server exits, and exits too.
    """
    import resource

    from python_calamine import CalamineWorkbook  # noqa: F401 — loaded while the spare waits

    answer = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything a library prints goes to stderr, never into the answer
    limit = _address_space() + READ_MEMORY_BYTES  # for the read, on top of what Python and its imports hold
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        task, args = pickle.load(sys.stdin.buffer)
    except (EOFError, pickle.UnpicklingError):
        return  # a spare nobody took: the server exited
    try:
        outcome = ("ok", _TASKS[task](*args))
    except ImportProblem as problem:
        outcome = ("problem", problem)
    except MemoryError:
        outcome = ("memory", None)
    except Exception:  # the reader failed on this file in a way of its own: one answer for all
        outcome = ("unreadable", None)
    pickle.dump(outcome, answer)
    answer.flush()
    os._exit(0)  # the answer is out: skip tearing down pandas & co. (~100 ms the caller would wait)


def _address_space() -> int:
    """This process's virtual size in bytes (Linux; 0 where /proc is not there)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


_WORKER_CODE = "from crm_core.ingest.sheets import serve_one; serve_one()"
_spare_lock = threading.Lock()
_spare: list[subprocess.Popen] = []  # at most one worker started ahead, waiting for a task


def _start_worker() -> subprocess.Popen:
    root = str(Path(__file__).resolve().parents[2])  # where crm_core is, whatever the server's cwd
    path = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH", "")) if p)
    env = {**os.environ, "PYTHONPATH": path, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}  # no BLAS here
    return subprocess.Popen([sys.executable, "-c", _WORKER_CODE], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            env=env, close_fds=True)


def _take_worker() -> subprocess.Popen:
    """The waiting spare (or a new worker), and a new spare started for the next read."""
    with _spare_lock:
        ready = _spare.pop() if _spare else None
        if ready is not None and ready.poll() is not None:
            ready = None  # it died waiting (killed from outside)
        if not _spare:
            _spare.append(_start_worker())
    return ready if ready is not None else _start_worker()


@atexit.register
def _stop_spare() -> None:
    with _spare_lock:
        for worker in _spare:
            with contextlib.suppress(OSError):
                worker.stdin.close()  # the spare reads EOF and exits
            with contextlib.suppress(subprocess.TimeoutExpired):
                worker.wait(timeout=5)
        _spare.clear()
