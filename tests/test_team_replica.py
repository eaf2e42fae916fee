"""Team mode's analytic copy (issue 19, "Analytics stay DuckDB-fast") on a real PostgreSQL server:
the DuckDB copy equals PostgreSQL after fill() and after refresh(), a refresh copies only what
changed (counts checkable by hand), a transaction that commits out of order is not lost, and every
type comes back exactly. A database per test on the worker's cluster (``pg_url``, tests/conftest.py);
nothing skips without PostgreSQL.
"""
from __future__ import annotations

import shutil
import threading
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import duckdb
import psycopg
import pytest
from psycopg.types.string import TextLoader

from crm_core.store import Store
from crm_core.team.bulk_load import copy_to_postgres
from crm_core.team.replica import AnalyticCopy, ChangeLogMissing, Changes, install_change_log
from crm_core.team.schema import migrate_postgres

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def copy_store():
    store = Store(":memory:")
    yield store
    store.close()


@pytest.fixture
def analytic(team_url, copy_store):
    with AnalyticCopy(team_url, copy_store.system_cursor()) as copy:
        yield copy


def _connect(url: str) -> psycopg.Connection:
    conn = psycopg.connect(url)
    conn.adapters.register_loader("json", TextLoader)  # JSON as its text, as DuckDB returns it
    return conn


def _norm(value):
    """A value in one spelling for sorting: an instant in UTC, a number as its Decimal."""
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return Decimal(value)
    return value


def _sorted(rows) -> list[tuple]:
    rows = [tuple(_norm(v) for v in row) for row in rows]
    return sorted(rows, key=lambda row: [(v is None, str(v)) for v in row])


def postgres_rows(url: str, table: str) -> list[tuple]:
    with _connect(url) as conn:
        return _sorted(conn.execute(f'SELECT * FROM "{table}"').fetchall())


def duckdb_rows(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple]:
    return _sorted(con.execute(f'SELECT * FROM "{table}"').fetchall())


def replicated(url: str) -> list[str]:
    return install_change_log(url)  # idempotent: also the list of replicated tables


def assert_copy_equals_postgres(url: str, con) -> int:
    """Every replicated table equal row for row; returns the rows compared."""
    compared = 0
    for table in replicated(url):
        expected = postgres_rows(url, table)
        assert duckdb_rows(con, table) == expected, table
        compared += len(expected)
    return compared


# -- fill ------------------------------------------------------------------------------------------

def test_fill_copies_every_table_of_the_demo_exactly(demo_db_path, team_url, analytic, copy_store, tmp_path):
    """The session's demo store (300 customers, fitted models) → PostgreSQL by COPY → the copy:
    every table equal at both steps, row for row."""
    # A file of our own: another test of this worker may hold the session's demo file open through
    # a Store, and DuckDB refuses a second connection to a file with another configuration.
    shutil.copy(demo_db_path, tmp_path / "demo.duckdb")
    source = duckdb.connect(str(tmp_path / "demo.duckdb"), read_only=True)
    loaded = copy_to_postgres(source, team_url)
    tables = replicated(team_url)
    for table in tables:
        assert postgres_rows(team_url, table) == duckdb_rows(source, table), table
    filled = analytic.fill()
    assert filled == loaded
    assert filled["customers"] == 300 and filled["transactions"] > 3000
    assert sum(1 for n in filled.values() if n) >= 15  # not a vacuous comparison of empty tables
    assert assert_copy_equals_postgres(team_url, copy_store.system_cursor()) == sum(filled.values())
    source.close()


def test_fill_replaces_what_the_copy_held(team_url, analytic, copy_store):
    cur = copy_store.system_cursor()
    cur.execute("INSERT INTO customers (code, name) VALUES ('X1', 'stale')")
    analytic.fill()
    assert cur.execute("SELECT count(*) FROM customers").fetchone() == (0,)
    assert cur.execute("SELECT count(*) FROM demo_loads").fetchone() == (0,)


def test_fill_refuses_a_database_without_the_change_log(pg_url, copy_store):
    migrate_postgres(pg_url)
    with pytest.raises(ChangeLogMissing, match="install_change_log"), \
            AnalyticCopy(pg_url, copy_store.system_cursor()) as analytic:
        analytic.fill()


