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
"""
from __future__ import annotations

import contextlib
import csv
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from posixpath import dirname, normpath
from posixpath import join as join_path

from crm_core.ingest.decode import ImportProblem  # decode imports this module when it reads a sheet
from crm_core.ingest.layout import (
    HEADER_SCAN_ROWS,
    Row,
    choose_header,
    clean_header,
    header_notices,
    is_blank,
    is_total_row,
    number_list,
    trim_right,
)

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
EXCEL_DIGITS = 15        # Excel keeps 15 significant digits of a number
SCIENTIFIC_FROM = 1e15   # from here on a number has lost digits in Excel: shown as Excel shows it
CENT_TOLERANCE = 1e-6    # a float this close to a whole cent is that cent (formula noise)
UNCALCULATED_SHOWN = 5   # cells named in the message about formulas without values


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
