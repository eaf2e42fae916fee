"""The Customers list sorted server-side by revenue, last purchase, class and owner, with numbers
one can check by hand. Analysis date 2026-06-30: the last 12 months are 2025-07-01 .. 2026-06-30.

Ten customers K01..K10 (owner 张伟 for the odd ones, 李娜 for the even ones); Kn bought n × 100
on 2026-03-01, so K10 has the most revenue (1,000). Besides:
- K01 also bought 5,000 on 2025-06-30, a day before the window: lifetime, not in its revenue;
- K02 got a refund of −150 on 2026-06-30: its net revenue is 50, its last purchase stays 2026-03-01;
- K03 bought 30 on 2026-07-01, after the analysis date: not counted at all;
- K11 never bought anything.
Classes among the 10 with net revenue (ranks by revenue): A = ceil(5 % × 10) = rank 1 (K10),
B = up to ceil(20 % × 10) = rank 2 (K09), C = the rest; K11 has none.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from crm_core import customers as cust
from crm_core.i18n import t
from crm_core.models import CustomerIn
from crm_core.store import Store, close_store
from crm_core.users import LOCAL_USER, Actor
from tests.app_pages import page_app

AS_OF = date(2026, 6, 30)
ROOT = Path(__file__).resolve().parent.parent


def _fill(store) -> None:
    for n in range(1, 12):
        cust.create_customer(store, LOCAL_USER, CustomerIn(code=f"K{n:02d}", name=f"客户{n:02d}",
                                                           sales_rep="张伟" if n % 2 else "李娜"))
    ids = dict(store.query_df("SELECT code, customer_id FROM customers")[["code", "customer_id"]].values)
    rows = [(ids[f"K{n:02d}"], date(2026, 3, 1), n * 100) for n in range(1, 11)]
    rows += [(ids["K01"], date(2025, 6, 30), 5000), (ids["K02"], date(2026, 6, 30), -150),
             (ids["K03"], date(2026, 7, 1), 30)]
    store.write(lambda cur: cur.executemany(
        "INSERT INTO transactions (customer_id, txn_date, amount) VALUES (?, ?, ?)", rows))


@pytest.fixture
def listed(store):
    _fill(store)
    return store


def page(store, who=LOCAL_USER, sort="code", descending=False, limit=50, offset=0, text=""):
    activity = cust.customer_activity(store, who, AS_OF)
    rows, total = cust.search_customers(store, who, cust.CustomerFilter(text=text), limit, offset, sort,
                                        descending, activity)
    return rows, total


def test_revenue_is_the_last_12_months_net_and_sorts_the_whole_list(listed):
    rows, total = page(listed, sort="revenue_12m", descending=True, limit=4)
    assert total == 11
    assert rows[["code", "revenue_12m"]].values.tolist() == [["K10", 1000.0], ["K09", 900.0], ["K08", 800.0],
                                                             ["K07", 700.0]]
    rows, _ = page(listed, sort="revenue_12m", limit=50)
    assert rows["code"].tolist()[:3] == ["K02", "K01", "K03"]  # 50 (refund), 100 (5,000 is too old), 300
    assert rows["code"].tolist()[-1] == "K11" and pd.isna(rows["revenue_12m"].iloc[-1])  # blank last
    rows, _ = page(listed, sort="revenue_12m", descending=True, limit=3, offset=9)  # page 4 of 3-row pages
    assert rows["code"].tolist() == ["K02", "K11"]  # still blank last when descending


def test_last_purchase_is_lifetime_up_to_the_analysis_date(listed):
    rows, _ = page(listed, sort="last_purchase", limit=50)
    dates = dict(zip(rows["code"], rows["last_purchase"]))
    assert dates["K01"] == pd.Timestamp("2026-03-01")  # not the older 5,000
    assert dates["K02"] == pd.Timestamp("2026-03-01")  # a refund is not a purchase
    assert dates["K03"] == pd.Timestamp("2026-03-01")  # 2026-07-01 is after the analysis date
    assert pd.isna(dates["K11"]) and rows["code"].iloc[-1] == "K11"


def test_class_sorts_a_then_b_then_c_then_none(listed):
    rows, _ = page(listed, sort="abc")
    assert rows[["code", "abc"]].values.tolist()[:3] == [["K10", "A"], ["K09", "B"], ["K01", "C"]]
    assert rows["abc"].tolist().count("C") == 8 and pd.isna(rows["abc"].iloc[-1])


def test_owner_sort_and_a_reps_list(listed):
    rows, _ = page(listed, sort="sales_rep", descending=True)
    assert rows["sales_rep"].tolist() == ["李娜"] * 5 + ["张伟"] * 6
    assert rows["code"].tolist()[:2] == ["K02", "K04"]  # then by code
    mine, total = page(listed, who=Actor("李娜", "rep"), sort="revenue_12m", descending=True)
    assert total == 5 and mine["code"].tolist() == ["K10", "K08", "K06", "K04", "K02"]
    # her classes are ranked among her five (as her Segmentation page shows): A = ceil(5 % × 5) = rank 1,
    # B = up to ceil(20 % × 5) = rank 1 too, so no B; K08 is B company-wide but C among hers
    assert mine["abc"].tolist() == ["A", "C", "C", "C", "C"]


@pytest.mark.parametrize("who", [LOCAL_USER, Actor("李娜", "rep"), Actor("v", "viewer")])
@pytest.mark.parametrize("sort", ["code", "name", "sales_rep"])
def test_a_page_sorted_by_a_customer_column_reads_only_its_own_activity(listed, who, sort):
    """The page sorted by one of the customer's own columns joins the activity of its ids only
    (customer_activity(ids=...)): the same rows, columns and values as with everyone's activity."""
    whole, total = page(listed, who=who, sort=sort, limit=4, offset=2)
    bare, same_total = cust.search_customers(listed, who, cust.CustomerFilter(), 4, 2, sort)
    ids = bare["customer_id"].tolist()
    own = cust.customer_activity(listed, who, AS_OF, ids)
    assert total == same_total and len(own) <= len(ids) and set(own["customer_id"].to_pylist()) <= set(ids)
    pd.testing.assert_frame_equal(cust.with_activity(listed, bare, own), whole)


