"""The Segmentation page's per-customer figures kept by the background fit
(crm_core.segmentation.fits, model 'segments', table fit_segments): hand-counted rows, the same
answers as the live reads for every role, and never used for another period or once the
transactions changed."""
from __future__ import annotations

import math
from contextlib import closing
from datetime import date, datetime, timedelta
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
            live.setattr(views, "kept_needs", lambda *args: None)  # the kept need summary (test_segmentation_kept_tabs)
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


@pytest.mark.parametrize("floors", [(), (1, 2, 4)], ids=["ranked_when_read", "floors_kept_by_the_fit"])
def test_a_need_page_is_looked_for_among_the_highest_revenues_first(small, monkeypatch, floors):
    """Revenues 180 (1, price), 60 (2, composite), 25 (3, price), none (4, unknown). Reaching the
    top k revenues: a page full there is the answer; else everyone is read. Both give the live page.
    The k-th highest revenue is ranked when read, or noted by the fit for a few k (here the 1st
    (180), the 2nd (60) and the 4th (none: every positive revenue), so each reach below is one of
    them)."""
    monkeypatch.setattr(fits, "REVENUE_FLOOR_REACHES", floors)
    fitted = fit(small, AS_OF)
    assert fitted.params["revenue_floors"] == ({"1": 180.0, "2": 60.0, "4": None} if floors else {})
    start, end = seg.default_period(AS_OF)
    monkeypatch.setattr(views, "NEED_PAGE_MIN_REACH", 1)
    monkeypatch.setattr(views, "NEED_PAGE_REACH", 1)  # reach = offset + limit
    queries = []
    real_run = views.run
    monkeypatch.setattr(views, "run", lambda cur, q: queries.append(q.sql) or real_run(cur, q))

    def page(actor, kind, limit, offset=0):
        queries.clear()
        ids = views.need_members(small, actor, start, end, kind, limit, offset)["customer_id"].tolist()
        return ids, ["monetary > 0" in q for q in queries if "needs AS" in q]  # within reach, or everyone
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


# -- the big-customer tab's value scores kept (fits.VALUE_MODEL, table fit_value_scores) ------------

VIEWER = Actor("v", "viewer")
OTHER_WEIGHTS = {"loyalty": 2.5, "stability": 1.5, "tolerance": 0.5, "feedback": 3.0, "referrals": 1.0,
                 "credit": 0.0, "influence": 4.5}


def fit_values(db, as_of: date) -> model_fits.Fit:
    return model_fits.fit_one(db, fits.FITTERS[2], as_of, NOW)


def test_the_kept_value_scores_are_the_hand_counted_ones(small):
    kept = fit_values(small, AS_OF)
    rows = small.query_df("SELECT * EXCLUDE (fit_id) FROM fit_value_scores WHERE fit_id = ? ORDER BY rank",
                          [kept.fit_id])
    # revenue 180, 60, 25 in the period (customer 4 bought nothing): ranks 1-3
    assert rows[["customer_id", "rank", "spend"]].values.tolist() == [[1, 1, 180.0], [2, 2, 60.0], [3, 3, 25.0]]
    # loyalty: tenure 486 / 364 / 149 days → 100 / 50 / 0; months bought 2 / 1 / 1 of 12 → 100 / 25 / 25
    assert rows["loyalty"].tolist() == [100.0, 37.5, 12.5]
    # stability: spend varies least for customer 1 (two months); 2 and 3 bought in one month each (tied)
    assert rows["stability"].tolist() == [100.0, 25.0, 25.0]
    assert rows["tolerance"].tolist() == [50.0, 50.0, 50.0]  # no complaints: all tied
    assert rows["influence"].tolist() == [0.0, 50.0, 100.0]  # 3, none (neutral), 5
    assert rows[["feedback", "referrals", "credit"]].isna().all().all()  # no answers; not recorded
    # default weights: the mean of the four factors with data; terciles of 3 customers
    assert rows["score"].tolist() == [62.5, 40.625, 46.875]
    assert rows["tier"].tolist() == [0, 2, 1]  # high, low, medium
    assert kept.params["n"] == 3 and kept.params["factors"] == ["loyalty", "stability", "tolerance", "influence"]


def tab_of(db, actor, q, weights=None) -> list:
    """What the big-customer tab shows: grid, counts, factors, list pages and whole lists, top 50 —
    from the kept value scores where they apply (as ui.segmentation.common reads them)."""
    view = views.kept_value_view(db, actor, q, weights)
    if view is None:
        base = views.kept_value_base(db, actor, q)
        view = views.scored_values(views.value_base(db, actor, q) if base is None else base, weights)
    counts, overlooked, scored = views.value_list_sizes(view)
    top = views.kept_value_top(db, actor, q, 50)
    shown = [counts, pd.DataFrame({"n": [overlooked, scored]}), pd.DataFrame({"f": list(view.factors)}),
             seg.top_customers(db, actor, q, 50, classified=views.value_base(db, actor, q) if top is None else top)]
    for which in views.VALUE_LISTS:
        shown += [views.value_list(db, view, which, offset) for offset in (0, 50, 120)]
        shown.append(views.value_list(db, view, which, limit=None))
    return shown


