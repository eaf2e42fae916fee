"""Care lists restricted inside SQL (rep, customer, due window, history horizon) equal the
whole-population / pandas versions; accuracy in SQL; user-level writes; delivery calendar."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import icalendar
import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from crm_core.care import (
    board,
    deliveries_due,
    deliveries_due_sql,
    delivery_events,
    forecast_accuracy_sql,
    long_absent_list,
    overdue_contacts,
    set_contact_every,
    to_ics,
    upcoming_key_dates_sql,
)
from crm_core.users import Actor, PermissionDenied
from tests.reference import forecast_accuracy, long_absent, replenishment_forecast
from tests.test_care import (
    CLASSES,
    IRREGULAR,
    REGULAR,
    SINGLE,
    contacts_store,
    history,
    insert,
    make_store,
    small_store,
)

AS_OF = date(2025, 6, 30)


def random_store(seed: int = 5, n_customers: int = 300, n_lines: int = 5000):
    rng = np.random.default_rng(seed)
    customers = pd.DataFrame({
        "customer_id": np.arange(1, n_customers + 1), "code": [f"C{i}" for i in range(1, n_customers + 1)],
        "name": [f"客户{i}" for i in range(1, n_customers + 1)],
        "sales_rep": rng.choice(["刘", "陈", "王"], n_customers),
        "household_size": rng.choice([1, 3, 5], n_customers), "payday": rng.choice([5, 15, 31], n_customers),
        "birthday": pd.Series(np.datetime64("1960-01-01") + rng.integers(0, 15000, n_customers)).dt.date})
    txns = pd.DataFrame({
        "customer_id": rng.integers(1, n_customers + 1, n_lines),
        "product": rng.choice(["大米", "面粉", "食用油"], n_lines),
        "txn_date": pd.Series(np.datetime64("2023-07-01") + rng.integers(0, 760, n_lines)).dt.date,
        "quantity": rng.choice([1.0, 2.5, 5.0, 10.0], n_lines)})
    txns["amount"] = np.where(rng.random(n_lines) < 0.05, -3.0, 9.0)
    con = make_store()
    insert(con, "customers", customers)
    insert(con, "transactions", txns)
    return con, customers, txns


def test_deliveries_due_sql_equals_pandas_with_as_of_rep_and_horizon():
    con, customers, txns = random_store()
    purchases = txns[(txns["amount"] > 0) & (txns["txn_date"] <= AS_OF)]
    per_person = {"大米": 0.4}
    expected = deliveries_due(replenishment_forecast(purchases, customers, per_person), AS_OF, 14)
    got = deliveries_due_sql(con, AS_OF, 14, per_person_daily=per_person)
    assert len(expected) > 20  # purchases after AS_OF (to 2025-07-30) are ignored by both
    pd.testing.assert_frame_equal(got, expected, check_exact=False, rtol=1e-9)
    liu = customers.loc[customers["sales_rep"] == "刘", "customer_id"]
    pd.testing.assert_frame_equal(deliveries_due_sql(con, AS_OF, 14, rep="刘", per_person_daily=per_person),
                                  expected[expected["customer_id"].isin(liu)].reset_index(drop=True),
                                  check_exact=False, rtol=1e-9)
    since = date(2024, 7, 1)
    recent = purchases[purchases["txn_date"] >= since]
    pd.testing.assert_frame_equal(
        deliveries_due_sql(con, AS_OF, 14, per_person_daily=per_person, since=since),
        deliveries_due(replenishment_forecast(recent, customers, per_person), AS_OF, 14),
        check_exact=False, rtol=1e-9)


def test_forecast_accuracy_sql_equals_pandas_and_the_hand_numbers():
    con = make_store()
    frame = history(REGULAR, IRREGULAR, SINGLE)
    insert(con, "customers", pd.DataFrame({"customer_id": [1, 2, 3], "code": ["a", "b", "c"], "name": "x"}))
    insert(con, "transactions", frame.assign(amount=1.0))
    # see test_irregular_series_by_hand: errors 0, 0 (regular), 1, 6 (irregular) -> 7/4 days
    assert forecast_accuracy_sql(con, holdout=2).model_dump() == {"mae_days": 7 / 4, "n_predictions": 4}
    assert forecast_accuracy_sql(con, holdout=1).model_dump() == {"mae_days": 0.5, "n_predictions": 2}
    con, customers, txns = random_store(seed=9)
    purchases = txns[(txns["amount"] > 0) & (txns["txn_date"] <= AS_OF)]
    for estimator in ("median", "span"):
        for holdout in (1, 3):
            want = forecast_accuracy(purchases, holdout, estimator)
            got = forecast_accuracy_sql(con, AS_OF, holdout, estimator, max_customers=None)
            assert got.n_predictions == want.n_predictions > 300
            assert got.mae_days == pytest.approx(want.mae_days, rel=1e-12)
    # 300 customers, at most 100 scored: every 3rd id (3, 6, 9, ...)
    sampled = forecast_accuracy_sql(con, AS_OF, max_customers=100)
    want = forecast_accuracy(purchases[purchases["customer_id"] % 3 == 0])
    assert (sampled.n_predictions, sampled.mae_days) == (want.n_predictions, pytest.approx(want.mae_days))
    liu = customers.loc[customers["sales_rep"] == "刘", "customer_id"]
    assert forecast_accuracy_sql(con, AS_OF, rep="刘", max_customers=None).n_predictions == forecast_accuracy(
        purchases[purchases["customer_id"].isin(liu)]).n_predictions


def test_key_dates_for_one_rep_or_customer_are_the_scoped_rows():
    con = small_store()
    con.execute("UPDATE customers SET sales_rep = CASE customer_id WHEN 2 THEN '陈' ELSE '刘' END")
    everyone = upcoming_key_dates_sql(con, date(2025, 2, 20), 10)
    liu = upcoming_key_dates_sql(con, date(2025, 2, 20), 10, rep="刘")
    pd.testing.assert_frame_equal(liu, everyone[everyone["customer_id"].isin([1, 3])].reset_index(drop=True))
    autumn = upcoming_key_dates_sql(con, date(2025, 10, 1), 7, festival_customers=[1, 2], rep="刘")
    assert list(autumn["customer_id"]) == [1]  # subset ∩ scope
    one = upcoming_key_dates_sql(con, date(2025, 1, 1), 365, customer_id=3)
    assert set(one["customer_id"]) == {3}
    # first purchase 2025-02-22 is the purchase itself; its first anniversary is in 2026
    assert list(zip(one["occasion"], one["date"].dt.strftime("%m-%d"))) == [
        ("spring_festival", "01-29"), ("custom", "02-25"), ("founding", "03-01"), ("dragon_boat", "05-31"),
        ("mid_autumn", "10-06")]


def test_long_absent_list_is_the_order_of_long_absent_and_rep_filters():
    con, customers, _ = random_store(seed=3)
    full = long_absent(con, AS_OF, 3)
    compact = long_absent_list(con, AS_OF, 3)
    assert len(full) > 10 and list(compact["customer_id"]) == list(full["customer_id"])
    chen = customers.loc[customers["sales_rep"] == "陈", "customer_id"]
    assert list(long_absent_list(con, AS_OF, 3, rep="陈")["customer_id"]) == [
        c for c in full["customer_id"] if c in set(chen)]


def test_overdue_compact_and_by_rep():
    con = contacts_store()
    full = overdue_contacts(con, date(2025, 5, 1), None, CLASSES)
    compact = overdue_contacts(con, date(2025, 5, 1), None, CLASSES, compact=True)
    assert list(compact.columns) == ["sales_rep", "customer_id", "abc", "every_days", "last_contact", "due_date",
                                     "days_overdue"]
    assert list(compact["customer_id"]) == list(full["customer_id"]) == [2, 1, 3, 6]
    assert list(overdue_contacts(con, date(2025, 5, 1), None, CLASSES, rep="刘", compact=True)["customer_id"]) == [2, 1]
    summary = board.overdue_by_rep(compact)
    assert [(r if isinstance(r, str) else "-", n, m) for r, n, m in summary.itertuples(index=False)] == [
        ("刘", 2, 1), ("陈", 1, 90), ("-", 1, 90)]  # most overdue contacts first; no rep last


def test_delivery_calendar_round_trips():
    customers = pd.DataFrame({"customer_id": [1, 2, 3], "household_size": [None, None, 4], "payday": [31, None, 16]})
    forecast = replenishment_forecast(history(REGULAR, IRREGULAR, SINGLE), customers, {"大米": 0.5})
    due = deliveries_due(forecast, date(2025, 3, 10), 7)
    names = pd.DataFrame({"customer_id": [2, 3], "name": ["李二", "张三"]})
    events = delivery_events(due, names, "zh")
    parsed = icalendar.Calendar.from_ical(to_ics(events, "送货")).walk("VEVENT")
    assert [(str(e["SUMMARY"]), e.decoded("DTSTART")) for e in parsed] == [
        ("李二 — 送货 食用油", date(2025, 3, 14)), ("张三 — 送货 大米", date(2025, 3, 16)),
        ("张三 — 收款 大米", date(2025, 3, 16))]
    assert len({str(e["UID"]) for e in parsed}) == 3


@pytest.fixture
def care_store(store):
    tz = ZoneInfo("Asia/Shanghai")
    with store.transaction() as cur:
        insert(cur, "customers", pd.DataFrame({
            "customer_id": [1, 2], "code": ["C1", "C2"], "name": ["王一", "李二"], "sales_rep": ["刘", "陈"],
            "phone": ["13912345678", "13800000000"]}))
        insert(cur, "interactions", pd.DataFrame({
            "customer_id": [1, 1, 1],
            "occurred_at": [datetime(2025, 1, 28, 10, tzinfo=tz), datetime(2025, 9, 30, 10, tzinfo=tz),
                            datetime(2025, 5, 1, 10, tzinfo=tz)],
            "channel": ["gift", "gift", "visit"], "products_provided": ["茶叶", "月饼礼盒", None],
            "concession": [0, 0, 120.5]}))
    return store


def test_customer_cards_know_last_gift_and_concession_and_respect_roles(care_store):
    cards = board.customer_cards(care_store, Actor("boss", "manager"), [2, 1, 1],
                                 pd.DataFrame({"customer_id": [1], "abc": ["A"]}))
    first = cards.set_index("customer_id").loc[1]
    assert (first["abc"], first["last_gift"], first["last_gift_date"].date(), first["last_concession"],
            first["last_concession_date"].date()) == ("A", "月饼礼盒", date(2025, 9, 30), 120.5, date(2025, 5, 1))
    assert sorted(cards["customer_id"]) == [1, 2]
    assert list(board.customer_cards(care_store, Actor("陈", "rep"), [1, 2])["customer_id"]) == [2]
    assert board.customer_cards(care_store, Actor("v", "viewer"), [1])["phone"].iloc[0] == "•••••••5678"


def test_log_greeting_writes_the_interaction_naming_the_occasion(care_store):
    now = datetime(2025, 10, 5, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    new_id = board.log_greeting(care_store, Actor("刘", "rep"), 1, "mid_autumn", date(2025, 10, 6), "gift", "zh",
                                cost=88, now=now)
    assert care_store.query_one("SELECT customer_id, channel, rep, cost, note FROM interactions "
                                "WHERE interaction_id = ?", [new_id]) == (1, "gift", "刘", 88, "中秋节问候（2025-10-06）")
    assert board.greeting_note("birthday", date(2025, 2, 28), "en") == "Birthday greeting (2025-02-28)"
    with pytest.raises(PermissionDenied):
        board.log_greeting(care_store, Actor("刘", "rep"), 2, "birthday", date(2025, 1, 1), "phone", "zh")
    with pytest.raises(PermissionDenied):
        board.log_greeting(care_store, Actor("v", "viewer"), 1, "birthday", date(2025, 1, 1), "phone", "zh")
    with pytest.raises(ValidationError):
        board.log_greeting(care_store, Actor("boss", "manager"), 1, "birthday", date(2025, 1, 1), "fax", "zh")


def test_set_contact_every_checks_rights_and_audits(care_store):
    set_contact_every(care_store, Actor("boss", "manager"), 2, 45)
    set_contact_every(care_store, Actor("boss", "manager"), 2, 20)
    assert care_store.query_one("SELECT every_days FROM contact_frequency WHERE customer_id = 2") == (20,)
    assert care_store.query_one("SELECT old_value, new_value FROM audit_log WHERE field = 'contact_every_days' "
                                "ORDER BY audit_id DESC LIMIT 1") == ("45", "20")
    with pytest.raises(PermissionDenied):
        set_contact_every(care_store, Actor("刘", "rep"), 2, 10)
    with pytest.raises(PermissionDenied):
        set_contact_every(care_store, Actor("v", "viewer"), 1, 10)
    set_contact_every(care_store, Actor("陈", "rep"), 2, None)
    assert care_store.query_one("SELECT count(*) FROM contact_frequency") == (0,)


def test_scoped_rep_and_classes_over_the_last_twelve_months(store):
    assert board.scoped_rep(Actor("刘", "rep"), "陈") == ("刘",) and board.scoped_rep(Actor(), "陈") == "陈"
    assert board.scoped_rep(Actor(), "") is None
    with store.transaction() as cur:
        insert(cur, "customers", pd.DataFrame({"customer_id": [1, 2, 3], "code": ["a", "b", "c"], "name": "x"}))
        insert(cur, "transactions", pd.DataFrame({
            "customer_id": [1, 2, 3, 3], "amount": [100.0, 50.0, 10.0, 999.0],
            "txn_date": [date(2024, 7, 1), date(2025, 6, 30), date(2024, 7, 2), date(2024, 6, 30)]}))
    got = board.customer_classes(store, date(2025, 6, 30))  # window 2024-07-01 .. 2025-06-30
    # 3 customers: A = top ceil(5% x 3) = 1, A+B = top ceil(20% x 3) = 1; customer 3's 999 on
    # 2024-06-30 is a day too old to count (it would have made 3 the A customer)
    assert list(zip(got["customer_id"], got["abc"].astype(str), got["customer_id"].map(
        dict(zip([1, 2, 3], [100.0, 50.0, 10.0]))))) == [(1, "A", 100.0), (2, "C", 50.0), (3, "C", 10.0)]
