"""Team mode's first slice (issue 19): the store's schema on a real PostgreSQL server.

A throwaway cluster from Debian's ``postgresql`` per pytest worker, a fresh database per test
(``postgres_server`` and ``pg_url`` in tests/conftest.py, shared with test_team_replica).
Nothing here skips when PostgreSQL is missing: tests/run.sh installs it, so a machine without it
fails these tests (LocalPostgres raises PostgresNotFound) instead of passing them silently.
"""
from __future__ import annotations

import re
import threading
import time
from collections import Counter
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import duckdb
import psycopg
import pytest

from crm_core.store import Store, available_migrations
from crm_core.team.local_postgres import (
    LocalPostgres,
    PostgresNotFound,
    server_bin_dir,
)
from crm_core.team.schema import (
    MIGRATION_LOCK_KEY,
    applied_postgres,
    migrate_postgres,
    migrations,
    postgres_body,
    postgres_type,
)

# The migrations whose DuckDB body does not run on PostgreSQL as written (DOUBLE: 3, 17, 20, 23, 26, 30, 31,
# 32; VARCHAR[] DEFAULT []: 11; BLOB: 15, 16; UBIGINT: 21, 22; TINYINT: 26), respelled by postgres_body.
# A new migration using one of those spellings adds its number here.
RESPELLED = [3, 11, 15, 16, 17, 20, 21, 22, 23, 26, 30, 31, 32]
ALL_VERSIONS = list(range(1, 33))  # 001 .. 032; a new migration extends it


@pytest.fixture(scope="module")
def duckdb_store():
    store = Store(":memory:")
    yield store
    store.close()


# -- the cluster ---------------------------------------------------------------------------------

def test_the_cluster_is_private_to_loopback_and_speaks_utf8(postgres_server):
    with psycopg.connect(postgres_server.url) as conn:
        settings = conn.execute("SELECT current_setting('listen_addresses'), current_setting('port'),"
                                " current_setting('server_encoding')").fetchone()
    assert settings == ("127.0.0.1", str(postgres_server.port), "UTF8")
    assert postgres_server.port != 5432  # never the system cluster's port


def test_the_newest_installed_server_is_used(tmp_path):
    for version, complete in (("9.6", True), ("13", True), ("15", True), ("16", False)):
        bin_dir = tmp_path / version / "bin"
        bin_dir.mkdir(parents=True)
        if complete:  # 16 has a bin directory without initdb: a client-only install
            (bin_dir / "initdb").touch()
    assert server_bin_dir(str(tmp_path / "*" / "bin")) == tmp_path / "15" / "bin"  # 15 > 9.6 as numbers


def test_no_postgresql_installed_is_an_error_that_names_the_package(tmp_path):
    with pytest.raises(PostgresNotFound, match="apt-get install postgresql"):
        server_bin_dir(str(tmp_path / "*" / "bin"))


def test_a_server_that_cannot_be_made_says_so_and_leaves_nothing_behind(tmp_path):
    bin_dir = tmp_path / "15" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "initdb").write_text("#!/bin/sh\necho 'initdb: broken on purpose' >&2\nexit 1\n")
    (bin_dir / "initdb").chmod(0o755)
    server = LocalPostgres(tmp_path / "cluster", bin_dir=bin_dir)
    with pytest.raises(RuntimeError, match="initdb failed"):
        server.start()
    assert server.url is None
    assert server.cluster_dir is None or server.cluster_dir.is_relative_to(tmp_path)  # no fallback dir left


# -- (a) one numbered list, one body per engine -------------------------------------------------

def test_the_postgresql_body_is_the_duckdb_body_respelled():
    """Only DuckDB's type spellings change; every other character of the body stays."""
    duckdb_sql = """CREATE TABLE t (
    x DOUBLE NOT NULL,          -- DOUBLE PRECISION stays as it is
    y DOUBLE PRECISION,
    secret BLOB,
    codes VARCHAR[] NOT NULL DEFAULT [],
    tags VARCHAR[] DEFAULT [],
    mask UBIGINT NOT NULL,
    tier TINYINT
);"""
    assert postgres_body(duckdb_sql) == """CREATE TABLE t (
    x DOUBLE PRECISION NOT NULL,          -- DOUBLE PRECISION stays as it is
    y DOUBLE PRECISION,
    secret BYTEA,
    codes TEXT[] NOT NULL DEFAULT '{}',
    tags TEXT[] DEFAULT '{}',
    mask NUMERIC(20, 0) CHECK (mask BETWEEN 0 AND 18446744073709551615) NOT NULL,
    tier SMALLINT CHECK (tier BETWEEN -128 AND 127)
);"""
    listed = migrations()
    assert [m.version for m in listed] == [v for v, _ in available_migrations()] == ALL_VERSIONS
    def code(body):  # a comment may name a type too ("read as DOUBLE"): respelled, harmless
        return re.sub(r"--[^\n]*", "", body)
    assert [m.version for m in listed if code(m.body("postgres")) != code(m.body("duckdb"))] == RESPELLED


