"""The need-type and resources tabs' results kept by the background fit (crm_core.segmentation.fits,
models 'need_summary' and 'segment_effort', migration 031): hand-counted rows, the same answers as the
live reads for every role, the interactions logged since added, and the live reads again once what
the fit read is gone or changed."""
from __future__ import annotations

from contextlib import closing
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
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

AS_OF = date(2025, 6, 30)  # default period 2024-07-01 .. 2025-06-30
NOW = datetime(2025, 7, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
MANAGER, VIEWER, REP = Actor("boss", "manager"), Actor("v", "viewer"), Actor("刘", "rep", rep_codes=("刘",))
FITTER = {f.model: f for f in fits.FITTERS}


def fit(db, *models: str, as_of: date = AS_OF) -> dict:
    """The models named (with the kept rows they read first: fits.FITTERS' order), fitted for ``as_of``."""
    return {f.model: model_fits.fit_one(db, f, as_of, NOW) for f in fits.FITTERS if f.model in models}


def is_fresh(db, model: str, as_of: date) -> bool:
    """What the fit job asks of the newest fit of ``model`` for ``as_of``: whether it still matches
    the data it read besides the transactions."""
    with closing(db.system_cursor()) as cur:
        return FITTER[model].fresh(db, cur, model_fits.latest_fit(cur, model, as_of))


def local(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="Asia/Shanghai")


@pytest.fixture
def small(store):
    """Customers 1-6 (刘 owns 3 and 5; 4 never bought; 2 and 5 recorded their need type). Product P
    sells 6 units for 700 in the period (unit price 116.67): 1 buys 2 for 200, one line discounted
    (discount share 0.5: price); 3 buys 2 for 100 (relative price 0.43: price); 6 one for 250 (2.14,
    no discount: value); 2 one for 150 (its own 'value'); 5 only returns 10 (no signal: its own
    'price'). Revenue ranks 6, 1, 2, 3 (250, 200, 150, 100); margin ranks 1, 3, 6 (60, 40, 20).
    The year before, 2 alone bought (300, margin 90 on 2024-03-01).
    Interactions in the period (local days): 1 on 2025-01-10 (10 + 5) and on 2025-06-30 23:30 (1),
    6 on 2024-07-01 00:10 (20), 4 (7) and 5 (3); 3's of 2024-06-30 23:59 and 2's of 2025-07-01 00:00
    fall outside."""
    with store.transaction() as cur:
        insert(cur, "customers", pd.DataFrame({"customer_id": [1, 2, 3, 4, 5, 6], "code": list("abcdef"), "name": "x",
                                               "sales_rep": ["陈", "陈", "刘", "陈", "刘", "陈"],
                                               "need_type": [None, "value", None, None, "price", None]}))
        insert(cur, "transactions", pd.DataFrame({
            "customer_id": [1, 1, 2, 3, 6, 5, 2],
            "amount": [100.0, 100.0, 150.0, 100.0, 250.0, -10.0, 300.0],
            "gross_margin": [30.0, 30.0, None, 40.0, 20.0, -2.0, 90.0],
            "txn_date": [date(2025, 5, 1), date(2025, 6, 1), date(2024, 9, 1), date(2025, 2, 1), date(2025, 3, 1),
                         date(2025, 1, 1), date(2024, 3, 1)],
            "product": ["P", "P", "P", "P", "P", None, None],
            "quantity": [1.0, 1.0, 1.0, 2.0, 1.0, None, None],
            "discount": [10.0, 0.0, 0.0, 0.0, 0.0, None, None]}))
        summaries.rebuild(cur, record=False)
        insert(cur, "interactions", pd.DataFrame({
            "interaction_id": [1, 2, 3, 4, 5, 6, 7], "customer_id": [1, 1, 6, 4, 3, 2, 5],
            "occurred_at": [local("2025-01-10 10:00"), local("2025-06-30 23:30"), local("2024-07-01 00:10"),
                            local("2025-03-01 12:00"), local("2024-06-30 23:59"), local("2025-07-01 00:00"),
                            local("2025-02-01 09:00")],
            "channel": "visit", "cost": [10.0, 1.0, 20.0, 7.0, 100.0, 50.0, 3.0],
            "concession": [5.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]}))
        cur.execute("SELECT setval('interaction_id_seq', 7)")
    return store


def period(as_of: date = AS_OF) -> tuple[date, date]:
    return seg.default_period(as_of)


# -- the need summary ------------------------------------------------------------------------------

def test_the_kept_need_summary_is_the_hand_counted_one(small, monkeypatch):
    fitted = fit(small, "segments", "need_summary")["need_summary"]
    rows = small.query_df("SELECT * EXCLUDE (fit_id) FROM fit_need_summary WHERE fit_id = ? ORDER BY ALL",
                          [fitted.fit_id])
    assert rows.values.tolist() == [["price", "inferred", 2, 300.0], ["price", "own", 1, -10.0],
                                    ["unknown", "none", 1, 0.0], ["value", "inferred", 1, 250.0],
                                    ["value", "own", 1, 150.0]]
    assert fitted.params["sources"][0] == 6  # customers on file
    monkeypatch.setattr(views, "live_need_signals", lambda *args: pytest.fail("read the transactions"))
    monkeypatch.setattr(views, "kept_fit", lambda *args: pytest.fail("read the kept signals"))
    summary = views.need_summary(small, MANAGER, *period())
    assert summary[["need_type", "need_source", "customers", "revenue"]].values.tolist() == [
        ["price", "inferred", 2, 300.0], ["price", "own", 1, -10.0], ["value", "inferred", 1, 250.0],
        ["value", "own", 1, 150.0], ["unknown", "none", 1, 0.0]]


def need_answers(db, actors, as_of: date) -> list:
    return [views.need_summary(db, actor, *period(as_of)) for actor in actors]


def assert_needs_kept_equal_live(db, monkeypatch, actors, as_of: date) -> None:
    used = []
    monkeypatch.setattr(views, "kept_needs", lambda *args: used.append(fits.kept_needs(*args)) or used[-1])
    kept = need_answers(db, actors, as_of)
    assert used and all(found is not None for found in used)  # every user who sees everyone read the kept cells
    with monkeypatch.context() as live:
        live.setattr(views, "kept_needs", lambda *args: None)
        live.setattr(views, "kept_fit", lambda *args: None)
        computed = need_answers(db, actors, as_of)
    for a, b in zip(kept, computed):
        assert_frame_equal(a, b, check_exact=True)


def test_the_need_summary_gives_the_live_answers_for_every_role(small, monkeypatch):
    fit(small, "segments", "need_summary")
    assert_needs_kept_equal_live(small, monkeypatch, (None, MANAGER, VIEWER, REP), AS_OF)
    assert views.need_summary(small, REP, *period())["customers"].sum() == 2  # 刘's 3 and 5, live


def test_a_recorded_need_type_changed_is_counted_live_until_refitted(small):
    fit(small, "segments", "need_summary")
    start, end = period()
    with small.transaction() as cur:
        cur.execute("UPDATE customers SET need_type = 'composite' WHERE customer_id = 6")  # was inferred 'value'
    with small.transaction(changes_data=False) as cur:
        assert fits.kept_needs(cur, start, end) is None  # the fingerprint of the need types moved
    summary = views.need_summary(small, MANAGER, start, end).set_index(["need_type", "need_source"])
    assert summary.loc[("composite", "own"), "customers"] == 1 and ("value", "inferred") not in summary.index
    assert not is_fresh(small, "need_summary", end)  # the job refits it
    fit(small, "need_summary")
    with small.transaction(changes_data=False) as cur:
        assert fits.kept_needs(cur, start, end) is not None


def test_another_period_is_counted_live(small):
    fit(small, "segments", "need_summary")
    with small.transaction(changes_data=False) as cur:
        assert fits.kept_needs(cur, date(2024, 7, 2), AS_OF) is None
        assert fits.kept_needs(cur, *period(date(2025, 5, 31))) is None


# -- the effort by class ---------------------------------------------------------------------------

def effort(db, actor, measure="revenue", a="0.05", b="0.20", as_of: date = AS_OF) -> pd.DataFrame:
    return views.effort_by_class(db, actor, seg.SegmentQuery(*period(as_of), measure, Decimal(a), Decimal(b)))


def rows_of(frame: pd.DataFrame) -> list:
    return frame.values.tolist()


def test_the_kept_effort_is_the_hand_counted_one(small, monkeypatch):
    fitted = fit(small, "segment_spend", "segment_effort")["segment_effort"]
    rows = small.query_df("SELECT * EXCLUDE (fit_id) FROM fit_segment_effort WHERE fit_id = ? ORDER BY customer_id",
                          [fitted.fit_id])
    as_lists = rows.astype(object).where(rows.notna(), None).values.tolist()
    assert [[r[0], r[1], r[2], r[3], float(r[4])] for r in as_lists] == [
        [1, 2, 1, 2, 16.0], [4, None, None, 1, 7.0], [5, None, None, 1, 3.0], [6, 1, 3, 1, 20.0]]
    assert (fitted.params["max_interaction_id"], fitted.params["interactions"], fitted.params["off_file"]) == (7, 7, 0)
    assert fitted.params["customers"][:2] == [6, 6]  # the largest id on file, and how many up to it
    monkeypatch.setattr(views, "_period", lambda *args, **kwargs: pytest.fail("read the transactions"))
    monkeypatch.setattr(views.access, "unbroken_customer_ids", lambda *args: pytest.fail("read live"))
    # n = 4: A is rank 1 (6), B none, C ranks 2-4 (1, 2, 3); 4 and 5 did not buy
    assert rows_of(effort(small, MANAGER)) == [["A", 1, 1, 20.0], ["B", 0, 0, 0.0], ["C", 3, 2, 16.0],
                                              ["none", 2, 2, 10.0]]
    assert rows_of(effort(small, MANAGER, "revenue", "0.1", "0.4")) == [  # B is rank 2: customer 1
        ["A", 1, 1, 20.0], ["B", 1, 2, 16.0], ["C", 2, 0, 0.0], ["none", 2, 2, 10.0]]
    assert rows_of(effort(small, MANAGER, "margin", "0.1", "0.4")) == [  # n = 3: 1, 3, 6; none 2, 4, 5
        ["A", 1, 2, 16.0], ["B", 1, 0, 0.0], ["C", 1, 1, 20.0], ["none", 3, 2, 10.0]]


SHARES = (("revenue", "0.05", "0.20"), ("margin", "0.05", "0.20"), ("revenue", "0.1", "0.4"),
          ("margin", "0.1", "0.4"), ("revenue", "0.5", "0.5"), ("margin", "1", "1"))


def effort_answers(db, actors, as_of: date) -> list:
    return [effort(db, actor, *shares, as_of=as_of) for actor in actors for shares in SHARES]


def assert_effort_kept_equals_live(db, monkeypatch, actors, as_of: date, kept_used: bool = True) -> None:
    used = []
    real = views._kept_effort
    monkeypatch.setattr(views, "_kept_effort", lambda *args: used.append(real(*args)) or used[-1])
    kept = effort_answers(db, actors, as_of)
    assert any(found is not None for found in used) == kept_used
    with monkeypatch.context() as live:
        live.setattr(views, "_kept_effort", lambda *args: None)
        computed = effort_answers(db, actors, as_of)
    for a, b in zip(kept, computed):
        assert_frame_equal(a, b, check_exact=True)


def test_the_effort_gives_the_live_answers_for_every_role(small, monkeypatch):
    fit(small, "segment_spend", "segment_effort")
    assert_effort_kept_equals_live(small, monkeypatch, (None, MANAGER, VIEWER, REP), AS_OF)


def test_interactions_logged_since_are_added(small, monkeypatch):
    fit(small, "segment_spend", "segment_effort")
    with small.transaction() as cur:  # 3 (rank 4, C) and 4 (none) in the period, 2 after it, 99 not on file
        insert(cur, "interactions", pd.DataFrame({
            "customer_id": [3, 4, 2, 99], "occurred_at": [local("2025-06-01 08:00"), local("2024-12-24 18:00"),
                                                           local("2025-07-02 08:00"), local("2025-06-01 08:00")],
            "channel": "phone", "cost": [2.5, 1.0, 9.0, 4.0], "concession": [0.5, 0.0, 0.0, 0.0]}))
    assert rows_of(effort(small, MANAGER)) == [["A", 1, 1, 20.0], ["B", 0, 0, 0.0], ["C", 3, 3, 19.0],
                                              ["none", 2, 3, 11.0]]
    assert_effort_kept_equals_live(small, monkeypatch, (MANAGER, REP), AS_OF)


def test_an_interaction_or_a_customer_gone_is_counted_live(small, monkeypatch):
    fit(small, "segment_spend", "segment_effort")
    start, end = period()
    with small.transaction() as cur:
        cur.execute("DELETE FROM interactions WHERE interaction_id = 3")
    assert rows_of(effort(small, MANAGER))[0] == ["A", 1, 0, 0.0]
    assert_effort_kept_equals_live(small, monkeypatch, (MANAGER,), AS_OF, kept_used=False)
    assert not is_fresh(small, "segment_effort", end)  # the job refits it
    fit(small, "segment_effort")
    with small.transaction() as cur:  # 4 never bought: no transaction refers to it
        cur.execute("DELETE FROM customers WHERE customer_id = 4")
    assert rows_of(effort(small, MANAGER))[3] == ["none", 1, 1, 3.0]
    assert_effort_kept_equals_live(small, monkeypatch, (MANAGER,), AS_OF, kept_used=False)


def test_a_customer_added_since_counts_among_those_without_a_purchase(small, monkeypatch):
    fit(small, "segment_spend", "segment_effort")
    with small.transaction() as cur:
        insert(cur, "customers", pd.DataFrame({"customer_id": [7], "code": ["g"], "name": "x", "sales_rep": ["刘"]}))
    assert rows_of(effort(small, MANAGER))[3] == ["none", 3, 2, 10.0]
    assert_effort_kept_equals_live(small, monkeypatch, (MANAGER, REP), AS_OF)


def test_rows_of_customers_not_on_file_send_the_effort_live(small, monkeypatch):
    """An interaction of customer 99 in the period and a purchase of 98, neither on file: the
    effort never counts them, and the classes' sizes are no longer the rank ranges'."""
    with small.transaction() as cur:
        insert(cur, "interactions", pd.DataFrame({"customer_id": [99], "occurred_at": [local("2025-06-01 08:00")],
                                                  "channel": "phone", "cost": [4.0]}))
    fitted = fit(small, "segment_spend", "segment_effort")["segment_effort"]
    assert fitted.params["off_file"] == 1
    assert_effort_kept_equals_live(small, monkeypatch, (MANAGER,), AS_OF, kept_used=False)
    with small.transaction() as cur:
        cur.execute("DELETE FROM interactions WHERE customer_id = 99")
        insert(cur, "transactions", pd.DataFrame({"customer_id": [98], "amount": [5.0], "txn_date": [date(2025, 6, 2)]}))
        summaries.add_rows(cur, Fragment("customer_id = 98"))
    fitted = fit(small, "segment_spend", "segment_effort")["segment_effort"]
    assert fitted.params["off_file"] == 1
    assert rows_of(effort(small, MANAGER))[2] == ["C", 3, 2, 16.0]  # n = 5, but 98 is no one's class here
    assert_effort_kept_equals_live(small, monkeypatch, (MANAGER,), AS_OF, kept_used=False)


def test_another_period_or_newer_transactions_are_counted_live(small, monkeypatch):
    fit(small, "segment_spend", "segment_effort")
    with small.transaction(changes_data=False) as cur:
        assert fits.kept_effort(cur, *period()) is not None
        assert fits.kept_effort(cur, date(2024, 7, 2), AS_OF) is None  # not the default period: not kept
        assert fits.kept_effort(cur, *period(date(2025, 5, 31))) is None  # no fit for that date
    with small.transaction() as cur:  # 4 buys: ranks 6, 1, 2, 3, 4
        insert(cur, "transactions", pd.DataFrame({"customer_id": [4], "amount": [70.0], "txn_date": [date(2025, 6, 2)]}))
        summaries.add_rows(cur, Fragment("customer_id = 4"))
    with small.transaction(changes_data=False) as cur:
        assert fits.kept_effort(cur, *period()) is None  # stale
    assert rows_of(effort(small, MANAGER))[2:] == [["C", 4, 3, 23.0], ["none", 1, 1, 3.0]]


def test_kept_equals_live_on_the_demo(demo_store, monkeypatch):
    (rep,) = demo_store.query_one("SELECT min(sales_rep) FROM customers")
    actors = (MANAGER, VIEWER, Actor("r", "rep", rep_codes=(rep,)))
    fit(demo_store, "segments", "segment_spend", "need_summary", "segment_effort", "segment_overview",
        "segment_movement", as_of=DEMO_AS_OF)
    assert_needs_kept_equal_live(demo_store, monkeypatch, actors, DEMO_AS_OF)
    assert_classes_kept_equal_live(demo_store, monkeypatch, actors, DEMO_AS_OF)
    assert_effort_kept_equals_live(demo_store, monkeypatch, actors, DEMO_AS_OF)
    with demo_store.transaction() as cur:  # a contact logged since, as the Care page logs one
        cur.execute("INSERT INTO interactions (customer_id, occurred_at, channel, cost, concession)"
                    " SELECT min(customer_id), TIMESTAMPTZ '2026-06-30 10:00:00+08', 'visit', 12.5, 0 FROM customers")
    assert_effort_kept_equals_live(demo_store, monkeypatch, actors, DEMO_AS_OF)


# -- the ABC figures and the movement matrix of the default classification ---------------------------

def test_the_kept_abc_figures_and_movement_are_the_hand_counted_ones(small, monkeypatch):
    fitted = fit(small, "segment_spend", "segment_overview", "segment_movement")
    rows = small.query_df("SELECT * EXCLUDE (fit_id) FROM fit_segment_overview WHERE fit_id = ? ORDER BY measure DESC,"
                          " first_rank", [fitted["segment_overview"].fit_id])
    # n = 4 (revenue): A is rank 1 alone (ceil(5 % of 4)), B none (ceil(20 % of 4) = 1), C ranks 2-4;
    # bucket (rank − 1) · 200 // 4; weighted (n − rank + 1) · spend; the 80/20 point's ranks: 1
    assert [[r[1], *map(int, r[2:4]), r[4], *map(int, r[5:8]), r[8], r[9], r[11]] for r in rows.values[:4]] == [
        ["A", 0, 1, 250.0, 1, 1, 4, 1000.0, 250.0, 700.0], ["C", 50, 1, 200.0, 2, 2, 4, 600.0, 0.0, 700.0],
        ["C", 100, 1, 150.0, 3, 3, 4, 300.0, 0.0, 700.0], ["C", 150, 1, 100.0, 4, 4, 4, 100.0, 0.0, 700.0]]
    assert rows["buying"].iloc[:4].isna().all() and set(rows["measure"].iloc[:4]) == {"revenue"}
    # margin: n = 3 (1, 3, 6: 60, 40, 20), buckets 0, 66, 133; 4 customers bought (1, 2, 3, 6)
    assert rows.iloc[4:][["abc", "bucket", "spend", "buying", "total"]].values.tolist() == [
        ["A", 0, 60.0, 4, 120.0], ["C", 66, 40.0, 4, 120.0], ["C", 133, 20.0, 4, 120.0]]
    moved = small.query_df("SELECT * EXCLUDE (fit_id) FROM fit_segment_movement WHERE fit_id = ? ORDER BY ALL",
                           [fitted["segment_movement"].fit_id])
    assert moved.values.tolist() == [  # 2 fell from A (rank 1 of 1 the year before) to C (rank 3)
        ["margin", "A", "none", 1], ["margin", "none", "A", 1], ["margin", "none", "C", 2],
        ["revenue", "A", "C", 1], ["revenue", "none", "A", 1], ["revenue", "none", "C", 2]]
    monkeypatch.setattr(views, "_overview_query", lambda *args: pytest.fail("ranked the kept totals"))
    q = seg.SegmentQuery(*period())
    overview, (page, count) = views.abc_overview_and_page(small, MANAGER, q, limit=2)
    assert (overview.classified, overview.no_purchase, overview.total_spend, count) == (4, 2, 700.0, 1)
    assert overview.gini == pytest.approx(2 * 2000 / (4 * 700) - 5 / 4)
    assert page[["customer_id", "code", "abc", "rank", "spend", "cum_share"]].values.tolist() == [
        [6, "f", "A", 1, 250.0, 250 / 700]]
    movement, (page, count) = views.class_movement_and_page(small, MANAGER, q)
    assert count == 1 and page[["customer_id", "prev_abc", "curr_abc", "prev_rank", "curr_rank"]].values.tolist() == [
        [2, "A", "C", 1, 3]]
    assert int(movement.matrix.loc["none", "C"]) == 2


def assert_classes_kept_equal_live(db, monkeypatch, actors, as_of: date) -> None:
    """Every read of the ABC, movement and resources tabs (tests/test_segmentation_spend.READS, four
    classifications) gives the same answers with the kept figures as without them (the totals kept
    either way), and the kept figures were read."""
    from tests.test_segmentation_spend import answers, same
    used = []
    for name in ("kept_overview", "kept_movement"):
        real = getattr(fits, name)
        monkeypatch.setattr(views, name, lambda *args, real=real: used.append(real(*args)) or used[-1])
    kept = answers(db, actors, as_of)
    assert any(found is not None for found in used)
    with monkeypatch.context() as live:
        live.setattr(views, "kept_overview", lambda *args: None)
        live.setattr(views, "kept_movement", lambda *args: None)
        computed = answers(db, actors, as_of)
    same(kept, computed)


def test_the_abc_figures_and_movement_give_the_live_answers_for_every_role(small, monkeypatch):
    fit(small, "segment_spend", "segment_overview", "segment_movement")
    assert_classes_kept_equal_live(small, monkeypatch, (None, MANAGER, VIEWER, REP), AS_OF)


def test_the_abc_figures_are_never_read_for_other_shares_or_newer_transactions(small, monkeypatch):
    fit(small, "segment_spend", "segment_overview", "segment_movement")
    start, end = period()
    assert views._default_classes(seg.SegmentQuery(start, end, "margin", Decimal("0.05"), Decimal("0.2")))
    assert not views._default_classes(seg.SegmentQuery(start, end, "revenue", Decimal("0.1"), Decimal("0.4")))
    assert not views._default_classes(seg.SegmentQuery(start, end), Fraction(1, 4))  # another 80/20 point
    with small.transaction() as cur:  # 4 buys 70: ranks 6, 1, 2, 3, 4
        insert(cur, "transactions", pd.DataFrame({"customer_id": [4], "amount": [70.0], "txn_date": [date(2025, 6, 2)]}))
        summaries.add_rows(cur, Fragment("customer_id = 4"))
    with small.transaction(changes_data=False) as cur:
        assert fits.kept_overview(cur, start, end) is None and fits.kept_movement(cur, start, end) is None
    assert views.abc_overview(small, MANAGER, seg.SegmentQuery(start, end)).classified == 5


# -- the RFM cells, and a page of a segment looked for among the highest revenues first --------------

def rfm_answers(db, actors, as_of: date) -> list:
    start, end = period(as_of)
    out = []
    for actor in actors:
        out.append(views.rfm_summary(db, actor, start, end))
        out += [views.rfm_members(db, actor, start, end, segment, limit, offset) for segment in seg.RFM_SEGMENTS
                for limit, offset in ((50, 0), (1, 0), (1, 1), (2, 1), (None, 0))]
    return out


def assert_rfm_kept_equals_live(db, monkeypatch, actors, as_of: date) -> None:
    used = []
    monkeypatch.setattr(views, "kept_rfm_cells", lambda *args: used.append(fits.kept_rfm_cells(*args)) or used[-1])
    kept = rfm_answers(db, actors, as_of)
    assert used and all(found is not None for found in used)
    with monkeypatch.context() as live:
        live.setattr(views, "kept_fit", lambda *args: None)  # the rows live, hence the cells
        computed = rfm_answers(db, actors, as_of)
    for a, b in zip(kept, computed):
        assert_frame_equal(a, b, check_exact=True)


def test_the_kept_rfm_cells_are_the_hand_counted_ones(small, monkeypatch):
    """Buyers in the period (recency to 2025-06-30): 1 on 2 days, last 2025-06-01 (29 days, 200);
    6 (121 days, 250), 3 (149, 100), 2 (302, 150); 5 only returned goods: no buyer."""
    fitted = fit(small, "segments", "rfm_cells")["rfm_cells"]
    rows = small.query_df("SELECT * EXCLUDE (fit_id) FROM fit_rfm_cells WHERE fit_id = ? ORDER BY ALL",
                          [fitted.fit_id])
    assert rows.values.tolist() == [[29, 2, 1, 200.0], [121, 1, 1, 250.0], [149, 1, 1, 100.0], [302, 1, 1, 150.0]]
    monkeypatch.setattr(views, "_RFM_CELLS_OF_ROWS", "rfm_cells AS (SELECT error('counted the rows'))")
    assert views.rfm_summary(small, MANAGER, *period())["customers"].sum() == 4
    assert views.rfm_members(small, MANAGER, *period(), "champions")["customer_id"].tolist() == [1]  # R 5, F 5


@pytest.mark.parametrize("floors", [(), (1, 2, 4)], ids=["ranked_when_read", "floors_kept_by_the_fit"])
def test_the_rfm_tab_gives_the_live_answers_for_every_role(small, monkeypatch, floors):
    monkeypatch.setattr(fits, "REVENUE_FLOOR_REACHES", floors)
    monkeypatch.setattr(views, "NEED_PAGE_MIN_REACH", 1)
    monkeypatch.setattr(views, "NEED_PAGE_REACH", 1)  # reach = offset + limit: the pages below try it
    fit(small, "segments", "rfm_cells")
    assert_rfm_kept_equals_live(small, monkeypatch, (None, MANAGER, VIEWER, REP), AS_OF)


def test_a_page_of_a_segment_is_looked_for_among_the_highest_revenues_first(small, monkeypatch):
    """Every buyer of the small store is in its own cell; with floors at the 1st (250) and 2nd (200)
    revenue, a page of one is found within reach when its member is one of those, else everyone's
    rows are read: the same pages."""
    monkeypatch.setattr(fits, "REVENUE_FLOOR_REACHES", (1, 2))
    monkeypatch.setattr(views, "NEED_PAGE_MIN_REACH", 1)
    monkeypatch.setattr(views, "NEED_PAGE_REACH", 1)
    fit(small, "segments", "rfm_cells")
    queries = []
    real_run = views.run
    monkeypatch.setattr(views, "run", lambda cur, q: queries.append(q.sql) or real_run(cur, q))
    start, end = period()
    within = {}
    for segment in seg.RFM_SEGMENTS:
        for offset in (0, 1):
            queries.clear()
            views.rfm_members(small, MANAGER, start, end, segment, 1, offset)
            tried = ["monetary >= $floor" in q for q in queries if "members AS" in q]
            assert tried[0] and len(tried) in (1, 2)  # within reach first; everyone's rows only if not full there
            within[(segment, offset)] = len(tried) == 1
    assert not within[("champions", 0)]  # its one member, 1 (200), is below the highest revenue (6's 250)
    assert sum(within.values()) == 1  # 6's segment, its first page: 250 is the highest revenue
