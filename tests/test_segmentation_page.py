"""The Segmentation page's store reads (crm_core.segmentation, page section) and the page itself.

Every expected number is worked out by hand in a comment, or is the pure-pandas contract
(``abc_classify``, ``pareto_summary``, ``class_migration``, ``fell_out_of_a``) on the same data."""
from datetime import date
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from crm_core import access
from crm_core import segmentation as seg
from crm_core.users import Actor
from tests import reference
from tests.test_pages import run_page
from tests.test_segmentation import add_customers, add_transactions

JAN = (date(2024, 1, 1), date(2024, 1, 31))


def load(store, spends, day="2024-01-15", ids=None, reps=None):
    """One purchase per customer on ``day``: customer i (1-based) spends spends[i-1]."""
    ids = list(range(1, len(spends) + 1)) if ids is None else ids
    cur = store.cursor()
    existing = set(cur.execute("SELECT customer_id FROM customers").df()["customer_id"])
    add_customers(cur, [i for i in ids if i not in existing])
    add_transactions(cur, [(i, day, f"{s:.2f}", None, None, None, None) for i, s in zip(ids, spends) if s])
    if reps:
        for i, rep in reps.items():
            cur.execute("UPDATE customers SET sales_rep = ? WHERE customer_id = ?", [rep, i])
    cur.close()


def query(a=0.05, b=0.20, period=JAN, measure="revenue"):
    return seg.SegmentQuery(period[0], period[1], measure, a, b)


# --- ABC overview and class lists --------------------------------------------------------------

def test_worked_example_100_customers_in_the_store(store):
    # docs/domain.md §2: customer i spends 1010 − 10·i → A = 1–5, B = 6–20, C = 21–100
    load(store, [1010 - 10 * i for i in range(1, 101)])
    overview = seg.abc_overview(store, None, query())
    assert [overview.classes[c]["count"] for c in "ABC"] == [5, 15, 80]
    assert (overview.classes["A"]["first_rank"], overview.classes["A"]["last_rank"]) == (1, 5)
    assert (overview.classes["B"]["first_rank"], overview.classes["B"]["last_rank"]) == (6, 20)
    # total = Σ(1010 − 10i) = 101000 − 50500 = 50500; A = 1000+990+980+970+960 = 4900
    assert overview.total_spend == 50500 and overview.classes["A"]["spend"] == 4900
    # top 20 = Σ_{i≤20}(1010 − 10i) = 20200 − 2100 = 18100
    assert overview.top_customers == 20 and overview.top_spend_share == pytest.approx(18100 / 50500)
    b_page, b_count = seg.class_customers(store, None, query(), "B", limit=10, offset=5)
    assert b_count == 15 and b_page["customer_id"].tolist() == list(range(11, 21))
    assert b_page["rank"].tolist() == list(range(11, 21)) and set(b_page["abc"]) == {"B"}
    # cumulative share at rank 20 is the top-20 share
    assert b_page["cum_share"].iloc[-1] == pytest.approx(18100 / 50500)
    assert b_page["name"].iloc[0] == "Customer 11" and b_page["code"].iloc[0] == "C11"


def random_spends(rng, n=500):
    cents = rng.integers(1, 200_000, n)
    cents[:40] = 12_345  # ties, exercised across class boundaries
    return cents / 100


def test_overview_agrees_with_pandas_pareto_summary(store):
    spends = random_spends(np.random.default_rng(5))
    load(store, spends.tolist())
    expected_classes = seg.abc_classify(pd.DataFrame({"customer_id": range(1, 501), "spend": spends}), 0.07, 0.3)
    expected = seg.pareto_summary(expected_classes)
    overview = seg.abc_overview(store, None, query(0.07, 0.3))
    assert overview.classified == expected["customers"] == 500
    assert overview.top_customers == expected["top_customers"] == 100
    assert overview.top_spend_share == pytest.approx(expected["top_spend_share"], rel=1e-12)
    assert overview.gini == pytest.approx(expected["gini"], rel=1e-9)
    for cls in "ABC":
        assert overview.classes[cls]["count"] == expected["classes"][cls]["count"]
        assert overview.classes[cls]["spend"] == pytest.approx(expected["classes"][cls]["spend"])
    # the Pareto curve is the Lorenz curve turned round: every point lies on the exact curve
    ranked = np.sort(spends)[::-1]
    exact = np.concatenate(([0.0], np.cumsum(ranked) / ranked.sum()))
    curve = overview.pareto
    assert 2 <= len(curve) <= 204
    positions = np.rint(curve["customer_fraction"].to_numpy() * 500).astype(int)
    np.testing.assert_allclose(curve["spend_fraction"], exact[positions], atol=1e-12)
    # pages of the list agree with the pandas ranking, ties included
    page, count = seg.class_customers(store, None, query(0.07, 0.3), None, limit=60, offset=20)
    reference = expected_classes.iloc[20:80]
    assert count == 500 and page["customer_id"].tolist() == reference["customer_id"].tolist()
    assert page["abc"].tolist() == reference["abc"].tolist()
    np.testing.assert_allclose(page["cum_share"], reference["cum_share"], rtol=1e-12)
    whole, count = seg.class_customers(store, None, query(0.07, 0.3), "C", limit=None)
    assert count == 350 and whole["rank"].tolist() == list(range(151, 501))


