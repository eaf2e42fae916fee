"""Backup and restore in team mode (issue 19): pg_dump from the Admin button's code path and the
command line, pg_restore from the command line, on a real PostgreSQL."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from crm_core import backup
from crm_core import customers as cust
from crm_core.models import CustomerIn
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


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_admin_page_backs_up_and_sends_a_team_restore_to_the_command_line(team_url, tmp_path, monkeypatch, lang):
    from streamlit.testing.v1 import AppTest

    import ui.auth
    from crm_core import accounts, sessions
    from crm_core.i18n import t
    from crm_core.store import close_store, open_store

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
        app = AppTest.from_file(str(ROOT / "Home.py"), default_timeout=120)
        app.session_state["lang"] = lang
        app.run()
        app.switch_page("pages/admin.py").run()
        assert t("admin.restore_team", lang) in [info.value for info in app.info]
        assert not app.get("file_uploader")  # a team restore is not uploaded into a running process
        app.button(key="adm_backup").click().run()
        assert not app.exception and not app.error, [e.value for e in [*app.exception, *app.error]]
        (written,) = [path for path in (tmp_path / "backups").iterdir() if not path.name.startswith(".")]  # .team.lock
        assert written.suffix == ".dump" and written.stat().st_size > 0
    finally:
        close_store(team_url)
