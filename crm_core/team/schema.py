"""The store's schema on PostgreSQL, from the one numbered migration list DuckDB uses.

- Migration NNN is ``crm_core/migrations/NNN_name.sql`` on both engines: written once, in DuckDB's
  dialect; PostgreSQL runs it with DuckDB's type spellings replaced (``postgres_body``), so the two
  engines can never drift into two schemas.
- ``migrate_postgres(url)`` applies the migrations a database has not recorded, in order, each in
  one transaction with its row in ``schema_version`` (the same table as DuckDB's), under an advisory
  lock: two processes starting at once never both migrate.
- ``POSTGRES_TYPES`` / ``postgres_type``: the one table of which PostgreSQL type stands for which
  DuckDB type (as ``format_type`` and ``duckdb_columns().data_type`` spell them). ``POSTGRES_SPELLINGS``
  follows it, and tests/test_team_schema.py checks every column of every table against it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import psycopg

from crm_core.store import SCHEMA_VERSION_TABLE, available_migrations

ENGINES = ("duckdb", "postgres")
# pg_advisory_lock key of "migrating this database" (advisory locks are per database). Any fixed
# 64-bit number no other code of ours uses: the bytes of "kehu-mig".
MIGRATION_LOCK_KEY = int.from_bytes(b"kehu-mig", "big") & 0x7FFF_FFFF_FFFF_FFFF

# DuckDB type → PostgreSQL type of the same values. Where PostgreSQL has no type of the same range,
# the respelled column is a wider type with a CHECK cutting it to DuckDB's range.
POSTGRES_TYPES = {
    "BOOLEAN": "boolean",
    "TINYINT": "smallint",  # CHECK (-128 .. 127)
    "SMALLINT": "smallint",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "UBIGINT": "numeric(20,0)",  # CHECK (0 .. 2^64 - 1); a BIGINT would make bit 63 negative
    "HUGEINT": "numeric(38,0)",
    "DOUBLE": "double precision",
    "VARCHAR": "character varying",
    "VARCHAR[]": "text[]",  # unbounded varchar and text are one type in PostgreSQL
    "BLOB": "bytea",
    "JSON": "json",  # json, not jsonb: the text is kept as written, as DuckDB's JSON keeps it
    "DATE": "date",
    "TIMESTAMP WITH TIME ZONE": "timestamp with time zone",
}
_DECIMAL = re.compile(r"^DECIMAL\((\d+),\s*(\d+)\)$")


def postgres_type(duckdb_type: str) -> str:
    """The PostgreSQL type (``format_type`` spelling) holding the values of ``duckdb_type``
    (``duckdb_columns().data_type`` spelling): ``DECIMAL(18,2)`` → ``numeric(18,2)``,
    ``DOUBLE`` → ``double precision``. Raises KeyError for a type not in the table."""
    decimal = _DECIMAL.match(duckdb_type)
    if decimal:
        return f"numeric({decimal[1]},{decimal[2]})"
    return POSTGRES_TYPES[duckdb_type]


# DuckDB spellings PostgreSQL lacks → PostgreSQL's, as POSTGRES_TYPES says (a column of a type with
# no equal range on PostgreSQL gets a CHECK cutting it to DuckDB's). Applied to every migration's
# DuckDB body: the schema is written once, in DuckDB's dialect.
_COLUMN = r"(\b[a-z_]+)[ \t]+"
POSTGRES_SPELLINGS: tuple[tuple[re.Pattern, str], ...] = (
    (re.compile(r"\bDOUBLE\b(?![ \t]+PRECISION)"), "DOUBLE PRECISION"),
    (re.compile(r"\bBLOB\b"), "BYTEA"),
    (re.compile(r"\bVARCHAR\[\]([ \t]+NOT NULL)?[ \t]+DEFAULT[ \t]+\[\]"), r"TEXT[]\1 DEFAULT '{}'"),
    (re.compile(_COLUMN + r"UBIGINT\b"), r"\1 NUMERIC(20, 0) CHECK (\1 BETWEEN 0 AND 18446744073709551615)"),
    (re.compile(_COLUMN + r"TINYINT\b"), r"\1 SMALLINT CHECK (\1 BETWEEN -128 AND 127)"),
)


def postgres_body(duckdb_sql: str) -> str:
    """A migration's DuckDB body in PostgreSQL's spelling (``POSTGRES_SPELLINGS``)."""
    for pattern, replacement in POSTGRES_SPELLINGS:
        duckdb_sql = pattern.sub(replacement, duckdb_sql)
    return duckdb_sql


@dataclass(frozen=True)
class Migration:
    """Migration ``version`` (file ``path``); ``name`` (the file's stem) is what both engines
    record in ``schema_version``."""

    version: int
    name: str
    path: Path

    def body(self, engine: str) -> str:
        if engine not in ENGINES:
            raise ValueError(f"unknown engine {engine!r}; one of {ENGINES}")
        text = self.path.read_text(encoding="utf-8")
        return text if engine == "duckdb" else postgres_body(text)


def migrations() -> list[Migration]:
    """Every migration in order, the one numbered list of both engines."""
    return [Migration(version, path.stem, path) for version, path in available_migrations()]


def applied_postgres(conn: psycopg.Connection) -> set[int]:
    """The versions recorded in the database's ``schema_version`` (empty when it has none)."""
    (exists,) = conn.execute("SELECT to_regclass('schema_version') IS NOT NULL").fetchone()
    if not exists:
        return set()
    return {int(v) for (v,) in conn.execute("SELECT version FROM schema_version").fetchall()}


def migrate_postgres(url: str) -> list[int]:
    """Apply every migration the PostgreSQL database at ``url`` has not recorded, in order (keyed on
    the set of applied versions, as DuckDB's Store.migrate); returns the versions applied. Each
    migration and its ``schema_version`` row commit together. The whole run holds an advisory lock,
    so a second process waits and then finds nothing left to apply."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", [MIGRATION_LOCK_KEY])
        try:
            # Created under the lock: two CREATE TABLE IF NOT EXISTS at once can still collide.
            conn.execute(SCHEMA_VERSION_TABLE)
            done = applied_postgres(conn)
            applied = []
            for migration in migrations():
                if migration.version in done:
                    continue
                with conn.transaction():
                    conn.execute(migration.body("postgres"))
                    conn.execute("INSERT INTO schema_version (version, name) VALUES (%s, %s)",
                                 [migration.version, migration.name])
                applied.append(migration.version)
            return applied
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", [MIGRATION_LOCK_KEY])