def test_ties_rank_by_customer_number(store):
    # 3 and 1 both spend 100: customer 1 ranks first; with 4 customers A = ceil(0.2) = 1
    load(store, [100, 30, 100, 50])
    page, _ = seg.class_customers(store, None, query(), None)
    assert page["customer_id"].tolist() == [1, 3, 4, 2]
    assert page["abc"].tolist() == ["A", "C", "C", "C"]  # B up to ceil(0.8) = 1 → none
    assert seg.class_explanation(store, None, 3, query())["rank"] == 2


def test_eleven_customers_one_customer_and_all_zero(store):
    # 11 customers: A = ceil(0.55) = 1, B up to ceil(2.2) = 3, C = 8
    load(store, list(range(11, 0, -1)))
    overview = seg.abc_overview(store, None, query())
    assert [overview.classes[c]["count"] for c in "ABC"] == [1, 2, 8]
    # one customer in February: class A with the whole revenue; the other 10 did not buy
    load(store, [42.5], day="2024-02-10", ids=[12])
    feb = seg.abc_overview(store, None, query(period=(date(2024, 2, 1), date(2024, 2, 29))))
    assert feb.classified == 1 and feb.classes["A"]["share"] == 1.0 and feb.no_purchase == 11
    assert feb.gini == pytest.approx(0.0) and feb.top_spend_share == 1.0
    # March: nobody bought → nothing ranked, every customer counted apart, no curve
    march = seg.abc_overview(store, None, query(period=(date(2024, 3, 1), date(2024, 3, 31))))
    assert march.classified == 0 and march.no_purchase == 12 and march.gini is None
    assert march.pareto.empty and march.classes["A"]["count"] == 0
    assert seg.class_customers(store, None, query(period=(date(2024, 3, 1), date(2024, 3, 31))), "A")[1] == 0


def test_margin_measure_counts_buyers_without_margin_apart(store):
    cur = store.cursor()
    add_customers(cur, [1, 2, 3])
    add_transactions(cur, [(1, "2024-01-05", "100.00", "30.00", None, None, None),
                           (2, "2024-01-06", "500.00", "-5.00", None, None, None),  # sold at a loss
                           (3, "2024-01-07", "80.00", None, None, None, None)])  # margin unknown
    cur.close()
    overview = seg.abc_overview(store, None, query(measure="margin"))
    assert overview.classified == 1 and overview.not_positive == 2 and overview.no_purchase == 0



@pytest.mark.parametrize("who", [None, Actor("Li", "rep")])
def test_overview_and_first_pages_in_one_pass_give_the_same_answers(store, who):
    # customer i (1..40) pays 100·i with a margin of 10·((7·i) mod 40) − 50: some margins are not
    # positive (customer 40: 10·0 − 50 = −50), so the margin's buyers are counted apart from its classes
    cur = store.cursor()
    add_customers(cur, list(range(1, 41)))
    add_transactions(cur, [(i, "2024-01-10", f"{100 * i}.00", f"{10 * (7 * i % 40) - 50}.00", None, None, None)
                           for i in range(1, 41)])
    for i in range(1, 41, 2):
        cur.execute("UPDATE customers SET sales_rep = 'Li' WHERE customer_id = ?", [i])
    cur.close()
    for measure in ("revenue", "margin"):
        q = query(0.1, 0.3, measure=measure)
        for limit in (3, 50):  # a page shorter than the A list, and one that holds all of it
            overview, (page, count) = seg.abc_overview_and_page(store, who, q, limit=limit)
            separate = seg.abc_overview(store, who, q)
            assert overview._replace(pareto=None) == separate._replace(pareto=None)
            pd.testing.assert_frame_equal(overview.pareto, separate.pareto, check_exact=True)
            alone, alone_count = seg.class_customers(store, who, q, "A", limit=limit)
            pd.testing.assert_frame_equal(page, alone, check_exact=True)
            assert count == alone_count
    # revenue among everyone: 40 classified, A = ceil(4) = 4 → customers 40, 39, 38, (37 on the next page)
    _, (page, count) = seg.abc_overview_and_page(store, None, query(0.1, 0.3), limit=3)
    assert page["customer_id"].tolist() == [40, 39, 38] and count == 4
    # nobody bought in the period: no classes, an empty list
    overview, (page, count) = seg.abc_overview_and_page(store, who, query(period=(date(2020, 1, 1), date(2020, 1, 31))))
    assert overview.classified == 0 and page.empty and count == 0
    # margin: 10·(7i mod 40) − 50 > 0 unless 7i mod 40 ≤ 5: i = 40 (0), 23 (161 mod 40 = 1),
    # 6 (42 → 2), 29 (203 → 3), 12 (84 → 4), 35 (245 → 5): 6 not positive, 34 classified
    margin, _ = seg.abc_overview_and_page(store, None, query(0.1, 0.3, measure="margin"), limit=3)
    assert margin.classified == 34 and margin.not_positive == 6 and margin.no_purchase == 0

