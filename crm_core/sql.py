"""A small SQL toolkit: identifiers quoted in one place, fragments with named parameters.

- ``quote_identifier(name)`` — a name as a DuckDB identifier (double quotes, embedded quotes
  doubled). ``checked_identifier(db, table, column=None)`` also checks the name against the
  catalog (``duckdb_tables()`` / ``duckdb_columns()``) — for identifiers that come from data or
  a user's choice rather than from a fixed list in the code.
- ``Fragment`` — SQL text with ``$name`` parameters (DuckDB's named parameters) and their values.
  Fragments combine with ``&`` (AND) and are put into a statement with ``compose``; values
  always travel as parameters, never inside the text, and a value used twice is written once.
- The windows every page uses: ``last_12_months`` (as_of − 12 months, as_of] on a DATE column,
  ``trailing_year_days`` (as_of − 365 days, as_of] and ``between`` (start..end, both included).

Every read takes the database handle as ``db`` (a DuckDB cursor — the store's ``cursor(actor)``
or ``system_cursor()``), and runs a fragment with ``run(db, fragment)``; ``fetch_frame(result)``
reads a result of millions of rows as a frame in bounded extra memory.
"""
from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import duckdb
import numpy as np
import pandas as pd

_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_FIELD = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def quote_identifier(name: str) -> str:
    """``name`` as a quoted identifier: ``a"b`` → ``"a""b"``. Raises ValueError for an empty name."""
    if not isinstance(name, str) or not name or "\x00" in name:
        raise ValueError(f"not an identifier: {name!r}")
    return '"' + name.replace('"', '""') + '"'


def checked_identifier(db: duckdb.DuckDBPyConnection, table: str, column: str | None = None) -> str:
    """The quoted name of ``table`` (or of its ``column``) after checking that it exists in the
    catalog of the database ``db`` is on. Raises ValueError for an unknown table or column."""
    (found,) = db.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = $t AND NOT temporary",
                          {"t": table}).fetchone()
    if not found:
        raise ValueError(f"unknown table {table!r}")
    if column is None:
        return quote_identifier(table)
    (found,) = db.execute("SELECT count(*) FROM duckdb_columns() WHERE table_name = $t AND column_name = $c",
                          {"t": table, "c": column}).fetchone()
    if not found:
        raise ValueError(f"unknown column {column!r} of {table!r}")
    return quote_identifier(column)


@dataclass(frozen=True)
class Fragment:
    """SQL text with ``$name`` parameters and their values (a predicate, an expression, a CTE,
    a whole statement). ``a & b`` is ``(a) AND (b)``; a name bound to two different values in
    the parts is an error, the same value twice is fine."""

    sql: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __and__(self, other: Fragment) -> Fragment:
        if self.sql == "TRUE":
            return other
        if other.sql == "TRUE":
            return self
        return Fragment(f"({self.sql}) AND ({other.sql})", _merge(self.params, other.params))

    def __str__(self) -> str:  # the text only: never format a fragment into SQL with str()
        return self.sql

    def used_params(self) -> dict[str, Any]:
        """The parameters the text names (DuckDB refuses values it was not asked for)."""
        names = set(_PARAM.findall(_without_literals(self.sql)))
        missing = names - set(self.params)
        if missing:
            raise ValueError(f"no value for parameter(s) {sorted(missing)} in {self.sql!r}")
        return {k: v for k, v in self.params.items() if k in names}


TRUE = Fragment("TRUE")
FALSE = Fragment("FALSE")


