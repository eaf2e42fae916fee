"""Finding a customer as one types (issue 17): code, name, pinyin initials, phone, contact; scope;
the stored initials kept right by every path that writes a name."""
from __future__ import annotations

from pathlib import Path

from crm_core import customers as cust
from crm_core.customer_search import fill_missing_initials, find_customers, name_initials
from crm_core.ingest import ImportJob, commit, get_kind, prepare_file, undo_import
from crm_core.models import CustomerIn
from crm_core.users import LOCAL_USER, Actor

BOTH_ENGINES = True  # the embedded file and team mode (conftest)

ANALYST = Actor("analyst1", "analyst")
REP_ZHANG = Actor("张伟", "rep")


def add(store, code, name, **extra) -> int:
    return cust.create_customer(store, LOCAL_USER, CustomerIn(code=code, name=name, **extra))


def codes(frame) -> list[str]:
    return frame["code"].tolist()


def initials_of(store, code) -> str:
    return store.query_one("SELECT name_initials FROM customers WHERE code = ?", [code])[0]


def _five(store):
    add(store, "C0000123", "南京金信商贸有限公司", city="南京", phone="13912345678", contact_person="刘洋",
        sales_rep="张伟")
    add(store, "C0000124", "重庆长江实业", city="重庆", phone="023-63801234", sales_rep="李娜")
    add(store, "C0000125", "金信", city="上海", contact_person="王芳", sales_rep="李娜")
    add(store, "N0000001", "南京路小吃", city="上海", sales_rep="张伟")
    add(store, "X0000123", "Smith Trading", city="深圳", sales_rep="李娜")


def test_initials_are_first_letters_of_each_syllable_with_phrases():
    assert name_initials(["南京金信商贸", "重庆长江实业", "厦门银行", "ABC酒店", "Smith Trading", None]) == [
        "njjxsm", "cqcjsy", "xmyh", "abcjd", "smithtrading", None]


def test_name_initials_phone_contact_and_code_each_find_the_customer(store):
    _five(store)
    assert codes(find_customers(store, LOCAL_USER, "南京金信")) == ["C0000123"]
    assert codes(find_customers(store, LOCAL_USER, "njjx")) == ["C0000123"]
    assert codes(find_customers(store, LOCAL_USER, "NJJX")) == ["C0000123"]  # typed with caps lock
    assert codes(find_customers(store, LOCAL_USER, "cqcj")) == ["C0000124"]  # 重庆 is cq, not zq
    assert codes(find_customers(store, LOCAL_USER, "1234567")) == ["C0000123"]
    assert codes(find_customers(store, LOCAL_USER, "6380 1234")) == ["C0000124"]  # spaces and the dash ignored
    assert codes(find_customers(store, LOCAL_USER, "王芳")) == ["C0000125"]  # the contact person
    assert codes(find_customers(store, LOCAL_USER, "smith")) == ["X0000123"]
    assert codes(find_customers(store, LOCAL_USER, "  ")) == []


def test_exact_code_first_then_prefixes_then_contains(store):
    _five(store)
    # C0000123 exactly; X0000123 only contains it
    assert codes(find_customers(store, LOCAL_USER, "c0000123")) == ["C0000123"]
    assert codes(find_customers(store, LOCAL_USER, "0000123")) == ["C0000123", "X0000123"]
    # 金信 is the exact name of C0000125; 南京金信… only contains it
    assert codes(find_customers(store, LOCAL_USER, "金信")) == ["C0000125", "C0000123"]
    # both names start with 南京: the shorter first; nothing else contains it
    assert codes(find_customers(store, LOCAL_USER, "南京")) == ["N0000001", "C0000123"]
    assert find_customers(store, LOCAL_USER, "南京")["rank"].tolist() == [1, 1]
    # a name containing it before a contact person called so
    add(store, "C0000200", "王芳食品", sales_rep="李娜")
    assert codes(find_customers(store, LOCAL_USER, "王芳")) == ["C0000200", "C0000125"]


def test_a_rep_finds_only_their_own_customers(store):
    _five(store)
    assert codes(find_customers(store, REP_ZHANG, "金信")) == ["C0000123"]  # not 李娜's 金信
    assert codes(find_customers(store, REP_ZHANG, "C0000124")) == []  # not even by exact code
    assert codes(find_customers(store, REP_ZHANG, "023")) == []  # nor by phone
    assert codes(find_customers(store, Actor("nobody", "rep"), "c")) == []
    assert len(find_customers(store, ANALYST, "c00001")) == 3


def test_a_viewer_cannot_find_a_customer_by_its_masked_phone(store):
    _five(store)
    assert codes(find_customers(store, Actor("v", "viewer"), "13912345678")) == []
    assert codes(find_customers(store, Actor("v", "viewer"), "njjx")) == ["C0000123"]


def test_initials_follow_create_and_rename(store):
    customer_id = add(store, "C1", "厦门银行")
    assert initials_of(store, "C1") == "xmyh"
    cust.update_customer(store, LOCAL_USER, customer_id, CustomerIn(code="C1", name="杭州西湖"), expected_version=1)
    assert initials_of(store, "C1") == "hzxh"
    assert codes(find_customers(store, LOCAL_USER, "xmyh")) == []
    assert codes(find_customers(store, LOCAL_USER, "hzxh")) == ["C1"]


def test_initials_follow_an_import_and_its_undo(store, tmp_path):
    add(store, "C001", "东方饭店")
    path = Path(tmp_path / "upsert.csv")
    path.write_text("客户编号,客户名称\nC001,西湖大饭店\nC009,南京金信\n", encoding="utf-8")
    job = ImportJob(get_kind("customers"), prepare_file(path), {0: "code", 1: "name"}, mode="upsert")
    result = commit(store, ANALYST, job)
    assert (result.created, result.updated) == (1, 1)
    assert (initials_of(store, "C001"), initials_of(store, "C009")) == ("xhdfd", "njjx")
    undo_import(store, ANALYST, result.import_id)
    assert initials_of(store, "C001") == "dffd"  # restored with the name
    assert codes(find_customers(store, LOCAL_USER, "xhdfd")) == []


def test_rows_without_initials_are_filled_once(store):
    add(store, "C1", "南京金信")
    with store.transaction() as cur:  # as a store made before migration 012 has them
        cur.execute("UPDATE customers SET name_initials = NULL")
    assert fill_missing_initials(store) == 1
    assert initials_of(store, "C1") == "njjx"
    generation = store.generation
    assert fill_missing_initials(store) == 0 and store.generation == generation  # nothing to do, no write


def test_the_demo_generator_stores_initials(demo_db_path):
    from crm_core.store import Store

    db = Store(demo_db_path)
    try:
        missing, wrong = db.query_one("SELECT count(*) FILTER (name_initials IS NULL),"
                                      " count(*) FILTER (name = '张伟' AND name_initials <> 'zw') FROM customers")
    finally:
        db.close()
    assert (missing, wrong) == (0, 0)
