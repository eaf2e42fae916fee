"""Creating, finding, editing customers; audit trail; optimistic locking; per-rep visibility."""
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from crm_core import customers as cust
from crm_core.models import CustomerIn, InteractionIn, TransactionIn
from crm_core.users import LOCAL_USER, Actor, PermissionDenied

BOTH_ENGINES = True  # the embedded file and team mode (conftest)


def add(store, code, name="客户", **extra):
    return cust.create_customer(store, LOCAL_USER, CustomerIn(code=code, name=name, **extra))


def test_create_and_read_back(store):
    customer_id = add(store, "C1", "王永庆米店", phone="13812345678", credit_limit="1000")
    record = cust.get_customer(store, LOCAL_USER, customer_id)
    assert record["name"] == "王永庆米店" and record["credit_limit"] == 1000
    audit = store.query_df("SELECT action, new_value FROM audit_log")
    assert audit.to_dict("records") == [{"action": "create", "new_value": "C1"}]


def test_duplicate_code_is_refused_and_nothing_written(store):
    add(store, "C1")
    with pytest.raises(cust.CodeTaken):
        add(store, "C1", "another")
    assert store.query_one("SELECT count(*) FROM customers") == (1,)


def test_update_writes_only_changed_fields_with_old_and_new_values(store):
    customer_id = add(store, "C1", "旧名", city="上海")
    changes = cust.update_customer(store, LOCAL_USER, customer_id, CustomerIn(code="C1", name="新名", city="上海"),
                                   expected_version=1)
    assert changes == {"name": ("旧名", "新名")}
    row = store.query_df("SELECT field, old_value, new_value FROM audit_log WHERE action = 'update'")
    assert row.to_dict("records") == [{"field": "name", "old_value": "旧名", "new_value": "新名"}]
    assert cust.get_customer(store, LOCAL_USER, customer_id)["version"] == 2


def test_stale_edit_is_refused_and_shows_what_changed(store):
    customer_id = add(store, "C1", "原名")
    cust.update_customer(store, LOCAL_USER, customer_id, CustomerIn(code="C1", name="甲改的"), expected_version=1)
    with pytest.raises(cust.StaleEdit) as stale:
        cust.update_customer(store, LOCAL_USER, customer_id, CustomerIn(code="C1", name="乙改的"), expected_version=1)
    assert stale.value.changes["new_value"].tolist() == ["甲改的"]
    assert cust.get_customer(store, LOCAL_USER, customer_id)["name"] == "甲改的"


def test_search_pages_and_filters_in_duckdb(store):
    for i in range(1, 121):
        add(store, f"C{i:04d}", f"客户{i}", region="华东" if i % 2 else "华南", sales_rep="张伟" if i % 3 else "李娜")
    page, total = cust.search_customers(store, LOCAL_USER, cust.CustomerFilter(regions=("华东",)), limit=50, offset=50)
    assert total == 60 and len(page) == 10
    page, total = cust.search_customers(store, LOCAL_USER, cust.CustomerFilter(text="客户11"))
    assert total == 11  # 客户11 and 客户110–119
    _, total = cust.search_customers(store, LOCAL_USER, cust.CustomerFilter(text="c0007"))
    assert total == 1


def test_a_rep_sees_only_their_customers_and_a_viewer_sees_masked_phones(store):
    add(store, "C1", sales_rep="张伟", phone="13812345678")
    other = add(store, "C2", sales_rep="李娜")
    rep = Actor("张伟", "rep")
    page, total = cust.search_customers(store, rep, cust.CustomerFilter())
    assert total == 1 and page["code"].tolist() == ["C1"]
    assert cust.get_customer(store, rep, other) is None
    with pytest.raises(PermissionDenied):
        cust.update_customer(store, rep, other, CustomerIn(code="C2", name="x", sales_rep="李娜"))
    viewer_page, _ = cust.search_customers(store, Actor("v", "viewer"), cust.CustomerFilter(text="C1"))
    assert viewer_page["phone"].tolist() == ["•••••••5678"]
    with pytest.raises(PermissionDenied):
        cust.create_customer(store, Actor("v", "viewer"), CustomerIn(code="C3", name="x"))


def test_360_totals_cost_to_serve_and_concessions(store):
    customer_id = add(store, "C1")
    shanghai = ZoneInfo("Asia/Shanghai")
    for cost, concession in ((Decimal("120.50"), Decimal("0")), (Decimal("79.50"), Decimal("300"))):
        cust.log_interaction(store, LOCAL_USER, InteractionIn(
            customer_id=customer_id, occurred_at=datetime(2026, 3, 1, 10, tzinfo=shanghai), channel="visit",
            cost=cost, concession=concession))
    cust.record_transaction(store, LOCAL_USER, TransactionIn(customer_id=customer_id, txn_date=date(2026, 3, 2),
                                                             amount=Decimal("1234.56")))
    view = cust.customer_360(store, LOCAL_USER, customer_id)
    assert view.totals["cost_to_serve"] == Decimal("200.00")
    assert view.totals["concessions"] == Decimal("300.00")
    assert view.totals["lifetime_revenue"] == Decimal("1234.56")
    assert view.monthly_purchases["revenue"].tolist() == [1234.56]


def test_grid_edit_is_all_or_nothing(store):
    first, second = add(store, "C1", "一"), add(store, "C2", "二")
    with pytest.raises(cust.CodeTaken):
        cust.update_many(store, LOCAL_USER, {first: CustomerIn(code="C1", name="一改"),
                                             second: CustomerIn(code="C1", name="二改")})
    assert store.query_df("SELECT name FROM customers ORDER BY code")["name"].tolist() == ["一", "二"]


def test_stale_edit_reports_only_the_saves_made_since_the_users_version(store):
    customer_id = add(store, "C1", "原名", city="上海")
    cust.update_customer(store, LOCAL_USER, customer_id, CustomerIn(code="C1", name="v2", city="上海"))
    # The user opens the form now (version 2); then two colleagues save.
    cust.update_customer(store, LOCAL_USER, customer_id, CustomerIn(code="C1", name="v3", city="北京"))
    cust.update_customer(store, LOCAL_USER, customer_id, CustomerIn(code="C1", name="v4", city="北京"))
    with pytest.raises(cust.StaleEdit) as stale:
        cust.update_customer(store, LOCAL_USER, customer_id, CustomerIn(code="C1", name="mine"), expected_version=2)
    changes = stale.value.changes
    assert sorted(zip(changes["field"], changes["new_value"])) == [("city", "北京"), ("name", "v3"), ("name", "v4")]
