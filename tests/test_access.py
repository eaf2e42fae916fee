"""Roles enforced below every query: a rep's cursor sees only their customers, a viewer's sees masks."""
from datetime import date

import duckdb
import pytest

from crm_core import demo
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


def test_a_viewer_cursor_masks_contact_details_and_hides_the_audit_log(demo_store):
    viewer = Actor("v", "viewer")
    phones = demo_store.query_df("SELECT phone FROM customers ORDER BY customer_id LIMIT 3", actor=viewer)["phone"]
    real = demo_store.query_df("SELECT phone FROM customers ORDER BY customer_id LIMIT 3")["phone"]
    assert [p[-4:] for p in phones] == [p[-4:] for p in real]
    assert all(p.startswith("•••••••") for p in phones)
    assert demo_store.query_one("SELECT count(*) FROM audit_log", actor=viewer) == (0,)


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
