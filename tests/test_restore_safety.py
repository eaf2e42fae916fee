"""A restore cannot destroy: a foreign, damaged or hostile file is refused with a message naming it
and the fix, before anything changes; a good one swaps atomically and keeps the store it replaced;
a restore killed at any moment leaves the old store or the new one."""
import fcntl
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from crm_core import backup
from crm_core.store import Store, available_migrations
from crm_core.users import Actor

ROOT = Path(__file__).resolve().parent.parent
ADMIN = Actor("root", "admin")

LATEST = max(version for version, _ in available_migrations())  # the schema this app builds


def row_counts(store):
    return {table: store.query_one(f"SELECT count(*) FROM {table}")[0] for table in store.table_names()}


def files_beside(store):
    return sorted(p.name for p in Path(store.path).parent.iterdir())


@pytest.fixture
def good_backup(demo_store, tmp_path_factory):
    """A backup of the demo store (300 customers), in a folder of its own."""
    return backup.backup(demo_store, ADMIN, tmp_path_factory.mktemp("given") / "good.duckdb")


def _variant(good_backup, name, *statements):
    """A copy of the good backup changed by ``statements``, as an attacker with DuckDB would make it."""
    path = good_backup.with_name(name)
    shutil.copyfile(good_backup, path)
    with duckdb.connect(str(path)) as con:
        for statement in statements:
            con.execute(statement)
    return path


def png(good_backup):
    path = good_backup.with_name("logo.duckdb")
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200))
    return path


def sqlite_file(good_backup):
    path = good_backup.with_name("sqlite.duckdb")
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE schema_version (version INTEGER)")
        con.execute("INSERT INTO schema_version VALUES (9)")
    return path


def cut_in_half(good_backup):
    path = good_backup.with_name("half.duckdb")
    data = good_backup.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def damaged_customers(good_backup):
    """The first 64 bytes of the customers table's first data block inverted (the file header
    and the other tables intact)."""
    path = good_backup.with_name("damaged.duckdb")
    with duckdb.connect(str(good_backup), read_only=True) as con:
        (block,) = con.execute("SELECT min(block_id) FROM pragma_storage_info('customers') WHERE block_id >= 0"
                               ).fetchone()
        (block_size,) = con.execute("SELECT block_size FROM pragma_database_size()").fetchone()
    data = bytearray(good_backup.read_bytes())
    start = 3 * 4096 + block * block_size + 16  # DuckDB's file: three 4 KiB headers, then the blocks
    data[start:start + 64] = bytes(b ^ 0xFF for b in data[start:start + 64])
    path.write_bytes(bytes(data))
    return path


def passwd_view(good_backup):
    return _variant(good_backup, "passwd.duckdb", "DROP TABLE survey_waves",
                    "CREATE VIEW survey_waves AS SELECT * FROM read_csv('/etc/passwd', sep=':', header=false)")


def empty_version(good_backup):
    return _variant(good_backup, "empty-version.duckdb", "DELETE FROM schema_version")


def text_version(good_backup):
    return _variant(good_backup, "text-version.duckdb", "DROP TABLE schema_version",
                    "CREATE TABLE schema_version (version VARCHAR, name VARCHAR, applied_at TIMESTAMPTZ)",
                    "INSERT INTO schema_version VALUES ('nine', '009_holiday_notices', now())")


def future_version(good_backup):
    return _variant(good_backup, "future.duckdb", "INSERT INTO schema_version (version, name) VALUES (42, '042_x')")


def table_macro(good_backup):
    return _variant(good_backup, "macro.duckdb",
                    "CREATE MACRO leak() AS TABLE SELECT * FROM read_text('/etc/passwd')")


def missing_table(good_backup):
    return _variant(good_backup, "partial.duckdb", "DROP TABLE churn_events")


NOT_DUCKDB = ("“{}” is not a Kehu backup: it is not a database file of this app, or it is damaged or cut short. "
              "Nothing was changed. Choose a file made with “Make a backup now”.")
NO_VERSION = ("“{}” has no valid schema version (its version table is empty or does not hold whole numbers), "
              "so it is not a Kehu backup. Nothing was changed. Choose a backup made by Kehu.")
FOREIGN = ("“{}” contains objects Kehu did not create: {}. A backup with views, macros or functions of its own "
           "could read files on the server, so it is refused and nothing was changed. Restore a backup made "
           "with “Make a backup now”.")

REFUSED = [
    (png, NOT_DUCKDB.format("logo.duckdb")),
    (sqlite_file, NOT_DUCKDB.format("sqlite.duckdb")),
    (cut_in_half, NOT_DUCKDB.format("half.duckdb")),
    (damaged_customers, "“damaged.duckdb” is damaged: the table customers cannot be read to the end. "
                        "Nothing was changed. Restore another backup."),
    (passwd_view, FOREIGN.format("passwd.duckdb", "view survey_waves")),
    (table_macro, FOREIGN.format("macro.duckdb", "table macro leak")),
    (empty_version, NO_VERSION.format("empty-version.duckdb")),
    (text_version, NO_VERSION.format("text-version.duckdb")),
    (future_version, "“future.duckdb” was made by a newer version of Kehu (schema version 42; this app knows up "
                     f"to {LATEST}). Nothing was changed. Update the app first, then restore."),
    (missing_table, "“partial.duckdb” lacks what Kehu needs: table churn_events. Nothing was changed. "
                    "Restore a complete backup."),
]


