"""Promise columns as int64 microsecond vectors, and bulk writes: shared by the import
(``bulk.make_promises_bulk``) and the demo generator (``demo``).

Instants are int64 microseconds since the epoch (UTC), ``NAT`` for none; business-hours promises
move on the calendar's vectorised ``add_micros`` / ``elapsed_micros``, the others on the wall clock.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crm_core.promises.calendar import BusinessCalendar

US = 1_000_000
NAT = np.iinfo(np.int64).min


def add_micros(calendar: BusinessCalendar, business: np.ndarray, starts: np.ndarray, durations: np.ndarray):
    """``starts`` + ``durations``: on the business calendar where ``business``, else on the wall clock."""
    out = starts + durations
    if business.any():
        out[business] = calendar.add_micros(starts[business], durations[business])
    return out


def elapsed_micros(calendar: BusinessCalendar, business: np.ndarray, starts: np.ndarray, ends: np.ndarray):
    """``ends`` − ``starts``: business time where ``business``, else wall-clock time."""
    out = ends - starts
    if business.any():
        out[business] = calendar.elapsed_micros(starts[business], ends[business])
    return out


def to_timestamps(micros: np.ndarray) -> pd.Series:
    """Microsecond instants as a UTC timestamp column."""
    return pd.Series(np.asarray(micros, dtype=np.int64).astype("datetime64[us]")).dt.tz_localize("UTC")


def next_ids(cur, sequence: str, n: int) -> int:
    """Reserve ``n`` values of a sequence (names from crm_core.promises, never user text); returns the first."""
    if n == 0:
        return 0
    ((first,),) = cur.execute(f"SELECT nextval('{sequence}')").fetchall()
    if n > 1:
        cur.execute(f"SELECT max(nextval('{sequence}')) FROM range(?)", [n - 1]).fetchall()
    return int(first)


def insert_frame(cur, table: str, frame: pd.DataFrame, casts: dict | None = None) -> None:
    """Append ``frame`` to ``table`` (both named by crm_core.promises) with one INSERT … SELECT;
    ``casts`` maps a column to the SQL expression that stores it."""
    casts = casts or {}
    cur.register("promises_bulk_frame", frame)
    columns = ", ".join(f'"{c}"' for c in frame.columns)  # names generated here, never user text
    select = ", ".join(casts.get(c, f'"{c}"') for c in frame.columns)
    cur.execute(f"INSERT INTO {table} ({columns}) SELECT {select} FROM promises_bulk_frame")
    cur.unregister("promises_bulk_frame")
