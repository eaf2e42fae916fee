"""Relationship care: festivals, key dates, long-absent customers, replenishment, contacts, .ics."""
from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import icalendar
import numpy as np
import pandas as pd
import pytest

from crm_core.care import (
    DEFAULT_CONTACT_DAYS,
    deliveries_due,
    festival_dates,
    key_date_events,
    next_payday,
    overdue_contacts,
    replenishment_forecast_sql,
    set_contact_frequency,
    to_ics,
    upcoming_key_dates_sql,
)
from crm_core.care.ics import escape_text, fold_line
from crm_core.i18n import CATALOG
from tests.reference import forecast_accuracy, long_absent, replenishment_forecast, upcoming_key_dates

MIGRATIONS = Path(__file__).resolve().parents[1] / "crm_core" / "migrations"


def make_store() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'Asia/Shanghai'")
    for name in ("001_foundation.sql", "005_care.sql"):
        con.execute((MIGRATIONS / name).read_text(encoding="utf-8"))
    return con


def insert(con, table: str, frame: pd.DataFrame) -> None:
    # Test helper: table names are the literals used in this file.
    con.register("incoming", frame)
    con.execute(f"INSERT INTO {table} ({', '.join(frame.columns)}) SELECT * FROM incoming")
    con.unregister("incoming")