def old_tab_of(db, actor, q, weights=None) -> list:
    """The same from every customer's features ranked again and weighed in numpy (before 026)."""
    base = views.value_base(db, actor, q)
    view = views.scored_values(base, weights)
    shown = [view.grid.counts, pd.DataFrame({"n": [len(view.grid.not_to_overlook), len(view.scores)]}),
             pd.DataFrame({"f": list(view.factors)}), seg.top_customers(db, actor, q, 50, classified=base)]
    for which in views.VALUE_LISTS:
        shown += [views.value_list(db, view, which, offset) for offset in (0, 50, 120)]
        shown.append(views.value_list(db, view, which, limit=None))
    return shown


def assert_tab_as_before(db, actors, q, weightings=(None, OTHER_WEIGHTS)) -> None:
    for actor in actors:
        for weights in weightings:
            for a, b in zip(tab_of(db, actor, q, weights), old_tab_of(db, actor, q, weights), strict=True):
                assert_frame_equal(a, b, check_exact=True)


def test_the_big_customer_tab_reads_the_kept_scores_with_the_same_answers(demo_store, monkeypatch):
    fit_values(demo_store, DEMO_AS_OF)
    start, end = seg.default_period(DEMO_AS_OF)
    (rep,) = demo_store.query_one("SELECT min(sales_rep) FROM customers")
    actors = (MANAGER, VIEWER, Actor("r", "rep", rep_codes=(rep,)))
    for q in (seg.SegmentQuery(start, end), seg.SegmentQuery(start, end, a_share=0.1, b_share=0.3),
              seg.SegmentQuery(start, end, "margin"), seg.SegmentQuery(start + timedelta(days=1), end)):
        assert_tab_as_before(demo_store, actors, q)
    q = seg.SegmentQuery(start, end)
    assert views.kept_value_view(demo_store, MANAGER, q) is not None  # the kept path was compared
    assert views.kept_value_view(demo_store, MANAGER, q, OTHER_WEIGHTS) is None  # other weights: numpy
    assert views.kept_value_base(demo_store, VIEWER, q) is not None
    assert views.kept_value_base(demo_store, actors[2], q) is None  # a rep's percentiles are among their own
    assert views.kept_value_view(demo_store, MANAGER, seg.SegmentQuery(start, end, "margin")) is None
    # The default weights' tab reads no row per customer: the grid, a page and the top 50 from the kept rows
    monkeypatch.setattr(views, "_value_base", lambda *args: pytest.fail("ranked every customer"))
    monkeypatch.setattr(views, "scored_values", lambda *args: pytest.fail("weighed every customer"))
    view = views.kept_value_view(demo_store, MANAGER, q)
    assert view.scored == view.counts.to_numpy().sum() and view.overlooked == view.counts.loc["C", "high"]
    assert len(views.value_list(demo_store, view, "score", 0, 50)) == 50
    assert views.kept_value_top(demo_store, MANAGER, q, 50)["rank"].tolist() == list(range(1, 51))


def test_kept_value_scores_are_stale_once_influence_complaints_or_answers_change(demo_store):
    fit_values(demo_store, DEMO_AS_OF)
    q = seg.SegmentQuery(*seg.default_period(DEMO_AS_OF))
    assert views.kept_value_view(demo_store, MANAGER, q) is not None
    (customer,) = demo_store.query_one("SELECT customer_id FROM fit_value_scores ORDER BY rank LIMIT 1")
    for change in ("UPDATE customers SET influence = CASE WHEN influence = 5 THEN 1 ELSE 5 END WHERE customer_id = ?",
                   "INSERT INTO complaints (customer_id, received_at, channel, owner)"
                   " VALUES (?, TIMESTAMPTZ '2026-03-02 10:00:00+08', 'phone', 'x')",
                   "UPDATE survey_responses SET customer_id = ? WHERE response_id = (SELECT min(response_id)"
                   " FROM survey_responses WHERE customer_id IS NULL OR customer_id <> 0)"):
        with demo_store.transaction() as cur:  # no transaction changed: the data version stays
            cur.execute(change, [customer])
        assert views.kept_value_view(demo_store, MANAGER, q) is None  # read live, with the change
        assert_tab_as_before(demo_store, (MANAGER,), q, (None,))
        with closing(demo_store.system_cursor()) as cur:  # the job refits it
            stale = model_fits.latest_fit(cur, fits.VALUE_MODEL, DEMO_AS_OF)
            assert stale is not None and not fits.FITTERS[2].fresh(demo_store, cur, stale)
        fit_values(demo_store, DEMO_AS_OF)
        assert views.kept_value_view(demo_store, MANAGER, q) is not None
        assert_tab_as_before(demo_store, (MANAGER,), q, (None,))