def test_fill_refuses_a_table_missing_one_of_its_triggers(team_url, copy_store):
    with psycopg.connect(team_url) as conn:
        conn.execute('DROP TRIGGER "row_changes_trunc" ON transactions')
    with pytest.raises(ChangeLogMissing, match="transactions"), \
            AnalyticCopy(team_url, copy_store.system_cursor()) as analytic:
        analytic.fill()


def test_fill_refuses_postgresql_migrated_differently_from_the_copy(team_url, copy_store):
    with psycopg.connect(team_url) as conn:
        conn.execute("DELETE FROM schema_version WHERE version = 28")
    with pytest.raises(RuntimeError, match=r"migrations \[28\]"), \
            AnalyticCopy(team_url, copy_store.system_cursor()) as analytic:
        analytic.fill()


def test_refresh_before_fill_is_an_error(analytic):
    with pytest.raises(RuntimeError, match="fill"):
        analytic.refresh()


# -- refresh ---------------------------------------------------------------------------------------

SEED = """
    INSERT INTO customers (customer_id, code, name) VALUES (1, 'C1', '南京金信'), (2, 'C2', '上海'), (3, 'C3', '广州');
    INSERT INTO transactions (txn_id, customer_id, txn_date, amount) VALUES
        (1, 1, '2026-01-05', 100.00), (2, 1, '2026-02-05', 200.00), (3, 2, '2026-03-05', 300.00),
        (5, 3, '2026-03-06', 7.00);
    INSERT INTO customer_summary (customer_id, txns, revenue, purchases, refunds, refund_amount, first_txn, last_txn)
        VALUES (1, 2, 300.00, 2, 0, 0, '2026-01-05', '2026-02-05'), (2, 1, 300.00, 1, 0, 0, '2026-03-05', '2026-03-05');
    INSERT INTO demo_loads (first_customer_id, last_customer_id) VALUES (1, 3);
"""


def test_refresh_copies_inserts_updates_and_deletes_and_nothing_else(team_url, analytic, copy_store):
    with psycopg.connect(team_url) as conn:
        conn.execute(SEED)
    assert analytic.fill()["transactions"] == 4
    with psycopg.connect(team_url) as conn:
        conn.execute("UPDATE customers SET name = '北京' WHERE customer_id = 2")
        conn.execute("DELETE FROM customers WHERE customer_id = 3")
        conn.execute("INSERT INTO transactions (txn_id, customer_id, txn_date, amount) VALUES (4, 2, '2026-04-05', 5.50)")
        conn.execute("DELETE FROM transactions WHERE txn_id = 1")
        conn.execute("UPDATE transactions SET amount = 250.00 WHERE txn_id = 2")
        conn.execute("UPDATE customer_summary SET txns = 2, revenue = 305.50 WHERE customer_id = 2")
        conn.execute("INSERT INTO demo_loads (first_customer_id, last_customer_id) VALUES (4, 4)")
    changes = analytic.refresh()
    assert changes == {
        "customers": Changes(copied=1, removed=2),  # 2 updated (out, in), 3 deleted
        # keyed by customer_id: customers 1 (txn 1 deleted, 2 updated) and 2 (txn 4 new) whole again,
        # customer 3's txn 5 left alone
        "transactions": Changes(copied=3, removed=3),
        "customer_summary": Changes(copied=1, removed=1),  # keyed by customer_id: only customer 2
        "demo_loads": Changes(copied=2, removed=1),  # no key: the whole table again (1 row before, 2 now)
    }
    cur = copy_store.system_cursor()
    assert cur.execute("SELECT customer_id, name FROM customers ORDER BY 1").fetchall() == [(1, "南京金信"), (2, "北京")]
    assert cur.execute("SELECT txn_id, amount FROM transactions ORDER BY 1").fetchall() == [
        (2, Decimal("250.00")), (3, Decimal("300.00")), (4, Decimal("5.50")), (5, Decimal("7.00"))]
    assert_copy_equals_postgres(team_url, cur)


