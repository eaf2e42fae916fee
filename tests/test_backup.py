"""Backup and restore round-trip every table, sequences included; only admins may do it."""
import pytest

from crm_core import backup, demo
from crm_core.users import Actor, PermissionDenied
from tests.conftest import DEMO_AS_OF

ADMIN = Actor("root", "admin")


def table_fingerprints(store):
    fingerprints = {}
    for table in store.table_names():
        fingerprints[table] = store.query_one(f"SELECT count(*), hash(list(t ORDER BY t)) FROM {table} t")
    return fingerprints


def test_restore_round_trips_every_table(store, tmp_path):
    demo.load_demo(store, customers=150, as_of=DEMO_AS_OF)
    before = table_fingerprints(store)
    backup.backup(store, ADMIN, tmp_path / "backup.duckdb")
    store.write(lambda cur: cur.execute("DELETE FROM transactions; UPDATE customers SET name = 'changed'"))
    assert table_fingerprints(store) != before
    backup.restore(store, ADMIN, tmp_path / "backup.duckdb")
    assert table_fingerprints(store) == before
    # The id sequence came back too: the next customer does not collide.
    assert store.query_one("SELECT nextval('customer_id_seq')") == (151,)


def test_only_admins_back_up_and_a_bad_file_changes_nothing(store, tmp_path):
    with pytest.raises(PermissionDenied):
        backup.backup(store, Actor("m", "manager"), tmp_path / "b.duckdb")
    junk = tmp_path / "junk.duckdb"
    junk.write_bytes(b"not a database")
    with pytest.raises(ValueError):
        backup.restore(store, ADMIN, junk)
    assert "customers" in store.table_names()
