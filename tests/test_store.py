"""The store: schema, migrations (including upgrading an old file), serialised transactions."""
import threading

import duckdb
import pytest

from crm_core.store import MIGRATIONS_DIR, Store, available_migrations


def test_new_store_has_every_migration_applied(store):
    latest = available_migrations()[-1][0]
    assert store.schema_version() == latest
    assert {"customers", "transactions", "interactions", "key_dates", "audit_log", "imports"} <= set(
        store.table_names())


def test_migration_numbers_are_unique_and_start_at_one():
    versions = [v for v, _ in available_migrations()]
    assert versions[0] == 1
    assert len(versions) == len(set(versions))


def test_opening_a_file_made_by_an_older_version_upgrades_it_and_keeps_data(tmp_path):
    path = tmp_path / "old.duckdb"
    # Build the file exactly as version 1 of the app did: only migration 001.
    con = duckdb.connect(str(path))
    con.execute("SET TimeZone = 'Asia/Shanghai'")
    con.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,"
                " applied_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)")
    con.execute((MIGRATIONS_DIR / "001_foundation.sql").read_text(encoding="utf-8"))
    con.execute("INSERT INTO schema_version (version, name) VALUES (1, '001_foundation')")
    con.execute("INSERT INTO customers (code, name) VALUES ('C1', '老客户')")
    con.close()

    upgraded = Store(path)
    applied = upgraded.migrate()  # already done by the constructor: nothing left to apply
    assert applied == []
    assert upgraded.schema_version() == available_migrations()[-1][0]
    assert upgraded.query_one("SELECT name FROM customers WHERE code = 'C1'") == ("老客户",)
    (rows,) = upgraded.query_one("SELECT count(*) FROM schema_version")
    assert rows == len(available_migrations())
    upgraded.close()


def test_a_failed_write_leaves_nothing_behind(store):
    with pytest.raises(duckdb.ConstraintException), store.transaction() as cur:
        cur.execute("INSERT INTO customers (code, name) VALUES ('A1', 'first')")
        cur.execute("INSERT INTO customers (code, name) VALUES ('A1', 'duplicate code')")
    assert store.query_one("SELECT count(*) FROM customers") == (0,)


def test_generation_moves_only_on_commit(store):
    before = store.generation
    with store.transaction() as cur:
        cur.execute("INSERT INTO customers (code, name) VALUES ('G1', 'x')")
    assert store.generation == before + 1
    with pytest.raises(RuntimeError), store.transaction() as cur:
        cur.execute("INSERT INTO customers (code, name) VALUES ('G2', 'x')")
        raise RuntimeError("abandon")
    assert store.generation == before + 1


def test_concurrent_writers_are_serialised_without_conflicts(store):
    store.write(lambda cur: cur.execute("INSERT INTO customers (code, name, version) VALUES ('K', 'k', 0)"))
    errors = []

    def bump():
        try:
            for _ in range(25):
                store.write(lambda cur: cur.execute("UPDATE customers SET version = version + 1 WHERE code = 'K'"))
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=bump) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert store.query_one("SELECT version FROM customers WHERE code = 'K'") == (200,)


def test_money_is_decimal_and_timestamps_are_zone_aware(store):
    store.write(lambda cur: cur.execute("INSERT INTO customers (code, name, credit_limit) VALUES ('M', 'm', 0.1)"))
    store.write(lambda cur: cur.execute(
        "INSERT INTO transactions (customer_id, txn_date, amount) SELECT customer_id, DATE '2025-01-02', 0.2"
        " FROM customers"))
    (total,) = store.query_one("SELECT sum(amount) + any_value(c.credit_limit) FROM transactions JOIN customers c"
                               " USING (customer_id)")
    assert str(total) == "0.30"  # float arithmetic would give 0.30000000000000004
    (created,) = store.query_one("SELECT created_at FROM customers")
    assert created.utcoffset().total_seconds() == 8 * 3600


def test_integrity_check_finds_orphans(store):
    assert store.integrity_problems() == []
    store.write(lambda cur: cur.execute(
        "INSERT INTO transactions (customer_id, txn_date, amount) VALUES (999, DATE '2025-01-01', 1)"))
    assert store.integrity_problems() == ["transactions: 1 row references a missing customer"]


def test_a_migration_missing_below_the_highest_applied_one_is_still_applied(tmp_path):
    # Migrations written in parallel can land out of number order; each is applied once, by number.
    path = tmp_path / "gap.duckdb"
    Store(path).close()
    con = duckdb.connect(str(path))
    con.execute("DROP TABLE contact_frequency")  # created by 005_care
    con.execute("DELETE FROM schema_version WHERE version = 5")
    con.close()
    reopened = Store(path)
    assert "contact_frequency" in reopened.table_names()
    assert 5 in reopened.applied_migrations()
    reopened.close()
