"""The Home page's figures kept per customer by the background fit (crm_core.overview, model
'overview', table fit_overview): read when the fit for the date is current, equal to the live
queries for every role, and never used once the transactions changed."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from crm_core import model_fits, overview
from crm_core.churn import activity
from crm_core.churn.capability import overview_figures as churn_figures
from crm_core.churn.fits import FITTERS as CHURN_FITTERS
from crm_core.churn.measured import measured_churn_rate
from crm_core.data_version import TRANSACTIONS, current
from crm_core.users import Actor
from tests.conftest import DEMO_AS_OF
from tests.test_care import insert

AS_OF = date(2025, 6, 30)
NOW = datetime(2025, 7, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
MANAGER, REP = Actor("boss", "manager"), Actor("刘", "rep")


def fit(db, as_of: date) -> model_fits.Fit:
    return model_fits.fit_one(db, overview.FITTERS[0], as_of, NOW)


def fit_churn_activity(db, as_of: date) -> model_fits.Fit:
    (fitter,) = [f for f in CHURN_FITTERS if f.model == activity.CHURN_ACTIVITY]
    return model_fits.fit_one(db, fitter, as_of, NOW)


def kept_used(db, actor, as_of) -> bool:
    return overview._from_kept(db, actor, as_of, lambda f: overview.compose("SELECT 1")) is not None


@pytest.fixture
def small(store):
    """Four customers; 刘 owns customer 4. Windows for 2025-06-30: last 12 months 2024-07-01 ..
    2025-06-30, the 12 before 2023-07-01 .. 2024-06-30, the chart's 36 months 2022-07 .. 2025-06."""
    with store.transaction() as cur:
        insert(cur, "customers", pd.DataFrame({"customer_id": [1, 2, 3, 4], "code": ["a", "b", "c", "d"],
                                               "name": "x", "sales_rep": ["陈", "陈", "陈", "刘"]}))
        insert(cur, "transactions", pd.DataFrame({
            "customer_id": [1, 1, 1, 2, 2, 3, 4],
            "amount": [100.0, -20.0, 50.0, 30.0, 40.0, 10.0, 25.0],
            "txn_date": [date(2025, 6, 1), date(2025, 5, 10), date(2024, 3, 1), date(2024, 6, 30),
                         date(2022, 7, 15), date(2022, 6, 30), date(2025, 2, 1)]}))
    return store


def test_the_kept_figures_are_the_hand_counted_ones(small):
    made = fit(small, AS_OF)
    assert kept_used(small, MANAGER, AS_OF) and kept_used(small, REP, AS_OF)
    # customer 3's only row (2022-06-30) is before the chart's first month: no kept row
    assert small.query_one("SELECT count(*) FROM fit_overview WHERE fit_id = ?", [made.fit_id]) == (3,)
    k = overview.kpis(small, MANAGER, AS_OF)
    # active: 1 (bought 2025-06-01) and 4 (2025-02-01); 1's refund is no purchase
    assert (k.customers, k.active_customers, k.new_customers_this_year) == (4, 2, 1)
    assert (k.revenue_12m, k.revenue_prior_12m) == (100 - 20 + 25.0, 50 + 30.0)
    trend = overview.monthly_revenue(small, MANAGER, AS_OF)
    assert [(m.strftime("%Y-%m"), r, c) for m, r, c in trend.itertuples(index=False)] == [
        ("2022-07", 40.0, 1), ("2024-03", 50.0, 1), ("2024-06", 30.0, 1), ("2025-02", 25.0, 1),
        ("2025-05", -20.0, 0), ("2025-06", 100.0, 1)]
    # churn, from the churn activity kept for the date: 1 and 2 bought in 2023-07-01 .. 2024-06-30;
    # 2 bought nothing since
    fit_churn_activity(small, AS_OF)
    with small.cursor(MANAGER) as cur:
        assert activity.measured_rate(cur, AS_OF) == 0.5 == churn_figures(cur, AS_OF)["churn_rate"]
    with small.cursor(REP) as cur:
        assert activity.measured_rate(cur, AS_OF) is None  # 4 bought nothing in the year before
    mine = overview.kpis(small, REP, AS_OF)
    assert (mine.customers, mine.active_customers, mine.revenue_12m, mine.revenue_prior_12m) == (1, 1, 25.0, None)
    assert [(m.strftime("%Y-%m"), r, c) for m, r, c in overview.monthly_revenue(small, REP, AS_OF).itertuples(
        index=False)] == [("2025-02", 25.0, 1)]


