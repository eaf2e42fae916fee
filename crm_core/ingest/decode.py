"""Any file Excel, WPS or LibreOffice makes, turned into one UTF-8 CSV that DuckDB reads, and where
its table starts.

- Types: CSV/TXT/TSV text and the spreadsheets .xlsx/.xlsm/.xls/.ods (``sheets.py``, python-calamine,
  in a worker process whose size, cell, memory and time bounds are checked before a cell is read);
  anything else (.doc, .pdf, .zip, .numbers, images) is refused before it is opened, naming the file
  and the types that are read.
- Encoding: a BOM decides (UTF-8, UTF-16 LE/BE); otherwise strict ``utf-8`` is tried first and then
  ``gb18030`` (UTF-8 bytes decode "successfully" as GB18030 into garbage, so the order matters; GB18030
  is a superset of GBK). UTF-8 files are handed to DuckDB as they are; anything else is decoded in
  chunks to a UTF-8 temporary file (never the whole file in memory).
- Delimiter: comma, semicolon, tab or bar, whichever splits most of the first records into the same
  number of fields. Text aligned with runs of spaces (no delimiter) is rewritten as CSV.
- Layout (``layout.py``): the header row is found below title, subtitle and instruction rows (or
  chosen by its row number); Python's csv module reads those first records, so a header wrapped with
  Alt+Enter (a quoted line break) is one header, and DuckDB is told to skip them (``skip`` counts
  records, blank ones included, as Excel numbers rows). Total rows at the end are left out.
  ``PreparedFile`` says what was found: header row, the candidates for a chooser, hidden columns and
  notices for the user (catalog keys in ``crm_core/locales/ingest_files.py``).
"""
from __future__ import annotations

import codecs
import contextlib
import csv
import hashlib
import io
import os
import re
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from crm_core.ingest.kinds import get_kind
from crm_core.ingest.layout import (
    HEADER_SCAN_ROWS,
    aligned_cells,
    aligned_width,
    choose_header,
    clean_header,
    column_letter,
    duplicate_notices,
    header_notices,
    is_blank,
    is_total_row,
    trailing_totals,
    trim_right,
    unique_names,
)
from crm_core.ingest.mappings import header_key, header_keys, known_header_keys

MAX_UPLOAD_BYTES = 200 * 1024 * 1024  # matches .streamlit/config.toml maxUploadSize (MB)
CHUNK = 8 * 1024 * 1024
SAMPLE = 256 * 1024
DELIMITERS = (",", ";", "\t", "|")


@dataclass(frozen=True)
class KnownHeaders:
    """``is_known(cell)``: whether a cell's text is one of a kind's headers (for finding the header
    row). A class, not a closure, so it travels to the worker process that reads a spreadsheet."""

    keys: frozenset[str]

    def __call__(self, cell: str) -> bool:
        return any(key in self.keys for key in header_keys(cell))


class ImportProblem(Exception):
    """A whole-file problem the user can fix; ``key`` is a catalog key, ``params`` fill it in."""

    def __init__(self, key: str, **params):
        super().__init__(key)
        self.key, self.params = key, params

    def __reduce__(self):  # keeps the params when raised in a worker process
        return (_rebuild_problem, (self.key, self.params))


def _rebuild_problem(key: str, params: dict) -> ImportProblem:
    return ImportProblem(key, **params)