def test_an_unknown_sort_is_refused(listed):
    with pytest.raises(ValueError):
        page(listed, sort="name; DROP TABLE customers")


def test_the_page_sorts_and_keeps_the_view_in_the_url(tmp_path, monkeypatch):
    path = tmp_path / "list.duckdb"
    db = Store(path)
    _fill(db)
    db.close()
    monkeypatch.setenv("CRM_DB", str(path))
    try:
        for lang, revenue in (("en", "Revenue, last 12 months"), ("zh", "近12个月收入")):
            app = page_app("customers.py", lang, as_of=AS_OF)
            app.selectbox(key="cust_sort").set_value("revenue_12m").run()
            app.segmented_control(key="cust_dir").set_value("desc").run()
            assert not app.exception, [e.value for e in app.exception]
            grid = app.dataframe[0].value
            assert grid[revenue].tolist()[:3] == [1000.0, 900.0, 800.0]
            assert list(grid.columns)[:3] == [t("field.name", lang), t("find.col.abc", lang), revenue]
            # a link with the view in it restores it (bound widgets write the option as shown, in the UI language)
            link = page_app("customers.py", lang, as_of=AS_OF, query={
                "cust_sort": t("find.sort.revenue_12m", lang), "cust_dir": t("find.direction.asc", lang),
                "cust_search": "客户0", "cust_page": "1"})
            assert link.dataframe[0].value[t("field.code", lang)].tolist()[:2] == ["K02", "K01"]
            assert len(link.dataframe[0].value) == 9  # 客户01..客户09
    finally:
        close_store(path)


def test_the_activity_key_moves_with_transactions_and_customers_only(listed):
    """The Customers list's activity is cached on ``activity_data_version``: a purchase, a new
    customer or an edited one moves it; a logged call does not (no million totals recomputed)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from crm_core.models import InteractionIn, TransactionIn

    first = cust.activity_data_version(listed)
    k01 = cust.customer_id_for_code(listed, LOCAL_USER, "K01")
    cust.log_interaction(listed, LOCAL_USER, InteractionIn(
        customer_id=k01, occurred_at=datetime(2026, 6, 1, 10, tzinfo=ZoneInfo(listed.timezone)), channel="phone"))
    assert cust.activity_data_version(listed) == first
    cust.record_transaction(listed, LOCAL_USER, TransactionIn(customer_id=k01, txn_date=date(2026, 6, 1), amount="10"))
    bought = cust.activity_data_version(listed)
    assert bought != first and bought[1:3] == (first[1] + 1, first[2] + 1)  # one more row, a new largest txn_id
    cust.create_customer(listed, LOCAL_USER, CustomerIn(code="K12", name="客户12", sales_rep="张伟"))
    created = cust.activity_data_version(listed)
    assert created[3] == bought[3] + 1
    record = cust.get_customer(listed, LOCAL_USER, k01)
    edit = cust.customer_from_record(record).model_copy(update={"sales_rep": "李娜"})
    cust.update_customer(listed, LOCAL_USER, k01, edit)
    assert cust.activity_data_version(listed)[4] != created[4]  # a rep's scope may have changed


def test_a_chosen_rep_or_region_is_a_filter_in_the_scan(listed):
    """The list's filters (rep, region, type, stage) keep the same customers — K01, K03 … K11 are
    张伟's six — and are evaluated in the scan of ``customers``, not as a semi join against the
    chosen values (which read every customer before the page's ORDER BY … LIMIT: ~1 s at 10M)."""
    from crm_core.sql import compose, run

    zhang = cust.CustomerFilter(reps=("张伟",))
    rows, total = cust.search_customers(listed, LOCAL_USER, zhang, limit=4)
    assert total == 6 and rows["code"].tolist() == ["K01", "K03", "K05", "K07"]
    both = cust.CustomerFilter(reps=("张伟", "李娜"), regions=("华东",))
    assert cust.search_customers(listed, LOCAL_USER, both)[1] == 0  # no region on file: nobody
    assert cust.search_customers(listed, LOCAL_USER, cust.CustomerFilter(reps=("张伟", "李娜")))[1] == 11
    query = cust._list_query(LOCAL_USER, both, "code", False, False, limit=50)
    with listed.cursor(LOCAL_USER) as db:
        plan = "\n".join(row[1] for row in run(db, compose("EXPLAIN {q}", q=query)).fetchall())
    assert "UNNEST" not in plan.upper()  # the old semi join's build side: UNNEST(list_value(...))