@pytest.mark.parametrize("measure", ["revenue", "margin"])
def test_big_customer_list_shows_the_abc_class_of_the_same_period_and_measure(store, measure):
    # issue 15: 60 customers; customer i pays 100·i and earns a margin of 7·(61 − i) mod 60 + 1, so
    # the margin ranking differs from revenue. Of 60, A = ranks 1–3 and B = ranks 4–12, so the top
    # 50 hold 3 A, 9 B and 38 C — not the 3 / 7 / 40 of the grade within the top 50.
    cur = store.cursor()
    add_customers(cur, list(range(1, 61)))
    add_transactions(cur, [(i, "2024-01-10", f"{100 * i}.00", f"{7 * (61 - i) % 60 + 1}.00", None, None, None)
                           for i in range(1, 61)])
    add_transactions(cur, [(5, "2023-12-31", "99999.00", "99999.00", None, None, None)])  # outside the period
    q = query(measure=measure)
    top = seg.top_customers(store, None, q, 50)
    truth = seg.abc_classify_sql(cur, JAN[0], JAN[1], measure).set_index("customer_id")["abc"]
    cur.close()
    assert len(top) == 50
    assert top["abc"].tolist() == top["customer_id"].map(truth).tolist()
    assert top["abc"].value_counts().reindex(list("ABC")).tolist() == [3, 9, 38]
    assert top["top_grade"].value_counts().sort_index().tolist() == [3, 7, 40]


def test_rep_sees_only_own_book(store):
    load(store, [500, 400, 300, 200, 100], reps={1: "Li", 3: "Li", 5: "Li", 2: "Wang", 4: "Wang"})
    li = Actor("Li", "rep")
    overview = seg.abc_overview(store, li, query())
    # Li's book: 500, 300, 100 → 3 customers, total 900; A = ceil(0.15) = 1 → customer 1
    assert overview.customers == 3 and overview.classified == 3 and overview.total_spend == 900
    page, _ = seg.class_customers(store, li, query(), None)
    assert page["customer_id"].tolist() == [1, 3, 5]
    assert seg.class_explanation(store, li, 3, query())["rank"] == 2
    assert seg.class_explanation(store, li, 2, query())["abc"] == "none"  # not Li's customer


# --- movement -----------------------------------------------------------------------------------

def test_previous_period():
    assert seg.previous_period(date(2025, 7, 1), date(2026, 6, 30)) == (date(2024, 7, 1), date(2025, 6, 30))
    assert seg.previous_period(date(2024, 3, 1), date(2024, 3, 31)) == (date(2024, 2, 1), date(2024, 2, 29))
    # not whole months: same number of days (10) just before
    assert seg.previous_period(date(2024, 3, 11), date(2024, 3, 20)) == (date(2024, 3, 1), date(2024, 3, 10))
    assert seg.default_period(date(2026, 6, 30)) == (date(2025, 7, 1), date(2026, 6, 30))


