"""Team mode's writes (issue 19, "Writes go to PostgreSQL"): the app's write code runs unchanged,
in DuckDB's dialect, on the analytic copy, and what it changed is then written to PostgreSQL in the
same PostgreSQL transaction as the write lock, so the two commit together or not at all.

Why not send the write SQL to PostgreSQL: it is DuckDB SQL (``INSERT … SELECT … FROM`` a registered
DataFrame, ``read_csv`` in imports, ``INSERT OR REPLACE``, list functions), some sixty write paths;
translating each would give every rule a second spelling.

How (``RecordingCursor``): every INSERT, UPDATE or DELETE on a replicated table runs with
``RETURNING *``; the returned rows give the replica keys the statement touched (for a DELETE, the
rows it removed), and the caller gets exactly the result its own statement would have given
(its RETURNING columns, or DuckDB's one-row count). Any other statement that would change a
replicated table without saying which rows (DDL, COPY … FROM, TRUNCATE, a transaction of its own)
raises ``NotInTeamMode`` instead of leaving PostgreSQL behind. At the end ``ship`` replaces, in
PostgreSQL, the rows of every touched key by the copy's rows of that key as the transaction sees
them (delete by key, then COPY): the same "rows of a key" unit the refresh copies the other way.

The optimistic version check happens in PostgreSQL too: for a table with a ``version`` column, the
touched keys' versions are read ``FOR UPDATE`` in PostgreSQL and must equal the copy's committed
ones (what the write was checked against); a difference means someone changed those rows outside
the app's write lock (direct SQL), and the write fails with ``ConcurrentWrite`` instead of
overwriting their change.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import duckdb
import pandas as pd
import psycopg
import pyarrow as pa

from crm_core.sql import quote_identifier
from crm_core.team.bulk_load import copy_rows
from crm_core.team.replica import ReplicatedTable

_NAME = r'(?:"[^"]+"|[A-Za-z_]\w*)'
_DML = re.compile(rf"^\s*(?P<verb>INSERT\s+(?:OR\s+(?:REPLACE|IGNORE)\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"
                  rf"(?P<table>{_NAME}(?:\s*\.\s*{_NAME})?)", re.IGNORECASE)
_RETURNING = re.compile(r"\bRETURNING\b(?P<columns>[^;]*?)\s*;?\s*$", re.IGNORECASE | re.DOTALL)
_SET_CLAUSE = re.compile(r"\bSET\b(?P<assignments>.*?)(?:\bFROM\b|\bWHERE\b|\bRETURNING\b|$)",
                         re.IGNORECASE | re.DOTALL)
# Statements that change nothing PostgreSQL holds: reads, settings, scratch databases (ATTACH
# ':memory:'). DDL passes when its object is not a replicated table (``_ddl_target``).
_PASSES = re.compile(r"^\s*(?:SELECT|WITH|FROM|VALUES|SET|RESET|DESCRIBE|SHOW|EXPLAIN|SUMMARIZE|ATTACH|DETACH)\b",
                     re.IGNORECASE)
_DDL = re.compile(rf"^\s*(?:CREATE|DROP|ALTER)\s+(?:OR\s+REPLACE\s+)?(?:TEMP(?:ORARY)?\s+)?"
                  rf"(?:TABLE|VIEW|SEQUENCE|INDEX|MACRO|TYPE)\s+(?:IF\s+(?:NOT\s+)?EXISTS\s+)?"
                  rf"(?P<table>{_NAME}(?:\s*\.\s*{_NAME})?)", re.IGNORECASE)
_IDENTIFIER = re.compile(r"^[A-Za-z_]\w*$")
CAPTURED = "kehu_team_captured"  # the name a statement's returned rows are registered under
TOUCHED = "kehu_team_touched"


class NotInTeamMode(RuntimeError):
    """A write the team mode cannot carry to PostgreSQL (the statement is named)."""


class ConcurrentWrite(RuntimeError):
    """Rows this write changed were changed in PostgreSQL by someone else since they were read."""


def _table_name(raw: str) -> tuple[str | None, str]:
    parts = [p.strip().strip('"') for p in raw.split(".")]
    return (parts[0].lower(), parts[1]) if len(parts) == 2 else (None, parts[0])


class RecordingCursor:
    """A DuckDB cursor inside the write transaction that notes the keys each statement touches
    (``touched``: table → list of Arrow tables of key columns; ``None`` for a whole-table key).
    Everything but ``execute``/``executemany`` is the wrapped cursor's."""

    def __init__(self, cursor: duckdb.DuckDBPyConnection, tables: dict[str, ReplicatedTable]):
        self._cursor = cursor
        self._tables = tables
        self.touched: dict[str, list[pa.Table] | None] = {}
        self._result: Returned | None = None  # a recorded statement's result, as the caller's statement gives it

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cursor, name)

    def executemany(self, sql: str, parameters: Sequence[Any] = ()) -> RecordingCursor:
        for row in parameters:
            self.execute(sql, row)
        return self

    def execute(self, sql: str, parameters: Any = None) -> RecordingCursor:
        self._result = None
        dml = _DML.match(sql)
        table = self._replicated(dml)
        if table is None:
            if dml is None and not (_PASSES.match(sql) or self._scratch_ddl(sql)):
                raise NotInTeamMode(f"team mode cannot carry this statement to PostgreSQL: {sql.strip()[:80]!r}")
            self._cursor.execute(sql, parameters)
            return self
        self._check_key_not_moved(table, sql)
        self._cursor.complete()  # a read left unfinished (fetchone) would block the statement below
        returning = _RETURNING.search(sql)
        statement = (sql[:returning.start()] if returning else sql.rstrip().rstrip(";")) + " RETURNING *"
        rows = self._cursor.sql(statement, params=parameters).to_arrow_table()
        self._note(table, rows)
        self._cursor.register(CAPTURED, rows)
        try:  # fetched now: a result left open would block the caller's next register/unregister
            result = self._cursor.execute(f"SELECT {self._returned(returning)} FROM {CAPTURED}")
            self._result = Returned(result.fetchall(), [d[0] for d in result.description])
        finally:
            self._cursor.unregister(CAPTURED)
        return self

    # The result methods the write code uses, served from a recorded statement's result.
    def fetchone(self):
        return self._result.fetchone() if self._result is not None else self._cursor.fetchone()

    def fetchall(self):
        return self._result.fetchall() if self._result is not None else self._cursor.fetchall()

    def df(self) -> pd.DataFrame:
        return self._result.df() if self._result is not None else self._cursor.df()

    fetchdf = fetch_df = df

    def _scratch_ddl(self, sql: str) -> bool:
        """DDL on an object that is not a replicated table (a temporary table, a scratch database's)."""
        ddl = _DDL.match(sql)
        return ddl is not None and self._replicated(ddl) is None

    def _replicated(self, match: re.Match | None) -> ReplicatedTable | None:
        if match is None:
            return None
        schema, name = _table_name(match["table"])
        if schema not in (None, "main"):
            return None  # temp.…: the write's own scratch
        return self._tables.get(name)

    @staticmethod
    def _check_key_not_moved(table: ReplicatedTable, sql: str) -> None:
        """An UPDATE setting a key column would leave the old key's rows in PostgreSQL (RETURNING
        gives the new rows only): refused, none of the app's writes does it."""
        if not table.key or not sql.lstrip().upper().startswith("UPDATE"):
            return
        assignments = _SET_CLAUSE.search(sql)
        assigned = {part.split("=")[0].strip().strip('"').lower()
                    for part in (assignments["assignments"].split(",") if assignments else ())}
        if assigned & {k.lower() for k in table.key}:
            raise NotInTeamMode(f"team mode cannot move rows of {table.name} to another key: {sql.strip()[:80]!r}")

    @staticmethod
    def _returned(returning: re.Match | None) -> str:
        if returning is None:
            return 'count(*) AS "Count"'  # DuckDB's result of a DML statement without RETURNING
        columns = [c.strip() for c in returning["columns"].split(",")]
        if not all(_IDENTIFIER.match(c) for c in columns):
            raise NotInTeamMode(f"team mode returns plain columns only, not {returning['columns'].strip()!r}")
        return ", ".join(quote_identifier(c) for c in columns)

    def _note(self, table: ReplicatedTable, rows: pa.Table) -> None:
        if not table.key:
            self.touched[table.name] = None
            return
        if rows.num_rows == 0:
            return
        noted = self.touched.setdefault(table.name, [])
        if noted is not None:
            noted.append(rows.select(list(table.key)))


