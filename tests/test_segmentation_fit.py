"""The Segmentation page's per-customer figures kept by the background fit
(crm_core.segmentation.fits, model 'segments', table fit_segments): hand-counted rows, the same
answers as the live reads for every role, and never used for another period or once the
transactions changed."""
from __future__ import annotations

import math
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from crm_core import model_fits, summaries
from crm_core import segmentation as seg
from crm_core.segmentation import fits, views
from crm_core.sql import Fragment
from crm_core.users import Actor
from tests.conftest import DEMO_AS_OF
from tests.test_care import insert

AS_OF = date(2025, 6, 30)  # default period 2024-07-01 .. 2025-06-30: 12 calendar months
NOW = datetime(2025, 7, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
MANAGER, REP = Actor("boss", "manager"), Actor("刘", "rep", rep_codes=("刘",))


def fit(db, as_of: date) -> model_fits.Fit:
    return model_fits.fit_one(db, fits.FITTERS[0], as_of, NOW)


@pytest.fixture
def small(store):
    """Customers 1-4 (刘 owns 3; 4 never bought). Product P sells 4 units for 225 in the period
    (unit price 56.25), Q 3 units for 60 (20)."""
    with store.transaction() as cur:
        insert(cur, "customers", pd.DataFrame({"customer_id": [1, 2, 3, 4], "code": ["a", "b", "c", "d"],
                                               "name": "x", "sales_rep": ["陈", "陈", "刘", "陈"],
                                               "influence": [3, None, 5, None]}))
        insert(cur, "transactions", pd.DataFrame({
            "customer_id": [1, 1, 1, 1, 2, 3],
            "amount": [100.0, 100.0, -20.0, 50.0, 60.0, 25.0],
            "txn_date": [date(2025, 6, 1), date(2025, 5, 10), date(2025, 5, 10), date(2024, 3, 1),
                         date(2024, 7, 1), date(2025, 2, 1)],
            "product": ["P", "P", None, "P", "Q", "P"],
            "quantity": [2.0, 1.0, None, 1.0, 3.0, 1.0],
            "discount": [0.0, 10.0, None, 0.0, None, 0.0]}))
    return store


def kept_rows(db, fit_id: int) -> pd.DataFrame:
    return db.query_df("SELECT * EXCLUDE (fit_id) FROM fit_segments WHERE fit_id = ? ORDER BY customer_id", [fit_id])


def test_the_kept_rows_are_the_hand_counted_ones(small):
    rows = kept_rows(small, fit(small, AS_OF).fit_id).set_index("customer_id")
    assert list(rows.index) == [1, 2, 3]  # customer 4 has no transaction in the period
    # customer 1: purchases on 2025-05-10 and 2025-06-01, a return of 20; first purchase 2024-03-01
    assert rows.loc[1, ["recency_days", "frequency", "monetary", "tenure_days"]].tolist() == [29, 2, 180.0, 486]
    assert rows.loc[1, "repeat_rate"] == 2 / 12  # May (80) and June (100)
    assert rows.loc[1, "spend_cv"] == pytest.approx(math.sqrt(12 * (8000**2 + 10000**2) - 18000**2) / 18000)
    assert rows.loc[1, "discount_share"] == 0.5  # one of two purchase lines discounted
    assert rows.loc[1, "relative_price"] == pytest.approx(200 / (3 * 56.25))
    # customer 2: one month of 12 → coefficient of variation sqrt(11); no discount recorded
    assert rows.loc[2, ["recency_days", "frequency", "monetary"]].tolist() == [364, 1, 60.0]
    assert rows.loc[2, "spend_cv"] == pytest.approx(math.sqrt(11))
    assert pd.isna(rows.loc[2, "discount_share"]) and rows.loc[2, "relative_price"] == pytest.approx(1.0)
    assert rows.loc[3, ["recency_days", "frequency", "monetary"]].tolist() == [149, 1, 25.0]
    assert rows.loc[3, "relative_price"] == pytest.approx(25 / 56.25)


def views_of(db, actor, start: date, end: date) -> dict:
    out = {}
    for measure in seg.MEASURES:
        view = views.value_view(db, actor, seg.SegmentQuery(start, end, measure))
        out[measure] = [view.scores, view.grid.counts, view.grid.not_to_overlook, pd.DataFrame({"f": view.factors})]
    out["rfm"] = [views.rfm_view(db, actor, start, end), views.rfm_summary(db, actor, start, end),
                  *(views.rfm_members(db, actor, start, end, s, limit=None) for s in seg.RFM_SEGMENTS)]
    out["need"] = [views.need_view(db, actor, start, end), views.need_summary(db, actor, start, end),
                   *(views.need_members(db, actor, start, end, kind, limit, offset)
                     for kind in (*seg.NEED_TYPES, "unknown") for limit, offset in ((50, 0), (1, 0), (1, 1), (2, 1),
                                                                                    (None, 0)))]
    return out


def assert_kept_equals_live(db, monkeypatch, actors, as_of: date) -> None:
    start, end = seg.default_period(as_of)
    for actor in actors:
        kept = views_of(db, actor, start, end)
        with monkeypatch.context() as live:
            live.setattr(views, "kept_fit", lambda *args: None)
            computed = views_of(db, actor, start, end)
        for key, frames in kept.items():
            for a, b in zip(frames, computed[key]):
                assert_frame_equal(a, b, check_exact=True)


def no_live_reads(monkeypatch) -> None:
    """The per-customer live reads fail: a view that still answers read the kept rows."""
    def refuse(*args):
        raise AssertionError("read live")
    for name in ("customer_features_sql", "customer_features_cte", "live_rfm_rows", "live_need_signals"):
        monkeypatch.setattr(views, name, refuse)


def test_the_views_read_the_kept_rows_with_the_live_answers(small, monkeypatch):
    fit(small, AS_OF)
    assert_kept_equals_live(small, monkeypatch, (MANAGER, REP), AS_OF)
    no_live_reads(monkeypatch)
    start, end = seg.default_period(AS_OF)
    assert views.rfm_view(small, REP, start, end)["customer_id"].tolist() == [3]  # narrowed to 刘's
    # the big-customer tab: classes and features from the kept rows, ranked among 刘's own
    mine = views.value_view(small, REP, seg.SegmentQuery(start, end)).scores
    assert mine[["customer_id", "spend", "rank", "abc"]].values.tolist() == [[3, 25.0, 1, "A"]]
    assert views.rfm_summary(small, REP, start, end)["customers"].sum() == 1
    (segment,) = views.rfm_view(small, REP, start, end)["segment"]
    assert views.rfm_members(small, REP, start, end, segment)["customer_id"].tolist() == [3]
    needs = views.need_view(small, MANAGER, start, end).set_index("customer_id")
    assert needs["revenue"].tolist() == [180.0, 60.0, 25.0, 0.0]
    assert needs["need_type"].tolist()[:3] == ["price", "composite", "price"] and pd.isna(needs.loc[4, "need_type"])


def test_a_need_page_is_looked_for_among_the_highest_revenues_first(small, monkeypatch):
    """Revenues 180 (1, price), 60 (2, composite), 25 (3, price), none (4, unknown). Reaching the
    top k revenues: a page full there is the answer; else everyone is read. Both give the live page."""
    fit(small, AS_OF)
    start, end = seg.default_period(AS_OF)
    monkeypatch.setattr(views, "NEED_PAGE_MIN_REACH", 1)
    monkeypatch.setattr(views, "NEED_PAGE_REACH", 1)  # reach = offset + limit
    queries = []
    real_run = views.run
    monkeypatch.setattr(views, "run", lambda cur, q: queries.append(q.sql) or real_run(cur, q))

    def page(actor, kind, limit, offset=0):
        queries.clear()
        ids = views.need_members(small, actor, start, end, kind, limit, offset)["customer_id"].tolist()
        return ids, ["$reach" in q for q in queries if "needs AS" in q]
    assert page(MANAGER, "price", 1) == ([1], [True])  # 180 ≥ the top revenue: a full page of one
    assert page(MANAGER, "price", 2) == ([1, 3], [True, False])  # the top 2 (180, 60) hold one price: read all
    assert page(MANAGER, "composite", 1) == ([2], [True, False])
    assert page(MANAGER, "composite", 1, 1) == ([], [True, False])  # one composite: no second page
    monkeypatch.setattr(views, "NEED_PAGE_REACH", 2)  # reach = 2 × (offset + limit)
    assert page(MANAGER, "price", 1, 1) == ([3], [True])  # reach 4: 1, 2 and 3 (25 > 0) hold both prices
    assert page(MANAGER, "unknown", 1) == ([4], [True, False])  # no kept row: revenue 0, never within reach
    assert page(REP, "price", 1) == ([3], [False])  # 刘 sees only 3: everyone's top revenues are not his
    monkeypatch.setattr(views, "kept_fit", lambda *args: None)
    assert page(MANAGER, "price", 1) == ([1], [False])  # live: no kept revenues to reach into


def test_a_need_page_is_never_looked_for_below_zero_revenue(store, monkeypatch):
    """Customers 1 and 2 only returned goods (revenue -5 and -1); 3 never bought (0): the top
    revenues are not > 0, so a customer without a kept row could come first: everyone is read."""
    with store.transaction() as cur:
        insert(cur, "customers", pd.DataFrame({"customer_id": [1, 2, 3], "code": ["a", "b", "c"], "name": "x",
                                               "need_type": ["price", "price", "price"]}))
        insert(cur, "transactions", pd.DataFrame({"customer_id": [1, 2], "amount": [-5.0, -1.0],
                                                  "txn_date": [date(2025, 6, 1), date(2025, 6, 2)]}))
    fit(store, AS_OF)
    monkeypatch.setattr(views, "NEED_PAGE_MIN_REACH", 1)
    members = views.need_members(store, MANAGER, *seg.default_period(AS_OF), "price", limit=2)
    assert members["customer_id"].tolist() == [3, 2] and members["revenue"].tolist() == [0.0, -1.0]


def test_another_period_or_newer_transactions_are_computed_live(small, monkeypatch):
    fit(small, AS_OF)
    start, end = seg.default_period(AS_OF)
    with small.transaction() as cur:
        assert fits.kept_fit(cur, start, end) is not None
        assert fits.kept_fit(cur, date(2024, 7, 2), end) is None  # not the default period: not kept
        assert fits.kept_fit(cur, *seg.default_period(date(2025, 5, 31))) is None  # no fit for that date
    with small.transaction() as cur:  # an import would do the same through its own writes
        insert(cur, "transactions", pd.DataFrame({"customer_id": [4], "amount": [70.0], "txn_date": [date(2025, 6, 2)]}))
        summaries.add_rows(cur, Fragment("txn_date = DATE '2025-06-02'"))
    with small.transaction() as cur:
        assert fits.kept_fit(cur, start, end) is None  # stale
    assert views.rfm_view(small, MANAGER, start, end)["customer_id"].tolist() == [1, 2, 3, 4]


def test_kept_equals_live_on_the_demo(demo_store, monkeypatch):
    fit(demo_store, DEMO_AS_OF)
    (rep,) = demo_store.query_one("SELECT min(sales_rep) FROM customers")
    assert_kept_equals_live(demo_store, monkeypatch, (MANAGER, Actor("r", "rep", rep_codes=(rep,))), DEMO_AS_OF)


def test_big_customer_lists_and_top_50_from_the_value_base(demo_store):
    # The tab reads the classification once (value_base): its top 50 are top_customers' own query,
    # and the list pages are slices of the whole lists, sorted as the tab showed them before.
    fit(demo_store, DEMO_AS_OF)
    q = seg.SegmentQuery(*seg.default_period(DEMO_AS_OF))
    base = views.value_base(demo_store, MANAGER, q)
    assert_frame_equal(seg.top_customers(demo_store, MANAGER, q, 50, classified=base),
                       seg.top_customers(demo_store, MANAGER, q, 50), check_exact=True)
    view = views.scored_values(base, {"influence": 2, "loyalty": 1})
    by_score = view.scores.sort_values("score", ascending=False, kind="stable").reset_index(drop=True)
    whole = views.value_list(demo_store, view, "score", limit=None)
    assert whole["customer_id"].tolist() == by_score["customer_id"].tolist()
    assert list(whole.columns) == ["customer_id", "code", "name", *by_score.columns[1:]]
    page = views.value_list(demo_store, view, "score", offset=50, limit=50)
    assert_frame_equal(page, whole.iloc[50:100].reset_index(drop=True), check_exact=True)
    overlooked = view.grid.not_to_overlook.merge(view.scores[["customer_id", *view.factors]], on="customer_id")
    assert len(overlooked) > 50
    listed = views.value_list(demo_store, view, "overlook", offset=50, limit=50)
    assert listed.drop(columns=["code", "name"]).equals(overlooked.iloc[50:100].reset_index(drop=True))
    names = demo_store.query_df("SELECT customer_id, code, name FROM customers")
    assert_frame_equal(listed[["customer_id", "code", "name"]],
                       listed[["customer_id"]].merge(names, on="customer_id", how="left"), check_exact=True)
    with pytest.raises(ValueError):
        views.value_list(demo_store, view, "everyone")


def test_value_view_of_no_buyers_is_empty_with_a_zero_grid(store):
    view = views.value_view(store, MANAGER, seg.SegmentQuery(*seg.default_period(AS_OF)), {"referrals": 1})
    assert view.scores.empty and view.factors == () and view.grid.not_to_overlook.empty
    assert list(view.scores.columns) == ["customer_id", "spend", "rank", "share", "cum_share", "abc", "score", "tier"]
    assert view.grid.counts.to_numpy().sum() == 0 and view.grid.counts.shape == (3, 3)
