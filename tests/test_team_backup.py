"""Backup and restore in team mode (issue 19): pg_dump and pg_restore from the Admin page's code path
and the command line, on a real PostgreSQL, while other app processes (TeamStores) run."""
from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from crm_core import accounts, backup
from crm_core import customers as cust
from crm_core.models import CustomerIn
from crm_core.team import backup as team_backup
from crm_core.team.store import TeamStore
from crm_core.users import Actor

ROOT = Path(__file__).resolve().parent.parent
ADMIN = Actor("boss", "admin")


def codes(url: str) -> list[str]:
    with psycopg.connect(url) as conn:
        return [code for (code,) in conn.execute("SELECT code FROM customers ORDER BY code").fetchall()]


def test_a_backup_made_in_the_app_restores_the_database_as_it_was(team_url, tmp_path):
    store = TeamStore(team_url, refresh_seconds=0)
    try:
        cust.create_customer(store, ADMIN, CustomerIn(code="C1", name="备份前"))
        target = backup.backup_now(store, ADMIN, folder=tmp_path)
        cust.create_customer(store, ADMIN, CustomerIn(code="C2", name="备份后"))
        assert store.query_one("SELECT action FROM audit_log WHERE action = 'backup'") == ("backup",)
    finally:
        store.close()
    assert target.suffix == ".dump" and target.name.startswith("team-") and target.stat().st_size > 0
    assert codes(team_url) == ["C1", "C2"]
    result = subprocess.run([sys.executable, "-m", "crm_core", "restore", str(target), "--db", team_url],
                            cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert codes(team_url) == ["C1"]  # as at the backup: the later customer is gone
    reopened = TeamStore(team_url, refresh_seconds=0)
    try:
        assert reopened.query_one("SELECT count(*) FROM customers") == (1,)
        assert reopened.query_one("SELECT count(*) FROM audit_log WHERE action = 'restore'") == (1,)
        cust.create_customer(reopened, ADMIN, CustomerIn(code="C3", name="恢复后"))  # ids go on after the restored ones
        assert reopened.differences_from_postgres() == []
    finally:
        reopened.close()
    assert codes(team_url) == ["C1", "C3"]


def test_a_failed_restore_leaves_the_database_as_it_was(team_url, tmp_path):
    store = TeamStore(team_url, refresh_seconds=0)
    try:
        cust.create_customer(store, ADMIN, CustomerIn(code="C1", name="原样"))
    finally:
        store.close()
    broken = tmp_path / "broken.dump"
    broken.write_bytes(b"PGDMP" + b"\0" * 100)  # a dump's magic, nothing behind it
    result = subprocess.run([sys.executable, "-m", "crm_core", "restore", str(broken), "--db", team_url],
                            cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 3 and "pg_restore failed" in result.stderr
    assert codes(team_url) == ["C1"]


def names_by_id(store: TeamStore) -> list[tuple[int, str, str]]:
    """The customers as this process's copy holds them."""
    cur = store.cursor()
    try:
        return cur.execute("SELECT customer_id, code, name FROM customers ORDER BY customer_id").fetchall()
    finally:
        cur.close()


def upload(path: Path, name: str) -> io.BytesIO:
    """A file as the Admin page hands it over: an open binary file with a name."""
    data = io.BytesIO(path.read_bytes())
    data.name = name
    return data


def test_a_restore_in_one_running_process_is_seen_by_another(team_url, tmp_path, monkeypatch):
    monkeypatch.setattr(backup, "TEAM_DIR", tmp_path)  # the upload's private copy: data/team/backups by default
    first = TeamStore(team_url, refresh_seconds=0)
    second = TeamStore(team_url, refresh_seconds=0)
    try:
        cust.create_customer(first, ADMIN, CustomerIn(code="C1", name="备份前"))
        cust.create_customer(first, ADMIN, CustomerIn(code="C2", name="也在备份里"))
        target = backup.backup_now(first, ADMIN, folder=tmp_path)
        cust.create_customer(first, ADMIN, CustomerIn(code="C3", name="备份后"))
        cust.update_customer(first, ADMIN, 1, CustomerIn(code="C1", name="改过"))
        accounts.create(first, ADMIN, "later", "analyst", "a long password 1")  # after the backup
        assert names_by_id(first) == [(1, "C1", "改过"), (2, "C2", "也在备份里"), (3, "C3", "备份后")]
        generation = first.generation

        done = backup.restore(second, ADMIN, upload(target, "周一.dump"), name="周一.dump")

        assert done.previous is None and done.version >= 1
        assert codes(team_url) == ["C1", "C2"]
        with psycopg.connect(team_url) as conn:  # the dump's log emptied; what came after: the kept rows, the audit
            logged = {name for (name,) in conn.execute("SELECT DISTINCT table_name FROM row_changes").fetchall()}
        assert logged <= {"accounts", "sessions", "sign_in_failures", "audit_log"}
        assert first.refresh() is True  # restore_no moved: the copy was filled again
        assert first.generation > generation  # its cached reads end
        assert names_by_id(first) == [(1, "C1", "备份前"), (2, "C2", "也在备份里")]
        assert first.differences_from_postgres() == [] and second.differences_from_postgres() == []
        assert first.query_one("SELECT new_value FROM audit_log WHERE action = 'restore'") == ("周一.dump",)
        assert accounts.enabled_account(first, "later") is not None  # who may sign in is kept
        # The next id after the restored 1 and 2 is 3, though this copy had drawn 3 before the restore.
        cust.create_customer(first, ADMIN, CustomerIn(code="C4", name="恢复后"))
        assert names_by_id(first)[-1] == (3, "C4", "恢复后")
        assert second.refresh() is True and names_by_id(second)[-1] == (3, "C4", "恢复后")
        assert first.differences_from_postgres() == [] and second.differences_from_postgres() == []
    finally:
        first.close()
        second.close()


@pytest.mark.parametrize("content, key", [(b"SQLite format 3\0" + b"\0" * 100, "restore.not_pg_dump"),
                                          (b"PGDMP" + b"\0" * 100, "restore.not_restored")], ids=["sqlite", "cut"])
def test_a_broken_upload_changes_nothing_in_any_process(team_url, tmp_path, monkeypatch, content, key):
    monkeypatch.setattr(backup, "TEAM_DIR", tmp_path)
    first = TeamStore(team_url, refresh_seconds=0)
    second = TeamStore(team_url, refresh_seconds=0)
    try:
        cust.create_customer(first, ADMIN, CustomerIn(code="C1", name="原样"))
        assert second.refresh() is True
        broken = tmp_path / "坏的.dump"
        broken.write_bytes(content)
        with pytest.raises(backup.BackupProblem) as problem:
            backup.restore(second, ADMIN, upload(broken, "坏的.dump"), name="坏的.dump")
        assert problem.value.key == key and "坏的.dump" in problem.value.message("zh")
        assert codes(team_url) == ["C1"]
        assert first.refresh() is False and second.refresh() is False  # nothing to fill again
        assert names_by_id(first) == names_by_id(second) == [(1, "C1", "原样")]
        assert second.query_one("SELECT count(*) FROM audit_log WHERE action = 'restore'") == (0,)
        assert [p.name for p in (tmp_path / "backups").iterdir()] == [".team.lock"]  # the upload's copy is gone
    finally:
        first.close()
        second.close()


def test_a_restore_waits_for_the_write_in_flight_and_gives_up_unchanged(team_url, tmp_path):
    store = TeamStore(team_url, refresh_seconds=0)
    try:
        cust.create_customer(store, ADMIN, CustomerIn(code="C1", name="备份"))
        target = backup.backup_now(store, ADMIN, folder=tmp_path)
        with store.transaction() as cur:  # holds the team's write lock
            cur.execute("UPDATE customers SET name = '写入中' WHERE customer_id = 1")
            with pytest.raises(team_backup.TeamRestoreBusy):
                team_backup.restore(team_url, target, wait_seconds=0.5)
        assert codes(team_url) == ["C1"] and store.refresh() is False
        assert names_by_id(store) == [(1, "C1", "写入中")]
    finally:
        store.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_admin_page_backs_up_and_restores_an_uploaded_dump_in_team_mode(team_url, tmp_path, monkeypatch, lang):
    from streamlit.testing.v1 import AppTest

    import ui.auth
    from crm_core import sessions
    from crm_core.i18n import t
    from crm_core.store import close_store, open_store
    from crm_core.text_safety import markdown_literal

    users = tmp_path / "users.toml"
    accounts.add_account("boss", "admin", "admin password 1", path=users)
    monkeypatch.setenv("CRM_USERS", str(users))
    monkeypatch.setenv("CRM_DATABASE_URL", team_url)
    monkeypatch.setattr(backup, "TEAM_DIR", tmp_path)  # team mode's backups: data/team/backups by default
    app_store = open_store(team_url)  # the store the app's script runs use
    try:
        accounts.sync_file(app_store)
        token = sessions.sign_in(app_store, "boss", "admin password 1").token
        monkeypatch.setattr(ui.auth, "session_token", lambda: token)  # AppTest cannot send the cookie
        cust.create_customer(app_store, ADMIN, CustomerIn(code="C1", name="备份前"))
        app = AppTest.from_file(str(ROOT / "Home.py"), default_timeout=120)
        app.session_state["lang"] = lang
        app.run()
        app.switch_page("pages/admin.py").run()
        assert app.file_uploader(key="adm_restore_file").help == t("admin.restore_team_help", lang)
        app.button(key="adm_backup").click().run()
        assert not app.exception and not app.error, [e.value for e in [*app.exception, *app.error]]
        (written,) = [path for path in (tmp_path / "backups").iterdir() if not path.name.startswith(".")]  # .team.lock
        assert written.suffix == ".dump" and written.stat().st_size > 0
        cust.create_customer(app_store, ADMIN, CustomerIn(code="C2", name="备份后"))

        app.file_uploader(key="adm_restore_file").set_value(("notes.txt", b"not a dump", "text/plain")).run()
        app.button(key="adm_restore").click().run()
        refused = backup.BackupProblem("restore.not_pg_dump", file="notes.txt").message(lang)
        assert [e.value for e in app.error] == [markdown_literal(refused)] and codes(team_url) == ["C1", "C2"]

        app.file_uploader(key="adm_restore_file").set_value(("team.dump", written.read_bytes(), "")).run()
        app.button(key="adm_restore").click().run()
        assert not app.exception and not app.error, [e.value for e in [*app.exception, *app.error]]
        assert [s.value for s in app.success] == [t("restore.done_team", lang, file=markdown_literal("team.dump"))]
        assert codes(team_url) == ["C1"]
        assert app_store.query_one("SELECT count(*) FROM customers") == (1,)  # the app's copy, refilled
        assert app_store.query_one("SELECT count(*) FROM audit_log WHERE action = 'restore'") == (1,)
        app.run()  # the admin's session was kept through the restore: still signed in
        assert app.file_uploader(key="adm_restore_file") is not None and not app.exception
    finally:
        close_store(team_url)