def test_a_body_is_respelled_exactly_where_duckdbs_fails_on_postgresql(pg_url):
    """Each DuckDB body is run on PostgreSQL as written first: it fails exactly where the
    PostgreSQL body differs, and that one runs."""
    failing = []
    with psycopg.connect(pg_url, autocommit=True) as conn:
        for migration in migrations():
            try:
                with conn.transaction():
                    conn.execute(migration.body("duckdb"))
            except psycopg.Error:
                failing.append(migration.version)
                with conn.transaction():
                    conn.execute(migration.body("postgres"))
    assert failing == RESPELLED


# -- (b) the same tables, columns, types and keys ------------------------------------------------

DUCKDB_COLUMNS = """
    SELECT table_name, column_name, data_type, NOT is_nullable, column_default IS NOT NULL
    FROM duckdb_columns() WHERE schema_name = 'main' AND NOT internal
    ORDER BY table_name, column_index"""
POSTGRES_COLUMNS = """
    SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, a.atthasdef
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
    ORDER BY c.relname, a.attnum"""
DUCKDB_KEYS = """
    SELECT table_name, constraint_type, constraint_column_names FROM duckdb_constraints()
    WHERE schema_name = 'main' AND constraint_type IN ('PRIMARY KEY', 'UNIQUE')"""
POSTGRES_KEYS = """
    SELECT c.relname, CASE WHEN i.indisprimary THEN 'PRIMARY KEY' ELSE 'UNIQUE' END,
           array_agg(a.attname ORDER BY k.ord)
    FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
    WHERE n.nspname = 'public' AND i.indisunique
    GROUP BY c.relname, i.indexrelid, i.indisprimary"""
DUCKDB_SEQUENCES = """
    SELECT sequence_name, start_value, increment_by, min_value, max_value, cycle
    FROM duckdb_sequences() WHERE schema_name = 'main' ORDER BY 1"""
POSTGRES_SEQUENCES = """
    SELECT sequencename, start_value, increment_by, min_value, max_value, cycle
    FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1"""


def _tables(rows) -> dict[str, list[tuple]]:
    tables: dict[str, list[tuple]] = {}
    for table, *column in rows:
        tables.setdefault(table, []).append(tuple(column))
    return tables


def _keys(rows) -> dict[str, set[tuple]]:
    keys: dict[str, set[tuple]] = {}
    for table, kind, columns in rows:
        keys.setdefault(table, set()).add((kind, tuple(columns)))
    return keys


@pytest.fixture
def migrated(pg_url):
    migrate_postgres(pg_url)
    with psycopg.connect(pg_url) as conn:
        yield conn


def test_every_table_has_the_same_columns_in_order_with_matching_types(duckdb_store, migrated):
    """Name, type (through schema.postgres_type, the one mapping), NOT NULL and whether there is a
    default, column by column in order, for every table (schema_version included)."""
    expected = {table: [(name, postgres_type(kind), not_null, has_default)
                        for name, kind, not_null, has_default in columns]
                for table, columns in _tables(duckdb_store.query_df(DUCKDB_COLUMNS).itertuples(index=False)).items()}
    actual = _tables(migrated.execute(POSTGRES_COLUMNS).fetchall())
    assert len(expected) >= 52  # 51 CREATE TABLEs in 001 .. 028, and schema_version: never a vacuous pass
    assert sorted(actual) == sorted(expected)
    for table in expected:
        assert actual[table] == expected[table], table


def test_every_table_has_the_same_primary_key_and_unique_columns(duckdb_store, migrated):
    expected = _keys(duckdb_store.query_df(DUCKDB_KEYS).itertuples(index=False))
    actual = _keys(migrated.execute(POSTGRES_KEYS).fetchall())
    assert actual == expected
    assert ("PRIMARY KEY", ("policy_id", "version")) in actual["promise_policies"]  # a two-column key
    assert ("UNIQUE", ("owner", "name")) in actual["saved_views"]
    assert "transactions" not in actual  # no key on purpose (001): none on PostgreSQL either


