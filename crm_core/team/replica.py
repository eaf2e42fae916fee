"""The analytic copy (issue 19, "Analytics stay DuckDB-fast"): an in-process DuckDB holding the
PostgreSQL tables, filled as Arrow and refreshed with the changed rows only, so the capability SQL
runs unchanged on DuckDB.

**Change tracking** (``change_log.sql``, installed by ``install_change_log(url)`` after
``migrate_postgres``): every replicated table has statement-level triggers (INSERT, UPDATE, DELETE
through transition tables, TRUNCATE) that upsert one row per changed key into ``row_changes``
(table, key as a JSON array, ``change_no`` from one sequence, ``xid`` of the writing transaction).
Only the latest change per key is kept, so the log grows with the keys ever changed, not with the
writes, and a refresh reads each changed key once however often it changed. Statement-level
triggers cost one INSERT … SELECT per statement, not a function call per row (a 1M-row COPY).
No tombstone flag: a refresh deletes every changed key's rows from the copy and copies what
PostgreSQL holds for that key now, so a deleted key comes back as no rows.

**Out-of-order commits**: a change number (or an xid) taken by a transaction that commits after a
reader passed a higher one would be skipped by a "change_no > last seen" watermark. The watermark
here is the previous refresh's *snapshot* instead: each refresh reads in one REPEATABLE READ
transaction, takes ``pg_current_snapshot()`` (that transaction's snapshot), and copies the keys whose
``xid`` was not visible in the previous snapshot (``NOT pg_visible_in_snapshot``; the index on
``xid`` narrows to ``xid >= pg_snapshot_xmin(previous)``; ``new_changes``) — exactly the transactions that committed
between the two snapshots, whatever order they started, drew numbers or committed in. The rows
copied are read in that same snapshot, so the copy is always a state PostgreSQL really had. A long
writing transaction delays nothing but its own rows. ``change_no`` stays as the global order of the
changes (diagnostics, the tests' proof that a case is out of order); nothing relies on it for
correctness.

**Tables without a primary key**: a refresh re-copies every row sharing a changed *replica key*, so
the key need not be unique, only NOT NULL (the rows of a NULL key could not be found again).
``REPLICA_KEYS`` names it for each table without a primary key: the column its rows are written and
deleted by (``transactions`` by ``customer_id``; a fit table by ``fit_id``, written and dropped a whole
fit at a time: one log row per fit instead of one per customer), or ``()`` — the whole table as one key —
for tables of a few rows or no NOT NULL column. ctid was rejected: VACUUM FULL and CLUSTER move rows
without firing a trigger. A new table without a primary key makes ``install_change_log`` raise until
it is named here.

**Arrow**: rows come out of PostgreSQL through ``adbc-driver-postgresql`` (binary COPY into Arrow in
C++, no Python object per value) and go into DuckDB with an INSERT … SELECT that casts every column to
the copy's DuckDB type. NUMERIC and JSON travel as text (ADBC hands NUMERIC over as an opaque
extension type holding its text anyway), cast exactly by DuckDB: DECIMAL, NUMERIC(20,0) → UBIGINT.

Measured 2026-12-05 on this 2-core machine shared with other jobs (so upper bounds), a demo of
100,000 customers (``python -m crm_core demo``: 1,104,178 transactions, 3,018,687 rows in the
replicated tables) loaded with ``bulk_load.copy_to_postgres``, ``python -m bench.team_replica``:
``fill()`` 14.0–20.8 s (10 runs); ``refresh()`` with nothing new 4–7 ms; ``refresh()`` after 1,000
changed rows (500 customers and 400 transactions updated, 100 transactions deleted) 140–226 ms
(245 ms before the replica-key index).
Reading ``transactions`` alone into Arrow: ADBC 3.2–5.1 s, psycopg's binary COPY through Python
rows 33–40 s.

The log's price is on writes, per key logged: loading that demo with the triggers on took 104–115 s
against 31–37 s without (1,380,927 keys logged), and 500,000 single-row keys of one INSERT 21.7 s
against 1.5 s. So load a store before installing the log (``fill`` copies everything anyway), and
key big append-mostly tables coarsely (REPLICA_KEYS). An append-only log without the primary key
measured 5.0 s for those 500,000 keys, but needs its old entries pruned in step with every
process's last snapshot (a registry of readers and their expiry); not built.

**Restores** (crm_core.team.backup): restored rows carry the dump's change log and xids, which no
snapshot watermark can tell from old ones. A restore therefore sets ``team_generation.restore_no`` to
a new value, and a refresh that finds another value than the copy was filled at refills the copy
from scratch. Each fill or refresh takes its snapshot only once it holds ``RESTORE_LOCK_KEY`` shared
(a session lock, released after its transaction), and a restore holds it exclusively from before
``pg_restore`` until the new ``restore_no`` is committed: no reader ever sees the restored rows
under the dump's own ``restore_no``.

``AnalyticCopy(pg_url, duckdb_connection)``: the connection is on a DuckDB database holding the
store's schema (``Store(":memory:").system_cursor()``: the DuckDB migrations made it); ``fill()``
replaces every replicated table's rows, ``refresh()`` applies the changes since the last fill or
refresh in one DuckDB transaction. It keeps one PostgreSQL connection open between calls;
``close()`` (or ``with``) ends it.
"""
from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import adbc_driver_postgresql.dbapi as adbc
import duckdb
import psycopg