@pytest.mark.parametrize(("make", "message"), REFUSED, ids=[make.__name__ for make, _ in REFUSED])
def test_a_bad_file_is_refused_with_its_message_and_nothing_changes(demo_store, good_backup, make, message):
    bad = make(good_backup)
    counts, files = row_counts(demo_store), files_beside(demo_store)
    with pytest.raises(backup.BackupProblem) as refused:
        backup.restore(demo_store, ADMIN, bad, name=bad.name)
    assert refused.value.message("en") == message
    # The store in use: the same rows, still answering, no copy or temp file left beside it.
    assert row_counts(demo_store) == counts
    assert files_beside(demo_store) == sorted({*files, "demo.duckdb.lock"})
    # …and the file on disk opens as it was.
    demo_store.close()
    reopened = Store(demo_store.path)
    try:
        assert row_counts(reopened) == counts
    finally:
        reopened.close()


def test_an_upload_is_refused_the_same_way(demo_store, good_backup):
    """The Admin page hands the upload itself (a binary file object) over, named as the user named it."""
    import io

    upload = io.BytesIO(passwd_view(good_backup).read_bytes())
    with pytest.raises(backup.BackupProblem) as refused:
        backup.restore(demo_store, ADMIN, upload, name="crm-20260630.duckdb")
    assert refused.value.message("zh") == (
        "“crm-20260630.duckdb”包含本系统没有创建的对象：视图 survey_waves。带有自定义视图、宏或函数的备份"
        "可能读取服务器上的文件，因此被拒绝，当前数据没有改变。请用“立即备份”生成的备份恢复。")


def test_the_view_could_not_read_the_file_while_it_was_checked(good_backup):
    """The check opens the copy with external access off: even a query on the view is refused."""
    bad = passwd_view(good_backup)
    with duckdb.connect(str(bad), read_only=True, config=backup.CHECK_CONFIG) as con:
        with pytest.raises(duckdb.PermissionException):
            con.execute("SELECT * FROM survey_waves").fetchall()
        with pytest.raises(duckdb.Error):
            con.execute("SET enable_external_access = true")