class Returned:
    """A fetched result: rows and column names."""

    def __init__(self, rows: list[tuple], columns: list[str]):
        self._rows = rows
        self._next = 0
        self.columns = columns

    def fetchone(self) -> tuple | None:
        if self._next >= len(self._rows):
            return None
        self._next += 1
        return self._rows[self._next - 1]

    def fetchall(self) -> list[tuple]:
        rest, self._next = self._rows[self._next:], len(self._rows)
        return rest

    def df(self) -> pd.DataFrame:
        return pd.DataFrame.from_records(self.fetchall(), columns=self.columns)


def ship(touched: dict[str, list[pa.Table] | None], tables: dict[str, ReplicatedTable],
         types: dict[str, dict[str, str]], write_cursor: duckdb.DuckDBPyConnection, committed_cursor: duckdb.DuckDBPyConnection,
         pg: psycopg.Connection) -> dict[str, int]:
    """Replace in PostgreSQL (``pg``'s open transaction) the rows of every touched key with the
    copy's rows as ``write_cursor``'s transaction sees them; returns the keys shipped per table.
    ``committed_cursor`` reads the copy outside the transaction (the versions the write began from);
    ``types`` are the copy's column types (replica.column_types)."""
    shipped = {}
    for name, keys in touched.items():
        table = tables[name]
        columns = [column for column, _ in table.columns]
        if keys is None:
            pg.execute(f"DELETE FROM {quote_identifier(name)}")
            copy_rows(write_cursor, pg, name, columns, types[name])
            shipped[name] = 1
            continue
        shipped[name] = _ship_keys(table, pa.concat_tables(keys), columns, types[name], write_cursor,
                                   committed_cursor, pg)
    return shipped