def test_the_sequences_count_alike(duckdb_store, migrated):
    expected = [tuple(row) for row in duckdb_store.query_df(DUCKDB_SEQUENCES).itertuples(index=False)]
    actual = migrated.execute(POSTGRES_SEQUENCES).fetchall()
    assert actual == expected
    assert ("customer_id_seq", 1, 1, 1, 2**63 - 1, False) in actual


NARROW_TYPE_CASES = [  # (table, column, value, accepted): UBIGINT is 0 .. 2^64 - 1, TINYINT -128 .. 127
    ("fit_churn_activity", "month_mask", 2**64 - 1, True), ("fit_churn_activity", "month_mask", 2**64, False),
    ("fit_churn_activity", "month_mask", -1, False), ("fit_value_scores", "tier", 127, True),
    ("fit_value_scores", "tier", 128, False), ("fit_value_scores", "tier", -129, False),
]
NARROW_TYPE_ROWS = {  # the other NOT NULL columns of a row, and the value under test as %s
    "fit_churn_activity": "INSERT INTO fit_churn_activity (fit_id, customer_id, purchased_before, purchased_recent,"
                          " bought_twice, active_recent, active_before, customer_known, {column})"
                          " VALUES (1, 1, true, true, true, true, true, true, %s)",
    "fit_value_scores": "INSERT INTO fit_value_scores (fit_id, customer_id, rank, spend, score, {column})"
                        " VALUES (1, 1, 1, 1.0, 1.0, %s)",
}


def _accepts(execute, error: type[Exception], sql: str, value: int) -> bool:
    try:
        execute(sql, [value])
        return True
    except error:
        return False


def test_the_narrow_types_keep_duckdbs_range_on_postgresql(duckdb_store, migrated):
    """UBIGINT and TINYINT columns take and refuse the same values on both engines."""
    cur = duckdb_store.system_cursor()
    cur.execute("BEGIN TRANSACTION")
    for table, column, value, accepted in NARROW_TYPE_CASES:
        sql = NARROW_TYPE_ROWS[table].format(column=column)
        on_duckdb = _accepts(lambda q, p: cur.execute(q.replace("%s", "?"), p), duckdb.Error, sql, value)
        if not on_duckdb:  # a failed statement aborts DuckDB's transaction
            cur.execute("ROLLBACK; BEGIN TRANSACTION")
        on_postgres = _accepts(migrated.execute, psycopg.Error, sql, value)
        migrated.rollback()
        assert (on_duckdb, on_postgres) == (accepted, accepted), (column, value)
    cur.execute("ROLLBACK")
    cur.close()


# -- (c) the same schema_version ----------------------------------------------------------------

def test_schema_version_records_the_same_versions_and_names(duckdb_store, migrated):
    duckdb_rows = duckdb_store.system_cursor().execute(
        "SELECT version, name FROM schema_version ORDER BY version").fetchall()
    postgres_rows = migrated.execute("SELECT version, name FROM schema_version ORDER BY version").fetchall()
    assert postgres_rows == duckdb_rows
    assert postgres_rows[0] == (1, "001_foundation") and postgres_rows[-1][0] == ALL_VERSIONS[-1]


# -- (d) once, and once only with two at a time --------------------------------------------------

def test_migrating_twice_applies_nothing_the_second_time(pg_url):
    assert migrate_postgres(pg_url) == ALL_VERSIONS
    assert migrate_postgres(pg_url) == []
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT count(*) FROM schema_version").fetchone() == (len(ALL_VERSIONS),)


def test_a_migration_numbered_below_the_latest_is_still_applied(pg_url):
    migrate_postgres(pg_url)
    with psycopg.connect(pg_url) as conn:  # as if 013 had landed on a branch after 028
        conn.execute("DROP TABLE saved_views; DROP SEQUENCE saved_view_id_seq;"
                     " DELETE FROM schema_version WHERE version = 13")
    assert migrate_postgres(pg_url) == [13]