def test_movement_between_two_constructed_periods(store):
    # December (previous) and January (this period); A = 17%, A + B = 50% of the buyers
    load(store, [100, 50, 10, 5, 0, 90], day="2023-12-10")
    load(store, [60, 120, 12, 0, 8, 95], day="2024-01-10")
    q = query("0.17", 0.5)
    # Dec ranks: 1 (100), 6 (90), 2 (50), 3 (10), 4 (5) → n = 5: A = ceil(0.85) = 1, B up to ceil(2.5) = 3
    #   → 1 A; 6, 2 B; 3, 4 C.   Jan: 2 (120), 6 (95), 1 (60), 3 (12), 5 (8) → 2 A; 6, 1 B; 3, 5 C
    moved = seg.class_movement(store, None, q)
    assert moved.previous.start == date(2023, 12, 1) and moved.previous.end == date(2023, 12, 31)
    m = moved.matrix
    assert m.loc["A", "B"] == 1  # customer 1
    assert m.loc["B", "A"] == 1  # customer 2
    assert m.loc["B", "B"] == 1  # customer 6
    assert m.loc["C", "C"] == 1  # customer 3
    assert m.loc["C", "none"] == 1  # customer 4 stopped buying
    assert m.loc["none", "C"] == 1  # customer 5 is new
    assert int(m.to_numpy().sum()) == 6
    fell, count = seg.movement_customers(store, None, q)
    assert count == 1 and fell["customer_id"].tolist() == [1] and fell["curr_abc"].tolist() == ["B"]
    assert fell["prev_spend"].tolist() == [100.0] and fell["curr_spend"].tolist() == [60.0]
    # the same as the pure-pandas contract on the two classifications
    dec = seg.abc_classify_sql(store.cursor(), date(2023, 12, 1), date(2023, 12, 31), "revenue", "0.17", 0.5)
    jan = seg.abc_classify_sql(store.cursor(), *JAN, "revenue", "0.17", 0.5)
    pd.testing.assert_frame_equal(m, reference.class_migration(dec, jan), check_names=False)
    assert reference.fell_out_of_a(dec, jan)["customer_id"].tolist() == [1]
    gone, count = seg.movement_customers(store, None, q, ("A", "B", "C"), ("none",))
    assert count == 1 and gone["customer_id"].tolist() == [4]
    with pytest.raises(ValueError):
        seg.movement_customers(store, None, q, ("Z",), ("A",))


# --- 360: why in the class, and the class history ------------------------------------------------

def test_class_explanation_matches_the_full_ranking(store):
    load(store, [1010 - 10 * i for i in range(1, 101)] + [0])  # customer 101 did not buy
    why = seg.class_explanation(store, None, 7, query())
    # rank 7 of 100 → B (A = ranks 1–5, B up to 20); spend 940; top 7 = 7070 − 280 = 6790
    assert (why["abc"], why["rank"], why["classified"], why["a_last"], why["b_last"]) == ("B", 7, 100, 5, 20)
    assert why["spend"] == 940 and why["cum_share"] == pytest.approx(6790 / 50500)
    assert seg.class_explanation(store, None, 101, query())["abc"] == "none"


def test_class_history_records_changes_only(store):
    # customer 1 buys every month; customer 2 only in 2024-01; customer 3 from 2024-02 on, big
    cur = store.cursor()
    add_customers(cur, [1, 2, 3])
    rows = [(1, f"2024-{m:02d}-05", "10.00", None, None, None, None) for m in range(1, 5)]
    rows += [(2, "2024-01-09", "5.00", None, None, None, None)]
    rows += [(3, f"2024-{m:02d}-07", "100.00", None, None, None, None) for m in range(2, 5)]
    add_transactions(cur, rows)
    cur.close()
    # through 2024-04-15: last closed month end 2024-03-31; backfill 2 → 2024-02-29 and 2024-03-31
    assert seg.record_class_history(store, date(2024, 4, 15), backfill=2) == [date(2024, 2, 29), date(2024, 3, 31)]
    # baseline Jan (window 2023-02..2024-01): 1 (10), 2 (5) → n = 2, A = 1: 1 A, 2 C
    # Feb window: 3 (100), 1 (20), 2 (5) → 3 A, 1 C, 2 C   → changes: 3 none→A, 1 A→C
    # Mar window: 3 (200), 1 (30), 2 (5) → same classes    → no change
    changes = store.query_df("SELECT CAST(month_end AS VARCHAR), customer_id, prev_abc, abc FROM segment_class_changes ORDER BY 2")
    assert changes.values.tolist() == [["2024-02-29", 1, "A", "C"], ["2024-02-29", 3, "none", "A"]]
    assert seg.history_span(store) == (date(2024, 2, 29), date(2024, 3, 31))
    assert seg.record_class_history(store, date(2024, 4, 30)) == []  # April is not over
    assert seg.record_class_history(store, date(2024, 5, 1)) == [date(2024, 4, 30)]
    history = seg.class_history(store, None, 1)
    assert history[["month_end", "prev_abc", "abc"]].values.tolist() == [[date(2024, 2, 29), "A", "C"]]
    # every snapshot equals abc_classify_sql over its 12-month window
    feb = seg.abc_classify_sql(store.cursor(), *seg.history_window(date(2024, 2, 29)))
    assert dict(zip(feb["customer_id"], feb["abc"])) == {3: "A", 1: "C", 2: "C"}