from crm_core.sql import quote_identifier
from crm_core.team.schema import MIGRATION_LOCK_KEY

# pg_advisory_lock key a restore holds exclusively and every fill or refresh shared (the docstring).
RESTORE_LOCK_KEY = int.from_bytes(b"kehu-rst", "big") & 0x7FFF_FFFF_FFFF_FFFF

CHANGE_LOG_SQL = Path(__file__).with_name("change_log.sql")
NOT_REPLICATED = ("schema_version", "row_changes", "team_generation")  # the copy's own migrations; the log
TRIGGER_EVENTS = {  # trigger name suffix → (when, transition tables)
    "ins": ("AFTER INSERT", "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT"),
    "upd": ("AFTER UPDATE", "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT"),
    "del": ("AFTER DELETE", "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT"),
    "trunc": ("BEFORE TRUNCATE", "FOR EACH STATEMENT"),  # before: the keys are still there to read
}
TRIGGER_PREFIX = "row_changes_"
# Tables without a primary key → the NOT NULL columns a refresh re-copies them by (see the docstring).
REPLICA_KEYS: dict[str, tuple[str, ...]] = {
    # A customer's transactions (~11 in the demo) and a promise's events (~3) go together: a bulk
    # import logs one key per customer or promise instead of one per row (the log's write cost is
    # per key: see the module docstring), and an edit re-copies a dozen rows through an index.
    "transactions": ("customer_id",),
    "promise_events": ("promise_id",),
    "customer_summary": ("customer_id",),
    "segment_class_changes": ("month_end",),  # written a month at a time
    "sign_in_failures": ("name",),
    "import_rejects": ("import_id",),
    "promise_import_rows": ("import_id",),
    "promise_event_import_rows": ("import_id",),
    "fit_care_contacts": ("fit_id",),
    "fit_churn_activity": ("fit_id",),
    "fit_need_summary": ("fit_id",),
    "fit_overview": ("fit_id",),
    "fit_promise_clocks": ("fit_id",),
    "fit_promise_outcomes": ("fit_id",),
    "fit_promise_overruns": ("fit_id",),
    "fit_promise_remedies": ("fit_id",),
    "fit_purchase_model": ("fit_id",),
    "fit_purchase_rhythm": ("fit_id",),
    "fit_replenishment": ("fit_id",),
    "fit_rfm_cells": ("fit_id",),
    "fit_sat_nonresponse": ("fit_id",),
    "fit_sat_respondents": ("fit_id",),
    "fit_sat_spend": ("fit_id",),
    "fit_segment_effort": ("fit_id",),
    "fit_segment_movement": ("fit_id",),
    "fit_segment_overview": ("fit_id",),
    "fit_segment_spend": ("fit_id",),
    "fit_segments": ("fit_id",),
    "fit_value_scores": ("fit_id",),
    "demo_loads": (),  # a row per demo load
    "summary_state": (),  # one row
    "import_customer_backups": (),  # no NOT NULL column; written once per import
}
# PostgreSQL types ADBC does not hand over as plain Arrow: read as text, cast by DuckDB.
AS_TEXT = ("numeric", "json")
SOURCE = "kehu_replica_source"  # the name Arrow data is registered under in DuckDB
KEYS = "kehu_replica_keys"


class ChangeLogMissing(RuntimeError):
    """A replicated table has no change-log trigger: run install_change_log(url) after migrating."""


class Changes(NamedTuple):
    """What a refresh did to one table of the copy: rows copied from PostgreSQL, rows removed."""

    copied: int
    removed: int