def _merge(*mappings: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for mapping in mappings:
        for key, value in mapping.items():
            if key in out and out[key] is not value and out[key] != value:
                raise ValueError(f"parameter ${key} bound to two values: {out[key]!r}, {value!r}")
            out[key] = value
    return out


def _without_literals(sql: str) -> str:
    return re.sub(r"'(?:[^']|'')*'", "''", sql)


def all_of(*fragments: Fragment) -> Fragment:
    """Every fragment ANDed (TRUE for none)."""
    out = TRUE
    for fragment in fragments:
        out = out & fragment
    return out


def compose(template: str, /, **parts: Any) -> Fragment:
    """``template`` with each ``{name}`` replaced by a Fragment's text (its parameters joined) or
    an ``Identifier``; every other keyword is a parameter value for ``$name``. Braces in the
    template are placeholders only (DuckDB struct literals need ``compose``-free text)."""
    params: dict[str, Any] = {}
    texts: dict[str, str] = {}
    for name, value in parts.items():
        if isinstance(value, Fragment):
            texts[name] = value.sql
            params = _merge(params, value.params)
        elif isinstance(value, Identifier):
            texts[name] = value.quoted
        else:
            params = _merge(params, {name: value})

    def fill(match: re.Match) -> str:
        name = match.group(1)
        if name not in texts:
            raise KeyError(f"no fragment or identifier for {{{name}}}")
        return texts[name]

    return Fragment(_FIELD.sub(fill, template), params)


@dataclass(frozen=True)
class Identifier:
    """A name to put into SQL text, quoted (``compose(..., col=Identifier("amount"))``)."""

    name: str

    @property
    def quoted(self) -> str:
        return quote_identifier(self.name)


def run(db: duckdb.DuckDBPyConnection, fragment: Fragment) -> duckdb.DuckDBPyConnection:
    """Execute ``fragment`` on ``db`` with its named parameters; returns the cursor for fetching."""
    return db.execute(fragment.sql, fragment.used_params())


FETCH_CHUNK_VECTORS = 500  # DuckDB vectors of 2,048 rows fetched at a time by fetch_frame: about a million rows


def fetch_frame(result: duckdb.DuckDBPyConnection, position: str | None = None) -> pd.DataFrame:
    """``result.df()`` in bounded extra memory: the rows fetched a million at a time and joined a
    column at a time, so they are held once plus one column (``df()`` holds a large result twice
    while converting it: most of a GB at ten million customers in the server's fit job, issue 18).
    With ``position``, the name of a column holding 1..n, each row goes to its place in that order
    (no sort of every row in the query). Columns and dtypes as ``df()`` gives them."""
    pieces: dict[str, list[np.ndarray]] = {}
    while not (chunk := result.fetch_df_chunk(FETCH_CHUNK_VECTORS)).empty:
        for name in chunk.columns:  # copies that own their memory: a view would keep the whole chunk
            pieces.setdefault(name, []).append(chunk[name].to_numpy(copy=True))
        del chunk
    if not pieces:
        return chunk  # no rows: the typed empty frame
    at = None if position is None else np.concatenate(pieces[position]) - 1
    columns = {}
    for name in list(pieces):
        parts = pieces.pop(name)  # a column's pieces are freed as it is joined
        if at is None:
            columns[name] = np.concatenate(parts)
        else:
            columns[name] = np.empty(len(at), dtype=np.result_type(*parts))
            columns[name][at] = np.concatenate(parts)
        del parts
    return pd.DataFrame(columns, copy=False)


def relation(db: duckdb.DuckDBPyConnection, fragment: Fragment) -> duckdb.DuckDBPyRelation:
    """``fragment`` as a lazy relation (for ``write_csv`` and the like)."""
    return db.sql(fragment.sql, params=fragment.used_params())


# -- the windows ------------------------------------------------------------------------------

def last_12_months(as_of: date | Fragment, column: str, name: str = "as_of") -> Fragment:
    """"The last 12 months" on a DATE ``column``: (as_of − 12 calendar months, as_of], the
    window of the churn and satisfaction pages (2026-06-30 → 2025-07-01 .. 2026-06-30; month
    arithmetic clamps 31 May − 12 months to 31 May). ``column`` is SQL text from the code (an
    alias-qualified column or an expression such as ``i.occurred_at::DATE``)."""
    bound = _as_of_sql(as_of, name)
    return Fragment(f"{column} > {bound.sql} - INTERVAL 12 MONTH AND {column} <= {bound.sql}", bound.params)


def previous_12_months(as_of: date | Fragment, column: str, name: str = "as_of") -> Fragment:
    """"The previous 12 months": (as_of − 24 months, as_of − 12 months] on a DATE ``column`` —
    the year before ``last_12_months``, the churn base year."""
    bound = _as_of_sql(as_of, name)
    return Fragment(f"{column} > {bound.sql} - INTERVAL 24 MONTH AND {column} <= {bound.sql} - INTERVAL 12 MONTH",
                    bound.params)


def trailing_year_days(as_of: date | Fragment, column: str, name: str = "as_of") -> Fragment:
    """(as_of − 365 days, as_of] on a DATE ``column`` — 365 days, not 12 calendar months: after
    a 29 February the two differ by one day. The window of the promises page's customer class."""
    bound = _as_of_sql(as_of, name)
    return Fragment(f"{column} > {bound.sql} - INTERVAL 365 DAY AND {column} <= {bound.sql}", bound.params)


def between(start: date, end: date, column: str, prefix: str = "period") -> Fragment:
    """``start`` .. ``end``, both days included, on a DATE ``column``."""
    return Fragment(f"{column} BETWEEN ${prefix}_start AND ${prefix}_end",
                    {f"{prefix}_start": start, f"{prefix}_end": end})


def months_before(day: date, months: int) -> date:
    """``day`` − ``months`` calendar months, clamped to the month's end (31 May − 3 → 28/29 Feb),
    as DuckDB's ``- INTERVAL n MONTH`` and pandas' ``DateOffset(months=n)`` compute it."""
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(y, m + 1, min(day.day, calendar.monthrange(y, m + 1)[1]))


def last_12_months_dates(as_of: date) -> tuple[date, date]:
    """The days of ``last_12_months`` as a pair, both included: (as_of − 12 months + 1 day, as_of)
    — for code that takes a period (ABC classification, the Segmentation page's default)."""
    return months_before(as_of, 12) + timedelta(days=1), as_of


def previous_12_months_dates(as_of: date) -> tuple[date, date]:
    """The days of ``previous_12_months``, both included: the 12 months before ``last_12_months``."""
    end = months_before(as_of, 12)
    return months_before(as_of, 24) + timedelta(days=1), end


def trailing_year_days_dates(as_of: date) -> tuple[date, date]:
    """The days of ``trailing_year_days``, both included: (as_of − 364 days, as_of)."""
    return as_of - timedelta(days=364), as_of


def _as_of_sql(as_of: date | Fragment, name: str) -> Fragment:
    if isinstance(as_of, Fragment):
        return as_of
    return Fragment(f"CAST(${name} AS DATE)", {name: as_of})
