"""Team mode (issue 19): the app's access rules enforced by PostgreSQL for colleagues given direct
SQL access (crm_core.team.row_security), on a real server."""
from __future__ import annotations

import psycopg
import pytest

from crm_core import accounts
from crm_core import customers as cust
from crm_core.models import CustomerIn, TransactionIn
from crm_core.team.local_postgres import database_url
from crm_core.team.row_security import grant_sql_login
from crm_core.team.store import TeamStore
from crm_core.users import Actor

ADMIN = Actor("boss", "admin")


@pytest.fixture
def shared(team_url):
    """A team database with three customers (one of 李娜's, two of 张伟's, each with a purchase) and
    three accounts with SQL logins: a rep (李娜), a viewer and a manager."""
    store = TeamStore(team_url, refresh_seconds=0)
    for code, rep, phone in (("C1", "李娜", "13812345678"), ("C2", "张伟", "13900001111"), ("C3", "张伟", None)):
        customer_id = cust.create_customer(store, ADMIN, CustomerIn(code=code, name=f"客户{code}", sales_rep=rep,
                                                                   phone=phone))
        cust.record_transaction(store, ADMIN, TransactionIn(customer_id=customer_id, txn_date="2026-11-01",
                                                             amount="100"))
    accounts.create(store, ADMIN, "lina", "rep", "rep-password-1", rep_codes=("李娜",))
    accounts.create(store, ADMIN, "guan", "viewer", "viewer-password-1")
    accounts.create(store, ADMIN, "boss", "manager", "manager-password-1")
    for name in ("lina", "guan", "boss"):
        grant_sql_login(team_url, name, f"{name}-sql")
    yield store
    store.close()


def as_login(url: str, name: str, sql: str) -> list[tuple]:
    login = database_url(url, url.rsplit("/", 1)[1]).replace("postgres@", f"{name}:{name}-sql@", 1)
    with psycopg.connect(login) as conn:
        return conn.execute(sql).fetchall()


def test_a_rep_reads_her_own_customers_and_what_hangs_off_them_only(shared, team_url):
    assert as_login(team_url, "lina", "SELECT code FROM customers ORDER BY code") == [("C1",)]
    assert as_login(team_url, "lina", "SELECT count(*) FROM transactions") == [(1,)]
    # the app's own scoped cursor shows her the same rows
    app_view = shared.query_df("SELECT code FROM customers ORDER BY code", actor=Actor("lina", "rep", rep_codes=("李娜",)))
    assert app_view["code"].tolist() == ["C1"]


def test_hidden_tables_and_writes_are_refused_not_just_empty(shared, team_url):
    for sql in ("SELECT * FROM accounts", "SELECT * FROM sessions", "SELECT * FROM row_changes",
                "UPDATE customers SET name = 'x'", "DELETE FROM transactions"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            as_login(team_url, "lina", sql)


def test_a_viewer_sees_every_customer_with_contact_details_masked(shared, team_url):
    assert as_login(team_url, "guan", "SELECT code, name FROM customers ORDER BY code") == [
        ("C1", "客户C1"), ("C2", "客户C2"), ("C3", "客户C3")]
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        as_login(team_url, "guan", "SELECT phone FROM customers")
    assert as_login(team_url, "guan", "SELECT code, phone FROM kehu_masked.customers ORDER BY code") == [
        ("C1", "•••••••5678"), ("C2", "•••••••1111"), ("C3", None)]
    assert as_login(team_url, "boss", "SELECT phone FROM customers ORDER BY code") == [
        ("13812345678",), ("13900001111",), (None,)]  # a manager reads them as the app shows them


def test_a_rep_s_codes_follow_her_account(shared, team_url):
    accounts.update(shared, ADMIN, "lina", role="rep", display_name="", rep_codes=("张伟",))
    assert as_login(team_url, "lina", "SELECT code FROM customers ORDER BY code") == [("C2",), ("C3",)]
    accounts.update(shared, ADMIN, "lina", role="viewer", display_name="", rep_codes=())
    assert as_login(team_url, "lina", "SELECT code FROM customers ORDER BY code") == []  # still in the rep group
    grant_sql_login(team_url, "lina", "lina-sql")  # made again for her new role
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        as_login(team_url, "lina", "SELECT phone FROM customers")


def test_the_command_line_gives_an_account_its_login(shared, team_url):
    import subprocess
    import sys
    from pathlib import Path

    accounts.create(shared, ADMIN, "zhang", "rep", "rep-password-2", rep_codes=("张伟",))
    result = subprocess.run([sys.executable, "-m", "crm_core", "sql-login", "zhang", "--db", team_url],
                            input="zhang-sql\n", capture_output=True, text=True, timeout=300,
                            cwd=Path(__file__).resolve().parent.parent)
    assert result.returncode == 0 and "kehu_rep" in result.stdout, result.stderr
    assert as_login(team_url, "zhang", "SELECT code FROM customers ORDER BY code") == [("C2",), ("C3",)]
    refused = subprocess.run([sys.executable, "-m", "crm_core", "sql-login", "nobody", "--db", team_url],
                             input="x\n", capture_output=True, text=True, timeout=300,
                             cwd=Path(__file__).resolve().parent.parent)
    assert refused.returncode == 2 and "no enabled account 'nobody'" in refused.stderr