def _ship_keys(table: ReplicatedTable, keys: pa.Table, columns: list[str], types: dict[str, str], write_cursor,
               committed_cursor, pg: psycopg.Connection) -> int:
    name = quote_identifier(table.name)
    key_list = ", ".join(quote_identifier(k) for k in table.key)
    write_cursor.register(TOUCHED, keys)
    try:
        distinct = write_cursor.sql(f"SELECT DISTINCT {key_list} FROM {TOUCHED}").to_arrow_table()
    finally:
        write_cursor.unregister(TOUCHED)
    pg.execute(f"CREATE TEMP TABLE {TOUCHED} ON COMMIT DROP AS SELECT {key_list} FROM {name} WITH NO DATA")
    with pg.cursor().copy(f"COPY {TOUCHED} ({key_list}) FROM STDIN") as copy:
        for row in distinct.to_pylist():
            copy.write_row([row[k] for k in table.key])
    if "version" in columns:
        _check_versions(table, distinct, committed_cursor, pg)
    match = " AND ".join(f"{name}.{quote_identifier(k)} = t.{quote_identifier(k)}" for k in table.key)
    pg.execute(f"DELETE FROM {name} USING {TOUCHED} t WHERE {match}")
    write_cursor.register(TOUCHED, distinct)
    try:
        copy_rows(write_cursor, pg, table.name, columns, types, where=f"WHERE ({key_list}) IN (SELECT {key_list} FROM {TOUCHED})")
    finally:
        write_cursor.unregister(TOUCHED)
    pg.execute(f"DROP TABLE {TOUCHED}")
    return distinct.num_rows


def _check_versions(table: ReplicatedTable, keys: pa.Table, committed_cursor, pg: psycopg.Connection) -> None:
    """The touched rows' versions in PostgreSQL (locked until commit) equal the copy's committed ones."""
    name = quote_identifier(table.name)
    key_list = ", ".join(quote_identifier(k) for k in table.key)
    committed_cursor.register(TOUCHED, keys)
    try:
        before = set(committed_cursor.execute(
            f"SELECT {key_list}, version FROM {name} WHERE ({key_list}) IN (SELECT {key_list} FROM {TOUCHED})").fetchall())
    finally:
        committed_cursor.unregister(TOUCHED)
    now = set(pg.execute(f"SELECT {', '.join(f'r.{quote_identifier(k)}' for k in table.key)}, r.version "
                         f"FROM {name} r JOIN {TOUCHED} USING ({key_list}) FOR UPDATE OF r").fetchall())
    if before != now:
        changed = sorted({row[:-1] for row in before ^ now})[:5]
        raise ConcurrentWrite(f"{table.name}: rows {changed} were changed in PostgreSQL since they were read")