def test_a_migrator_waits_for_the_one_holding_the_lock(pg_url):
    """While another session holds the migration lock, a migrator does nothing — not even create
    schema_version — and applies everything once the lock is released."""
    results: list[list[int]] = []
    with psycopg.connect(pg_url, autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", [MIGRATION_LOCK_KEY])
        waiting = threading.Thread(target=lambda: results.append(migrate_postgres(pg_url)))
        waiting.start()
        time.sleep(1.0)
        assert waiting.is_alive()
        assert applied_postgres(holder) == set()
        holder.execute("SELECT pg_advisory_unlock(%s)", [MIGRATION_LOCK_KEY])
        waiting.join(timeout=60)
    assert results == [ALL_VERSIONS]


def test_two_migrators_at_once_apply_each_migration_exactly_once(pg_url):
    start = threading.Barrier(2)
    results: list[list[int]] = []
    errors: list[BaseException] = []

    def migrate() -> None:
        start.wait()
        try:
            results.append(migrate_postgres(pg_url))
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=migrate) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    applied = Counter(version for result in results for version in result)
    assert sorted(applied) == ALL_VERSIONS and set(applied.values()) == {1}
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT count(*), count(DISTINCT version) FROM schema_version").fetchone() == (len(ALL_VERSIONS),) * 2


# -- (e) values come back as they went in ---------------------------------------------------------

SHANGHAI = ZoneInfo("Asia/Shanghai")
ROUND_TRIP_WRITES = [
    ("INSERT INTO customers (code, name) VALUES (%s, %s)", ["C0000001", "南京金信商贸有限公司"]),
    ("INSERT INTO transactions (customer_id, txn_date, amount, quantity) VALUES (1, %s, %s, %s)",
     [date(2026, 6, 30), Decimal("1234.56"), Decimal("2.500")]),
    ("INSERT INTO transactions (customer_id, txn_date, amount) VALUES (1, %s, %s), (1, %s, %s)",
     [date(2026, 7, 1), Decimal("0.10"), date(2026, 7, 2), Decimal("0.20")]),
    ("INSERT INTO interactions (customer_id, occurred_at, channel, cost) VALUES (1, %s, 'visit', %s)",
     [datetime(2026, 6, 30, 9, 30, 15, 123456, tzinfo=SHANGHAI), Decimal("88.80")]),
    ("INSERT INTO accounts (name, role, rep_codes, password_hash) VALUES ('wangfang', 'rep', %s, 'x')",
     [["王芳", "李雷"]]),
    ("INSERT INTO survey_link_secret (id, secret) VALUES (1, %s)", [bytes(range(32))]),
]
ROUND_TRIP_READS = [
    "SELECT customer_id, code, name FROM customers",
    "SELECT txn_id, txn_date, amount, quantity FROM transactions ORDER BY txn_id",
    "SELECT sum(amount) FROM transactions WHERE txn_date > '2026-06-30'",
    "SELECT occurred_at, cost FROM interactions",
    "SELECT rep_codes FROM accounts",
    "SELECT secret FROM survey_link_secret",
]
ROUND_TRIP_EXPECTED = [
    [(1, "C0000001", "南京金信商贸有限公司")],
    [(1, date(2026, 6, 30), Decimal("1234.56"), Decimal("2.500")),
     (2, date(2026, 7, 1), Decimal("0.10"), None), (3, date(2026, 7, 2), Decimal("0.20"), None)],
    [(Decimal("0.30"),)],  # exact: 0.1 + 0.2 as doubles would be 0.30000000000000004
    [(datetime(2026, 6, 30, 1, 30, 15, 123456, tzinfo=ZoneInfo("UTC")), Decimal("88.80"))],
    [(["王芳", "李雷"],)],
    [(bytes(range(32)),)],
]


def _round_trip(execute) -> list[list[tuple]]:
    for sql, params in ROUND_TRIP_WRITES:
        execute(sql, params)
    return [execute(sql, []).fetchall() for sql in ROUND_TRIP_READS]


def test_values_come_back_equal_from_postgresql_as_from_duckdb(migrated, tmp_path):
    """A Chinese name, DECIMAL amounts (exact sums), a TIMESTAMPTZ to the microsecond (the same
    instant, whatever zone it is read in), a list of rep codes and bytes, through both engines."""
    postgres_rows = _round_trip(lambda sql, params: migrated.execute(sql, params))
    store = Store(tmp_path / "crm.duckdb")
    cur = store.system_cursor()
    duckdb_rows = _round_trip(lambda sql, params: cur.execute(sql.replace("%s", "?"), params))
    cur.close()
    store.close()
    assert postgres_rows == ROUND_TRIP_EXPECTED
    assert duckdb_rows == ROUND_TRIP_EXPECTED
    assert isinstance(postgres_rows[1][0][2], Decimal)