@dataclass
class PreparedFile:
    """A file ready for ``read_csv``: UTF-8 at ``csv_path``, its header row and how it was read.

    Row numbers are the ones Excel (or a text editor) shows: the header is in row ``header_row`` (0: the
    file has no header row), the data row read first is row ``row_offset + 2``.
    """

    source_path: str
    file_name: str
    csv_path: str
    encoding: str
    delimiter: str
    headers: list[str]
    size_bytes: int
    row_offset: int = 0          # rowid 0 of the data is row rowid + 2 + row_offset
    temp_paths: list[str] = field(default_factory=list)
    sha256_thread: threading.Thread | None = None
    _sha: list = field(default_factory=list)
    header_row: int = 1
    header_candidates: list[tuple[int, list[str]]] = field(default_factory=list)  # first non-empty rows
    hidden_columns: frozenset[int] = frozenset()      # indexes into headers
    notices: list[tuple[str, dict]] = field(default_factory=list)                # (catalog key, params)
    skip_records: int = 1        # records of csv_path before the first data row (titles, the header)
    first_column: int = 0        # 0-based sheet column of headers[0] (for Excel letters)
    trailing_totals: int = 0     # rows at the end of a text file that are totals, left out when staged
    sheet: str | None = None
    newline: str = "\\n"        # the row end, as read_csv's new_line spells it (decode.row_end)

    @property
    def sha256(self) -> str:
        if self.sha256_thread is not None:
            self.sha256_thread.join()
        return self._sha[0]

    @property
    def line_offset(self) -> int:
        """DuckDB's "Line: N" of csv_path is the user's row N + line_offset."""
        return self.row_offset + 1 - self.skip_records

    @property
    def must_stage(self) -> bool:
        """Rows must be dropped by row number (totals at the end), which needs a staging table."""
        return self.trailing_totals > 0

    def letter(self, index: int) -> str:
        """The Excel letter of the column ``headers[index]``."""
        return column_letter(self.first_column + index)

    @property
    def column_names(self) -> list[str]:
        """Unique names for a table of the file: ``#3`` for a column without header, ``备注 (F)`` for a
        header used twice."""
        names = [h or f"#{i + 1}" for i, h in enumerate(self.headers)]
        return unique_names(names, [self.letter(i) for i in range(len(names))])

    def cleanup(self) -> None:
        for path in self.temp_paths:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
        self.temp_paths.clear()


def _hash_in_background(path: str, out: list) -> threading.Thread:
    """sha256 of the file on another thread (hashlib releases the GIL) while DuckDB parses it."""
    def run():
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            while block := handle.read(CHUNK):
                digest.update(block)
        out.append(digest.hexdigest())
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def detect_encoding(head: bytes) -> str:
    """The encoding of a file from its first bytes (see the module docstring for the order)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if len(head) >= 4 and head[1:4:2] == b"\0\0" and head[0:4:2] != b"\0\0":
        return "utf-16-le"
    if len(head) >= 4 and head[0:4:2] == b"\0\0" and head[1:4:2] != b"\0\0":
        return "utf-16-be"
    for encoding in ("utf-8", "gb18030"):
        try:
            codecs.getincrementaldecoder(encoding)("strict").decode(head, final=False)
            return encoding
        except UnicodeDecodeError:
            continue
    raise ImportProblem("ingest.err_encoding")


PARALLEL_FROM = 64 * 1024 * 1024


def _transcode_range(path: str, encoding: str, out_path: str, start: int, end: int) -> None:
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    offset = start
    with open(path, "rb") as src, open(out_path, "wb") as dst:
        src.seek(start)
        while True:
            block = src.read(min(CHUNK, end - offset))
            try:
                text = decoder.decode(block, final=not block)
            except UnicodeDecodeError as error:
                raise ImportProblem("ingest.err_encoding_at", encoding=encoding,
                                    offset=offset + error.start) from None
            dst.write(text.encode("utf-8"))
            offset += len(block)
            if not block:
                break


def _split_point(path: str, size: int) -> int | None:
    """A byte just after a newline near the middle. Safe for GB18030 (0x0A is never inside a
    multi-byte character); UTF-16 is never split (its newline is two bytes)."""
    with open(path, "rb") as handle:
        handle.seek(size // 2)
        chunk = handle.read(1 << 20)
    cut = chunk.find(b"\n")
    return None if cut < 0 else size // 2 + cut + 1


def transcode(path: str, encoding: str, out_path: str) -> None:
    """Decode ``path`` chunk by chunk and write UTF-8; an undecodable byte raises ImportProblem.

    A big GB18030 file is decoded in two halves by two processes (decoding is the cost, ~3 s a 500 MB
    file on one core), then the second half is appended to the first.
    """
    size = os.path.getsize(path)
    middle = _split_point(path, size) if encoding == "gb18030" and size >= PARALLEL_FROM else None
    if middle is None:
        _transcode_range(path, encoding, out_path, 0, size)
        return
    import multiprocessing
    second = out_path + ".part2"
    context = multiprocessing.get_context("fork")
    with context.Pool(1) as pool:
        pending = pool.apply_async(_transcode_range, (path, encoding, second, middle, size))
        try:
            _transcode_range(path, encoding, out_path, 0, middle)
            pending.get()
            with open(out_path, "ab") as dst, open(second, "rb") as src:
                shutil.copyfileobj(src, dst, CHUNK)
        finally:
            if os.path.exists(second):
                os.unlink(second)


def sniff_delimiter(sample: str) -> str:
    """The delimiter that splits most of the first records into the same number (> 1) of fields.

    The most common width counts, not the first record's: a title row above the table has one field.
    """
    best, best_score = ",", (0, 0)
    lines = sample.splitlines(keepends=True)
    if len(lines) > 1 and not sample.endswith(("\n", "\r")):
        lines = lines[:-1]  # the sample may end mid-record
    text = "".join(lines[:200])
    for delimiter in DELIMITERS:
        try:
            records = [r for r in csv.reader(io.StringIO(text), delimiter=delimiter) if r][:50]
        except csv.Error:
            continue
        widths = [len(r) for r in records if len(r) >= 2]
        if not widths:
            continue
        width = max(set(widths), key=lambda w: (widths.count(w), w))
        score = (widths.count(width), width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


TEXT_SUFFIXES = (".csv", ".txt", ".tsv", ".tab", ".prn", ".dat")
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
TYPES_READ = "CSV, TXT, TSV, XLSX, XLSM, XLS, ODS"
TAIL = 64 * 1024  # the end of a text file read for total rows


def is_spreadsheet(file_name: str) -> bool:
    """Whether the file is read as a spreadsheet (else as text); any other type is refused.

    A name without a type, or with a type of digits only (``sales.2024``), is read as text.
    """
    suffix = Path(file_name).suffix.lower()
    if suffix in SPREADSHEET_SUFFIXES:
        return True
    if suffix in TEXT_SUFFIXES or not any(ch.isalpha() for ch in suffix):
        return False
    raise ImportProblem("ingest.err_file_type", file=file_name, types=TYPES_READ)


def _check_readable(path: str, file_name: str) -> int:
    """The file's size; a missing or unreadable file is ImportProblem naming it (no traceback)."""
    if not os.path.exists(path):
        raise ImportProblem("ingest.err_file_missing", file=file_name)
    try:
        if not os.path.isfile(path):
            raise IsADirectoryError(path)
        with open(path, "rb") as handle:
            handle.read(1)
        return os.path.getsize(path)
    except OSError:
        raise ImportProblem("ingest.err_file_unreadable", file=file_name) from None


