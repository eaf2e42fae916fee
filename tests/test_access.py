"""Roles enforced below every query: a rep's cursor sees only their customers, a viewer's sees masks."""
from datetime import date

import duckdb
import pytest

from crm_core import demo
from crm_core.audit import record_event
from crm_core.users import Actor

AS_OF = date(2026, 6, 30)


@pytest.fixture
def demo_store(store):
    demo.load_demo(store, customers=200, as_of=AS_OF)
    return store


def test_a_rep_cursor_sees_only_their_customers_and_what_hangs_off_them(demo_store):
    rep = Actor("张伟", "rep")
    (own,) = demo_store.query_one("SELECT count(*) FROM customers WHERE sales_rep = '张伟'")
    (own_txns,) = demo_store.query_one(
        "SELECT count(*) FROM transactions t JOIN customers c USING (customer_id) WHERE c.sales_rep = '张伟'")
    assert 0 < own < 200
    assert demo_store.query_one("SELECT count(*) FROM customers", actor=rep) == (own,)
    assert demo_store.query_one("SELECT count(DISTINCT sales_rep) FROM customers", actor=rep) == (1,)
    assert demo_store.query_one("SELECT count(*) FROM transactions", actor=rep) == (own_txns,)
    assert demo_store.query_one("SELECT count(*) FROM audit_log", actor=rep) == (0,)
    # Other cursors are not affected.
    assert demo_store.query_one("SELECT count(*) FROM customers") == (200,)


def test_a_viewer_cursor_masks_contact_details_and_shows_only_customer_histories_of_the_audit_log(demo_store):
    viewer = Actor("v", "viewer")
    phones = demo_store.query_df("SELECT phone FROM customers ORDER BY customer_id LIMIT 3", actor=viewer)["phone"]
    real = demo_store.query_df("SELECT phone FROM customers ORDER BY customer_id LIMIT 3")["phone"]
    assert [p[-4:] for p in phones] == [p[-4:] for p in real]
    assert all(p.startswith("•••••••") for p in phones)
    record_event(demo_store, Actor("ana", "analyst"), "export", "file", "customers.csv (200 rows)")
    assert demo_store.query_one("SELECT count(*) FROM audit_log", actor=viewer) == (0,)
    assert demo_store.query_one("SELECT count(*) FROM audit_log") == (1,)


def test_a_scoped_cursor_cannot_write(demo_store):
    cur = demo_store.cursor(Actor("张伟", "rep"))
    for statement in ("UPDATE customers SET name = 'x'", "DELETE FROM transactions",
                      "INSERT INTO customers (code, name) VALUES ('X', 'x')"):
        with pytest.raises((duckdb.BinderException, duckdb.CatalogException)):
            cur.execute(statement)
    cur.close()


def test_managers_and_analysts_see_everything(demo_store):
    for role in ("manager", "analyst", "admin"):
        assert demo_store.query_one("SELECT count(*) FROM customers", actor=Actor("x", role)) == (200,)


def test_exports_are_in_the_audit_log(demo_store):
    from crm_core.ingest import exports

    analyst = Actor("ana", "analyst")
    path = exports.export_csv_file(demo_store, analyst, "customers")
    exports.export_frame(demo_store, analyst, "transactions", cap=10)
    rows = demo_store.query_df("SELECT actor, action, new_value FROM audit_log WHERE action = 'export'"
                               " ORDER BY audit_id")
    assert rows.to_dict("records") == [
        {"actor": "ana", "action": "export", "new_value": "customers.csv"},
        {"actor": "ana", "action": "export", "new_value": "transactions.xlsx (10 rows)"}]
    import os
    os.unlink(path)


def test_a_rep_sees_every_promise_made_to_their_customers_and_their_own(demo_store):
    (rep,) = demo_store.query_one("SELECT sales_rep FROM customers WHERE customer_id = 1")
    visible = demo_store.query_one(
        "SELECT count(*) FROM promises p WHERE p.owner = ? OR p.customer_id IN"
        " (SELECT customer_id FROM customers WHERE sales_rep = ?)", [rep, rep])
    assert visible[0] > 0
    assert demo_store.query_one("SELECT count(*) FROM promises", actor=Actor(rep, "rep")) == visible
    (events,) = demo_store.query_one("SELECT count(*) FROM promise_events", actor=Actor(rep, "rep"))
    (all_events,) = demo_store.query_one("SELECT count(*) FROM promise_events")
    assert 0 < events < all_events


