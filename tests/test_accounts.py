"""Accounts are people (issue 16, findings 3, 8, 13): argon2-hashed passwords, a display name and
the sales-rep codes a rep owns, kept in the store; users.toml applied whenever it changes; the
Admin page's changes admin-only and audited; no accounts → localhost only."""
import os

import pytest

from crm_core import accounts, sessions
from crm_core.customers import CustomerFilter, search_customers
from crm_core.store import Store
from crm_core.users import Actor, PermissionDenied

BOTH_ENGINES = True  # the embedded file and team mode (conftest)

ADMIN = Actor("root", "admin")


def _rows(db: Store, sql: str, params=()) -> list[tuple]:
    cur = db.cursor()
    try:
        return cur.execute(sql, list(params)).fetchall()
    finally:
        cur.close()


def _touch(path, bump: int) -> None:
    """Give the file a new modification time (the sync notices a change by mtime and size)."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + bump * 1_000_000_000))


def test_passwords_are_hashed_and_verified(tmp_path, store):
    path = tmp_path / "users.toml"
    accounts.add_account("王经理", "manager", "correct horse", "王经理", path)
    text = path.read_text(encoding="utf-8")
    assert "correct horse" not in text and "$argon2id$" in text
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    accounts.sync_file(store, path)
    assert sessions.sign_in(store, "王经理", "correct horse").account.role == "manager"
    assert sessions.sign_in(store, "王经理", "wrong password").error == "auth.wrong_credentials"
    assert sessions.sign_in(store, "nobody", "correct horse").error == "auth.wrong_credentials"


def test_bad_roles_short_and_long_passwords_and_long_names_are_refused(tmp_path):
    with pytest.raises(accounts.AccountError):
        accounts.add_account("a", "superuser", "long enough", path=tmp_path / "u.toml")
    with pytest.raises(accounts.AccountError):
        accounts.add_account("a", "viewer", "short", path=tmp_path / "u.toml")
    with pytest.raises(accounts.AccountError):
        accounts.add_account("a", "viewer", "p" * 257, path=tmp_path / "u.toml")
    with pytest.raises(accounts.AccountError):
        accounts.add_account("n" * 65, "viewer", "long enough", path=tmp_path / "u.toml")
    assert not (tmp_path / "u.toml").exists()


def test_a_rep_sees_the_customers_of_her_rep_codes(store):
    """Finding 8: login wangfang owns the customers whose 业务员 is 王芳."""
    store.write(lambda cur: cur.execute(
        "INSERT INTO customers (code, name, sales_rep) VALUES ('C1', 'a', '王芳'), ('C2', 'b', '王芳'),"
        " ('C3', 'c', '王芳'), ('C4', 'd', '李四'), ('C5', 'e', '李四'), ('C6', 'f', 'wangfang')"))
    accounts.create(store, Actor("setup", "admin"), "root", "admin", "root password")
    accounts.create(store, ADMIN, "wangfang", "rep", "rep password 1", "王芳", ["王芳"])

    def codes_seen(actor: Actor) -> tuple[int, list[str]]:
        page, total = search_customers(store, actor, CustomerFilter(), limit=100)
        return total, sorted(page["code"])

    wangfang = sessions.sign_in(store, "wangfang", "rep password 1").account.actor()
    assert wangfang.label == "王芳"
    assert codes_seen(wangfang) == (3, ["C1", "C2", "C3"])
    accounts.update(store, ADMIN, "wangfang", role="rep", display_name="王芳", rep_codes=["王芳", "李四"])
    assert codes_seen(sessions.sign_in(store, "wangfang", "rep password 1").account.actor()) == (
        5, ["C1", "C2", "C3", "C4", "C5"])
    accounts.update(store, ADMIN, "wangfang", role="rep", display_name="王芳", rep_codes=[])
    assert codes_seen(Actor("wangfang", "rep")) == (1, ["C6"])  # no codes: the login name, as before
    scoped = store.cursor(Actor("wangfang", "rep", rep_codes=("王芳", "李四")))
    try:  # the scoped cursor's views follow the same codes
        assert scoped.execute("SELECT count(*) FROM customers").fetchone() == (5,)
    finally:
        scoped.close()


def test_the_admin_page_changes_are_admin_only_and_audited(store):
    accounts.create(store, Actor("setup", "admin"), "root", "admin", "root password")
    for role in ("manager", "analyst", "rep", "viewer"):
        with pytest.raises(PermissionDenied):
            accounts.create(store, Actor("x", role), "new", "viewer", "long enough")
    accounts.create(store, ADMIN, "li", "manager", "li password", "李经理")
    assert accounts.update(store, ADMIN, "li", role="viewer", display_name="李经理", rep_codes=[]) == ["role"]
    accounts.reset_password(store, ADMIN, "li", "a new password")
    accounts.set_enabled(store, ADMIN, "li", False)
    with pytest.raises(accounts.AccountError) as taken:
        accounts.create(store, ADMIN, "li", "viewer", "long enough")
    assert taken.value.key == "accounts.err.name_taken"
    assert _rows(store, "SELECT actor, action, field, old_value, new_value FROM audit_log"
                        " WHERE entity = 'account' ORDER BY audit_id") == [
        ("setup", "account_create", "root", None, "admin"),
        ("root", "account_create", "li", None, "manager"),
        ("root", "account_update", "li.role", "manager", "viewer"),
        ("root", "account_password_reset", "li.password", None, None),
        ("root", "account_disable", "li.enabled", "true", "false"),
    ]


def test_the_last_active_admin_cannot_be_demoted_or_disabled(store):
    accounts.create(store, Actor("setup", "admin"), "root", "admin", "root password")
    for change in (lambda: accounts.update(store, ADMIN, "root", role="manager", display_name="", rep_codes=[]),
                   lambda: accounts.set_enabled(store, ADMIN, "root", False)):
        with pytest.raises(accounts.AccountError) as refused:
            change()
        assert refused.value.key == "accounts.err.last_admin"


def test_users_toml_is_applied_whenever_it_changes(tmp_path, store, monkeypatch):
    """Finding 3: demoting or deleting an account in users.toml takes effect for open sessions."""
    path = tmp_path / "users.toml"
    monkeypatch.setenv("CRM_USERS", str(path))
    accounts.add_account("boss", "manager", "boss password", path=path)
    accounts.add_account("rep1", "rep", "rep password 1", path=path)
    accounts.sync_file(store)
    boss = sessions.sign_in(store, "boss", "boss password").token
    rep = sessions.sign_in(store, "rep1", "rep password 1").token

    known = accounts.load_accounts(path)
    known["boss"] = accounts.Account("boss", "analyst", known["boss"].password_hash, managed_by="file")
    del known["rep1"]
    accounts.save_accounts(known, path)
    _touch(path, 1)
    accounts.sync_file(store)
    assert sessions.account_for(store, boss).role == "analyst"
    assert sessions.account_for(store, rep) is None
    assert _rows(store, "SELECT name, enabled, managed_by FROM accounts ORDER BY name") == [
        ("boss", True, "file"), ("rep1", False, "file")]
    with pytest.raises(accounts.AccountError) as refused:  # the file keeps the accounts it lists
        accounts.update(store, Actor("x", "admin"), "boss", role="admin", display_name="", rep_codes=[])
    assert refused.value.key == "accounts.err.managed_in_file"


def test_a_malformed_users_toml_changes_nothing_and_names_the_problem_for_the_log(tmp_path, store):
    path = tmp_path / "users.toml"
    accounts.add_account("boss", "manager", "boss password", path=path)
    accounts.sync_file(store, path)
    path.write_text('[users.boss]\nrole = "manager"\npassword_hash = "$argon2id$x"\n[users.boss', encoding="utf-8")
    with pytest.raises(accounts.AccountsFileError) as broken:
        accounts.sync_file(store, path)
    assert str(path) in str(broken.value)  # for the server log; the visitor sees err.accounts_file
    path.write_text('[users.eve]\nrole = "owner"\npassword_hash = "$argon2id$x"\n', encoding="utf-8")
    with pytest.raises(accounts.AccountsFileError):
        accounts.sync_file(store, path)
    assert _rows(store, "SELECT name, role, enabled FROM accounts") == [("boss", "manager", True)]


@pytest.mark.parametrize("address,has_accounts,problem", [
    ("127.0.0.1", False, None), ("localhost", False, None), ("::1", False, None),
    ("0.0.0.0", False, "err.no_accounts_on_network"), (None, False, "err.no_accounts_on_network"),
    ("192.168.1.5", True, None),
])
def test_without_accounts_only_localhost(address, has_accounts, problem):
    assert accounts.startup_problem(address, has_accounts) == problem
