"""The Segmentation page's per-customer totals and ranks kept by the background fit
(crm_core.segmentation.fits, model 'segment_spend', table fit_segment_spend): hand-counted rows, and
the ABC, movement, resources and explanation reads, the Customers list's classes and activity giving
the live answers for every role, and never used for another period or once the transactions changed."""
from __future__ import annotations

from contextlib import closing
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from crm_core import customers, model_fits, summaries
from crm_core import segmentation as seg
from crm_core.segmentation import fits, views
from crm_core.sql import Fragment, run
from crm_core.users import Actor
from tests.conftest import DEMO_AS_OF
from tests.test_care import insert

AS_OF = date(2025, 6, 30)  # default period 2024-07-01 .. 2025-06-30; the one before 2023-07-01 .. 2024-06-30
NOW = datetime(2025, 7, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
MANAGER, VIEWER, REP = Actor("boss", "manager"), Actor("v", "viewer"), Actor("刘", "rep", rep_codes=("刘",))


def fit_spend(db, as_of: date) -> model_fits.Fit:
    return model_fits.fit_one(db, fits.FITTERS[1], as_of, NOW)


def fit_all(db, as_of: date) -> None:
    """The totals and the Home figures' rows (the Customers list's revenue) for ``as_of``."""
    from crm_core import overview
    fit_spend(db, as_of)
    model_fits.fit_one(db, next(f for f in overview.FITTERS if f.model == overview.MODEL), as_of, NOW)


@pytest.fixture
def small(store):
    """Customers 1-6 (刘 owns 3 and 5; 4 never bought). In the period: 1 buys 200 and returns 20
    (margin 65), 6 buys 180 (a tie with 1: ranked after it by id), 2 buys 60 (no margin recorded),
    3 buys 25 (margin 30), 5 only returns 10. The year before: 2 buys 300, 5 180, 1 50; 3's 999 is
    older than both."""
    with store.transaction() as cur:
        insert(cur, "customers", pd.DataFrame({"customer_id": [1, 2, 3, 4, 5, 6], "code": list("abcdef"),
                                               "name": "x", "sales_rep": ["陈", "陈", "刘", "陈", "刘", "陈"]}))
        insert(cur, "transactions", pd.DataFrame({
            "customer_id": [1, 1, 1, 6, 2, 3, 5, 1, 2, 5, 3],
            "amount": [100.0, 100.0, -20.0, 180.0, 60.0, 25.0, -10.0, 50.0, 300.0, 180.0, 999.0],
            "gross_margin": [30.0, 40.0, -5.0, 20.0, None, 30.0, -2.0, 10.0, 90.0, 65.0, 1.0],
            "txn_date": [date(2025, 6, 1), date(2025, 5, 10), date(2025, 5, 10), date(2025, 3, 3), date(2024, 7, 1),
                         date(2025, 2, 1), date(2025, 1, 1), date(2024, 3, 1), date(2023, 7, 1), date(2024, 6, 30),
                         date(2023, 6, 30)]}))
        summaries.rebuild(cur, record=False)
    return store


def test_the_kept_totals_and_ranks_are_the_hand_counted_ones(small):
    fit = fit_spend(small, AS_OF)
    rows = small.query_df("SELECT * EXCLUDE (fit_id) FROM fit_segment_spend WHERE fit_id = ? ORDER BY customer_id",
                          [fit.fit_id]).set_index("customer_id")
    assert list(rows.index) == [1, 2, 3, 5, 6]  # 4 never bought; 3 is here for this period, not for its 999
    as_lists = rows.astype(object).where(rows.notna(), None).to_dict("list")
    assert [None if v is None else float(v) for v in as_lists["revenue"]] == [180.0, 60.0, 25.0, -10.0, 180.0]
    assert [None if v is None else float(v) for v in as_lists["margin"]] == [65.0, None, 30.0, -2.0, 20.0]
    assert as_lists["revenue_rank"] == [1, 3, 4, None, 2]  # the tie of 1 and 6 goes to the lower id
    assert as_lists["margin_rank"] == [1, None, 2, None, 3]
    assert [None if v is None else float(v) for v in as_lists["prior_revenue"]] == [50.0, 300.0, None, 180.0, None]
    assert as_lists["prior_revenue_rank"] == [3, 1, None, 2, None]
    assert as_lists["prior_margin_rank"] == [3, 1, None, 2, None]
    assert fit.params["ranked"] == {"revenue_rank": 4, "margin_rank": 3, "prior_revenue_rank": 3,
                                    "prior_margin_rank": 3}
    assert (fit.params["prev_start"], fit.params["prev_end"]) == ("2023-07-01", "2024-06-30")


def test_the_movement_and_the_classes_read_from_the_kept_rows(small, monkeypatch):
    fit_spend(small, AS_OF)
    monkeypatch.setattr(views, "_period", lambda *args, **kwargs: pytest.fail("read the transactions"))
    q = seg.SegmentQuery(*seg.default_period(AS_OF))
    moved = views.class_movement(small, MANAGER, q).matrix  # n = 4 now, 3 before: A is rank 1, C the rest
    assert {(p, c): int(moved.loc[p, c]) for p in moved.index for c in moved.columns if moved.loc[p, c]} == {
        ("C", "A"): 1, ("A", "C"): 1, ("none", "C"): 2, ("C", "none"): 1}  # 1; 2; 3 and 6; 5
    page, count = views.movement_customers(small, REP, q, ("A",), ("none",))  # 刘's book: 5 fell out
    assert count == 1 and page[["customer_id", "prev_rank", "prev_spend"]].iloc[0].tolist() == [5, 1, 180.0]
    assert pd.isna(page["curr_rank"].iloc[0])
    margin = views.abc_overview(small, MANAGER, seg.SegmentQuery(q.start, q.end, "margin"))
    assert (margin.classified, margin.no_purchase, margin.not_positive, margin.total_spend) == (3, 2, 1, 115.0)
    explained = views.class_explanation(small, REP, 3, q)  # among 刘's: 3 alone has net revenue
    assert (explained["abc"], explained["rank"], explained["classified"], explained["spend"]) == ("A", 1, 1, 25.0)


READS = {
    "overview": lambda db, actor, q: views.abc_overview_and_page(db, actor, q, limit=2),
    "overview_curve": lambda db, actor, q: views.abc_overview(db, actor, q, 0.3, 3),
    "class_pages": lambda db, actor, q: [views.class_customers(db, actor, q, abc, 2, offset)
                                         for abc in (None, "A", "B", "C") for offset in (0, 1, 3)],
    "whole_classes": lambda db, actor, q: [views.class_customers(db, actor, q, abc, None) for abc in (None, "B")],
    "movement": lambda db, actor, q: views.class_movement_and_page(db, actor, q, limit=3),
    "movement_lists": lambda db, actor, q: [views.movement_customers(db, actor, q, prev, curr, limit, 1)
                                            for prev, curr in ((("A",), ("B", "C", "none")), (("none", "C"), ("A", "B")))
                                            for limit in (2, None)],
    "effort": lambda db, actor, q: views.effort_by_class(db, actor, q),
    "explained": lambda db, actor, q: [views.class_explanation(db, actor, i, q) for i in (1, 2, 3, 5, 6, 40, 77)],
}


def same(a, b) -> None:
    if isinstance(a, pd.DataFrame):
        assert_frame_equal(a, b, check_exact=True)
    elif isinstance(a, (tuple, list)):
        assert type(a) is type(b) and len(a) == len(b)
        for x, y in zip(a, b):
            same(x, y)
    elif isinstance(a, dict):
        assert a.keys() == b.keys()
        for key in a:
            same(a[key], b[key])
    else:
        assert a == b or (a != a and b != b), (a, b)  # NaN equals NaN here


def classes_of(db, actor, as_of: date) -> pd.DataFrame:
    with closing(db.cursor(actor)) as cur:
        cur.execute("BEGIN TRANSACTION")
        try:
            return run(cur, views.current_classes(actor, as_of, cur=cur)).df().sort_values("customer_id",
                                                                                          ignore_index=True)
        finally:
            cur.execute("ROLLBACK")


def activity_of(db, actor, as_of: date) -> pd.DataFrame:
    return customers.customer_activity(db, actor, as_of).to_pandas().sort_values("customer_id", ignore_index=True)


def answers(db, actors, as_of: date) -> list:
    start, end = seg.default_period(as_of)
    out = []
    for actor in actors:
        for q in (seg.SegmentQuery(start, end), seg.SegmentQuery(start, end, "margin"),
                  seg.SegmentQuery(start, end, "revenue", "0.1", "0.4"), seg.SegmentQuery(start, end, "margin", "0.5", "0.5")):
            out += [read(db, actor, q) for read in READS.values()]
        out += [classes_of(db, actor, as_of), activity_of(db, actor, as_of)]
    return out


def assert_kept_equals_live(db, monkeypatch, actors, as_of: date) -> None:
    used = []
    monkeypatch.setattr(views, "kept_spend", lambda *args: used.append(fits.kept_spend(*args)) or used[-1])
    kept = answers(db, actors, as_of)
    assert used and all(fit is not None for fit in used)  # every read above found the kept rows
    with monkeypatch.context() as live:
        live.setattr(views, "kept_spend", lambda *args: None)
        live.setattr(customers, "_kept_activity", lambda *args: None)
        computed = answers(db, actors, as_of)
    same(kept, computed)


def test_every_read_gives_the_live_answers(small, monkeypatch):
    fit_all(small, AS_OF)
    with closing(small.cursor(REP)) as cur:
        assert customers._kept_activity(cur, REP, AS_OF) is not None  # the activity is read from kept rows too
    assert_kept_equals_live(small, monkeypatch, (None, MANAGER, VIEWER, REP), AS_OF)


def test_kept_equals_live_on_the_demo(demo_store, monkeypatch):
    (rep,) = demo_store.query_one("SELECT min(sales_rep) FROM customers")
    fit_all(demo_store, DEMO_AS_OF)
    assert_kept_equals_live(demo_store, monkeypatch, (MANAGER, VIEWER, Actor("r", "rep", rep_codes=(rep,))),
                            DEMO_AS_OF)


def test_another_period_or_newer_transactions_are_computed_live(small):
    fit_all(small, AS_OF)
    start, end = seg.default_period(AS_OF)
    with small.transaction() as cur:
        assert fits.kept_spend(cur, start, end) is not None
        assert fits.kept_spend(cur, date(2024, 7, 2), end) is None  # not the default period: not kept
        assert fits.kept_spend(cur, *seg.default_period(date(2025, 5, 31))) is None  # no fit for that date
    q = seg.SegmentQuery(start, end)
    assert views.abc_overview(small, MANAGER, q).classified == 4
    with small.transaction() as cur:  # an import would do the same through its own writes
        insert(cur, "transactions", pd.DataFrame({"customer_id": [4], "amount": [70.0], "txn_date": [date(2025, 6, 2)]}))
        summaries.add_rows(cur, Fragment("txn_date = DATE '2025-06-02'"))
    with small.transaction() as cur:
        assert fits.kept_spend(cur, start, end) is None  # stale
    assert views.abc_overview(small, MANAGER, q).classified == 5
    assert 4 in set(activity_of(small, MANAGER, AS_OF)["customer_id"])


def test_the_activity_is_live_while_a_transaction_is_dated_after_the_date(small, monkeypatch):
    with small.transaction() as cur:
        insert(cur, "transactions", pd.DataFrame({"customer_id": [2], "amount": [5.0], "txn_date": [date(2025, 7, 3)]}))
        summaries.add_rows(cur, Fragment("txn_date = DATE '2025-07-03'"))
    fit_all(small, AS_OF)
    with closing(small.cursor(MANAGER)) as cur:
        assert customers._kept_activity(cur, MANAGER, AS_OF) is None  # 2's last purchase ever is not the one up to AS_OF
        assert customers._kept_activity(cur, MANAGER, date(2025, 7, 3)) is None  # no fit for that date
    activity = activity_of(small, MANAGER, AS_OF).set_index("customer_id")
    assert activity.loc[2, "last_purchase"] == date(2024, 7, 1) and activity.loc[2, "revenue_12m"] == 60.0
    assert_kept_equals_live(small, monkeypatch, (MANAGER, REP), AS_OF)