@dataclass
class TextTable:
    """Where the table is in a UTF-8 text file (see ``read_text_table``)."""

    csv_path: str
    delimiter: str
    headers: list[str]
    header_row: int
    skip_records: int
    candidates: list[tuple[int, list[str]]]
    notices: list[tuple[str, dict]]
    trailing_totals: int
    newline: str = "\\n"


def _sample(csv_path: str) -> tuple[str, bool]:
    """The first SAMPLE bytes as text, and whether that is the whole file."""
    with open(csv_path, "rb") as handle:
        head = handle.read(SAMPLE + 1)
    complete = len(head) <= SAMPLE
    text = codecs.getincrementaldecoder("utf-8-sig")("replace").decode(head[:SAMPLE], final=complete)
    return text, complete


def _first_records(text: str, delimiter: str, complete: bool) -> list[tuple[int, list[str]]]:
    """(record number, cells) of the sample's records up to the HEADER_SCAN_ROWS-th non-empty one;
    blank lines count, as in Excel's row numbers and DuckDB's ``skip``."""
    records: list[tuple[int, list[str]]] = []
    seen = 0
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        for number, cells in enumerate(reader, start=1):
            records.append((number, cells))
            seen += not is_blank(cells)
            if seen == HEADER_SCAN_ROWS:
                break
    except csv.Error:  # a NUL byte or the like: the rows read so far
        pass
    if not complete and seen < HEADER_SCAN_ROWS and len(records) > 1:
        records.pop()  # the sample ends inside this record
    return records