def test_a_refresh_without_changes_changes_nothing(team_url, analytic, copy_store):
    with psycopg.connect(team_url) as conn:
        conn.execute(SEED)
    analytic.fill()
    cur = copy_store.system_cursor()
    before = {table: duckdb_rows(cur, table) for table in replicated(team_url)}
    assert analytic.refresh() == {}
    assert analytic.refresh() == {}
    assert {table: duckdb_rows(cur, table) for table in replicated(team_url)} == before


def test_a_change_is_copied_once(team_url, analytic):
    analytic.fill()
    with psycopg.connect(team_url) as conn:
        conn.execute("INSERT INTO customers (customer_id, code, name) VALUES (7, 'C7', '七')")
    assert analytic.refresh() == {"customers": Changes(copied=1, removed=0)}
    assert analytic.refresh() == {}


def test_a_refresh_reports_how_long_its_oldest_change_waited(team_url, analytic):
    analytic.fill()
    with psycopg.connect(team_url) as conn:
        conn.execute("INSERT INTO customers (customer_id, code, name) VALUES (7, 'C7', '七'), (8, 'C8', '八')")
        # made 30 s and 10 s ago (as a process that refreshes late would find them)
        conn.execute("UPDATE row_changes SET changed_at = clock_timestamp() - "
                     "CASE row_key->>0 WHEN '7' THEN interval '30 s' ELSE interval '10 s' END")
    analytic.refresh()
    assert 30 <= analytic.last_wait < 30 + 60  # the oldest (30 s), plus the refresh's own time
    analytic.refresh()
    assert analytic.last_wait is None  # nothing came


def test_a_key_written_many_times_is_copied_once_in_its_last_state(team_url, analytic, copy_store):
    analytic.fill()
    with psycopg.connect(team_url) as conn:
        conn.execute("INSERT INTO customers (customer_id, code, name) VALUES (1, 'C1', 'a')")
        for name in ("b", "c", "d"):
            conn.execute("UPDATE customers SET name = %s WHERE customer_id = 1", [name])
            conn.commit()
        (log_rows,) = conn.execute("SELECT count(*) FROM row_changes WHERE table_name = 'customers'").fetchone()
    assert log_rows == 1  # the latest change per key only
    assert analytic.refresh() == {"customers": Changes(copied=1, removed=0)}
    assert copy_store.system_cursor().execute("SELECT name FROM customers").fetchall() == [("d",)]


def test_a_table_without_a_primary_key_is_refreshed_by_its_replica_key(team_url, analytic, copy_store):
    """fit_care_contacts is keyed by fit_id (REPLICA_KEYS): one deleted row of fit 1 re-copies
    fit 1's other rows (3 removed, 2 copied) and leaves fit 2 alone."""
    rows = "INSERT INTO fit_care_contacts (fit_id, customer_id, interactions) VALUES (%s, %s, 0)"
    with psycopg.connect(team_url) as conn:
        for fit_id, customer_id in ((1, 1), (1, 2), (1, 3), (2, 1)):
            conn.execute(rows, [fit_id, customer_id])
    analytic.fill()
    with psycopg.connect(team_url) as conn:
        conn.execute("DELETE FROM fit_care_contacts WHERE fit_id = 1 AND customer_id = 2")
    assert analytic.refresh() == {"fit_care_contacts": Changes(copied=2, removed=3)}
    assert copy_store.system_cursor().execute(
        "SELECT fit_id, customer_id FROM fit_care_contacts ORDER BY 1, 2").fetchall() == [(1, 1), (1, 3), (2, 1)]


def test_an_update_that_changes_the_key_moves_the_row(team_url, analytic, copy_store):
    with psycopg.connect(team_url) as conn:
        conn.execute(SEED)
    analytic.fill()
    with psycopg.connect(team_url) as conn:
        conn.execute("UPDATE customers SET customer_id = 9 WHERE customer_id = 3")
    assert analytic.refresh() == {"customers": Changes(copied=1, removed=1)}  # key 3 removed, key 9 copied
    assert copy_store.system_cursor().execute("SELECT customer_id FROM customers ORDER BY 1").fetchall() == [
        (1,), (2,), (9,)]