def test_demo_loader_backfills_24_month_ends(store):
    from crm_core import demo
    people, txns, _, _ = demo.generate(200, as_of=date(2026, 6, 30))
    demo.load_demo(store, customers=200, as_of=date(2026, 6, 30))
    with store.transaction() as cur:  # (once demo.load_demo calls it, this second call adds nothing)
        seg.load_demo(cur, people, txns, date(2026, 6, 30), 1)
    assert store.query_one("SELECT COUNT(*) FROM segment_class_changes")[0] > 0
    with store.transaction() as cur:
        assert seg.load_demo(cur, people, txns, date(2026, 6, 30), 1) == 0
    first, last = seg.history_span(store)
    assert (first, last) == (date(2024, 6, 30), date(2026, 5, 31))
    assert store.query_one("SELECT COUNT(*) FROM segment_snapshots") == (24,)
    # the latest class of a customer in the history is the class abc_classify_sql gives at that month end
    latest = store.query_df("""SELECT customer_id, arg_max(abc, month_end) AS abc FROM segment_class_changes
                               GROUP BY customer_id""")
    window = seg.abc_classify_sql(store.cursor(), *seg.history_window(last))
    current = dict(zip(window["customer_id"], window["abc"]))
    assert all(current.get(c, "none") == abc for c, abc in zip(latest["customer_id"], latest["abc"]))


# --- RFM, need types, allocation -------------------------------------------------------------------

def test_rfm_view_on_a_constructed_set(store):
    cur = store.cursor()
    add_customers(cur, [1, 2, 3, 4, 5])
    # last purchase days before 2024-12-31: 1 → 2, 2 → 200, 3 → 30, 4 → 90, 5 → 300
    add_transactions(cur, [
        (1, "2024-12-29", "5000.00", None, None, None, None), (1, "2024-12-01", "1.00", None, None, None, None),
        (1, "2024-11-01", "1.00", None, None, None, None), (1, "2024-10-01", "1.00", None, None, None, None),
        (2, "2024-06-14", "3000.00", None, None, None, None), (2, "2024-05-14", "1.00", None, None, None, None),
        (2, "2024-04-14", "1.00", None, None, None, None),
        (3, "2024-12-01", "50.00", None, None, None, None),
        (4, "2024-10-02", "800.00", None, None, None, None), (4, "2024-09-02", "1.00", None, None, None, None),
        (5, "2024-03-06", "100.00", None, None, None, None), (5, "2024-03-01", "1.00", None, None, None, None),
    ])
    cur.close()
    scored = seg.rfm_view(store, None, date(2024, 1, 1), date(2024, 12, 31)).set_index("customer_id")
    # recency 2, 200, 30, 90, 300 days → R = 5, 2, 4, 3, 1 (five distinct values: by rank)
    assert scored["recency_days"].tolist() == [2, 200, 30, 90, 300]
    assert scored["r_score"].tolist() == [5, 2, 4, 3, 1]
    # purchase days 4, 3, 1, 2, 2: ranks 5, 4, 1, 2.5, 2.5 → 1 + ⌊5(r − ½)/5⌋ = 5, 4, 1, 3, 3
    assert scored["frequency"].tolist() == [4, 3, 1, 2, 2]
    assert scored["f_score"].tolist() == [5, 4, 1, 3, 3]
    # net spend 5003, 3002, 50, 801, 101 → M = 5, 4, 1, 3, 2
    assert scored["m_score"].tolist() == [5, 4, 1, 3, 2]
    # (R, F): (5,5) champions, (2,4) at risk, (4,1) promising, (3,3) need attention, (1,3) at risk
    assert scored["segment"].tolist() == ["champions", "at_risk", "promising", "need_attention", "at_risk"]
    summary = seg.segment_summary(scored).set_index("segment")
    assert summary.loc["at_risk", "customers"] == 2 and summary.loc["at_risk", "revenue"] == 3103
    # the page's reads: the summary in one GROUP BY, the same as segment_summary of the frame
    counted = seg.rfm_summary(store, None, date(2024, 1, 1), date(2024, 12, 31))
    pd.testing.assert_frame_equal(counted, seg.segment_summary(scored.reset_index()), check_exact=True)
    counted = counted.set_index("segment")
    assert counted.loc["at_risk", ["customers", "revenue"]].tolist() == [2, 3103.0]  # 3002 + 101
    assert counted.loc["champions", "revenue_share"] == 5003 / 8957 and counted.loc["loyal", "customers"] == 0