def read_text_table(csv_path: str, file_name: str, temps: list[str], is_known=None, header_row: int | None = None,
                    temp_dir: str | None = None) -> TextTable:
    """Delimiter, header row, title rows and total rows of a UTF-8 text file; space-aligned text is
    rewritten as CSV first (a temporary file added to ``temps``)."""
    text, complete = _sample(csv_path)
    if not text.strip():
        raise ImportProblem("ingest.err_empty_file")
    if "\r" in text and "\n" not in text:
        # Old Mac line ends (CR only): neither Python's csv nor DuckDB reads rows from them.
        raise ImportProblem("ingest.err_cr_line_ends", file=file_name)
    notices: list[tuple[str, dict]] = []
    delimiter = sniff_delimiter(text)
    records = _first_records(text, delimiter, complete)
    if max((len(cells) for _, cells in records), default=0) < 2:
        lines = text.splitlines() if complete else text.splitlines()[:-1]  # the sample may end mid-line
        width = aligned_width(lines[:200])
        if width:
            aligned = _temp_path(temp_dir, temps)
            aligned_to_csv(csv_path, aligned, width)
            csv_path, delimiter = aligned, ","
            text, complete = _sample(csv_path)
            records = _first_records(text, delimiter, complete)
            notices.append(("ingest.notice_space_aligned", {"columns": width}))
    candidates = [(n, trim_right(cells)) for n, cells in records if not is_blank(cells)]
    if not candidates:
        raise ImportProblem("ingest.err_empty_file")
    if header_row is not None and header_row not in {n for n, _ in candidates}:
        raise ImportProblem("ingest.err_header_row", row=header_row, first=candidates[0][0], last=candidates[-1][0])
    chosen = header_row if header_row is not None else choose_header(candidates, is_known)
    if chosen:
        headers = [clean_header(h) for h in dict(records)[chosen]]
        skip = chosen
    else:
        headers = [""] * max(len(cells) for _, cells in candidates)
        skip = candidates[0][0] - 1
    notices += header_notices(candidates, chosen, header_row is not None)
    return TextTable(csv_path, delimiter, headers, chosen, skip, candidates, notices,
                     _trailing_totals(csv_path, delimiter), row_end(text))


def row_end(text: str) -> str:
    """How the rows of a text table end, as DuckDB's ``new_line`` option spells it: ``\\r\\n`` or
    ``\\n``, from the first line break outside quotes. Told, not sniffed: a header cell wrapped with
    Alt+Enter holds a bare LF even in a CRLF file, and DuckDB's sniffer takes that LF for the row end."""
    quoted = False
    for index, char in enumerate(text):
        if char == '"':
            quoted = not quoted
        elif char == "\n" and not quoted:
            return "\\r\\n" if index and text[index - 1] == "\r" else "\\n"
    return "\\n"


