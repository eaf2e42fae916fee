"""Copy a DuckDB store's rows into a migrated PostgreSQL database with ``COPY`` (team mode, issue 19).

``copy_to_postgres(duckdb_connection, pg_url)`` writes every table PostgreSQL's change log
replicates (crm_core.team.replica.replicated_tables) from the DuckDB database into the PostgreSQL
one, in one PostgreSQL transaction, and moves each sequence past the ids copied so the next
``nextval`` does not collide. DuckDB writes each table as CSV (its own C++ writer) and psycopg
streams the file into ``COPY … FROM STDIN (FORMAT csv)``: no Python object per value.

CSV carries every type as PostgreSQL reads it except two, converted in DuckDB's SELECT: lists
(``[a, b]`` → ``{"a","b"}``) and BLOB (→ ``\\x`` and hex). Empty strings are quoted by DuckDB's
writer and unquoted empties are NULL in PostgreSQL's CSV, so '' and NULL stay apart.
"""
from __future__ import annotations

import re
import tempfile
from pathlib import Path

import duckdb
import psycopg

from crm_core.config import duckdb_config
from crm_core.sql import quote_identifier
from crm_core.team.replica import column_types, replicated_tables

CHUNK_BYTES = 1 << 20
_NEXTVAL = re.compile(r"^nextval\('([^']+)'::regclass\)$")
SEQUENCE_COLUMNS_SQL = """
    SELECT c.relname, a.attname, pg_get_expr(d.adbin, d.adrelid)
    FROM pg_attrdef d JOIN pg_class c ON c.oid = d.adrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
    WHERE n.nspname = 'public' AND pg_get_expr(d.adbin, d.adrelid) LIKE 'nextval(%%'"""


def copy_to_postgres(duckdb_connection: duckdb.DuckDBPyConnection, pg_url: str) -> dict[str, int]:
    """Copy the rows of every replicated table from the DuckDB database into the (migrated,
    empty) PostgreSQL one; returns the rows copied per table. All or nothing on PostgreSQL."""
    copied = {}
    with psycopg.connect(pg_url) as conn:
        for table in replicated_tables(conn):
            copy_rows(duckdb_connection, conn, table.name, [name for name, _ in table.columns],
                      column_types(duckdb_connection)[table.name])
            copied[table.name] = conn.execute(f"SELECT count(*) FROM {quote_identifier(table.name)}").fetchone()[0]
        advance_sequences(conn)
    return copied


def copy_rows(duckdb_cursor: duckdb.DuckDBPyConnection, conn: psycopg.Connection, table: str,
              columns: list[str], types: dict[str, str], where: str = "") -> None:
    """Append the rows of DuckDB's ``table`` (those matching ``where``, a fixed SQL condition, when
    given) to PostgreSQL's, in ``conn``'s open transaction; ``types`` are the columns' DuckDB types
    (``column_types``). Rows are read by ``duckdb_cursor``, so a cursor inside a transaction
    copies what that transaction sees."""
    select = ", ".join(_as_postgres_text(c, types[c]) for c in columns)
    with tempfile.TemporaryDirectory(prefix="kehu-copy-") as tmp:
        path = Path(tmp) / "rows.csv"
        duckdb_cursor.execute(f"COPY (SELECT {select} FROM {quote_identifier(table)} {where}) "
                              f"TO '{path}' (FORMAT csv, HEADER false)")
        target = f"{quote_identifier(table)} ({', '.join(map(quote_identifier, columns))})"
        with conn.cursor().copy(f"COPY {target} FROM STDIN (FORMAT csv)") as copy, path.open("rb") as rows:
            while chunk := rows.read(CHUNK_BYTES):
                copy.write(chunk)


def _as_postgres_text(column: str, kind: str) -> str:
    name = quote_identifier(column)
    if kind.endswith("[]"):  # an array literal: elements quoted with \ and " escaped, NULL bare
        element = r"""coalesce('"' || replace(replace(e, '\', '\\'), '"', '\"') || '"', 'NULL')"""
        return (f"CASE WHEN {name} IS NULL THEN NULL ELSE "
                f"'{{' || array_to_string(list_transform({name}, lambda e: {element}), ',') || '}}' END AS {name}")
    if kind == "BLOB":
        return rf"'\x' || hex({name}) AS {name}"
    return name


def advance_sequences(conn: psycopg.Connection) -> None:
    for table, column, default in conn.execute(SEQUENCE_COLUMNS_SQL).fetchall():
        match = _NEXTVAL.match(default)
        if match is None:
            continue
        conn.execute(f"SELECT setval(%s, max({quote_identifier(column)})) FROM {quote_identifier(table)}"
                     f" HAVING max({quote_identifier(column)}) IS NOT NULL", [match[1]])


def load_demo(url: str, customers: int, seed: int, as_of=None, timezone: str | None = None):
    """The demo dataset into the PostgreSQL database at ``url`` (migrated here; it must have no
    customers): built by the embedded generator into a DuckDB file beside, then copied with COPY,
    and only then the change log installed (its triggers would triple the load: replica's docstring).
    Returns the demo's size (crm_core.demo.DemoSize)."""
    from crm_core import demo
    from crm_core.team.replica import install_change_log
    from crm_core.team.schema import migrate_postgres

    migrate_postgres(url)
    with psycopg.connect(url) as conn:
        (existing,) = conn.execute("SELECT count(*) FROM customers").fetchone()
    if existing:
        raise ValueError("the database already has customers; demo data goes into an empty one only")
    with tempfile.TemporaryDirectory(prefix="kehu-demo-") as tmp:
        path = Path(tmp) / "demo.duckdb"
        size = demo.build_demo_file(path, customers, seed, as_of, timezone=timezone)
        with duckdb.connect(str(path), read_only=True, config=duckdb_config()) as con:  # the store's memory bound
            copy_to_postgres(con, url)
    install_change_log(url)
    return size