def d(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


# ---------------------------------------------------------------- festivals

@pytest.mark.parametrize("year, spring, dragon, autumn", [
    (2020, "2020-01-25", "2020-06-25", "2020-10-01"),
    (2021, "2021-02-12", "2021-06-14", "2021-09-21"),
    (2022, "2022-02-01", "2022-06-03", "2022-09-10"),
    (2023, "2023-01-22", "2023-06-22", "2023-09-29"),
    (2024, "2024-02-10", "2024-06-10", "2024-09-17"),
    (2025, "2025-01-29", "2025-05-31", "2025-10-06"),
    (2026, "2026-02-17", "2026-06-19", "2026-09-25"),
])
def test_festival_dates_match_the_published_calendar(year, spring, dragon, autumn):
    assert festival_dates(year) == {
        "spring_festival": date.fromisoformat(spring),
        "dragon_boat": date.fromisoformat(dragon),
        "mid_autumn": date.fromisoformat(autumn),
    }


def test_festival_dates_outside_the_table_raise_and_cache_is_not_shared():
    with pytest.raises(ValueError):
        festival_dates(2100)
    with pytest.raises(ValueError):
        festival_dates(1899)
    festival_dates(2025)["mid_autumn"] = date(2000, 1, 1)
    assert festival_dates(2025)["mid_autumn"] == date(2025, 10, 6)


# ---------------------------------------------------------------- key dates

CUSTOMERS = pd.DataFrame({
    "customer_id": [1, 2, 3],
    "birthday": [date(2000, 2, 29), date(1980, 1, 5), None],
})
KEY_DATES = pd.DataFrame({
    "customer_id": [3, 3, 2, 1],
    "kind": ["founding", "custom", "anniversary", "founding"],
    "label": [None, "公司乔迁", "结婚纪念日", None],
    "day": [date(2010, 3, 1), date(2024, 2, 25), date(2005, 12, 28), date(2026, 3, 1)],
})
FIRST = pd.DataFrame({"customer_id": [2, 3], "first_purchase": [date(2023, 2, 26), date(2025, 2, 22)]})


def rows(frame: pd.DataFrame) -> list[tuple]:
    return [(int(r.customer_id), r.occasion, r.date.date(), None if pd.isna(r.years) else int(r.years),
             None if r.label is None or pd.isna(r.label) else r.label)
            for r in frame.itertuples()]


def test_february_29_birthday_is_kept_on_february_28_and_counts_are_right():
    got = upcoming_key_dates(CUSTOMERS, KEY_DATES, FIRST, date(2025, 2, 20), 10)
    assert rows(got) == [
        (3, "custom", date(2025, 2, 25), None, "公司乔迁"),
        (2, "first_purchase_anniversary", date(2025, 2, 26), 2, None),
        (1, "birthday", date(2025, 2, 28), 25, None),
        (3, "founding", date(2025, 3, 1), 15, None),
    ]  # customer 3's first purchase (2025-02-22) is the purchase itself, not an anniversary


def test_leap_year_keeps_february_29_and_future_founding_waits():
    got = upcoming_key_dates(CUSTOMERS, KEY_DATES, FIRST, date(2028, 2, 28), 3)
    assert rows(got) == [(1, "birthday", date(2028, 2, 29), 28, None),
                         (1, "founding", date(2028, 3, 1), 2, None),
                         (3, "founding", date(2028, 3, 1), 18, None)]
    assert upcoming_key_dates(CUSTOMERS, KEY_DATES, FIRST, date(2026, 2, 27), 1).empty
    assert rows(upcoming_key_dates(CUSTOMERS, KEY_DATES, FIRST, date(2026, 3, 1), 1)) == [
        (3, "founding", date(2026, 3, 1), 16, None)]  # customer 1's founding day is not an anniversary


def test_window_across_new_year_and_its_end_is_exclusive():
    eight_days = upcoming_key_dates(CUSTOMERS, KEY_DATES, FIRST, date(2025, 12, 28), 8)  # to 2026-01-04
    assert rows(eight_days) == [(2, "anniversary", date(2025, 12, 28), 20, "结婚纪念日")]
    nine_days = upcoming_key_dates(CUSTOMERS, KEY_DATES, FIRST, date(2025, 12, 28), 9)
    assert rows(nine_days) == rows(eight_days) + [(2, "birthday", date(2026, 1, 5), 46, None)]


def test_festivals_go_to_everyone_or_to_the_chosen_subset():
    got = upcoming_key_dates(CUSTOMERS, KEY_DATES, FIRST, date(2025, 10, 1), 7)
    assert rows(got) == [(c, "mid_autumn", date(2025, 10, 6), None, None) for c in (1, 2, 3)]
    got = upcoming_key_dates(CUSTOMERS, KEY_DATES, FIRST, date(2025, 10, 1), 7, festival_customers=[2])
    assert rows(got) == [(2, "mid_autumn", date(2025, 10, 6), None, None)]
    whole_year = upcoming_key_dates(CUSTOMERS, KEY_DATES.iloc[:0], FIRST.iloc[:0], date(2026, 1, 1), 365,
                                    festival_customers=[1])
    assert rows(whole_year[whole_year.occasion != "birthday"]) == [
        (1, "spring_festival", date(2026, 2, 17), None, None),
        (1, "dragon_boat", date(2026, 6, 19), None, None),
        (1, "mid_autumn", date(2026, 9, 25), None, None)]
    with pytest.raises(ValueError):
        upcoming_key_dates(CUSTOMERS, KEY_DATES, FIRST, date(2025, 10, 1), 0)


def small_store() -> duckdb.DuckDBPyConnection:
    con = make_store()
    insert(con, "customers", pd.DataFrame({
        "customer_id": [1, 2, 3], "code": ["C1", "C2", "C3"], "name": ["王一", "李二", "张三"],
        "birthday": CUSTOMERS["birthday"]}))
    insert(con, "key_dates", KEY_DATES.assign(key_date_id=[1, 2, 3, 4]))
    insert(con, "transactions", pd.DataFrame({
        "customer_id": [2, 2, 3, 3], "amount": [-5.0, 10.0, 20.0, 30.0],
        "txn_date": [date(2022, 1, 1), date(2023, 2, 26), date(2025, 2, 22), date(2025, 3, 1)]}))
    return con


def test_sql_key_dates_equal_python_on_the_worked_cases():
    con = small_store()
    for start, days in [(date(2025, 2, 20), 10), (date(2028, 2, 28), 3), (date(2025, 12, 28), 9),
                        (date(2025, 10, 1), 7)]:
        expected = upcoming_key_dates(CUSTOMERS, KEY_DATES, FIRST, start, days)
        pd.testing.assert_frame_equal(upcoming_key_dates_sql(con, start, days), expected)
    pd.testing.assert_frame_equal(
        upcoming_key_dates_sql(con, date(2025, 10, 1), 7, festival_customers=[3]),
        upcoming_key_dates(CUSTOMERS, KEY_DATES, FIRST, date(2025, 10, 1), 7, festival_customers=[3]))


def random_days(rng, first: str, span: int, n: int) -> pd.Series:
    return pd.Series(np.datetime64(first) + rng.integers(0, span, n)).dt.date


def test_sql_key_dates_equal_python_on_random_data():
    rng = np.random.default_rng(7)
    n = 3000
    birthdays = pd.Series(np.datetime64("1950-01-01") + rng.integers(0, 25000, n)).dt.date
    birthdays[rng.random(n) < 0.05] = date(1996, 2, 29)
    birthdays[rng.random(n) < 0.1] = None
    customers = pd.DataFrame({"customer_id": np.arange(1, n + 1), "code": [f"C{i}" for i in range(n)],
                              "name": "x", "birthday": birthdays})
    kinds = rng.choice(["founding", "anniversary", "custom"], 1000)
    key_dates = pd.DataFrame({"key_date_id": np.arange(1000), "customer_id": rng.integers(1, n + 1, 1000),
                              "kind": kinds, "label": "L",
                              "day": random_days(rng, "1990-01-01", 13000, 1000)})
    txns = pd.DataFrame({"customer_id": rng.integers(1, n + 1, 8000), "amount": 1.0,
                         "txn_date": random_days(rng, "2015-01-01", 4000, 8000)})
    con = make_store()
    insert(con, "customers", customers)
    insert(con, "key_dates", key_dates)
    insert(con, "transactions", txns)
    first = txns.groupby("customer_id", as_index=False)["txn_date"].min().rename(
        columns={"txn_date": "first_purchase"})
    subset = customers["customer_id"][::3]
    for start, days, fest in [(date(2025, 2, 15), 30, None), (date(2024, 12, 20), 70, subset),
                              (date(2027, 6, 1), 400, subset)]:
        expected = upcoming_key_dates(customers, key_dates, first, start, days, festival_customers=fest)
        got = upcoming_key_dates_sql(con, start, days, festival_customers=fest)
        assert len(expected) > 100
        pd.testing.assert_frame_equal(got, expected)


# ---------------------------------------------------------------- long-absent customers

def test_long_absent_lists_usual_choices_and_puts_birthdays_first():
    con = make_store()
    insert(con, "customers", pd.DataFrame({
        "customer_id": [1, 2, 3, 4, 5], "code": ["C1", "C2", "C3", "C4", "C5"],
        "name": ["王一", "李二", "张三", "赵四", "钱五"],
        "birthday": [date(1970, 7, 10), date(1985, 1, 1), None, date(1990, 7, 1), date(1980, 3, 30)],
        "preferences": ["靠窗第二个座位", None, None, None, "少糖"]}))
    lines = [  # (customer, day, product, quantity)
        (1, "2025-01-10", "早餐套餐", 1),
        (2, "2024-11-01", "大米", 10), (2, "2024-11-15", "面粉", 5), (2, "2024-12-01", "大米", 10),
        (2, "2024-12-01", "食用油", 2), (2, "2024-12-01", "面粉", 5), (2, "2024-10-01", "大米", 10),
        (3, "2025-06-01", "大米", 10),                                    # recent: not absent
        (5, "2025-03-30", "咖啡", 1), (5, "2025-07-15", "咖啡", 1),        # purchase after as_of ignored
    ]
    txns = pd.DataFrame(lines, columns=["customer_id", "txn_date", "product", "quantity"])
    txns["txn_date"] = pd.to_datetime(txns["txn_date"]).dt.date
    txns["amount"] = 10.0
    txns.loc[len(txns)] = [3, date(2025, 1, 1), "大米", -10, -50.0]  # a return is not a purchase
    insert(con, "transactions", txns)
    got = long_absent(con, date(2025, 6, 30), 3)
    assert list(got["customer_id"]) == [1, 2, 5]  # 4 never bought; 5's last purchase is 3 months ago exactly
    first = got.iloc[0]
    assert (first["birthday_soon"], first["next_birthday"].date(), first["days_absent"]) == (
        True, date(2025, 7, 10), 171)
    assert first["usual_products"] == ["早餐套餐"] and first["preferences"] == "靠窗第二个座位"
    second = got.iloc[1]
    assert second["usual_products"] == ["大米", "面粉", "食用油"] and not second["birthday_soon"]
    assert second["last_purchase"].date() == date(2024, 12, 1) and second["purchases"] == 6
    assert got.iloc[2]["last_purchase"].date() == date(2025, 3, 30)
    top_two = long_absent(con, date(2025, 6, 30), 3, top_products=2)
    assert top_two.iloc[1]["usual_products"] == ["大米", "面粉"]
    assert list(long_absent(con, date(2025, 6, 29), 3)["customer_id"]) == [1, 2]
    # birthday 10 July is 10 days after 30 June: inside a 11-day window, outside a 10-day one
    assert not long_absent(con, date(2025, 6, 30), 3, birthday_days=10).iloc[0]["birthday_soon"]
    assert long_absent(con, date(2025, 6, 30), 3, birthday_days=11).iloc[0]["birthday_soon"]


def test_long_absent_next_birthday_for_february_29():
    con = make_store()
    insert(con, "customers", pd.DataFrame({"customer_id": [1], "code": ["C1"], "name": ["王一"],
                                           "birthday": [date(1996, 2, 29)]}))
    insert(con, "transactions", pd.DataFrame({"customer_id": [1], "amount": [1.0],
                                              "txn_date": [date(2024, 1, 1)]}))
    got = long_absent(con, date(2025, 2, 10), 6)
    assert got.loc[0, "next_birthday"].date() == date(2025, 2, 28) and got.loc[0, "birthday_soon"]
    assert long_absent(con, date(2027, 3, 1), 6).loc[0, "next_birthday"].date() == date(2028, 2, 29)


# ---------------------------------------------------------------- replenishment

def history(*series) -> pd.DataFrame:
    out = [(c, p, pd.Timestamp(day), q) for c, p, points in series for day, q in points]
    return pd.DataFrame(out, columns=["customer_id", "product", "txn_date", "quantity"])


REGULAR = (1, "大米", [("2025-01-01", 10), ("2025-01-31", 10), ("2025-03-02", 10), ("2025-04-01", 10)])
IRREGULAR = (2, "食用油", [("2025-01-01", 10), ("2025-01-21", 12), ("2025-02-20", 5), ("2025-03-02", 6)])
SINGLE = (3, "大米", [("2025-03-01", 30)])


def accuracy(frame: pd.DataFrame, holdout: int) -> tuple:
    result = forecast_accuracy(frame, holdout=holdout)
    return result.mae_days, result.n_predictions


def test_regular_purchases_predict_the_next_one_exactly():
    got = replenishment_forecast(history(REGULAR))
    row = got.iloc[0]
    assert row["rate_per_day"] == pytest.approx(1 / 3) and row["run_out"] == d("2025-05-01")
    assert row["method"] == "history" and row["purchases"] == 4
    assert accuracy(history(REGULAR), 1) == (0.0, 1)
    assert accuracy(history(REGULAR), 2) == (0.0, 2)


def test_irregular_series_by_hand():
    # interval rates 10/20 = 0.5, 12/30 = 0.4, 5/10 = 0.5 -> median 0.5; last 6 units -> 12 days
    median = replenishment_forecast(history(IRREGULAR)).iloc[0]
    assert median["rate_per_day"] == pytest.approx(0.5) and median["run_out"] == d("2025-03-14")
    # span: (10 + 12 + 5) / 60 days = 0.45; 6 / 0.45 = 13.33 -> 13 whole days
    span = replenishment_forecast(history(IRREGULAR), estimator="span").iloc[0]
    assert span["rate_per_day"] == pytest.approx(0.45) and span["run_out"] == d("2025-03-15")
    # back-test: 4th from the first 3: median(0.5, 0.4) = 0.45, 5 / 0.45 = 11.1 -> 02-20 + 11 = 03-03
    # (actual 03-02: 1 day off); 3rd from the first 2: 12 / 0.5 = 24 -> 02-14 (actual 02-20: 6 days off)
    assert accuracy(history(IRREGULAR), 1) == (1.0, 1)
    assert accuracy(history(IRREGULAR), 2) == (3.5, 2)
    both = forecast_accuracy(history(REGULAR, IRREGULAR, SINGLE), holdout=2)
    assert both.model_dump() == {"mae_days": 7 / 4, "n_predictions": 4}


def test_single_purchase_gets_no_forecast_unless_household_is_known():
    assert replenishment_forecast(history(SINGLE)).empty
    assert forecast_accuracy(history(SINGLE)).model_dump() == {"mae_days": None, "n_predictions": 0}
    customers = pd.DataFrame({"customer_id": [3], "household_size": [4], "payday": [10]})
    got = replenishment_forecast(history(SINGLE), customers, per_person_daily={"大米": 0.5})
    row = got.iloc[0]  # 4 people x 0.5 kg = 2 kg a day; 30 kg last 15 days
    assert (row["method"], row["rate_per_day"], row["run_out"], row["payday"]) == (
        "household", 2.0, d("2025-03-16"), 10)
    assert replenishment_forecast(history(SINGLE), customers, per_person_daily={"面粉": 0.5}).empty


def test_same_day_purchases_are_added_and_missing_quantity_counts_one():
    same_day = history((1, "米", [("2025-01-01", 4), ("2025-01-01", 6), ("2025-01-11", 5)]))
    row = replenishment_forecast(same_day).iloc[0]  # 10 units over 10 days; 5 units left
    assert (row["purchases"], row["rate_per_day"], row["run_out"]) == (2, 1.0, d("2025-01-16"))
    no_qty = history((1, "米", [("2025-01-01", None), ("2025-01-08", None)]))
    assert replenishment_forecast(no_qty).iloc[0]["run_out"] == d("2025-01-15")


def test_deliveries_this_week_with_payment_reminders():
    customers = pd.DataFrame({"customer_id": [1, 2, 3], "household_size": [None, None, 4],
                              "payday": [31, None, 16]})
    forecast = replenishment_forecast(history(REGULAR, IRREGULAR, SINGLE), customers, {"大米": 0.5})
    week = deliveries_due(forecast, date(2025, 3, 10), 7)  # 03-10 .. 03-16
    assert list(zip(week["customer_id"], week["run_out"])) == [(2, d("2025-03-14")), (3, d("2025-03-16"))]
    assert pd.isna(week["payment_reminder"].iloc[0]) and week["payment_reminder"].iloc[1] == d("2025-03-16")
    assert deliveries_due(forecast, date(2025, 3, 17), 14).empty  # 05-01 is outside 03-17 .. 03-30
    assert list(deliveries_due(forecast, date(2025, 4, 28), 7)["customer_id"]) == [1]
    assert deliveries_due(forecast, date(2025, 4, 28), 7)["payment_reminder"].iloc[0] == d("2025-05-31")


def test_next_payday_clamps_to_month_end_and_rolls_over():
    dates = pd.Series(pd.to_datetime(["2025-04-05", "2025-04-11", "2025-02-01", "2024-02-29", "2025-12-20"]))
    paydays = pd.Series([31, 10, 30, 29, 5])
    assert list(next_payday(dates, paydays)) == [d("2025-04-30"), d("2025-05-10"), d("2025-02-28"),
                                                 d("2024-02-29"), d("2026-01-05")]


def test_sql_forecast_equals_python():
    rng = np.random.default_rng(11)
    n = 6000
    txns = pd.DataFrame({
        "customer_id": rng.integers(1, 400, n), "product": rng.choice(["大米", "面粉", "食用油", None], n),
        "txn_date": pd.Series(np.datetime64("2024-01-01") + rng.integers(0, 500, n)).dt.date,
        "quantity": rng.choice([1.0, 2.5, 5.0, 10.0, np.nan], n),
    })
    txns["amount"] = np.where(rng.random(n) < 0.05, -3.0, 9.0)
    customers = pd.DataFrame({"customer_id": np.arange(1, 400), "code": [f"C{i}" for i in range(1, 400)],
                              "name": "x", "household_size": rng.choice([1, 3, 5], 399),
                              "payday": rng.choice([5, 15, 31], 399)})
    con = make_store()
    insert(con, "customers", customers)
    insert(con, "transactions", txns)
    purchases = txns[txns["amount"] > 0]
    for estimator in ("median", "span"):
        expected = replenishment_forecast(purchases, customers, {"大米": 0.4}, estimator=estimator)
        got = replenishment_forecast_sql(con, {"大米": 0.4}, estimator=estimator)
        assert (expected["method"] == "household").any() and len(expected) > 500
        pd.testing.assert_frame_equal(got, expected, check_exact=False, rtol=1e-9)


def test_bad_arguments_raise():
    with pytest.raises(ValueError):
        replenishment_forecast(history(REGULAR), estimator="mean")
    with pytest.raises(ValueError):
        forecast_accuracy(history(REGULAR), holdout=0)
    with pytest.raises(ValueError):
        deliveries_due(replenishment_forecast(history(REGULAR)), date(2025, 1, 1), 0)


# ---------------------------------------------------------------- stay in touch

def contacts_store() -> duckdb.DuckDBPyConnection:
    con = make_store()
    created = pd.Timestamp("2025-01-01 09:00", tz="Asia/Shanghai")
    insert(con, "customers", pd.DataFrame({
        "customer_id": [1, 2, 3, 4, 5, 6], "code": [f"C{i}" for i in range(1, 7)],
        "name": ["甲", "乙", "丙", "丁", "戊", "己"], "sales_rep": ["刘", "刘", "陈", "陈", "刘", None],
        "created_at": [created] * 6}))
    insert(con, "interactions", pd.DataFrame({
        "interaction_id": [1, 2, 3, 4, 5, 6], "customer_id": [1, 1, 2, 3, 4, 6],
        "occurred_at": pd.to_datetime(["2025-03-01 10:00", "2025-04-01 23:30", "2025-03-01 10:00",
                                       "2025-05-20 10:00", "2025-01-20 10:00", "2025-07-01 10:00"]
                                      ).tz_localize("Asia/Shanghai"),
        "channel": ["visit", "wechat", "phone", "gift", "email", "phone"],
        "rep": ["刘", "王", "刘", "陈", "陈", "刘"]}))
    return con


CLASSES = pd.DataFrame({"customer_id": [1, 2, 3, 4, 6], "abc": ["A", "B", "A", "C", "A"]})


def test_overdue_contacts_by_class_override_and_rep():
    con = contacts_store()
    got = overdue_contacts(con, date(2025, 5, 1), None, CLASSES)
    # 1: A, last 04-01 -> due 05-01 (due today); 2: B, last 03-01 -> due 04-30 (1 day over);
    # 3: A, last 05-20 is after as_of -> never contacted -> created 01-01 + 30 = 01-31 (90 over);
    # 4: C, last 01-20 -> due 05-20 (not yet); 5: unclassified -> not scheduled;
    # 6: A, contact after as_of ignored -> due 01-31, no rep -> last.
    assert list(zip(got["sales_rep"].fillna("-"), got["customer_id"], got["days_overdue"])) == [
        ("刘", 2, 1), ("刘", 1, 0), ("陈", 3, 90), ("-", 6, 90)]
    first = got[got.customer_id == 1].iloc[0]
    assert (first["last_contact"].date(), first["last_rep"], first["every_days"]) == (
        date(2025, 4, 1), "王", 30)
    assert list(overdue_contacts(con, date(2025, 5, 1), None, CLASSES, rep="陈")["customer_id"]) == [3]
    set_contact_frequency(con, 4, 100)   # 01-20 + 100 = 04-30
    set_contact_frequency(con, 5, 90)    # never contacted: 01-01 + 90 = 04-01
    set_contact_frequency(con, 1, 7)
    set_contact_frequency(con, 1, None)  # back to the class default
    got = overdue_contacts(con, date(2025, 5, 1), {"A": 30, "B": 90, "C": 120}, CLASSES)
    assert list(zip(got["customer_id"], got["days_overdue"])) == [(5, 30), (1, 0), (3, 90), (4, 1), (6, 90)]
    assert DEFAULT_CONTACT_DAYS == {"A": 30, "B": 60, "C": 120}
    with pytest.raises(ValueError):
        set_contact_frequency(con, 1, 0)
    with pytest.raises(ValueError):
        overdue_contacts(con, date(2025, 5, 1), {"A": 0}, CLASSES)


# ---------------------------------------------------------------- .ics export

def test_escape_and_fold_follow_rfc_5545():
    assert escape_text('a,b;c\\d\ne') == "a\\,b\\;c\\\\d\\ne"
    folded = fold_line("SUMMARY:" + "中" * 60)  # 8 + 180 octets
    parts = folded.split("\r\n")
    assert [len(p.encode("utf-8")) for p in parts] == [74, 73, 43]  # 8 + 22×3, 1 + 24×3, 1 + 14×3
    assert parts[1].startswith(" ") and "".join(p[1:] if i else p for i, p in enumerate(parts)) == (
        "SUMMARY:" + "中" * 60)
    assert fold_line("X" * 75) == "X" * 75 and fold_line("X" * 76) == "X" * 75 + "\r\n X"


def test_ics_round_trips_through_icalendar():
    stamp = datetime(2025, 3, 1, 8, 30, tzinfo=UTC)
    long_text = "送大米 30 公斤，地址：北京市朝阳区建国路 88 号; 收款请在 15 日后\\备注\n第二行" * 2
    events = pd.DataFrame({"date": [date(2025, 10, 6), date(2025, 12, 31)],
                           "summary": ["王一 — 中秋节", "李二, 生日; 45"],
                           "description": [long_text, None]})
    data = to_ics(events, "客户重要日子", stamp=stamp)
    text = data.decode("utf-8")
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    assert max(len(line) for line in data.split(b"\r\n")) <= 75
    for line in data.split(b"\r\n"):
        line.decode("utf-8")  # raises if a fold split a character
    assert "SUMMARY:李二\\, 生日\\; 45\r\n" in text and "DTSTART;VALUE=DATE:20251006\r\n" in text
    cal = icalendar.Calendar.from_ical(data)
    assert str(cal["X-WR-CALNAME"]) == "客户重要日子" and str(cal["VERSION"]) == "2.0"
    parsed = cal.walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in parsed] == ["王一 — 中秋节", "李二, 生日; 45"]
    assert str(parsed[0]["DESCRIPTION"]) == long_text and "DESCRIPTION" not in parsed[1]
    assert [e.decoded("DTSTART") for e in parsed] == [date(2025, 10, 6), date(2025, 12, 31)]
    assert [e.decoded("DTEND") for e in parsed] == [date(2025, 10, 7), date(2026, 1, 1)]
    assert parsed[0].decoded("DTSTAMP") == stamp
    uids = [str(e["UID"]) for e in parsed]
    assert len(set(uids)) == 2 and uids == [str(e["UID"]) for e in
                                            icalendar.Calendar.from_ical(to_ics(events, "x")).walk("VEVENT")]