def test_a_write_makes_the_kept_figures_stale_and_the_page_computes_live(small):
    made = fit(small, AS_OF)
    fit_churn_activity(small, AS_OF)
    with small.transaction() as cur:  # an import would do the same through its own writes
        insert(cur, "transactions", pd.DataFrame({"customer_id": [2], "amount": [7.0], "txn_date": [date(2025, 6, 2)]}))
        from crm_core import summaries
        summaries.add_rows(cur, overview.Fragment("txn_date = DATE '2025-06-02'"))
    assert made.data_version != current(small.system_cursor(), TRANSACTIONS)
    assert not kept_used(small, MANAGER, AS_OF)
    assert overview.kpis(small, MANAGER, AS_OF).revenue_12m == 112.0
    with small.cursor(MANAGER) as cur:  # customer 2 bought again: nobody lost (counted live, the fit is stale)
        assert model_fits.current_fit(cur, activity.CHURN_ACTIVITY, AS_OF) is None
        assert activity.measured_rate(cur, AS_OF) == 0 == churn_figures(cur, AS_OF)["churn_rate"]
    assert not kept_used(small, MANAGER, date(2025, 6, 29))  # no fit for another date


@pytest.mark.parametrize("role", ["manager", "viewer", "rep"])
def test_the_kept_figures_equal_the_live_ones_on_the_demo(demo_store, role):
    reps = [r for (r,) in demo_store.query_df("SELECT DISTINCT sales_rep FROM customers WHERE sales_rep IS NOT NULL"
                                              " ORDER BY 1").itertuples(index=False)]
    actor = Actor(reps[0], "rep") if role == "rep" else Actor("x", role)
    for as_of in (DEMO_AS_OF, date(2026, 3, 17), date(2025, 12, 31)):
        if as_of != DEMO_AS_OF:  # the demo's default date is fitted by the fixture (fit_now)
            fit(demo_store, as_of)
            fit_churn_activity(demo_store, as_of)
        assert kept_used(demo_store, actor, as_of)
        kept = overview.kpis(demo_store, actor, as_of)
        for from_rows in (None, True, False):
            assert kept == overview.kpis(demo_store, actor, as_of, from_rows=from_rows, kept=False)
        assert_frame_equal(overview.monthly_revenue(demo_store, actor, as_of),
                           overview.monthly_revenue(demo_store, actor, as_of, kept=False), check_exact=True)
        with demo_store.cursor(actor) as cur:
            assert model_fits.current_fit(cur, activity.CHURN_ACTIVITY, as_of) is not None
            assert activity.measured_rate(cur, as_of) == measured_churn_rate(cur, as_of)


@pytest.mark.parametrize("customers, orphan", [([1, 2, 3, 4], 9), ([1, 2, 4, 5], 3)])
def test_the_kept_cards_leave_out_orphans_by_id_range_or_by_join(store, customers, orphan):
    """Customers 1-4 (ids unbroken: a row's customer is on file when its id is in 1..4) or 1, 2, 4, 5
    (3 missing: joined); either way the orphan's 60.0 is left out, as the live query leaves it out."""
    with store.transaction() as cur:
        insert(cur, "customers", pd.DataFrame({"customer_id": customers, "code": ["a", "b", "c", "d"], "name": "x",
                                               "sales_rep": "陈"}))
        insert(cur, "transactions", pd.DataFrame({"customer_id": [customers[0], customers[1], orphan],
                                                  "amount": [100.0, 30.0, 60.0],
                                                  "txn_date": [date(2025, 6, 1), date(2024, 3, 1), date(2025, 5, 1)]}))
    with store.cursor(None) as cur:
        assert (overview.on_file(cur).sql == overview._ON_FILE.sql) == (orphan == 3)
    fit(store, AS_OF)
    assert kept_used(store, MANAGER, AS_OF)
    kept = overview.kpis(store, MANAGER, AS_OF)
    assert (kept.active_customers, kept.revenue_12m, kept.revenue_prior_12m) == (1, 100.0, 30.0)
    assert kept == overview.kpis(store, MANAGER, AS_OF, kept=False)