@dataclass(frozen=True)
class ReplicatedTable:
    name: str
    key: tuple[str, ...]  # () = the whole table
    columns: tuple[tuple[str, str], ...]  # (name, PostgreSQL type as format_type spells it), in order
    key_types: tuple[str, ...]

    def select_list(self) -> str:
        return ", ".join(f"{quote_identifier(c)}::text AS {quote_identifier(c)}"
                         if t.split("(")[0] in AS_TEXT else quote_identifier(c) for c, t in self.columns)

    def key_sql(self) -> str:
        """The key of one row as jsonb (the trigger's argument)."""
        return f"jsonb_build_array({', '.join(quote_identifier(k) for k in self.key)})"

    def keys_from_log(self, skipped: frozenset[int] = frozenset()) -> str:
        """The typed key columns of the log rows ``new_changes`` selects (parameters: table, snapshot)."""
        columns = ", ".join(f"(row_key->>{i})::{t} AS {quote_identifier(k)}"
                            for i, (k, t) in enumerate(zip(self.key, self.key_types)))
        return f"SELECT {columns} FROM row_changes WHERE table_name = $1 AND {new_changes('$2', skipped)}"


def new_changes(snapshot: str, skipped: frozenset[int] = frozenset()) -> str:
    """The log rows written by transactions the previous snapshot (the parameter ``snapshot``, e.g.
    ``$2``) did not see; the reader's own REPEATABLE READ snapshot already hides those not committed
    yet. The first condition is the one the index on ``xid`` serves. ``skipped``: transactions whose
    rows the copy holds already (AnalyticCopy.written); a key changed after them has another xid."""
    condition = (f"xid >= pg_snapshot_xmin({snapshot}::pg_snapshot)"
                 f" AND NOT pg_visible_in_snapshot(xid, {snapshot}::pg_snapshot)")
    if skipped:  # ints read from PostgreSQL (AnalyticCopy.written): safe to spell as literals
        condition += f" AND xid NOT IN ({', '.join(f'{int(x)}::text::xid8' for x in sorted(skipped))})"
    return condition


TABLES_SQL = """
    SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY c.relname"""
COLUMNS_SQL = """
    SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull
    FROM pg_attribute a WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped
    ORDER BY a.attnum"""
PRIMARY_KEY_SQL = """
    SELECT a.attname FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
    JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
    WHERE i.indrelid = %s::regclass AND i.indisprimary ORDER BY k.ord"""
TRIGGERED_SQL = """
    SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND t.tgname = ANY(%s::name[]) AND NOT t.tgisinternal
    GROUP BY c.relname HAVING count(*) = cardinality(%s::name[])"""


def column_types(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, str]]:
    """Every table's columns' DuckDB types in ``con``'s main schema: {table: {column: type}} (one
    catalog query; one per column costs ~6 ms each)."""
    types: dict[str, dict[str, str]] = {}
    for table, column, kind in con.execute(
            "SELECT table_name, column_name, data_type FROM duckdb_columns()"
            " WHERE database_name = current_database() AND schema_name = 'main'").fetchall():
        types.setdefault(table, {})[column] = kind
    return types


def replicated_tables(conn: psycopg.Connection) -> list[ReplicatedTable]:
    """Every table of the ``public`` schema but NOT_REPLICATED, with its replica key (primary key,
    else REPLICA_KEYS). Raises RuntimeError for a table without either, or a nullable key column."""
    tables = []
    for (name,) in conn.execute(TABLES_SQL).fetchall():
        if name in NOT_REPLICATED:
            continue
        columns = conn.execute(COLUMNS_SQL, [quote_identifier(name)]).fetchall()
        key = tuple(k for (k,) in conn.execute(PRIMARY_KEY_SQL, [quote_identifier(name)]).fetchall())
        if not key:
            if name not in REPLICA_KEYS:
                raise RuntimeError(f"table {name} has no primary key: name its replica key in "
                                   "crm_core.team.replica.REPLICA_KEYS")
            key = REPLICA_KEYS[name]
        types = {c: (t, not_null) for c, t, not_null in columns}
        nullable = [k for k in key if not types[k][1]]
        if nullable:
            raise RuntimeError(f"replica key of {name} has nullable columns {nullable}")
        tables.append(ReplicatedTable(name, key, tuple((c, t) for c, t, _ in columns),
                                      tuple(types[k][0] for k in key)))
    return tables