def test_key_date_events_in_both_languages_export_to_ics():
    upcoming = upcoming_key_dates(CUSTOMERS, KEY_DATES, FIRST, date(2025, 2, 20), 10)
    names = pd.DataFrame({"customer_id": [1, 2, 3], "name": ["王一", "李二", "张三"]})
    zh = key_date_events(upcoming, names, "zh")
    assert list(zh["summary"]) == ["张三 — 公司乔迁", "李二 — 首次购买周年 (2)", "王一 — 生日 (25)",
                                   "张三 — 成立纪念日 (15)"]
    assert key_date_events(upcoming, names, "en")["summary"].iloc[2] == "王一 — Birthday (25)"
    assert zh["uid"].iloc[2] == "1-birthday-20250228@kehu"
    parsed = icalendar.Calendar.from_ical(to_ics(zh, "生日")).walk("VEVENT")
    assert [str(e["UID"]) for e in parsed] == list(zh["uid"])
    assert [e.decoded("DTSTART") for e in parsed] == [date(2025, 2, 25), date(2025, 2, 26),
                                                      date(2025, 2, 28), date(2025, 3, 1)]


def test_every_occasion_and_method_has_both_languages():
    for key in ["birthday", "founding", "anniversary", "first_purchase_anniversary", "custom",
                "spring_festival", "dragon_boat", "mid_autumn"]:
        assert set(CATALOG[f"care.occasion.{key}"]) == {"en", "zh"}
    for key in ["history", "household"]:
        assert set(CATALOG[f"care.method.{key}"]) == {"en", "zh"}
