"""Backup and restore round-trip every table, sequences included; only admins may do it; backups
are private files with names of their own, one at a time."""
import os
import threading
import time
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from crm_core import backup, demo, summaries
from crm_core.customers import record_transaction
from crm_core.models import TransactionIn
from crm_core.store import Store, available_migrations
from crm_core.users import LOCAL_USER, Actor, PermissionDenied
from tests.conftest import DEMO_AS_OF

ADMIN = Actor("root", "admin")

LATEST = max(version for version, _ in available_migrations())  # the schema this app builds


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


def test_writes_go_on_during_a_backup_and_the_backup_is_one_moment(demo_store, tmp_path, monkeypatch):
    """A backup no longer holds the writes (a 10M store's takes ~3 minutes): forms save while it
    copies, and the copy is still one moment of the store: each customer's summary, written in the
    same transaction as the customer's new row, matches the rows the backup holds."""
    (customer_id,) = demo_store.query_one("SELECT min(customer_id) FROM customers")
    copying, writes, done = [], [], threading.Event()
    copy = backup._copy_store_to

    def timed_copy(store, target):
        began = time.perf_counter()
        copy(store, target)
        copying.append((began, time.perf_counter()))

    def keep_writing():
        while not done.is_set():
            began = time.perf_counter()
            record_transaction(demo_store, LOCAL_USER, TransactionIn(customer_id=customer_id,
                                                                     txn_date=DEMO_AS_OF, amount="1"))
            writes.append((began, time.perf_counter()))

    def saved_while_copying() -> bool:  # a write begun after a copy began and committed before it ended
        return any(c0 < w0 and w1 < c1 for c0, c1 in copying for w0, w1 in writes)

    monkeypatch.setattr(backup, "_copy_store_to", timed_copy)
    writer = threading.Thread(target=keep_writing)
    writer.start()
    paths = []
    try:
        while len(writes) < 3:  # the writer is going
            time.sleep(0.01)
        # A copy of this store takes ~0.1 s and a save ~25 ms: a few tries show a save inside a copy
        # (never, when a backup held the writes off); more only on a very busy machine.
        while len(paths) < 10 and not saved_while_copying():
            paths.append(backup.backup(demo_store, ADMIN, tmp_path / f"during-{len(paths)}.duckdb"))
    finally:
        done.set()
        writer.join()
    assert saved_while_copying(), (copying, writes[-5:])
    for path in paths:
        with duckdb.connect(str(path), read_only=True) as con:
            assert summaries.check(con).ok
            rows, summarised = con.execute(
                "SELECT (SELECT count(*) FROM transactions WHERE customer_id = $c),"
                " (SELECT txns FROM customer_summary WHERE customer_id = $c)", {"c": customer_id}).fetchone()
        assert rows == summarised and rows > 0


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


