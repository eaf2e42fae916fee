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

import io
import re

import pandas as pd

from crm_core.audit import record_event
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
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        _without_timezones(neutralised(frame)).to_excel(writer, index=False, sheet_name=sheet_name[:31])
    return buffer.getvalue()


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