def test_a_good_backup_restores_and_the_previous_store_is_kept_private(demo_store, good_backup, monkeypatch):
    backed_up = row_counts(demo_store)
    demo_store.write(lambda cur: cur.execute("DELETE FROM transactions"))
    changed = row_counts(demo_store)
    assert changed["transactions"] == 0 < backed_up["transactions"]

    seen_modes = []
    check = backup.check_backup

    def check_and_look(path, name=None):  # the copy under check: beside the store, 600
        seen_modes.append((Path(path).parent == Path(demo_store.path).parent, os.stat(path).st_mode & 0o777))
        return check(path, name)

    monkeypatch.setattr(backup, "check_backup", check_and_look)
    done = backup.restore(demo_store, ADMIN, good_backup, name="good.duckdb")
    assert seen_modes == [(True, 0o600)]
    assert done.version == LATEST
    restored = row_counts(demo_store)
    assert {t: n for t, n in restored.items() if t != "audit_log"} == {
        t: n for t, n in backed_up.items() if t != "audit_log"}
    # The audit log as backed up (the backup's own row is written after the copy) plus the restore.
    assert demo_store.query_df("SELECT action FROM audit_log")["action"].tolist() == ["restore"]

    # The store it replaced is beside it, 600, whole: the deleted transactions stay deleted there.
    assert done.previous.parent == Path(demo_store.path).parent
    assert done.previous.name.startswith("demo.duckdb.before-restore-")
    assert os.stat(done.previous).st_mode & 0o777 == 0o600
    assert os.stat(demo_store.path).st_mode & 0o777 == 0o600
    with duckdb.connect(str(done.previous), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM transactions").fetchone() == (0,)
        assert con.execute("SELECT count(*) FROM customers").fetchone() == (changed["customers"],)
    leftovers = [name for name in files_beside(demo_store) if ".restore-" in name or name.endswith(".tmp")]
    assert leftovers == []


def test_a_restore_reads_the_backup_within_the_stores_memory_bound(demo_store, good_backup, monkeypatch):
    """Every DuckDB connection a restore opens (the check, the accounts carried over, the upgrade)
    holds at most what the store may: under DuckDB's default, 80 % of the machine, checking a 10M
    backup kept what it read, 7.4 GB."""
    monkeypatch.setenv("CRM_DUCKDB_MEMORY", "300MiB")
    bounds, connect = [], duckdb.connect

    def connect_and_look(*args, **kwargs):
        con = connect(*args, **kwargs)
        if args and str(args[0]) != ":memory:":  # the files, not the in-memory schema reference
            bounds.append(con.execute("SELECT current_setting('memory_limit')").fetchone()[0])
        return con

    monkeypatch.setattr(duckdb, "connect", connect_and_look)
    backup.restore(demo_store, ADMIN, good_backup, name="good.duckdb")
    assert len(bounds) >= 3 and set(bounds) == {"300.0 MiB"}, bounds


def test_a_restore_while_another_runs_gets_the_busy_message(demo_store, good_backup):
    with open(demo_store.path + ".lock", "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # another backup or restore, in this process or another
        with pytest.raises(backup.BackupProblem) as busy:
            backup.restore(demo_store, ADMIN, good_backup)
    assert busy.value.message("en") == "Another backup or restore is running. Try again when it has finished."
    assert busy.value.message("zh") == "另一项备份或恢复正在进行。请等它完成后再试。"
    backup.restore(demo_store, ADMIN, good_backup)  # released: it runs


def test_a_copy_left_by_a_killed_restore_is_removed_by_the_next(demo_store, good_backup):
    left = Path(demo_store.path).with_name(".demo.duckdb.restore-abc123.tmp")
    left.write_bytes(b"x" * 1000)
    backup.restore(demo_store, ADMIN, good_backup)
    assert not left.exists()


def test_a_missing_file_is_named(demo_store, tmp_path):
    with pytest.raises(backup.BackupProblem) as refused:
        backup.restore(demo_store, ADMIN, tmp_path / "nowhere.duckdb", name="nowhere.duckdb")
    assert refused.value.message("en") == (
        "“nowhere.duckdb” cannot be read (it does not exist, or this app may not open it). Nothing was changed. "
        "Choose the backup file again.")


# A restorer that keeps swapping two backups in (names as generated, every name "renamed"), reporting each restore.
RESTORER = textwrap.dedent("""
    import sys
    from crm_core import backup
    from crm_core.store import Store
    from crm_core.users import Actor
    store = Store(sys.argv[1])
    print("ready", flush=True)
    n = 0
    while True:
        n += 1
        backup.restore(store, Actor("root", "admin"), sys.argv[2 + n % 2])
        print("restored", n, flush=True)
""")


def test_a_restore_killed_at_any_moment_leaves_a_whole_store(demo_copy, tmp_path):
    """SIGKILL while restoring, again and again: the store always opens with one backup's data or
    the other's. Where each kill lands is chosen by counting the child's reports, not by sleeping."""
    original, renamed = tmp_path / "original.duckdb", tmp_path / "renamed.duckdb"
    store = Store(demo_copy)
    backup.backup(store, ADMIN, original)
    store.write(lambda cur: cur.execute("UPDATE customers SET name = 'renamed'"))
    backup.backup(store, ADMIN, renamed)
    store.close()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for kills, reports in enumerate((1, 2, 1, 3, 2, 1), start=1):
        child = subprocess.Popen([sys.executable, "-c", RESTORER, str(demo_copy), str(original), str(renamed)],
                                 stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT)
        assert child.stdout.readline().strip() == "ready"
        for _ in range(reports):
            assert child.stdout.readline().startswith("restored")
        child.send_signal(signal.SIGKILL)  # somewhere in the next restore
        child.wait()
        child.stdout.close()
        store = Store(demo_copy)
        try:
            assert store.integrity_problems() == []
            assert store.query_one("SELECT count(*), count(*) FILTER (WHERE name = 'renamed') FROM customers"
                                   ) in ((300, 0), (300, 300)), kills
        finally:
            store.close()
    store = Store(demo_copy)
    try:
        backup.restore(store, ADMIN, original)  # and the next restore clears what the killed ones left
        assert store.query_one("SELECT count(*) FILTER (WHERE name = 'renamed') FROM customers") == (0,)
    finally:
        store.close()
    assert [p.name for p in demo_copy.parent.iterdir() if ".restore-" in p.name] == []


def test_a_restore_brings_back_the_data_but_never_an_old_account_or_session(demo_store, tmp_path):
    from crm_core import accounts, sessions

    accounts.create(demo_store, ADMIN, "old_rep", "rep", "old rep password")
    old_token = sessions.sign_in(demo_store, "old_rep", "old rep password").token
    taken = backup.backup(demo_store, ADMIN, tmp_path / "with_old_rep.duckdb")
    accounts.set_enabled(demo_store, ADMIN, "old_rep", False)           # gone since the backup
    accounts.create(demo_store, ADMIN, "new_admin", "admin", "new admin password")
    new_token = sessions.sign_in(demo_store, "new_admin", "new admin password").token
    backup.restore(demo_store, ADMIN, taken, name="with_old_rep.duckdb")
    assert demo_store.query_df("SELECT name, enabled FROM accounts ORDER BY name").values.tolist() == [
        ["new_admin", True], ["old_rep", False]]
    assert sessions.account_for(demo_store, old_token) is None          # the old session stays ended
    assert sessions.account_for(demo_store, new_token).name == "new_admin"  # and the admin stays signed in