# -- every table has a rule; a table without one is hidden ------------------------------------

def test_every_table_of_the_schema_has_an_access_rule(store):
    from crm_core.access import RULES

    tables = set(store.query_df("SELECT table_name FROM duckdb_tables()")["table_name"])
    assert tables - set(RULES) == set()


def test_a_table_without_a_rule_is_hidden_from_reps_and_viewers(demo_store):
    demo_store.write(lambda cur: cur.execute("CREATE TABLE notes_of_the_boss AS SELECT 'secret' AS note"))
    for role, seen in (("rep", 0), ("viewer", 0), ("analyst", 1), ("manager", 1)):
        assert demo_store.query_one("SELECT count(*) FROM notes_of_the_boss", actor=Actor("张伟", role)) == (seen,)


def test_sign_in_data_and_import_copies_follow_the_rule(demo_store):
    from crm_core import accounts

    accounts.create(demo_store, Actor("root", "admin"), "wang", "rep", "correct horse battery", rep_codes=("张伟",))
    assert demo_store.query_one("SELECT count(*) FROM accounts") == (1,)
    for role in ("rep", "viewer"):
        assert demo_store.query_one("SELECT count(*) FROM accounts", actor=Actor("张伟", role)) == (0,)


# -- the audit log: a customer's history goes with the customer --------------------------------

@pytest.fixture
def edited_store(demo_store):
    """Customer 1 (张伟's or not) got a new phone and bank account from a manager; an export and a
    sign-in are in the log too."""
    from crm_core.customers import customer_from_record, get_customer, update_customer

    boss = Actor("boss", "manager")
    record = get_customer(demo_store, boss, 1)
    edit = customer_from_record(record).model_copy(update={"phone": "13800138000",
                                                           "bank_account": "6222020200112233445"})
    update_customer(demo_store, boss, 1, edit, record["version"])
    record_event(demo_store, boss, "export", "file", "customers.csv (200 rows)")
    return demo_store, record


def _rows(store, query, actor=None) -> list[tuple]:
    cur = store.cursor(actor)
    try:
        return cur.execute(query).fetchall()
    finally:
        cur.close()


def test_a_viewer_reads_contact_details_masked_in_the_audit_log_too(edited_store):
    store, record = edited_store
    query = ("SELECT field, old_value, new_value FROM audit_log WHERE entity = 'customer' AND entity_id = 1"
             " ORDER BY field")
    old_phone = record["phone"]
    assert record["bank_account"] is None and len(old_phone) == 11
    assert _rows(store, query) == [("bank_account", None, "6222020200112233445"),
                                   ("phone", old_phone, "13800138000")]
    assert _rows(store, query, Actor("v", "viewer")) == [
        ("bank_account", None, "•••••••••••••••3445"),
        ("phone", "•••••••" + old_phone[-4:], "•••••••8000")]
    # The rest of the log (the export) stays with the audit readers.
    assert store.query_one("SELECT count(*) FROM audit_log", actor=Actor("v", "viewer")) == (2,)
    assert store.query_one("SELECT count(*) FROM audit_log") == (3,)


def test_a_rep_reads_the_history_of_their_own_customers_only(edited_store):
    store, record = edited_store
    owner, other = Actor(record["sales_rep"], "rep"), Actor("nobody-owns-this", "rep")
    assert store.query_one("SELECT count(*), min(new_value) FROM audit_log", actor=owner) == (2, "13800138000")
    assert store.query_one("SELECT count(*) FROM audit_log", actor=other) == (0,)


# -- SQL nobody reviewed: the isolated reader --------------------------------------------------

ATTACKS = {  # what a hostile rep tried through the Python API (issue 16, finding 5)
    "read a file": "SELECT * FROM read_csv('/etc/passwd')",
    "read a file as text": "SELECT * FROM read_text('/etc/hostname')",
    "list files": "SELECT * FROM glob('/etc/*')",
    "write a file": "COPY (SELECT 1) TO '{tmp}/leak.csv'",
    "export the database": "EXPORT DATABASE '{tmp}/dump'",
    "attach another database": "ATTACH '{tmp}/other.duckdb' AS other",
    "attach the store": "ATTACH '{store}' AS store_again",
    "turn file access back on": "SET enable_external_access = true",
    "unlock the configuration": "SET lock_configuration = false",
    "install an extension": "INSTALL httpfs",
}


