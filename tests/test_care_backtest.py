"""The replenishment forecast against the two baselines (issue 15, docs/domain.md §1): the same
held-back purchases scored by every method, numbers that can be checked by hand, the winner
chosen (overall and per customer type), the list forecast by it, and a rep's own numbers."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from crm_core.care.board import backtest_for, deliveries_this_week
from crm_core.care.replenishment import (
    MethodChoice,
    choose_methods,
    chosen_error,
    forecast_accuracy_sql,
    forecast_backtest_sql,
    replenishment_forecast_sql,
)
from crm_core.users import Actor
from tests.test_care import d, insert, make_store

# Erratic quantities, a purchase every 10 days. Held back: 31 Jan. From 1, 11, 21 Jan:
# rates 10/10 = 1.0 and 2/10 = 0.2 -> median 0.6; 20 units / 0.6 = 33.3 -> 21 Jan + 33 = 23 Feb,
# 23 days late. Gaps 10, 10 -> median = mean = 10 -> 31 Jan exactly.
ERRATIC = [("2025-01-01", 10), ("2025-01-11", 2), ("2025-01-21", 20), ("2025-01-31", 5)]
# One unit a day, gaps as long as the quantity lasts. Held back: 15 Feb. From 1 Jan, 11 Jan, 10 Feb:
# rates 10/10 = 30/30 = 1 -> 5 units last 5 days -> 15 Feb exactly. Gaps 10, 30 -> median =
# mean = 20 -> 10 Feb + 20 = 2 Mar, 15 days late.
STEADY = [("2025-01-01", 10), ("2025-01-11", 30), ("2025-02-10", 5), ("2025-02-15", 7)]
# Two purchase days: nothing before the held-back one to forecast it from (no check for anyone).
TOO_SHORT = [("2025-01-01", 10), ("2025-01-11", 10)]


def store_of(series: list[tuple[int, str, str, list]]):
    """(customer_id, customer_type, sales_rep, purchases) -> an in-memory store."""
    con = make_store()
    insert(con, "customers", pd.DataFrame({
        "customer_id": [c for c, *_ in series], "code": [f"C{c}" for c, *_ in series], "name": "x",
        "customer_type": [t for _, t, _, _ in series], "sales_rep": [r for _, _, r, _ in series]}))
    rows = [(c, "米", pd.Timestamp(day).date(), float(q), 1.0) for c, _, _, points in series for day, q in points]
    insert(con, "transactions", pd.DataFrame(rows, columns=["customer_id", "product", "txn_date", "quantity",
                                                            "amount"]))
    return con


def errors(frame: pd.DataFrame, customer_type=None) -> dict[str, tuple]:
    rows = frame[frame["customer_type"].isna()] if customer_type is None else frame[
        frame["customer_type"] == customer_type]
    return {r.method: (r.n, r.mean_error, r.median_error) for r in rows.itertuples()}


def test_erratic_quantities_regular_gaps_the_gap_baseline_wins():
    con = store_of([(1, "individual", "刘", ERRATIC), (9, "individual", "刘", TOO_SHORT)])
    got = forecast_backtest_sql(con)
    assert errors(got) == {"rate": (1, 23.0, 23.0), "median_gap": (1, 0.0, 0.0), "mean_gap": (1, 0.0, 0.0)}
    assert errors(got, "individual") == errors(got)
    # the rate method scored here is the forecast the old accuracy figure scored
    assert forecast_accuracy_sql(con).model_dump() == {"mae_days": 23.0, "n_predictions": 1}
    assert choose_methods(got) == MethodChoice(overall="median_gap")  # a tie goes to the earlier method


def test_regular_consumption_irregular_gaps_the_rate_wins():
    con = store_of([(2, "corporate", "陈", STEADY)])
    got = forecast_backtest_sql(con)
    assert errors(got) == {"rate": (1, 0.0, 0.0), "median_gap": (1, 15.0, 15.0), "mean_gap": (1, 15.0, 15.0)}
    assert choose_methods(got) == MethodChoice(overall="rate")


def test_mean_and_median_gap_differ_by_hand():
    # gaps 10, 10, 40 -> median 10, mean 20. Held back 1 Apr; last earlier 11 Mar.
    # median: 11 Mar + 10 = 21 Mar (11 days early); mean: 11 Mar + 20 = 31 Mar (1 day early);
    # rates 1/10, 1/10, 4/40 = 0.1 -> 3 units / 0.1 = 30 days -> 10 Apr (9 days late).
    series = [("2025-01-10", 1), ("2025-01-20", 1), ("2025-01-30", 4), ("2025-03-11", 3), ("2025-04-01", 1)]
    got = forecast_backtest_sql(store_of([(3, "channel", "刘", series)]))
    assert errors(got) == {"rate": (1, 9.0, 9.0), "median_gap": (1, 11.0, 11.0), "mean_gap": (1, 1.0, 1.0)}
    assert choose_methods(got) == MethodChoice(overall="mean_gap")


def mixed_store(corporate: int):
    """30 individual customers like ERRATIC (rep 刘) and ``corporate`` like STEADY (rep 陈)."""
    return store_of([(i, "individual", "刘", ERRATIC) for i in range(1, 31)]
                    + [(100 + i, "corporate", "陈", STEADY) for i in range(corporate)])


def test_the_winner_is_chosen_overall_and_per_customer_type_with_enough_checks():
    con = mixed_store(corporate=30)
    got = forecast_backtest_sql(con)
    # overall: rate (30 x 23 + 30 x 0) / 60 = 11.5; gaps (30 x 0 + 30 x 15) / 60 = 7.5
    assert errors(got) == {"rate": (60, 11.5, 11.5), "median_gap": (60, 7.5, 7.5), "mean_gap": (60, 7.5, 7.5)}
    assert errors(got, "corporate")["rate"] == (30, 0.0, 0.0)
    assert list(got["customer_type"].fillna("*")) == ["*"] * 3 + ["corporate"] * 3 + ["individual"] * 3
    chosen = choose_methods(got)
    assert chosen == MethodChoice(overall="median_gap", by_group={"corporate": "rate"})
    assert chosen_error(got, chosen) == (60, 0.0)  # each type by its own winner: exact
    assert chosen_error(got, MethodChoice(overall="median_gap")) == (60, 7.5)
    # 29 corporate checks are too few for a method of their own
    fewer = forecast_backtest_sql(mixed_store(corporate=29))
    assert choose_methods(fewer) == MethodChoice(overall="median_gap")
    assert choose_methods(fewer, min_checks=29).by_group == {"corporate": "rate"}


def test_the_forecast_list_uses_the_chosen_method_per_customer():
    con = store_of([(1, "individual", "刘", ERRATIC), (2, "corporate", "陈", STEADY)])
    choice = MethodChoice(overall="median_gap", by_group={"corporate": "rate"})
    got = replenishment_forecast_sql(con, methods=choice).set_index("customer_id")
    # 1: gaps 10, 10, 10 -> 31 Jan + 10 = 10 Feb; 5 units over 10 days = 0.5 a day
    assert (got.loc[1, "method"], got.loc[1, "run_out"], got.loc[1, "days_left"], got.loc[1, "rate_per_day"]) == (
        "median_gap", d("2025-02-10"), 10.0, 0.5)
    # 2: rates 1, 1, 1 -> 7 units last 7 days -> 22 Feb
    assert (got.loc[2, "method"], got.loc[2, "run_out"]) == ("history", d("2025-02-22"))
    mean = replenishment_forecast_sql(con, methods=MethodChoice(overall="mean_gap")).set_index("customer_id")
    # 2: gaps 10, 30, 5 -> mean 15 -> 15 Feb + 15 = 2 Mar
    assert (mean.loc[2, "method"], mean.loc[2, "run_out"]) == ("mean_gap", d("2025-03-02"))
    pd.testing.assert_frame_equal(replenishment_forecast_sql(con), replenishment_forecast_sql(con, methods=None))
    with pytest.raises(ValueError):
        MethodChoice(overall="average")


def test_a_rep_sees_the_numbers_of_their_own_customers(store):
    with store.transaction() as cur:
        con = mixed_store(corporate=30)
        insert(cur, "customers", con.execute("SELECT customer_id, code, name, customer_type, sales_rep "
                                             "FROM customers").df())
        insert(cur, "transactions", con.execute("SELECT customer_id, product, txn_date, quantity, amount "
                                                "FROM transactions").df())
    everyone = backtest_for(store, Actor("boss", "manager"), date(2025, 6, 30))
    assert errors(everyone)["rate"] == (60, 11.5, 11.5)
    chen = backtest_for(store, Actor("陈", "rep"), date(2025, 6, 30), rep="刘")  # a rep is kept to their own
    assert errors(chen) == {"rate": (30, 0.0, 0.0), "median_gap": (30, 15.0, 15.0), "mean_gap": (30, 15.0, 15.0)}
    assert set(chen["customer_type"].dropna()) == {"corporate"}
    assert choose_methods(chen) == MethodChoice(overall="rate")
    liu = backtest_for(store, Actor("boss", "manager"), date(2025, 6, 30), rep="刘")
    assert errors(liu)["rate"] == (30, 23.0, 23.0) and choose_methods(liu).overall == "median_gap"
    due = deliveries_this_week(store, Actor("刘", "rep"), date(2025, 2, 8), 7, choice=choose_methods(liu))
    assert set(due["customer_id"]) == set(range(1, 31)) and set(due["method"]) == {"median_gap"}
    assert set(due["run_out"]) == {d("2025-02-10")}


def test_backtest_on_a_random_store_equals_a_pandas_count_and_the_old_accuracy():
    from tests.test_care_board import AS_OF, random_store
    con, _, txns = random_store(seed=9)
    got = forecast_backtest_sql(con, AS_OF, max_customers=None)
    old = forecast_accuracy_sql(con, AS_OF, max_customers=None)
    assert errors(got)["rate"][:2] == (old.n_predictions, pytest.approx(old.mae_days, rel=1e-12))
    days = (txns[(txns["amount"] > 0) & (txns["txn_date"] <= AS_OF)]
            .groupby(["customer_id", "product", "txn_date"], as_index=False)["quantity"].sum())
    want: dict[str, list[float]] = {"median_gap": [], "mean_gap": []}
    for _, one in days.groupby(["customer_id", "product"]):
        if len(one) < 3:
            continue
        when = pd.to_datetime(one["txn_date"]).sort_values().reset_index(drop=True)
        gaps = when.iloc[:-1].diff().dt.days.dropna()
        for method, gap in (("median_gap", gaps.median()), ("mean_gap", gaps.mean())):
            forecast = when.iloc[-2] + pd.Timedelta(days=int(round(gap, 6) // 1))
            want[method].append(abs((forecast - when.iloc[-1]).days))
    for method, errs in want.items():
        n, mean, median = errors(got)[method]
        assert (n, mean, median) == (len(errs), pytest.approx(sum(errs) / len(errs)),
                                     pytest.approx(pd.Series(errs).median()))


@pytest.mark.parametrize("size", [1, 37, 299])
def test_a_store_wide_forecast_read_in_customer_ranges_is_the_one_pass_forecast(demo_store, monkeypatch, size):
    # At 3M customers the one-pass window over every purchase needed more than DuckDB's 1.5 GiB
    # cap; each forecast is one customer's own, so the ranges' forecasts are the store's, row for row.
    from crm_core.care import replenishment

    cur = demo_store.system_cursor()
    as_of = date(2026, 6, 30)
    assert len(replenishment.forecast_ranges(cur)) == 1  # the demo's 300 customers: one range
    whole = replenishment_forecast_sql(cur, as_of=as_of)
    monkeypatch.setattr(replenishment, "FORECAST_RANGE", size)
    ranges = replenishment.forecast_ranges(cur)
    assert len(ranges) == -(-300 // size) + (300 % size == 0)  # the last range runs open to the top
    assert all(hi + 1 == lo for (_, hi), (lo, _) in zip(ranges, ranges[1:]))  # no id left out
    pd.testing.assert_frame_equal(replenishment_forecast_sql(cur, as_of=as_of), whole)
    assert len(whole) > 100
    cur.close()