def test_rfm_members_page_by_page(store):
    cur = store.cursor()
    add_customers(cur, [1, 2, 3, 4, 5])
    # one purchase each in 2024, on days 10, 20, 30, 40, 50 before the end; customer 5 also earlier
    add_transactions(cur, [
        (1, "2024-12-21", "100.00", None, None, None, None), (2, "2024-12-11", "300.00", None, None, None, None),
        (3, "2024-12-01", "200.00", None, None, None, None), (4, "2024-11-21", "300.00", None, None, None, None),
        (5, "2024-11-11", "50.00", None, None, None, None), (5, "2024-01-02", "50.00", None, None, None, None),
    ])
    cur.close()
    period = (date(2024, 1, 1), date(2024, 12, 31))
    # recency 10, 20, 30, 40, 50 → R = 5, 4, 3, 2, 1; frequency 1, 1, 1, 1, 2 → ranks 2.5 (four tied) and 5
    # → F = 1 + ⌊5(2.5 − ½)/5⌋ = 3 and 5; segments: 5,3 potential loyalist; 4,3 potential loyalist;
    # 3,3 need attention; 2,3 at risk; 1,5 cannot lose
    lists = {s: seg.rfm_members(store, None, *period, s) for s in seg.RFM_SEGMENTS}
    potential = lists["potential_loyalist"]
    assert list(potential.columns) == ["customer_id", "code", "name", "recency_days", "frequency", "monetary",
                                       "r_score", "f_score", "m_score", "segment"]
    # by monetary, highest first: 300 (customer 2), then 100 (customer 1)
    assert potential["customer_id"].tolist() == [2, 1] and potential["f_score"].tolist() == [3, 3]
    # monetary 100, 300, 200, 300, 100: 300 is tied at ranks 4 and 5 → M = 1 + ⌊5·4/5⌋ = 5; 100 at 1, 2 → 2
    assert potential["m_score"].tolist() == [5, 2] and potential["r_score"].tolist() == [4, 5]
    assert lists["cannot_lose"][["customer_id", "m_score"]].values.tolist() == [[5, 2]]
    # a page of one: the M score of 100 still counts the values below the page's range
    assert seg.rfm_members(store, None, *period, "potential_loyalist", limit=1, offset=1)[
        ["customer_id", "m_score"]].values.tolist() == [[1, 2]]
    assert lists["champions"].empty and lists["champions"].dtypes.equals(potential.dtypes)  # typed when empty too
    # every member list, in the order of the frame's rows, is rfm_view with code and name
    frame = seg.rfm_view(store, None, *period)
    together = pd.concat([rows for rows in lists.values() if len(rows)]).sort_values("customer_id", ignore_index=True)
    pd.testing.assert_frame_equal(together.drop(columns=["code", "name"]), frame, check_exact=True)
    with pytest.raises(ValueError, match="segment must be one of"):
        seg.rfm_members(store, None, *period, "whales")


def test_effort_by_class_and_allocation(store):
    load(store, [300, 200, 100, 0])  # customer 4 did not buy
    cur = store.cursor()
    cur.execute("""INSERT INTO interactions (customer_id, occurred_at, channel, cost, concession) VALUES
        (1, TIMESTAMPTZ '2024-01-03 10:00:00+08', 'visit', 100, 0),
        (3, TIMESTAMPTZ '2024-01-04 10:00:00+08', 'gift', 250, 50),
        (4, TIMESTAMPTZ '2024-01-05 10:00:00+08', 'phone', 5, 0),
        (1, TIMESTAMPTZ '2024-02-01 00:30:00+08', 'visit', 999, 0)""")  # February in Shanghai
    cur.close()
    # 3 buyers, A = ceil(0.3·3) = 1, A + B = ceil(0.6·3) = 2: 1 key, 2 general, 3 potential
    effort = seg.effort_by_class(store, None, query("0.3", "0.6"))
    assert effort.set_index("abc")["cost_to_serve"].to_dict() == {"A": 100.0, "B": 0.0, "C": 300.0, "none": 5.0}
    plan = seg.allocation_plan(effort, 1000).set_index("tier")
    assert plan["total"].tolist() == [Decimal("600.0"), Decimal("300.0"), Decimal("100.0")]
    # actual: 100 of 400 on key customers (25%), 300 on potential ones (75%)
    assert plan["actual_share"].tolist() == pytest.approx([0.25, 0.0, 0.75])
    hours = seg.allocation_plan(effort, 100, unit="hours").set_index("tier")
    assert hours["actual"].tolist() == [1.0, 0.0, 1.0]
    with pytest.raises(ValueError):
        seg.allocation_plan(effort, 100, unit="days")


def test_effort_counts_only_the_customers_on_file(store, monkeypatch):
    """Customers 1-4 (ids 1..4: one unbroken range) and the interactions of 1, 4 and of 9, who is
    not on file: 9's visit counts nowhere. With 3 removed (ids 1, 2, 4: a gap) the counts are
    read by joining to the customers, with the same rule."""
    load(store, [300, 200, 100, 0])  # customer 4 did not buy
    cur = store.cursor()
    cur.execute("""INSERT INTO interactions (customer_id, occurred_at, channel, cost, concession) VALUES
        (1, TIMESTAMPTZ '2024-01-03 10:00:00+08', 'visit', 100, 0),
        (4, TIMESTAMPTZ '2024-01-05 10:00:00+08', 'phone', 5, 1),
        (9, TIMESTAMPTZ '2024-01-06 10:00:00+08', 'visit', 70, 0)""")
    cur.close()
    ranges = []
    real = access.unbroken_customer_ids
    monkeypatch.setattr(access, "unbroken_customer_ids", lambda cur: ranges.append(real(cur)) or ranges[-1])

    def effort():
        frame = seg.effort_by_class(store, None, query("0.3", "0.6")).set_index("abc")
        return {c: frame.loc[c].tolist() for c in frame.index}
    # A = customer 1, B = 2, C = 3, none = 4
    assert effort() == {"A": [1, 1, 100.0], "B": [1, 0, 0.0], "C": [1, 0, 0.0], "none": [1, 1, 6.0]}
    assert ranges == [(1, 4, 4)]
    cur = store.cursor()
    cur.execute("DELETE FROM customers WHERE customer_id = 3")  # 3's purchase stays: ranked, not on file
    cur.close()
    assert effort() == {"A": [1, 1, 100.0], "B": [1, 0, 0.0], "C": [0, 0, 0.0], "none": [1, 1, 6.0]}
    assert ranges[-1] is None


