"""One definition of a purchase, revenue, active, new and churned, and the pages agree on it.

The hand example (as of 2026-06-30; last 12 months 2025-07-01..2026-06-30, previous 12 months
2024-07-01..2025-06-30):
- C1 bought ¥100 on 2025-03-01 and got ¥50 back on 2026-03-01: a refund is not a purchase, so C1
  is not active and counts as lost;
- C2 bought ¥200 on 2025-03-01 and ¥300 on 2026-02-01: active, retained;
- C3 bought for the first time, ¥80 on 2026-01-15: active and new this year.
So: 2 active of 3; net revenue 300 − 50 + 80 = ¥330, previous ¥300; ¥165 per active customer;
1 new this year; churn rate 1 lost ÷ 2 who bought in the previous 12 months = 50 %.
"""
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from crm_core import overview
from crm_core.churn.measured import fill_from_my_data, measured_churn_rate
from crm_core.users import Actor

AS_OF = date(2026, 6, 30)
MANAGER = Actor("boss", "manager")


@pytest.fixture
def example(store):
    with store.transaction() as cur:
        cur.execute("INSERT INTO customers (customer_id, code, name) VALUES (1, 'C1', 'A'), (2, 'C2', 'B'), "
                    "(3, 'C3', 'C')")
        cur.executemany("INSERT INTO transactions (customer_id, txn_date, amount) VALUES (?, ?, ?)", [
            (1, date(2025, 3, 1), 100), (1, date(2026, 3, 1), -50),
            (2, date(2025, 3, 1), 200), (2, date(2026, 2, 1), 300),
            (3, date(2026, 1, 15), 80)])
    return store


def test_overview_counts_purchases_not_refunds(example):
    kpis = overview.kpis(example, MANAGER, AS_OF)
    assert (kpis.customers, kpis.active_customers, kpis.new_customers_this_year) == (3, 2, 1)
    assert (kpis.revenue_12m, kpis.revenue_prior_12m, kpis.revenue_per_active_customer) == (330, 300, 165)
    assert measured_churn_rate(example, AS_OF) == 0.5


def test_a_month_of_refunds_only_shows_its_net_revenue_and_no_buyers(example):
    months = overview.monthly_revenue(example, MANAGER, AS_OF, months=12).set_index("month")
    assert months.loc[pd.Timestamp(2026, 3, 1), "revenue"] == -50
    assert months.loc[pd.Timestamp(2026, 3, 1), "customers"] == 0
    assert months.loc[pd.Timestamp(2026, 2, 1), "customers"] == 1


def test_overview_and_churn_calculator_agree(example):
    kpis = overview.kpis(example, MANAGER, AS_OF)
    cards = overview.relationship_kpis(example, MANAGER, datetime(2026, 6, 30, 12, tzinfo=ZoneInfo("Asia/Shanghai")))
    measured = fill_from_my_data(example, AS_OF, MANAGER)
    assert measured.customers == kpis.active_customers == 2
    assert measured.revenue_per_customer == kpis.revenue_per_active_customer == 165
    assert measured.churn_rate == cards.churn_rate == 0.5
