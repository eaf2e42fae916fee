"""Any file Excel or WPS makes, turned into one UTF-8 CSV that DuckDB reads.

- Encoding: a BOM decides (UTF-8, UTF-16 LE/BE); otherwise strict ``utf-8`` is tried first and then
  ``gb18030`` (UTF-8 bytes decode "successfully" as GB18030 into garbage, so the order matters; GB18030
  is a superset of GBK). UTF-8 files are handed to DuckDB as they are; anything else is decoded in
  chunks to a UTF-8 temporary file (never the whole file in memory).
- Delimiter: comma, semicolon, tab or bar, whichever splits the first records consistently.
- XLSX: openpyxl in read-only mode, one sheet (the first or a chosen one), written as CSV.
"""
from __future__ import annotations

import codecs
import contextlib
import csv
import hashlib
import io
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

MAX_UPLOAD_BYTES = 200 * 1024 * 1024  # matches .streamlit/config.toml maxUploadSize (MB)
CHUNK = 8 * 1024 * 1024
SAMPLE = 256 * 1024
DELIMITERS = (",", ";", "\t", "|")


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
    """A file ready for ``read_csv``: UTF-8 at ``csv_path``, its header row and how it was read."""

    source_path: str
    file_name: str
    csv_path: str
    encoding: str
    delimiter: str
    headers: list[str]
    size_bytes: int
    row_offset: int = 0          # sheet rows above the header that were empty (Excel row numbers)
    temp_paths: list[str] = field(default_factory=list)
    sha256_thread: threading.Thread | None = None
    _sha: list = field(default_factory=list)

    @property
    def sha256(self) -> str:
        if self.sha256_thread is not None:
            self.sha256_thread.join()
        return self._sha[0]

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
    """The delimiter that splits the first records into the same number (> 1) of fields."""
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
        if not records or len(records[0]) < 2:
            continue
        width = len(records[0])
        score = (sum(len(r) == width for r in records), width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _header_and_delimiter(csv_path: str) -> tuple[list[str], str]:
    with open(csv_path, "rb") as handle:
        head = handle.read(SAMPLE)
    text = codecs.getincrementaldecoder("utf-8-sig")("replace").decode(head, final=False)
    if not text.strip():
        raise ImportProblem("ingest.err_empty_file")
    if "\r" in text and "\n" not in text:
        # Old Mac line ends (CR only): neither Python's csv nor DuckDB reads rows from them.
        raise ImportProblem("ingest.err_csv_malformed", detail="CR line endings: save as 'CSV UTF-8' again")
    delimiter = sniff_delimiter(text)
    try:
        header = next(csv.reader(io.StringIO(text), delimiter=delimiter), [])
    except csv.Error as error:
        raise ImportProblem("ingest.err_csv_malformed", detail=str(error)) from None
    if not any(h.strip() for h in header):
        raise ImportProblem("ingest.err_no_header")
    return [h.strip() for h in header], delimiter


def prepare_file(path: str | Path, file_name: str | None = None, sheet: str | None = None,
                 max_bytes: int | None = MAX_UPLOAD_BYTES, temp_dir: str | None = None) -> PreparedFile:
    """Check size, decode and sniff ``path``; the caller calls ``cleanup()`` when done.

    Raises ImportProblem (too large, empty, undecodable, no header row).
    """
    path = str(path)
    file_name = file_name or Path(path).name
    size = os.path.getsize(path)
    if max_bytes is not None and size > max_bytes:
        raise ImportProblem("ingest.err_too_large", size_mb=f"{size / 1024 / 1024:,.1f}",
                            max_mb=f"{max_bytes / 1024 / 1024:,.0f}")
    if size == 0:
        raise ImportProblem("ingest.err_empty_file")
    purge_stale_temp_files(temp_dir)
    sha: list = []
    hasher = _hash_in_background(path, sha)
    temps: list[str] = []
    row_offset = 0
    if file_name.lower().endswith((".xlsx", ".xlsm")):
        csv_path = _temp_path(temp_dir, temps)
        row_offset = xlsx_to_csv(path, csv_path, sheet)
        encoding = "xlsx"
    else:
        with open(path, "rb") as handle:
            head = handle.read(SAMPLE)
        encoding = detect_encoding(head)
        if encoding in ("utf-8", "utf-8-sig"):
            csv_path = path  # DuckDB reads UTF-8 (and skips a BOM) itself
        else:
            csv_path = _temp_path(temp_dir, temps)
            transcode(path, encoding, csv_path)
    headers, delimiter = _header_and_delimiter(csv_path)
    return PreparedFile(path, file_name, csv_path, encoding, delimiter, headers, size, row_offset, temps,
                        hasher, sha)


def reencode_as_gb18030(prepared: PreparedFile, temp_dir: str | None = None) -> None:
    """A file whose first part looked like UTF-8 but was not (DuckDB said so): decode as GB18030."""
    csv_path = _temp_path(temp_dir, prepared.temp_paths)
    transcode(prepared.source_path, "gb18030", csv_path)
    prepared.csv_path, prepared.encoding = csv_path, "gb18030"
    prepared.headers, prepared.delimiter = _header_and_delimiter(csv_path)


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


def sheet_names(path: str | Path) -> list[str]:
    from openpyxl import load_workbook
    book = load_workbook(path, read_only=True)
    try:
        return list(book.sheetnames)
    finally:
        book.close()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def xlsx_to_csv(path: str, csv_path: str, sheet: str | None = None) -> int:
    """One sheet as UTF-8 CSV (dates as ISO text); returns the number of empty rows above the header.

    openpyxl's read-only mode streams the sheet; this is the one place rows pass through Python,
    because that is how an XLSX is read (DuckDB's excel extension cannot be installed offline).
    """
    from openpyxl import load_workbook
    book = load_workbook(path, read_only=True, data_only=True)
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise ImportProblem("ingest.err_no_sheet", sheet=sheet)
        ws = book[sheet] if sheet else book.worksheets[0]
        leading = 0
        width = None
        pending_blank = 0
        with open(csv_path, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            for row in ws.iter_rows(values_only=True):
                cells = [_cell_text(v) for v in row]
                if width is None:
                    if not any(c.strip() for c in cells):
                        leading += 1
                        continue
                    while cells and not cells[-1].strip():
                        cells.pop()
                    width = len(cells)
                elif not any(c.strip() for c in cells):
                    pending_blank += 1  # written only if a filled row follows (keeps Excel row numbers)
                    continue
                for _ in range(pending_blank):
                    writer.writerow([""] * width)
                pending_blank = 0
                writer.writerow((cells + [""] * width)[:width])
        return leading
    finally:
        book.close()
