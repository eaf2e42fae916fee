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
    after = table_fingerprints(store)
    # Every table as backed up, and the audit log holds the backup's rows plus the restore itself.
    assert {t: f for t, f in after.items() if t != "audit_log"} == {t: f for t, f in before.items() if t != "audit_log"}
    assert store.query_one("SELECT count(*) FROM audit_log") == (before["audit_log"][0] + 1,)
    assert store.query_one("SELECT action FROM audit_log ORDER BY audit_id DESC LIMIT 1") == ("restore",)
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


def _audit_rows(path, action):
    from crm_core.store import Store

    store = Store(path)
    try:
        return store.query_df("SELECT actor, action, entity, new_value FROM audit_log WHERE action = ?",
                              [action]).to_dict("records")
    finally:
        store.close()


def test_cli_backup_and_restore_each_leave_one_audit_row(tmp_path, monkeypatch):
    from crm_core.__main__ import main
    from crm_core.store import Store

    monkeypatch.setattr("getpass.getuser", lambda: "ops")
    db, copy = tmp_path / "cli.duckdb", tmp_path / "copy.duckdb"
    Store(db).close()

    assert main(["backup", str(copy), "--db", str(db)]) == 0
    assert _audit_rows(db, "backup") == [
        {"actor": "ops", "action": "backup", "entity": "store", "new_value": str(copy.resolve())}]

    assert main(["restore", str(copy), "--db", str(db)]) == 0
    assert _audit_rows(db, "restore") == [
        {"actor": "ops", "action": "restore", "entity": "store", "new_value": str(copy)}]


def test_backup_and_restore_audit_themselves(store, tmp_path):
    from crm_core.audit import audit_entries

    target = tmp_path / "b.duckdb"
    backup.backup(store, ADMIN, target)
    backup.restore(store, ADMIN, target, name="crm-20260101.duckdb")
    entries, _ = audit_entries(store, ADMIN)
    assert entries[["actor", "action", "entity", "new_value"]].values.tolist() == [
        ["root", "restore", "store", "crm-20260101.duckdb"]]  # the backup row was written after the copy


def test_export_bytes_neutralises_serialises_and_audits(store):
    import io

    import pandas as pd

    from crm_core.audit import audit_entries
    from crm_core.exporting import export_bytes

    frame = pd.DataFrame({"name": ["=1+1", "王永庆"], "amount": [1.5, 2.0]})
    data = export_bytes(store, ADMIN, frame, "customers.csv", "csv")
    assert pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")["name"].tolist() == ["'=1+1", "王永庆"]
    assert export_bytes(store, ADMIN, frame, "customers.xlsx", "xlsx").startswith(b"PK")
    entries, _ = audit_entries(store, ADMIN)
    assert entries["new_value"].tolist() == ["customers.xlsx (2 rows)", "customers.csv (2 rows)"]
    with pytest.raises(ValueError):
        export_bytes(store, ADMIN, frame, "x.pdf", "pdf")