def install_change_log(url: str) -> list[str]:
    """Create (or bring up to date) the change log and every replicated table's triggers on the
    migrated database at ``url``; idempotent. Returns the replicated tables' names. Holds the
    migration lock, so it never runs beside a migration."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", [MIGRATION_LOCK_KEY])
        try:
            with conn.transaction():
                conn.execute(CHANGE_LOG_SQL.read_text(encoding="utf-8"))
                tables = replicated_tables(conn)
                for table in tables:
                    _index_replica_key(conn, table)
                    _create_triggers(conn, table)
            return [table.name for table in tables]
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", [MIGRATION_LOCK_KEY])


def _index_replica_key(conn: psycopg.Connection, table: ReplicatedTable) -> None:
    """An index on a REPLICA_KEYS key (a primary key has its own): without it every refresh of a
    changed transaction would scan the whole table (the module docstring's 245 ms → 171 ms).
    PostgreSQL only; the DuckDB schema is untouched."""
    if table.name in REPLICA_KEYS and table.key:
        columns = ", ".join(quote_identifier(k) for k in table.key)
        conn.execute(f"CREATE INDEX IF NOT EXISTS {quote_identifier(table.name + '_replica_key')} "
                     f"ON {quote_identifier(table.name)} ({columns})")


def _create_triggers(conn: psycopg.Connection, table: ReplicatedTable) -> None:
    key_literal = "'" + table.key_sql().replace("'", "''") + "'"  # a trigger argument is a string literal
    if not table.key:
        key_literal = "'''[]''::jsonb'"
    for suffix, (when, clause) in TRIGGER_EVENTS.items():
        conn.execute(f"CREATE OR REPLACE TRIGGER {quote_identifier(TRIGGER_PREFIX + suffix)} "
                     f"{when} ON {quote_identifier(table.name)} {clause} "
                     f"EXECUTE FUNCTION record_row_changes({key_literal})")


class AnalyticCopy:
    """The DuckDB copy of the PostgreSQL database at ``pg_url`` in the database of ``duckdb_connection``
    (which must hold the store's schema: the DuckDB migrations). Not thread-safe: one refresher."""

    def __init__(self, pg_url: str, duckdb_connection: duckdb.DuckDBPyConnection):
        self.pg_url = pg_url
        self.duckdb = duckdb_connection
        self.snapshot: str | None = None  # PostgreSQL's snapshot the copy equals (pg_snapshot text)
        self.data_generation: int | None = None  # team_generation as of that snapshot (change_log.sql)
        self._seen_generation: int | None = None  # the same, read by the refresh in progress
        self.restore_no: int | None = None  # team_generation.restore_no the copy was filled at
        self._seen_restore_no: int | None = None  # the same, read by the refresh in progress
        self._tables: list[ReplicatedTable] | None = None
        self._types: dict[str, dict[str, str]] | None = None
        # PostgreSQL transactions (xid) whose rows the copy already holds because this process made
        # them there (TeamStore's writes): the next refresh does not copy them back.
        self.written: set[int] = set()
        # Seconds from the oldest change the last refresh copied being made in PostgreSQL to its
        # being in the copy (None: nothing came): the "visible in every process within 5 s" lag.
        self.last_wait: float | None = None
        self._connection = None  # kept between refreshes: an ADBC connect costs ~0.1 s (measured)

    # -- public ----------------------------------------------------------------------------------
    def fill(self) -> dict[str, int]:
        """Replace every replicated table's rows in the copy with PostgreSQL's (one snapshot, one
        DuckDB transaction); returns the rows copied per table. Raises ChangeLogMissing when a
        table has no trigger, RuntimeError when the two schemas' migrations differ."""
        return {name: changes.copied for name, changes in self._fill().items()}

    def _fill(self) -> dict[str, Changes]:
        """``fill``, returning for every table the rows copied and the rows it held before."""
        self._tables = self._load_tables()
        with self._pg() as pg, pg.cursor() as cur:
            snapshot = self._begin_snapshot(cur)
            self._check_versions(cur)
            result = {}
            holding = self._tables_with_rows(cur)
            self.duckdb.execute("BEGIN TRANSACTION")
            try:
                for table in self._tables:
                    (removed,) = self.duckdb.execute(f"DELETE FROM {quote_identifier(table.name)}").fetchone()
                    copied = 0
                    if table.name in holding:
                        cur.execute(f"SELECT {table.select_list()} FROM {quote_identifier(table.name)}")
                        copied = self._insert(table, cur.fetch_record_batch())
                    result[table.name] = Changes(copied, removed)
                self.duckdb.execute("COMMIT")
            except BaseException:
                self.duckdb.execute("ROLLBACK")
                raise
            self._end_snapshot(cur)
        self.snapshot, self.data_generation = snapshot, self._seen_generation
        self.restore_no = self._seen_restore_no
        self.written.clear()  # xids of the database before a restore mean nothing after it
        self.last_wait = None
        return result

    def _tables_with_rows(self, cur) -> set[str]:
        """The replicated tables holding a row in the snapshot begun on ``cur``, asked in one query:
        reading and inserting the empty ones too made a new team database's fill (62 tables) take
        0.29 s instead of 0.057 s (idle machine), and every TeamStore open and check fills."""
        cur.execute(" UNION ALL ".join(f"(SELECT {position} FROM {quote_identifier(table.name)} LIMIT 1)"
                                       for position, table in enumerate(self._tables)))
        return {self._tables[position].name for (position,) in cur.fetchall()}

    def refresh(self) -> dict[str, Changes]:
        """Apply the changes committed since the last fill or refresh (one PostgreSQL snapshot, one
        DuckDB transaction); returns, for each table that changed, the rows copied and removed.
        After a restore (``restore_no`` moved) it refills the copy instead: every table is in the
        result. Raises RuntimeError before the first fill."""
        if self.snapshot is None or self._tables is None:
            raise RuntimeError("fill() the analytic copy before refreshing it")
        with self._pg() as pg, pg.cursor() as cur:
            snapshot = self._begin_snapshot(cur)
            read_at = time.monotonic()
            skipped = frozenset(self.written)
            ages, pulled = self._pull_changes(cur, skipped)
            self._end_snapshot(cur)
        if pulled is None:  # restored meanwhile: the log cannot tell what changed
            return self._fill()
        result = self._apply(pulled)
        self.snapshot, self.data_generation = snapshot, self._seen_generation
        self.written -= skipped
        self.last_wait = max(ages.values()) + (time.monotonic() - read_at) if ages else None
        return result

    def _pull_changes(self, cur, skipped: frozenset[int]):
        """(each changed table's oldest change's age in s, [(table, keys, rows)]) in the snapshot
        begun on ``cur``; (None, None) when a restore happened since the copy's fill."""
        if self._seen_restore_no != self.restore_no:
            return None, None
        by_name = self.tables_by_name()
        # Each changed table with the age of its oldest change now (PostgreSQL's clock).
        cur.execute("SELECT table_name, extract(epoch FROM clock_timestamp() - min(changed_at))::float8"
                    f" FROM row_changes WHERE {new_changes('$1', skipped)} GROUP BY table_name",
                    [self.snapshot])
        ages = {name: age for name, age in cur.fetchall() if name in by_name}
        return ages, [(by_name[name], *self._changed_rows(cur, by_name[name], skipped)) for name in sorted(ages)]

    def column_types(self) -> dict[str, dict[str, str]]:
        """The copy's column types per table (``column_types``), read once: the schema is fixed."""
        if self._types is None:
            self._types = column_types(self.duckdb)
        return self._types

    def tables_by_name(self) -> dict[str, ReplicatedTable]:
        """The replicated tables as of the last fill, by name."""
        if self._tables is None:
            raise RuntimeError("fill() the analytic copy first")
        return {table.name: table for table in self._tables}

    def close(self) -> None:
        """Close the PostgreSQL connection (the DuckDB one is the caller's)."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def __enter__(self) -> AnalyticCopy:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- PostgreSQL side ---------------------------------------------------------------------------
    @contextmanager
    def _pg(self):
        """The kept connection; dropped after any error, so the next call starts on a clean one
        (not inside a failed transaction, not on a dead socket)."""
        if self._connection is None:
            self._connection = adbc.connect(self.pg_url, autocommit=True)
        try:
            yield self._connection
        except BaseException:
            self.close()
            raise

    def _begin_snapshot(self, cur) -> str:
        """Begin the reading transaction once no restore runs (its lock shared, held until
        ``_end_snapshot``; an error closes the connection, which releases it too)."""
        cur.execute("SELECT pg_advisory_lock_shared($1)", [RESTORE_LOCK_KEY])  # before the snapshot is taken
        cur.fetchall()
        # READ ONLY: the reader never takes an xid, so it never holds anyone's snapshot back.
        cur.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        cur.execute("SELECT pg_current_snapshot()::text")  # the transaction's snapshot from here on
        snapshot = cur.fetchone()[0]
        cur.execute("SELECT generation, restore_no FROM team_generation")
        generation, restore_no = cur.fetchone()
        self._seen_generation, self._seen_restore_no = int(generation), int(restore_no)
        return snapshot

    @staticmethod
    def _end_snapshot(cur) -> None:
        cur.execute("COMMIT")
        cur.execute("SELECT pg_advisory_unlock_shared($1)", [RESTORE_LOCK_KEY])
        cur.fetchall()

    def _load_tables(self) -> list[ReplicatedTable]:
        with psycopg.connect(self.pg_url) as conn:
            tables = replicated_tables(conn)
            names = [TRIGGER_PREFIX + suffix for suffix in TRIGGER_EVENTS]
            triggered = {name for (name,) in conn.execute(TRIGGERED_SQL, [names, names]).fetchall()}
        missing = [table.name for table in tables if table.name not in triggered]
        if missing:
            raise ChangeLogMissing(f"no change-log trigger on {missing}: run install_change_log(url)")
        return tables

    def _check_versions(self, cur) -> None:
        cur.execute("SELECT version FROM schema_version ORDER BY version")
        postgres = [int(v) for (v,) in cur.fetchall()]
        copy = [int(v) for (v,) in self.duckdb.execute("SELECT version FROM schema_version ORDER BY version").fetchall()]
        if postgres != copy:
            raise RuntimeError(f"PostgreSQL has migrations {sorted(set(postgres) ^ set(copy))} the copy "
                               "has not, or the reverse: migrate both from the same code")

    def _changed_rows(self, cur, table: ReplicatedTable, skipped: frozenset[int]):
        """(keys, rows) as Arrow tables: the changed keys and PostgreSQL's rows of those keys now;
        keys is None for a whole-table key."""
        params = [table.name, self.snapshot]
        name = quote_identifier(table.name)
        if not table.key:
            cur.execute(f"SELECT {table.select_list()} FROM {name}")
            return None, cur.fetch_arrow_table()
        cur.execute(table.keys_from_log(skipped), params)
        keys = cur.fetch_arrow_table()
        key_list = ", ".join(quote_identifier(k) for k in table.key)
        cur.execute(f"SELECT {table.select_list()} FROM {name} WHERE ({key_list}) IN ({table.keys_from_log(skipped)})",
                    params)
        return keys, cur.fetch_arrow_table()

    # -- DuckDB side -------------------------------------------------------------------------------
    def _apply(self, pulled) -> dict[str, Changes]:
        result = {}
        self.duckdb.execute("BEGIN TRANSACTION")
        try:
            for table, keys, rows in pulled:
                removed = self._remove(table, keys)
                result[table.name] = Changes(self._insert(table, rows), removed)
            self.duckdb.execute("COMMIT")
        except BaseException:
            self.duckdb.execute("ROLLBACK")
            raise
        return result

    def _remove(self, table: ReplicatedTable, keys) -> int:
        name = quote_identifier(table.name)
        if keys is None:
            return self.duckdb.execute(f"DELETE FROM {name}").fetchone()[0]
        self.duckdb.register(KEYS, keys)
        try:
            match = " AND ".join(f"{name}.{quote_identifier(k)} = {KEYS}.{quote_identifier(k)}" for k in table.key)
            return self.duckdb.execute(f"DELETE FROM {name} USING {KEYS} WHERE {match}").fetchone()[0]
        finally:
            self.duckdb.unregister(KEYS)

    def _insert(self, table: ReplicatedTable, data) -> int:
        """Insert Arrow ``data`` (a table or a record-batch reader) cast to the copy's column types;
        returns the rows inserted."""
        types = self.column_types()[table.name]
        columns = [column for column, _ in table.columns]
        missing = [column for column in columns if column not in types]
        if missing:
            raise RuntimeError(f"the copy's table {table.name} has no columns {missing}")
        casts = ", ".join(f"CAST({quote_identifier(c)} AS {types[c]})" for c in columns)
        self.duckdb.register(SOURCE, data)
        try:
            return self.duckdb.execute(
                f"INSERT INTO {quote_identifier(table.name)} ({', '.join(map(quote_identifier, columns))}) "
                f"SELECT {casts} FROM {SOURCE}").fetchone()[0]
        finally:
            self.duckdb.unregister(SOURCE)