def test_truncate_is_replicated(team_url, analytic, copy_store):
    with psycopg.connect(team_url) as conn:
        conn.execute(SEED)
    analytic.fill()
    with psycopg.connect(team_url) as conn:
        conn.execute("TRUNCATE transactions")
    assert analytic.refresh() == {"transactions": Changes(copied=0, removed=4)}
    assert copy_store.system_cursor().execute("SELECT count(*) FROM transactions").fetchone() == (0,)


def test_a_transaction_committing_out_of_order_is_not_lost(team_url, analytic, copy_store):
    """Slow takes its change number first and commits last; a refresh in between sees only the
    fast one, and the next refresh still brings the slow one (a 'change_no > last seen' watermark
    would have skipped it)."""
    analytic.fill()
    cur = copy_store.system_cursor()
    with psycopg.connect(team_url) as slow, psycopg.connect(team_url) as fast:
        slow.execute("INSERT INTO customers (customer_id, code, name) VALUES (1, 'SLOW', '慢')")
        fast.execute("INSERT INTO customers (customer_id, code, name) VALUES (2, 'FAST', '快')")
        fast.commit()
        assert analytic.refresh() == {"customers": Changes(copied=1, removed=0)}
        assert cur.execute("SELECT code FROM customers").fetchall() == [("FAST",)]
        slow.commit()
        numbers = dict(slow.execute("SELECT row_key->>0, change_no FROM row_changes").fetchall())
    assert numbers["1"] < numbers["2"]  # really out of order: the lower number committed later
    assert analytic.refresh() == {"customers": Changes(copied=1, removed=0)}
    assert cur.execute("SELECT code FROM customers ORDER BY 1").fetchall() == [("FAST",), ("SLOW",)]


def test_refreshing_while_two_writers_commit_misses_nothing(team_url, analytic, copy_store):
    """Two writers, each 150 transactions (insert a customer, update it, delete every third), while
    the copy refreshes as fast as it can; one last refresh after they stop equals PostgreSQL."""
    analytic.fill()
    errors: list[BaseException] = []

    def write(first_id: int) -> None:
        try:
            with psycopg.connect(team_url, autocommit=True) as conn:
                for customer_id in range(first_id, first_id + 150):
                    with conn.transaction():
                        conn.execute("INSERT INTO customers (customer_id, code, name) VALUES (%s, %s, 'n')",
                                     [customer_id, f"C{customer_id}"])
                        conn.execute("UPDATE customers SET name = 'updated' WHERE customer_id = %s", [customer_id])
                    if customer_id % 3 == 0:
                        conn.execute("DELETE FROM customers WHERE customer_id = %s", [customer_id])
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)

    writers = [threading.Thread(target=write, args=(first,)) for first in (1, 1001)]
    for writer in writers:
        writer.start()
    refreshes = 0
    while any(writer.is_alive() for writer in writers):
        analytic.refresh()
        refreshes += 1
    analytic.refresh()
    assert errors == []
    assert refreshes > 1  # the refreshes really ran between the writes
    cur = copy_store.system_cursor()
    assert cur.execute("SELECT count(*), count(*) FILTER (WHERE name = 'updated') FROM customers").fetchone() == (200, 200)
    assert duckdb_rows(cur, "customers") == postgres_rows(team_url, "customers")


def test_a_rolled_back_change_is_never_copied(team_url, analytic):
    analytic.fill()
    with psycopg.connect(team_url) as conn:
        conn.execute("INSERT INTO customers (customer_id, code, name) VALUES (1, 'C1', 'gone')")
        conn.rollback()
    assert analytic.refresh() == {}


# -- types -----------------------------------------------------------------------------------------