def aligned_to_csv(src: str, dst: str, width: int) -> None:
    """Space-aligned text as CSV, line by line (blank lines kept, so rows keep their numbers)."""
    with open(src, encoding="utf-8-sig", errors="replace") as lines, \
            open(dst, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        for line in lines:
            if line.strip():
                writer.writerow(aligned_cells(line, width))
            else:
                out.write("\n")


def _trailing_totals(csv_path: str, delimiter: str) -> int:
    """How many rows DuckDB will read at the end of the file that are totals (or blank between them),
    from the file's last lines. 0 when unsure (a quoted line break among them)."""
    size = os.path.getsize(csv_path)
    with open(csv_path, "rb") as handle:
        handle.seek(max(0, size - TAIL))
        lines = handle.read().decode("utf-8", errors="replace").splitlines()
    if size > TAIL:
        lines = lines[1:]  # may start mid-line
    rows: list[list[str]] = []
    for line in reversed(lines):
        if line.count('"') % 2:
            return 0
        cells = next(csv.reader([line], delimiter=delimiter), [])
        if not cells:
            continue  # an empty line is no row for DuckDB
        rows.append(cells)
        if not is_blank(cells) and not is_total_row(cells):
            break
    return trailing_totals(list(reversed(rows)))


def prepare_file(path: str | Path, file_name: str | None = None, sheet: str | None = None,
                 max_bytes: int | None = MAX_UPLOAD_BYTES, temp_dir: str | None = None, kind=None,
                 header_row: int | None = None) -> PreparedFile:
    """Check, decode and lay out ``path``; the caller calls ``cleanup()`` when done.

    ``kind`` (a Kind or its name) lets the header row be found by the kind's known headers;
    ``header_row`` (the row number Excel or an editor shows) forces it. Raises ImportProblem (missing,
    unreadable, a type we do not read, too large, empty, undecodable, a corrupt spreadsheet, no
    such sheet or header row, formulas without values).
    """
    path = str(path)
    file_name = file_name or Path(path).name
    size = _check_readable(path, file_name)
    spreadsheet = is_spreadsheet(file_name)
    if max_bytes is not None and size > max_bytes:
        raise ImportProblem("ingest.err_too_large", size_mb=f"{size / 1024 / 1024:,.1f}",
                            max_mb=f"{max_bytes / 1024 / 1024:,.0f}")
    if size == 0:
        raise ImportProblem("ingest.err_empty_file")
    purge_stale_temp_files(temp_dir)
    sha: list = []
    hasher = _hash_in_background(path, sha)  # while the file is read
    is_known = KnownHeaders(known_header_keys(get_kind(kind) if isinstance(kind, str) else kind)) \
        if kind is not None else None
    temps: list[str] = []
    try:
        if spreadsheet:
            prepared = _prepare_sheet(path, file_name, sheet, temp_dir, temps, is_known, header_row)
        else:
            prepared = _prepare_text(path, file_name, temp_dir, temps, is_known, header_row)
    except BaseException:
        for temp in temps:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)
        raise
    prepared.size_bytes, prepared.sha256_thread, prepared._sha = size, hasher, sha
    letters = [prepared.letter(i) for i in range(len(prepared.headers))]
    prepared.notices += duplicate_notices(prepared.headers, prepared.hidden_columns, letters, header_key)
    return prepared


def _prepare_text(path: str, file_name: str, temp_dir, temps: list[str], is_known,
                  header_row: int | None) -> PreparedFile:
    with open(path, "rb") as handle:
        head = handle.read(SAMPLE)
    encoding = detect_encoding(head)
    if encoding in ("utf-8", "utf-8-sig"):
        csv_path = path  # DuckDB reads UTF-8 (and skips a BOM) itself: a clean file is never copied
    else:
        csv_path = _temp_path(temp_dir, temps)
        transcode(path, encoding, csv_path)
    table = read_text_table(csv_path, file_name, temps, is_known, header_row, temp_dir)
    return _from_text_table(PreparedFile(path, file_name, table.csv_path, encoding, table.delimiter, [], 0,
                                         temp_paths=temps), table)


def _from_text_table(prepared: PreparedFile, table: TextTable) -> PreparedFile:
    prepared.csv_path, prepared.delimiter, prepared.headers = table.csv_path, table.delimiter, table.headers
    prepared.header_row, prepared.skip_records = table.header_row, table.skip_records
    prepared.row_offset = table.skip_records - 1
    prepared.header_candidates, prepared.notices = table.candidates, table.notices
    prepared.trailing_totals, prepared.newline = table.trailing_totals, table.newline
    return prepared


def _prepare_sheet(path: str, file_name: str, sheet: str | None, temp_dir, temps: list[str], is_known,
                   header_row: int | None) -> PreparedFile:
    from crm_core.ingest.sheets import read_sheet  # sheets imports ImportProblem from this module

    csv_path = _temp_path(temp_dir, temps)
    table = read_sheet(path, file_name, csv_path, sheet, is_known, header_row)  # bounded, in a worker
    skip = 1 if table.header_row else 0
    return PreparedFile(path, file_name, csv_path, Path(file_name).suffix.lower().lstrip("."), ",", table.headers,
                        0, row_offset=table.first_data_row - 2, temp_paths=temps, header_row=table.header_row,
                        header_candidates=table.candidates, hidden_columns=table.hidden_columns,
                        notices=table.notices, skip_records=skip, first_column=table.first_column,
                        sheet=table.sheet, newline="\\r\\n")  # csv.writer's row end (sheets.sheet_to_csv)