def test_need_view_and_summary(store):
    cur = store.cursor()
    add_customers(cur, [1, 2, 3])
    cur.execute("UPDATE customers SET need_type = 'value' WHERE customer_id = 3")
    add_transactions(cur, [(1, "2024-01-02", "100.00", None, "P", "10", "5.00"),
                           (2, "2024-01-03", "300.00", None, "P", "10", "0.00")])
    cur.close()
    needs = seg.need_view(store, None, *JAN).set_index("customer_id")
    # P averages 20 a unit: customer 1 pays 10 (50%) on discount → price; 2 pays 30 (150%) → value
    assert needs["need_type"].tolist() == ["price", "value", "value"]
    assert needs["need_source"].tolist() == ["inferred", "inferred", "own"]
    assert needs["revenue"].tolist() == [100.0, 300.0, 0.0]
    summary = seg.need_summary(store, None, *JAN)
    assert summary[["need_type", "need_source", "customers", "revenue"]].values.tolist() == [
        ["price", "inferred", 1, 100.0], ["value", "inferred", 1, 300.0], ["value", "own", 1, 0.0]]
    # the value list by revenue, then id; a page of one; the customer's code and name beside the id
    members = seg.need_members(store, None, *JAN, "value")
    assert members["customer_id"].tolist() == [2, 3] and list(members.columns[:3]) == ["customer_id", "code", "name"]
    assert seg.need_members(store, None, *JAN, "value", limit=1, offset=1)["customer_id"].tolist() == [3]
    assert seg.need_members(store, None, *JAN, "unknown").empty
    with pytest.raises(ValueError, match="kind must be one of"):
        seg.need_members(store, None, *JAN, "cheap")


# --- the page -------------------------------------------------------------------------------------

@pytest.fixture
def demo_app(demo_db_path, monkeypatch):
    monkeypatch.setenv("CRM_DB", str(demo_db_path))
    return demo_db_path


TAB_LABELS = {"en": ["ABC & Pareto", "Movement", "Big customers", "RFM", "Need type", "Resources",
                     "Satisfaction × loyalty"],
              "zh": ["ABC与帕累托", "类别变动", "大客户识别", "RFM细分", "需求类型", "资源配置", "满意度×忠诚度"]}
PERIOD = (date(2025, 7, 1), date(2026, 6, 30))  # the demo's last 12 months (conftest DEMO_AS_OF)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_page_abc_tab_shows_the_store_numbers(demo_app, lang):
    from crm_core.store import open_store  # the app's own Store of the file (one owner per process)
    app = run_page("segmentation.py", lang, seg_period=PERIOD)
    assert not app.exception, [e.value for e in app.exception]
    overview = seg.abc_overview(open_store(demo_app), None, seg.SegmentQuery(*PERIOD))
    metrics = {m.label: m.value for m in app.metric}
    ranked = "Customers ranked" if lang == "en" else "参与排名的客户"
    assert metrics[ranked] == f"{overview.classified:,}"
    sentence = [m.value for m in app.markdown if ("top 20%" in m.value or "前 20%" in m.value)]
    assert sentence and f"{100 * overview.top_spend_share:.1f}%" in sentence[0]
    assert len(app.dataframe) == 1 and len(app.dataframe[0].value) == min(50, overview.classes["A"]["count"])


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_tab_renders(demo_app, lang):
    for label in TAB_LABELS[lang]:
        app = run_page("segmentation.py", lang, seg_period=PERIOD, seg_tab=label)
        assert not app.exception, (label, [e.value for e in app.exception])
        assert not app.error, (label, [e.value for e in app.error])
        if label in ("Satisfaction × loyalty", "满意度×忠诚度"):
            # The demo has surveys: the quadrant chart and the counts of its four quadrants show.
            assert app.get("plotly_chart") and len(app.metric) >= 4, label
        else:
            assert app.dataframe, label


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_big_customers_tab_shows_the_abc_class_beside_the_top_50_grade(demo_app, lang):
    from crm_core.i18n import t
    from crm_core.store import open_store
    tab = TAB_LABELS[lang][2]
    app = run_page("segmentation.py", lang, seg_period=PERIOD, seg_tab=tab)
    assert not app.exception, [e.value for e in app.exception]
    shown = app.dataframe[0].value
    cur = open_store(demo_app).cursor()
    classes = seg.abc_classify_sql(cur, *PERIOD)
    codes = dict(cur.execute("SELECT customer_id, code FROM customers").fetchall())
    cur.close()
    truth = classes.assign(code=classes["customer_id"].map(codes)).set_index("code")["abc"]
    # the list shows stored keys as catalog text under headers in the UI language (crm_core.tables)
    expected = shown[t("seg.col.code", lang)].map(truth).map(lambda c: t(f"seg.class.{c}", lang))
    assert len(shown) == 50 and shown[t("seg.col.abc", lang)].tolist() == expected.tolist()
    grades = {t(f"seg.top_grade.{g}", lang) for g in (1, 2, 3)}
    assert set(shown[t("seg.col.top_grade", lang)]) == grades