@pytest.mark.parametrize("role", ["rep", "viewer"])
def test_the_isolated_reader_holds_exactly_what_the_scoped_cursor_shows(edited_store, role):
    from crm_core import access

    store, record = edited_store
    who = Actor(record["sales_rep"], role)
    reader = access.isolated_reader(store, who)
    try:
        copied = set(reader.execute("SELECT table_name FROM duckdb_tables()").df()["table_name"])
        hidden = {t for t, rule in access.RULES.items() if role in rule.hidden_from}
        assert copied == set(access.RULES) - hidden
        assert {"accounts", "sessions", "sign_in_failures"} <= hidden
        for table in sorted(copied):
            query = f'SELECT * FROM "{table}" ORDER BY ALL'
            assert reader.execute(query).fetchall() == _rows(store, query, who), table
        (shown_customers,) = reader.execute("SELECT count(*) FROM customers").fetchone()
        assert shown_customers == (200 if role == "viewer" else
                                   store.query_one("SELECT count(*) FROM customers WHERE sales_rep = ?",
                                                   [record["sales_rep"]])[0])
        # Nothing of the store is reachable by name: its catalog is not in this database.
        (db,) = store.query_one("SELECT current_database()")
        with pytest.raises(duckdb.CatalogException):
            reader.execute(f'SELECT count(*) FROM "{db}".main.customers')
        assert reader.execute("SELECT database_name FROM duckdb_databases() WHERE NOT internal").fetchall() == [
            ("memory",)]
    finally:
        reader.close()


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_the_isolated_reader_refuses_files_other_databases_and_settings(edited_store, tmp_path, attack):
    from crm_core import access

    store, record = edited_store
    reader = access.isolated_reader(store, Actor(record["sales_rep"], "rep"))
    try:
        with pytest.raises(duckdb.Error):
            reader.execute(ATTACKS[attack].format(tmp=tmp_path, store=store.path))
    finally:
        reader.close()
    assert not {"leak.csv", "dump", "other.duckdb"} & {p.name for p in tmp_path.iterdir()}


def test_writes_in_the_isolated_reader_change_only_its_copy(edited_store):
    from crm_core import access

    store, record = edited_store
    reader = access.isolated_reader(store, Actor(record["sales_rep"], "rep"))
    try:
        reader.execute("UPDATE customers SET name = 'x'")
        reader.execute("DROP TABLE transactions")
        assert reader.execute("SELECT DISTINCT name FROM customers").fetchall() == [("x",)]
    finally:
        reader.close()
    assert store.query_one("SELECT count(*) FROM customers WHERE name = 'x'") == (0,)
    assert store.query_one("SELECT count(*) FROM transactions")[0] > 0


def test_what_the_scoped_cursor_does_not_protect_is_as_the_access_docstring_says(edited_store, tmp_path):
    """The module docstring's list, checked: a scoped cursor is a guard for the app's queries, not a
    sandbox. If DuckDB closes one of these holes, this test fails and the docstring should change."""
    store, record = edited_store
    (db,) = store.query_one("SELECT current_database()")
    cur = store.cursor(Actor(record["sales_rep"], "rep"))
    try:
        assert cur.execute(f'SELECT count(*) FROM "{db}".main.customers').fetchone() == (200,)
        cur.execute(f'UPDATE "{db}".main.customers SET notes = \'changed\' WHERE customer_id = 1')
        assert store.query_one("SELECT notes FROM customers WHERE customer_id = 1") == ("changed",)
        cur.execute(f"COPY (SELECT 1 AS x) TO '{tmp_path}/written.csv'")
        assert (tmp_path / "written.csv").read_text() == "x\n1\n"
        assert cur.execute(f"SELECT * FROM read_csv('{tmp_path}/written.csv')").fetchall() == [(1,)]
        unscoped = cur.cursor()
        assert unscoped.execute("SELECT count(*) FROM customers").fetchone() == (200,)
        unscoped.close()
        cur.execute("DROP VIEW customers")
        assert cur.execute("SELECT count(*) FROM customers").fetchone() == (200,)
    finally:
        cur.close()