@pytest.fixture
def loose_umask():
    """The usual 022 of a shell, as before this process opened any store."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def mode(path):
    return os.stat(path).st_mode & 0o777


def test_the_store_its_wal_and_backups_are_the_owners_only(tmp_path, loose_umask):
    store = Store(tmp_path / "new" / "crm.duckdb")
    try:
        assert mode(store.path) == 0o600
        store.write(lambda cur: cur.execute("UPDATE schema_version SET name = name"))
        assert mode(store.path + ".wal") == 0o600  # DuckDB made it after the store was opened
        target = backup.backup_now(store, ADMIN)
        assert target.parent == tmp_path / "new" / "backups"
        assert (mode(target), mode(target.parent)) == (0o600, 0o700)
        assert mode(backup.backup(store, ADMIN, tmp_path / "elsewhere.duckdb")) == 0o600
    finally:
        store.close()


def test_a_store_left_world_readable_is_made_private_when_opened(tmp_path, loose_umask):
    path = tmp_path / "old.duckdb"
    duckdb.connect(str(path)).close()
    assert mode(path) == 0o644
    Store(path).close()
    assert mode(path) == 0o600


class _FrozenClock:
    """datetime whose now() never moves: two backups in the same microsecond."""

    @staticmethod
    def now():
        return datetime(2026, 6, 30, 9, 15, 0, 123456)


def test_two_backups_in_the_same_instant_get_a_file_each(store, monkeypatch):
    from crm_core.audit import audit_entries

    monkeypatch.setattr(backup, "datetime", _FrozenClock)
    first, second = backup.backup_now(store, ADMIN), backup.backup_now(store, ADMIN)
    assert (first.name, second.name) == ("crm-20260630-091500-123456.duckdb", "crm-20260630-091500-123456-2.duckdb")
    assert backup.check_backup(first) == backup.check_backup(second) == LATEST
    entries, _ = audit_entries(store, ADMIN)
    assert entries["new_value"].tolist() == [str(second), str(first)]
    assert [p.name for p in first.parent.iterdir() if p.name.startswith(".")] == []  # no partial file left


def test_two_admins_pressing_backup_together_each_get_their_file(store):
    barrier = threading.Barrier(2)
    made, failed = [], []

    def press():
        barrier.wait()
        try:
            made.append(backup.backup_now(store, ADMIN))
        except Exception as error:  # the finding: FileExistsError from the second
            failed.append(error)

    threads = [threading.Thread(target=press) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failed == []
    assert len(set(made)) == 2 and all(backup.check_backup(path) == LATEST for path in made)


def test_a_backup_that_cannot_get_its_turn_says_so(store, monkeypatch):
    import fcntl

    monkeypatch.setattr(backup, "BACKUP_WAIT_SECONDS", 0)
    with open(store.path + ".lock", "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(backup.BackupProblem) as busy:
            backup.backup_now(store, ADMIN)
    assert str(busy.value) == "Another backup or restore is running. Try again when it has finished."
    assert not (Path(store.path).parent / "backups").exists()  # nothing written, not even the folder


def test_the_admin_page_backs_up_twice_in_a_row_without_a_traceback(tmp_path, monkeypatch, demo_db_path):
    from streamlit.testing.v1 import AppTest

    from crm_core import accounts

    users, db = tmp_path / "users.toml", tmp_path / "crm.duckdb"
    accounts.add_account("boss", "admin", "admin password 1", path=users)
    db.write_bytes(Path(demo_db_path).read_bytes())
    monkeypatch.setenv("CRM_USERS", str(users))
    monkeypatch.setenv("CRM_DB", str(db))
    import ui.auth
    from crm_core import sessions
    from crm_core.store import open_store

    app_store = open_store(db)  # the store the app's script runs use (one per file)
    accounts.sync_file(app_store)
    token = sessions.sign_in(app_store, "boss", "admin password 1").token
    monkeypatch.setattr(ui.auth, "session_token", lambda: token)  # AppTest cannot send the cookie
    app = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "Home.py"), default_timeout=60)
    app.session_state["lang"] = "en"
    app.run()
    app.switch_page("pages/admin.py").run()
    written = []
    for _ in range(2):
        app.button(key="adm_backup").click().run()
        assert not app.exception and not app.error, [e.value for e in [*app.exception, *app.error]]
        written.append(app.success[0].value)
    backups = sorted((tmp_path / "backups").iterdir())
    from crm_core.text_safety import markdown_literal  # the path is shown as text, escaped for Markdown
    assert written == [f"Backup written to {markdown_literal(str(path))}." for path in backups]
    assert [mode(path) for path in backups] == [0o600, 0o600]


def test_the_command_line_backup_never_overwrites_and_says_so_in_one_line(tmp_path):
    import subprocess
    import sys

    Store(tmp_path / "crm.duckdb").close()
    taken = tmp_path / "taken.duckdb"
    taken.write_bytes(b"someone's file")
    done = subprocess.run([sys.executable, "-m", "crm_core", "backup", str(taken), "--db", str(tmp_path / "crm.duckdb")],
                          cwd=Path(__file__).resolve().parent.parent, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and done.stderr.strip().splitlines() == [
        f"error: {taken} exists: choose a new file name for the backup"]
    assert taken.read_bytes() == b"someone's file"