def reencode_as_gb18030(prepared: PreparedFile, temp_dir: str | None = None) -> None:
    """A file whose first part looked like UTF-8 but was not (DuckDB said so): decode as GB18030, keeping
    the header row that was found or chosen."""
    csv_path = _temp_path(temp_dir, prepared.temp_paths)
    transcode(prepared.source_path, "gb18030", csv_path)
    table = read_text_table(csv_path, prepared.file_name, prepared.temp_paths, None, prepared.header_row or None,
                            temp_dir)
    _from_text_table(prepared, table)
    prepared.encoding = "gb18030"


DIAGNOSE_RECORDS = 2_000_000  # records read in Python to find the row DuckDB's sniffer stumbled on
_DUCKDB_LINE = re.compile(r"Line: (\d+)")
_DUCKDB_COLUMNS = re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)")


def read_problem(prepared: PreparedFile, message: str) -> ImportProblem:
    """DuckDB's error reading the CSV, as our message: the file, the row where known, the fix.

    DuckDB names the line (of csv_path) when it fails while reading; when its sniffer fails at the
    start, Python's csv module reads the records to find the row.
    """
    file = prepared.file_name
    line = _DUCKDB_LINE.search(message)
    if line is None:
        return diagnose_csv(prepared) or ImportProblem("ingest.err_csv_malformed", file=file)
    row = int(line.group(1)) + prepared.line_offset
    columns = _DUCKDB_COLUMNS.search(message)
    if columns:
        return ImportProblem("ingest.err_csv_columns", file=file, row=row, expected=int(columns.group(1)),
                             found=int(columns.group(2)))
    if "unterminated quote" in message:
        return ImportProblem("ingest.err_csv_quote", file=file, row=row)
    if "Invalid unicode" in message:
        return ImportProblem("ingest.err_csv_encoding_row", file=file, row=row)
    return ImportProblem("ingest.err_csv_malformed_at", file=file, row=row)


def diagnose_csv(prepared: PreparedFile) -> ImportProblem | None:
    """The first data record whose width differs from the header's, a quote never closed, or a file
    without data rows; None when the first DIAGNOSE_RECORDS records are fine."""
    width, file, data = len(prepared.headers), prepared.file_name, 0
    number = 0
    with open(prepared.csv_path, encoding="utf-8-sig", errors="replace", newline="") as handle:
        reader = csv.reader(handle, delimiter=prepared.delimiter, strict=True)
        try:
            for number, cells in enumerate(reader, start=1):
                if number <= prepared.skip_records or not cells:
                    continue
                data += 1
                if len(cells) != width:
                    return ImportProblem("ingest.err_csv_columns", file=file, row=number + prepared.line_offset,
                                         expected=width, found=len(cells))
                if number >= DIAGNOSE_RECORDS:
                    return None
        except csv.Error:
            return ImportProblem("ingest.err_csv_quote", file=file, row=number + 1 + prepared.line_offset)
    return None if data else ImportProblem("ingest.err_no_rows")


TEMP_PREFIXES = ("kehu_import_", "kehu_upload_")
STALE_AFTER_S = 6 * 3600


def purge_stale_temp_files(temp_dir: str | None = None, max_age_s: float = STALE_AFTER_S) -> int:
    """Delete decoded copies and uploads left by sessions that ended (older than ``max_age_s``)."""
    import time
    folder = Path(temp_dir or tempfile.gettempdir())
    removed = 0
    for path in folder.glob("kehu_*"):
        try:
            if path.name.startswith(TEMP_PREFIXES) and time.time() - path.stat().st_mtime > max_age_s:
                path.unlink()
                removed += 1
        except OSError:  # gone already (another session purged it) or not ours to delete
            continue
    return removed


def _temp_path(temp_dir: str | None, temps: list[str]) -> str:
    handle, path = tempfile.mkstemp(suffix=".csv", prefix="kehu_import_", dir=temp_dir)
    os.close(handle)
    temps.append(path)
    return path


def sheet_names(path: str | Path, file_name: str | None = None) -> list[str]:
    """The sheets of an .xlsx/.xlsm/.xls/.ods workbook, in order (read by a bounded worker)."""
    from crm_core.ingest.sheets import workbook_sheets  # sheets imports ImportProblem from this module

    file_name = file_name or Path(path).name
    _check_readable(str(path), file_name)
    return workbook_sheets(str(path), file_name)