TYPE_WRITES = [
    ("INSERT INTO customers (customer_id, code, name, birthday, credit_limit) VALUES (1, %s, %s, %s, %s)",
     ["C0000001", "南京金信商贸有限公司「测试」", date(1990, 2, 28), Decimal("12345678901234.56")]),
    ("INSERT INTO transactions (txn_id, customer_id, txn_date, amount, quantity) VALUES (1, 1, %s, %s, %s)",
     [date(2026, 6, 30), Decimal("-0.01"), Decimal("2.125")]),
    ("INSERT INTO interactions (customer_id, occurred_at, channel, cost) VALUES (1, %s, 'visit', %s)",
     [datetime(2026, 6, 30, 9, 30, 15, 123456, tzinfo=SHANGHAI), Decimal("88.80")]),
    ("INSERT INTO accounts (name, role, rep_codes, password_hash) VALUES ('王芳', 'rep', %s, 'x')",
     [["王芳", 'a"b\\c', "", None]]),
    ("INSERT INTO survey_link_secret (id, secret) VALUES (1, %s)", [bytes(range(256))]),
    ("INSERT INTO fit_churn_activity (fit_id, customer_id, purchased_before, purchased_recent, bought_twice,"
     " active_recent, active_before, customer_known, month_mask, quarter_mask) VALUES (1, 1, true, false, true,"
     " true, true, true, %s, %s)", [2**64 - 1, 2**63]),
    ("INSERT INTO fit_value_scores (fit_id, customer_id, rank, spend, score, tier) VALUES (1, 1, 1, %s, %s, %s)",
     [0.1, 1e-300, -128]),
]
TYPE_READS = [  # (DuckDB query, expected)
    ("SELECT code, name, birthday, credit_limit FROM customers",
     [("C0000001", "南京金信商贸有限公司「测试」", date(1990, 2, 28), Decimal("12345678901234.56"))]),
    ("SELECT txn_date, amount, quantity, typeof(amount), typeof(quantity) FROM transactions",
     [(date(2026, 6, 30), Decimal("-0.01"), Decimal("2.125"), "DECIMAL(18,2)", "DECIMAL(18,3)")]),
    ("SELECT occurred_at, cost FROM interactions",
     [(datetime(2026, 6, 30, 1, 30, 15, 123456, tzinfo=UTC), Decimal("88.80"))]),
    ("SELECT rep_codes FROM accounts", [(["王芳", 'a"b\\c', "", None],)]),
    ("SELECT secret FROM survey_link_secret", [(bytes(range(256)),)]),
    ("SELECT month_mask, quarter_mask, typeof(month_mask) FROM fit_churn_activity", [(2**64 - 1, 2**63, "UBIGINT")]),
    ("SELECT spend, score, tier, typeof(tier) FROM fit_value_scores", [(0.1, 1e-300, -128, "TINYINT")]),
]


@pytest.mark.parametrize("through", ["fill", "refresh"])
def test_every_type_comes_back_exactly(team_url, analytic, copy_store, through):
    """Chinese text, DECIMAL to the cent (and 18 digits), DATE, TIMESTAMPTZ to the microsecond,
    a list with quotes, a backslash, '' and NULL, 256 bytes, NUMERIC(20,0) ↔ UBIGINT up to 2^64 − 1,
    SMALLINT ↔ TINYINT, doubles to the last bit — through fill() and through refresh()."""
    if through == "refresh":
        analytic.fill()
    with psycopg.connect(team_url) as conn:
        for sql, params in TYPE_WRITES:
            conn.execute(sql, params)
    getattr(analytic, through)()
    cur = copy_store.system_cursor()
    for sql, expected in TYPE_READS:
        rows = cur.execute(sql).fetchall()
        assert rows == expected, sql  # an instant equals itself in any zone
    assert_copy_equals_postgres(team_url, cur)


def test_bulk_load_keeps_every_type(team_url, copy_store):
    """DuckDB → PostgreSQL (copy_to_postgres) → DuckDB gives back the same values (lists and bytes
    are the two converted on the way)."""
    source = Store(":memory:")
    cur = source.system_cursor()
    for sql, params in TYPE_WRITES:
        cur.execute(sql.replace("%s", "?"), params)
    copy_to_postgres(cur, team_url)
    with AnalyticCopy(team_url, copy_store.system_cursor()) as analytic:
        analytic.fill()
    for sql, expected in TYPE_READS:
        assert copy_store.system_cursor().execute(sql).fetchall() == cur.execute(sql).fetchall() == expected, sql
    source.close()