def test_invalid_shares_show_an_error_not_a_crash(demo_app):
    app = run_page("segmentation.py", "en", seg_period=PERIOD, seg_a_pct=30.0, seg_b_pct=20.0)
    assert not app.exception
    assert [e.value for e in app.error] == ["The A share cannot be larger than the A + B share: lower A or raise A + B."]


@pytest.mark.parametrize("who", [None, Actor("Li", "rep")])
def test_movement_and_its_first_page_in_one_query_give_the_same_answers(store, who):
    # the two periods of test_movement_between_two_constructed_periods; customers 1, 3, 5 are Li's
    load(store, [100, 50, 10, 5, 0, 90], day="2023-12-10", reps={1: "Li", 3: "Li", 5: "Li", 2: "W", 4: "W", 6: "W"})
    load(store, [60, 120, 12, 0, 8, 95], day="2024-01-10")
    q = query("0.17", 0.5)
    for prev, curr, limit in ((("A",), ("B", "C", "none"), 50), (("A", "B", "C", "none"), ("A", "B", "C", "none"), 2),
                              (("none",), ("C",), 50), (("B",), ("none",), 50)):
        moved, (page, count) = seg.class_movement_and_page(store, who, q, prev, curr, limit)
        alone = seg.class_movement(store, who, q)
        assert moved.previous == alone.previous
        pd.testing.assert_frame_equal(moved.matrix, alone.matrix, check_exact=True)
        page_alone, count_alone = seg.movement_customers(store, who, q, prev, curr, limit)
        pd.testing.assert_frame_equal(page, page_alone, check_exact=True)
        assert count == count_alone
    # everyone: customer 1 fell from A (Dec) to B (Jan); 6 customers moved somewhere, 2 on the page
    _, (fell, count) = seg.class_movement_and_page(store, None, q)
    assert fell["customer_id"].tolist() == [1] and count == 1
    _, (page, count) = seg.class_movement_and_page(store, None, q, seg.MIGRATION_CLASSES, seg.MIGRATION_CLASSES, 2)
    assert count == 6 and len(page) == 2
    with pytest.raises(ValueError, match="non-empty choice"):
        seg.class_movement_and_page(store, None, q, (), ("A",))

def test_movement_tab_lists_customers_who_fell_out_of_a(demo_app):
    from crm_core.store import open_store
    app = run_page("segmentation.py", "en", seg_period=PERIOD, seg_tab="Movement")
    _, count = seg.movement_customers(open_store(demo_app), None, seg.SegmentQuery(*PERIOD))
    assert any(c.value == f"{count:,} customers" for c in app.caption)


def _render_360(lang: str, customer_id: int):
    import streamlit as st

    from ui.common import actor, store
    from ui.customers.sections.segmentation import render
    st.session_state["lang"] = lang
    render(store(), actor(), customer_id, {})


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_360_section_explains_the_class(demo_app, lang):
    app = AppTest.from_function(_render_360, args=(lang, 1), default_timeout=60)
    app.session_state["seg_period"] = PERIOD
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    from crm_core.store import open_store
    why = seg.class_explanation(open_store(demo_app), None, 1, seg.SegmentQuery(*PERIOD))
    from crm_core.i18n import t
    values = [m.value for m in app.metric]
    assert values[0] == ("—" if why["abc"] == "none" else why["abc"])  # the letter; its name is the tooltip
    assert app.metric[0].help == t(f"seg.class.{why['abc']}", lang)
    if why["abc"] != "none":
        assert values[1] == t("seg.360.rank_of", lang, rank=f"{why['rank']:,}", n=f"{why['classified']:,}")
