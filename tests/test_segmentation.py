"""Tests of crm_core.segmentation: every expected number is worked out by hand in a comment."""
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from crm_core import segmentation as seg
from crm_core.i18n import CATALOG
from tests import reference

SCHEMA = Path(__file__).resolve().parents[1] / "crm_core" / "migrations" / "001_foundation.sql"


def spend_frame(spends, ids=None):
    ids = list(range(1, len(spends) + 1)) if ids is None else ids
    return pd.DataFrame({"customer_id": ids, "spend": spends})


def classes(result):
    return result["abc"].value_counts().reindex(["A", "B", "C"], fill_value=0).tolist()


@pytest.fixture
def con():
    connection = duckdb.connect()
    connection.execute("SET TimeZone='Asia/Shanghai'")
    connection.execute(SCHEMA.read_text(encoding="utf-8"))
    yield connection
    connection.close()


def add_customers(con, ids, influence=None):
    influence = [None] * len(ids) if influence is None else influence
    frame = pd.DataFrame({"customer_id": ids, "code": [f"C{i}" for i in ids],
                          "name": [f"Customer {i}" for i in ids], "influence": influence})
    con.register("new_customers", frame)
    con.execute("INSERT INTO customers (customer_id, code, name, influence) "
                "SELECT customer_id, code, name, CAST(influence AS SMALLINT) FROM new_customers")
    con.unregister("new_customers")


def add_transactions(con, rows):
    """rows: (customer_id, txn_date, amount, gross_margin, product, quantity, discount)."""
    frame = pd.DataFrame(rows, columns=["customer_id", "txn_date", "amount", "gross_margin",
                                        "product", "quantity", "discount"])
    frame = frame.astype({"amount": str, "gross_margin": object, "quantity": object, "discount": object})
    con.register("new_txns", frame)
    con.execute("""INSERT INTO transactions (customer_id, txn_date, amount, gross_margin, product,
                   quantity, discount)
                   SELECT customer_id, CAST(txn_date AS DATE), CAST(amount AS DECIMAL(18, 2)),
                          CAST(gross_margin AS DECIMAL(18, 2)), product,
                          CAST(quantity AS DECIMAL(18, 3)), CAST(discount AS DECIMAL(18, 2))
                   FROM new_txns""")
    con.unregister("new_txns")


# --- ABC ------------------------------------------------------------------------------------

def test_worked_example_100_customers_5_a_15_b_80_c():
    # docs/domain.md §2: customer i spends 1010 − 10·i (1000 … 10), so customer 1 is highest
    result = seg.abc_classify(spend_frame([1010 - 10 * i for i in range(1, 101)]))
    assert classes(result) == [5, 15, 80]
    assert result.loc[result["abc"] == "A", "customer_id"].tolist() == [1, 2, 3, 4, 5]
    assert result.loc[result["abc"] == "B", "rank"].tolist() == list(range(6, 21))
    assert result["rank"].tolist() == list(range(1, 101))
    assert list(result.columns) == seg.ABC_COLUMNS


def test_seven_percent_of_100_is_7_not_8():
    # 0.07 * 100 == 7.000000000000001 in binary floating point; its ceil would be 8
    result = seg.abc_classify(spend_frame(list(range(100, 0, -1))), a_share=0.07, b_share=0.2)
    assert classes(result) == [7, 13, 80]
    assert seg.ceil_count(seg.exact_share(0.07, "a"), 100) == 7
    assert seg.ceil_count(seg.exact_share(Decimal("0.07"), "a"), 101) == 8  # 7.07 → 8


def test_ties_broken_by_customer_id_ascending():
    result = seg.abc_classify(spend_frame([50, 100, 100, 30], ids=[4, 3, 1, 2]))
    assert result["customer_id"].tolist() == [1, 3, 4, 2]
    assert result["rank"].tolist() == [1, 2, 3, 4]


def test_shares_and_cumulative_shares_by_hand():
    result = seg.abc_classify(spend_frame([20.0, 50.0, 30.0]))
    assert result["customer_id"].tolist() == [2, 3, 1]
    assert result["share"].tolist() == pytest.approx([0.5, 0.3, 0.2])
    assert result["cum_share"].tolist() == pytest.approx([0.5, 0.8, 1.0])
    assert result["cum_share"].iloc[-1] == 1.0


def test_three_customers_by_the_ceil_rule():
    # A: ceil(0.05·3) = ceil(0.15) = 1; B up to ceil(0.20·3) = ceil(0.6) = 1 → no B; C: 2
    result = seg.abc_classify(spend_frame([10, 30, 20]))
    assert result["abc"].tolist() == ["A", "C", "C"]
    assert result["customer_id"].tolist() == [2, 3, 1]


def test_eleven_customers_get_one_a_two_b():
    # A: ceil(0.55) = 1; B up to ceil(2.2) = 3 → ranks 2–3; C: 8
    assert classes(seg.abc_classify(spend_frame(list(range(11, 0, -1))))) == [1, 2, 8]


def test_one_customer_is_a_with_whole_share():
    result = seg.abc_classify(spend_frame([42.5]))
    assert result["abc"].tolist() == ["A"]
    assert result["share"].tolist() == [1.0] and result["cum_share"].tolist() == [1.0]


def test_zero_negative_and_missing_spend_are_left_out():
    assert seg.abc_classify(spend_frame([0, 0, 0])).empty
    assert list(seg.abc_classify(spend_frame([0.0, -5.0])).columns) == seg.ABC_COLUMNS
    result = seg.abc_classify(spend_frame([0, -3, 7, np.nan]))
    assert result["customer_id"].tolist() == [3]


def test_repeated_customer_rows_are_summed_and_decimals_accepted():
    frame = pd.DataFrame({"customer_id": [1, 2, 1], "spend": [Decimal("5.10"), Decimal("8"), Decimal("4")]})
    result = seg.abc_classify(frame)
    assert result["customer_id"].tolist() == [1, 2]
    assert result["spend"].tolist() == pytest.approx([9.10, 8.0])


@pytest.mark.parametrize("a_share, b_share", [
    (0, 0.2), (-0.1, 0.2), (0.3, 0.2), (0.05, 1.2), (float("nan"), 0.2), (True, 0.2), ("abc", 0.2),
])
def test_invalid_shares_raise(a_share, b_share):
    with pytest.raises(ValueError):
        seg.abc_classify(spend_frame([1, 2, 3]), a_share, b_share)


def test_equal_shares_mean_no_b_and_full_share_means_all_a():
    assert classes(seg.abc_classify(spend_frame(list(range(1, 21))), 0.1, 0.1)) == [2, 0, 18]
    assert classes(seg.abc_classify(spend_frame([1, 2, 3]), 1, 1)) == [3, 0, 0]


def test_missing_column_raises():
    with pytest.raises(ValueError, match="spend"):
        seg.abc_classify(pd.DataFrame({"customer_id": [1]}))


# --- Pareto, Gini, Lorenz -------------------------------------------------------------------

def test_gini_equal_spends_is_zero_and_hand_case():
    assert seg.gini_coefficient([7, 7, 7, 7]) == pytest.approx(0.0, abs=1e-12)
    # 1,2,3,4: Σ|xi − xj| over ordered pairs = 20; 2·n²·mean = 2·16·2.5 = 80 → 0.25
    assert seg.gini_coefficient([4, 1, 3, 2]) == pytest.approx(0.25)
    # 1 and 3: Σ|xi − xj| over ordered pairs = 4; 2·n²·mean = 2·4·2 = 16 → 0.25
    assert seg.gini_coefficient([1, 3]) == pytest.approx(0.25)
    with pytest.raises(ValueError):
        seg.gini_coefficient([])


def test_pareto_summary_by_hand():
    # spends 1..10, total 55; top 20% = 2 customers = 10 + 9 = 19
    # A: ceil(0.5) = 1 (spend 10); B up to ceil(2) = 2 (spend 9); C: 8 customers, 36
    summary = seg.pareto_summary(seg.abc_classify(spend_frame(list(range(1, 11)))))
    assert summary["customers"] == 10 and summary["total_spend"] == 55
    assert summary["top_customers"] == 2
    assert summary["top_spend_share"] == pytest.approx(19 / 55)
    # Gini of 1..n is (n − 1)/(3n) = 9/30
    assert summary["gini"] == pytest.approx(0.3)
    assert summary["classes"]["A"] == {"count": 1, "spend": 10.0, "share": pytest.approx(10 / 55)}
    assert summary["classes"]["B"]["count"] == 1 and summary["classes"]["B"]["spend"] == 9.0
    assert summary["classes"]["C"]["count"] == 8 and summary["classes"]["C"]["spend"] == 36.0


def test_pareto_summary_of_nothing():
    summary = seg.pareto_summary(seg.abc_classify(spend_frame([0])))
    assert summary["customers"] == 0 and summary["gini"] is None and summary["top_spend_share"] is None
    assert summary["classes"]["A"] == {"count": 0, "spend": 0.0, "share": None}


def test_lorenz_points_small_case_by_hand():
    points = seg.lorenz_points(seg.abc_classify(spend_frame([2, 1, 1])))
    assert points["customer_fraction"].tolist() == pytest.approx([0, 1 / 3, 2 / 3, 1])
    assert points["revenue_fraction"].tolist() == pytest.approx([0, 0.25, 0.5, 1])


def test_lorenz_points_downsampled_to_at_most_max_points():
    rng = np.random.default_rng(3)
    classified = seg.abc_classify(spend_frame(rng.pareto(1.5, 5000) + 1))
    points = seg.lorenz_points(classified, max_points=200)
    assert 2 <= len(points) <= 200
    assert points.iloc[0].tolist() == [0.0, 0.0] and points.iloc[-1].tolist() == [1.0, 1.0]
    assert points["customer_fraction"].is_monotonic_increasing
    assert points["revenue_fraction"].is_monotonic_increasing
    assert (points["revenue_fraction"] <= points["customer_fraction"] + 1e-12).all()
    assert len(seg.lorenz_points(classified, max_points=2)) == 2
    with pytest.raises(ValueError):
        seg.lorenz_points(classified, max_points=1)


# --- migration --------------------------------------------------------------------------------

def labelled(pairs):
    """A classified frame from (customer_id, abc, spend)."""
    frame = pd.DataFrame(pairs, columns=["customer_id", "abc", "spend"])
    frame["rank"] = range(1, len(frame) + 1)
    return frame


def test_class_migration_constructed_periods():
    prev = labelled([(1, "A", 100), (2, "B", 50), (3, "C", 10), (4, "C", 5), (6, "A", 90)])
    curr = labelled([(2, "A", 120), (1, "B", 60), (3, "C", 12), (5, "C", 8), (6, "A", 95)])
    matrix = reference.class_migration(prev, curr)
    assert list(matrix.index) == ["A", "B", "C", "none"] == list(matrix.columns)
    assert matrix.loc["A", "A"] == 1  # customer 6
    assert matrix.loc["A", "B"] == 1  # customer 1
    assert matrix.loc["B", "A"] == 1  # customer 2
    assert matrix.loc["C", "C"] == 1  # customer 3
    assert matrix.loc["C", "none"] == 1  # customer 4 stopped buying
    assert matrix.loc["none", "C"] == 1  # customer 5 is new
    assert int(matrix.to_numpy().sum()) == 6


def test_fell_out_of_a():
    prev = labelled([(1, "A", 100), (6, "A", 90), (7, "A", 80), (2, "B", 50)])
    curr = labelled([(2, "A", 120), (1, "B", 60), (6, "A", 95)])
    fell = reference.fell_out_of_a(prev, curr)
    assert fell["customer_id"].tolist() == [1, 7]
    assert fell["curr_abc"].tolist() == ["B", "none"]
    assert fell["prev_rank"].tolist() == [1, 3]
    assert fell["curr_spend"].iloc[0] == 60 and np.isnan(fell["curr_spend"].iloc[1])


# --- big customers ------------------------------------------------------------------------------

def test_top_50_graded_among_themselves():
    classified = seg.abc_classify(spend_frame(list(range(60, 0, -1))))
    top = seg.top_n_graded(classified, n=50)
    # graded within the 50: 1st tier = ceil(2.5) = 3, 2nd up to ceil(10) = 10 → 7, 3rd = 40
    assert len(top) == 50 and top["top_grade"].value_counts().sort_index().tolist() == [3, 7, 40]
    # the ABC class stays that of all 60: A = ceil(3) = 3, B up to ceil(12) = 12, so ranks 13–50 are C
    assert classes(top) == [3, 9, 38]
    assert top["abc"].tolist() == classified["abc"].head(50).tolist()
    assert top["customer_id"].tolist() == list(range(1, 51))
    assert top["cum_share"].iloc[-1] == 1.0
    assert len(seg.top_n_graded(classified.head(4), n=50)) == 4
    with pytest.raises(ValueError):
        seg.top_n_graded(classified, n=0)


def test_nonmonetary_scores_by_hand():
    features = pd.DataFrame({"customer_id": [1, 2, 3],
                             "influence": [5, 3, 1],
                             "spend_cv": [0.1, 0.5, 0.3]})
    scores = seg.nonmonetary_scores(features, {"influence": 2, "stability": 1})
    # influence percentile: 100, 50, 0; stability (lower cv better): 100, 0, 50
    assert scores["influence"].tolist() == [100, 50, 0]
    assert scores["stability"].tolist() == [100, 0, 50]
    # (2·100 + 100)/3, (2·50 + 0)/3, (0 + 50)/3
    assert scores["score"].tolist() == pytest.approx([100, 100 / 3, 50 / 3])
    assert scores["tier"].tolist() == ["high", "medium", "low"]
    # factors without any column are left out rather than pulling everyone to 50
    assert "referrals" not in scores.columns


def test_nonmonetary_missing_value_is_neutral_and_loyalty_averages_its_columns():
    features = pd.DataFrame({"customer_id": [1, 2, 3, 4],
                             "tenure_days": [400, 100, 300, 200],
                             "repeat_rate": [1.0, 0.25, 0.5, 0.75],
                             "payment_delay_days": [0, np.nan, 10, 30]})
    scores = seg.nonmonetary_scores(features, {"loyalty": 1, "credit": 1})
    # tenure pct: 100, 0, 66.7, 33.3; repeat: 100, 0, 33.3, 66.7 → loyalty 100, 0, 50, 50
    assert scores["loyalty"].tolist() == pytest.approx([100, 0, 50, 50])
    # credit over 3 known delays (0, 10, 30; lower better): 100, —, 50, 0; customer 2 neutral 50
    assert scores["credit"].tolist() == pytest.approx([100, 50, 50, 0])
    assert scores["score"].tolist() == pytest.approx([100, 25, 50, 25])
    # score ranks: 1 → 4, 2 and 4 tie at 1.5, 3 → 3; p = (r − 1)/3: 1, 1/6, 2/3, 1/6
    # p > 2/3 is high and p < 1/3 low, so exactly 2/3 is still medium
    assert scores["tier"].tolist() == ["high", "low", "medium", "low"]


def test_nonmonetary_single_customer_and_all_tied_are_medium():
    one = seg.nonmonetary_scores(pd.DataFrame({"customer_id": [9], "influence": [4]}))
    assert one["score"].tolist() == [50] and one["tier"].tolist() == ["medium"]
    tied = seg.nonmonetary_scores(pd.DataFrame({"customer_id": [1, 2, 3], "influence": [3, 3, 3]}))
    assert tied["tier"].tolist() == ["medium"] * 3


@pytest.mark.parametrize("weights", [
    {"influence": -1}, {"influence": 0, "loyalty": 0}, {"charm": 1}, {"influence": float("nan")},
    {"referrals": 1},  # no referrals column: nothing weighted has data
])
def test_nonmonetary_invalid_weights_raise(weights):
    with pytest.raises(ValueError):
        seg.nonmonetary_scores(pd.DataFrame({"customer_id": [1, 2], "influence": [1, 5]}), weights)


FIVE = pd.DataFrame({"customer_id": [1, 2, 3, 4, 5],
                     "tenure_days": [100, 200, np.nan, 200, 50],
                     "repeat_rate": [np.nan] * 5,  # no data: loyalty is tenure alone
                     "spend_cv": [0.2, np.nan, 0.2, 0.4, 0.1],
                     "influence": [5, 3, 3, np.nan, 1]})


def test_nonmonetary_sql_rule_on_five_customers_by_hand():
    scores = seg.nonmonetary_scores(FIVE)
    assert list(scores.columns) == ["customer_id", "loyalty", "stability", "influence", "score", "tier"]
    # tenure known for 4: 50, 100, 200, 200 → ranks 1, 2, 3.5, 3.5 → (r − 1)/3: 0, 1/3, 5/6; missing 50
    assert scores["loyalty"].tolist() == pytest.approx([100 / 3, 250 / 3, 50, 250 / 3, 0], abs=1e-12)
    # spend_cv (lower better) known for 4: 0.1, 0.2, 0.2, 0.4 → 100, 50, 50, 0; missing 50
    assert scores["stability"].tolist() == [50, 50, 50, 0, 100]
    # influence known for 4: 1, 3, 3, 5 → 0, 50, 50, 100; missing 50
    assert scores["influence"].tolist() == [100, 50, 50, 50, 0]
    # means: 550/9, 550/9, 50, 400/9, 100/3 → customers 1 and 2 tie at rank 4.5 of 5 (p = 7/8: high),
    # 3 → p = 1/2 medium, 4 → p = 1/4 and 5 → p = 0 low
    assert scores["score"].tolist() == [61.111111, 61.111111, 50.0, 44.444444, 33.333333]
    assert scores["tier"].tolist() == ["high", "high", "medium", "low", "low"]


def test_nonmonetary_sql_percentiles_are_pandas_average_ranks_bit_for_bit():
    # factor_scores_sql (in DuckDB) against percentile_score (pandas' average rank): equal floats
    rng = np.random.default_rng(18)
    n = 500
    values = {"few": rng.integers(0, 6, n).astype(float), "many": rng.random(n), "sevenths": rng.integers(0, 50, n) / 7}
    for kind, column in values.items():
        column[rng.random(n) < 0.2] = np.nan
        frame = pd.DataFrame({"customer_id": range(n), "spend_cv": column, "influence": column})
        scores = seg.nonmonetary_scores(frame)
        assert scores["stability"].tolist() == seg.percentile_score(frame["spend_cv"], False).tolist(), kind
        assert scores["influence"].tolist() == seg.percentile_score(frame["influence"]).tolist(), kind


def test_value_grid_finds_c_customers_with_high_value():
    classified = seg.abc_classify(spend_frame(list(range(20, 0, -1))))  # A: 1, B: 2–4, C: 5–20
    scores = pd.DataFrame({"customer_id": range(1, 21),
                           "score": [90.0] + [10.0] * 15 + [95.0, 80.0, 60.0, 50.0],
                           "tier": ["high"] + ["low"] * 15 + ["high", "high", "medium", "medium"]})
    grid = seg.value_grid(classified, scores)
    assert grid.counts.loc["A", "high"] == 1
    assert grid.counts.loc["B", "low"] == 3
    assert grid.counts.loc["C"].tolist() == [2, 2, 12]
    assert grid.not_to_overlook["customer_id"].tolist() == [17, 18]
    assert grid.not_to_overlook["rank"].tolist() == [17, 18]


# --- RFM --------------------------------------------------------------------------------------

def test_quintiles_of_ten_distinct_values():
    values = pd.Series([10, 20, 30, 40, 50, 60, 70, 80, 90, 100])
    assert seg.quintile_score(values).tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert seg.quintile_score(values, higher_is_better=False).tolist() == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]


def test_quintiles_with_few_customers_and_ties():
    assert seg.quintile_score(pd.Series([7.0])).tolist() == [3]
    assert seg.quintile_score(pd.Series([1, 2])).tolist() == [2, 4]
    assert seg.quintile_score(pd.Series([1, 2, 3])).tolist() == [1, 3, 5]
    # ties share the average rank: [5, 5, 9, 1] → ranks 2.5, 2.5, 4, 1 → 1 + ⌊5(r − ½)/4⌋
    assert seg.quintile_score(pd.Series([5, 5, 9, 1])).tolist() == [3, 3, 5, 1]


def test_quintile_sql_over_distinct_values_and_a_part_of_them():
    # [5, 5, 9, 1] as distinct values with counts: 1 → rank 1, 5 → ranks 2, 3, 9 → rank 4 of n = 4:
    # 1 + ⌊5·(2·(values up to it) − count) / 2n⌋ = 1 + ⌊5/8⌋, 1 + ⌊5·4/8⌋, 1 + ⌊5·7/8⌋ = 1, 3, 5
    sql = "SELECT v, {} AS s FROM (VALUES {}) t(v, c) ORDER BY v"
    rule = seg.quintile_sql("v", "c", "4")
    assert duckdb.sql(sql.format(rule, "(1, 1), (5, 2), (9, 1)")).fetchall() == [(1, 1), (5, 3), (9, 5)]
    # the relation holds only 5 and 9: one value ranks below them
    rule = seg.quintile_sql("v", "c", "4", before="1")
    assert duckdb.sql(sql.format(rule, "(5, 2), (9, 1)")).fetchall() == [(5, 3), (9, 5)]
    # lower is better: 9 scores as 1 did
    rule = seg.quintile_sql("v", "c", "4", higher_is_better=False)
    assert duckdb.sql(sql.format(rule, "(1, 1), (5, 2), (9, 1)")).fetchall() == [(1, 5), (5, 3), (9, 1)]


def test_segment_sql_is_the_rule_table():
    cells = [(r, f) for r in range(1, 6) for f in range(1, 6)]
    query = f"SELECT {seg.segment_sql('r', 'f')} FROM (VALUES {', '.join(map(str, cells))}) t(r, f)"
    named = {cell: segment for cell, (segment,) in zip(cells, duckdb.sql(query).fetchall())}
    assert named == {(r, f): s for s, rs, fs in seg.RFM_SEGMENT_RULES for r in rs for f in fs}


def test_rfm_scores_on_constructed_set():
    rfm = pd.DataFrame({
        "customer_id": [1, 2, 3, 4, 5],
        "recency_days": [2, 200, 30, 90, 400],
        "frequency": [20, 15, 1, 5, 2],
        "monetary": [5000.0, 3000.0, 50.0, 800.0, 100.0],
    })
    scored = seg.rfm_scores(rfm)
    # five distinct values → scores 1..5 by rank
    assert scored["r_score"].tolist() == [5, 2, 4, 3, 1]
    assert scored["f_score"].tolist() == [5, 4, 1, 3, 2]
    assert scored["m_score"].tolist() == [5, 4, 1, 3, 2]
    assert scored["segment"].tolist() == ["champions", "at_risk", "promising", "need_attention", "lost"]


def test_rfm_rule_table_covers_each_cell_once_and_has_catalog_text():
    cells = [(r, f) for _, rs, fs in seg.RFM_SEGMENT_RULES for r in rs for f in fs]
    assert sorted(cells) == [(r, f) for r in range(1, 6) for f in range(1, 6)]
    for segment in seg.RFM_SEGMENTS:
        assert set(CATALOG[f"seg.rfm.{segment}"]) == {"en", "zh"}
    assert CATALOG["seg.rfm.champions"]["zh"] == "冠军客户"


def test_rfm_rejects_missing_values():
    with pytest.raises(ValueError):
        seg.rfm_scores(pd.DataFrame({"customer_id": [1], "recency_days": [np.nan],
                                     "frequency": [1], "monetary": [1.0]}))


def test_segment_summary_counts_and_revenue():
    scored = pd.DataFrame({"segment": ["champions", "champions", "lost"], "monetary": [300.0, 100.0, 100.0]})
    summary = seg.segment_summary(scored).set_index("segment")
    assert list(summary.index) == list(seg.RFM_SEGMENTS)
    assert summary.loc["champions", "customers"] == 2 and summary.loc["champions", "revenue"] == 400
    assert summary.loc["champions", "revenue_share"] == pytest.approx(0.8)
    assert summary.loc["loyal", "customers"] == 0


# --- need type -----------------------------------------------------------------------------------

def test_infer_need_type_rule_and_own_field_wins():
    features = pd.DataFrame({
        "customer_id": [1, 2, 3, 4, 5, 6, 7],
        "discount_share": [0.6, 0.1, 0.3, 0.1, np.nan, np.nan, 0.9],
        "relative_price": [1.3, 1.2, 1.0, 0.8, 1.5, np.nan, 1.0],
        "need_type": [None, None, None, None, None, None, "value"],
    })
    result = seg.infer_need_type(features)
    # 1: discounts ≥ 50% → price; 2: rare discounts, 120% price → value; 3: neither → composite;
    # 4: pays 80% → price; 5: only price known, 150% but discount unknown → composite;
    # 6: nothing known → missing; 7: recorded "value" wins over the price signal
    assert result["need_type"].fillna("-").tolist() == ["price", "value", "composite", "price",
                                                        "composite", "-", "value"]
    assert result["need_source"].fillna("-").tolist() == ["inferred"] * 5 + ["-", "own"]


def test_need_rule_text_states_the_thresholds_the_code_uses():
    thresholds = [seg.PRICE_DISCOUNT_SHARE, seg.VALUE_DISCOUNT_SHARE,
                  seg.LOW_RELATIVE_PRICE, seg.HIGH_RELATIVE_PRICE]
    for lang in ("en", "zh"):
        for threshold in thresholds:
            assert f"{round(threshold * 100)}%" in CATALOG["seg.need_rule"][lang], (lang, threshold)


def test_infer_need_type_rejects_unknown_recorded_type():
    with pytest.raises(ValueError):
        seg.infer_need_type(pd.DataFrame({"customer_id": [1], "discount_share": [0.1],
                                          "relative_price": [1.0], "need_type": ["cheap"]}))


# --- allocation ----------------------------------------------------------------------------------

def test_allocate_budget_seed_000_by_hand():
    plan = seg.allocate_budget(Decimal("1000000"), {"key": 10, "general": 30, "potential": 60}).set_index("tier")
    assert plan.loc["key", "total"] == Decimal("600000") and plan.loc["key", "per_customer"] == Decimal("60000.00")
    assert plan.loc["general", "total"] == Decimal("300000")
    assert plan.loc["general", "per_customer"] == Decimal("10000.00")
    # 100,000 / 60 = 1,666.666… → 1,666.67
    assert plan.loc["potential", "per_customer"] == Decimal("1666.67")
    assert sum(plan["total"]) == Decimal("1000000")


def test_allocate_budget_float_custom_split_and_empty_tier():
    plan = seg.allocate_budget(1000.10, {"key": 3}, split=(0.5, 0.25, 0.25)).set_index("tier")
    assert plan.loc["key", "total"] == Decimal("500.05")
    assert plan.loc["key", "per_customer"] == Decimal("166.68")  # 166.683… half-up to the cent
    assert plan.loc["potential", "per_customer"] is None and plan.loc["general", "customers"] == 0


@pytest.mark.parametrize("budget, counts, split", [
    (-1, {"key": 1}, (0.6, 0.3, 0.1)), ("lots", {"key": 1}, (0.6, 0.3, 0.1)),
    (100, {"vip": 1}, (0.6, 0.3, 0.1)), (100, {"key": -1}, (0.6, 0.3, 0.1)),
    (100, {"key": 1}, (0.6, 0.3, 0.2)), (100, {"key": 1}, (1.2, -0.1, -0.1)), (100, {"key": 1}, (0.5, 0.5)),
])
def test_allocate_budget_invalid_input_raises(budget, counts, split):
    with pytest.raises(ValueError):
        seg.allocate_budget(budget, counts, split)


def test_tier_for_allocation_maps_a_b_c():
    classified = seg.abc_classify(spend_frame(list(range(10, 0, -1))), 0.1, 0.4)  # A 1, B 3, C 6
    tiered = reference.tier_for_allocation(classified)
    assert tiered["tier"].tolist() == ["key"] + ["general"] * 3 + ["potential"] * 6
    assert reference.tier_counts(tiered) == {"key": 1, "general": 3, "potential": 6}


# --- SQL -----------------------------------------------------------------------------------------

def random_store(con, rng, customers=400, transactions=4000):
    """Random transactions in cents, with deliberate ties and returns; the pandas side sums
    the same cents independently."""
    add_customers(con, list(range(1, customers + 1)))
    ids = rng.integers(1, customers + 1, transactions)
    cents = rng.integers(-2000, 50000, transactions)
    cents[:60] = 12345  # sixty single purchases of one price …
    ids[:60] = np.arange(customers - 59, customers + 1)  # … by customers that buy nothing else
    mask = np.isin(ids, np.arange(customers - 59, customers + 1))
    ids[60:][mask[60:]] = 1
    days = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 366, transactions), "D")
    margin = np.where(rng.random(transactions) < 0.2, None, (cents * 0.3).round() / 100)
    add_transactions(con, list(zip(ids.tolist(), days.date, (cents / 100).tolist(), margin,
                                   [None] * transactions, [None] * transactions, [None] * transactions)))
    return pd.DataFrame({"customer_id": ids, "cents": cents, "day": days.date, "margin": margin})


def test_sql_and_pandas_agree_on_random_data(con):
    txns = random_store(con, np.random.default_rng(7))
    start, end = date(2024, 2, 1), date(2024, 11, 30)
    period = txns[(txns["day"] >= start) & (txns["day"] <= end)]
    by_customer = period.groupby("customer_id", as_index=False)["cents"].sum()
    expected = seg.abc_classify(pd.DataFrame({"customer_id": by_customer["customer_id"],
                                              "spend": by_customer["cents"] / 100}), 0.07, 0.3)
    actual = seg.abc_classify_sql(con, start, end, "revenue", 0.07, 0.3)
    assert len(actual) > 100 and (actual["spend"] == 123.45).sum() >= 2  # ties are exercised
    assert actual["customer_id"].tolist() == expected["customer_id"].tolist()
    assert actual["rank"].tolist() == expected["rank"].tolist()
    assert actual["abc"].tolist() == expected["abc"].tolist()
    np.testing.assert_allclose(actual["spend"], expected["spend"], rtol=0, atol=1e-9)
    np.testing.assert_allclose(actual["share"], expected["share"], rtol=1e-12)
    np.testing.assert_allclose(actual["cum_share"], expected["cum_share"], rtol=1e-12)
    inactive = reference.inactive_customer_count(con, start, end)
    assert inactive == 400 - len(actual)


def test_class_codes_are_the_classification_by_customer(con):
    # abc_class_codes_sql (the purchase model's fit: nine bytes a customer) answers as
    # abc_classify_sql does, customer by customer: 0 = A, 1 = B, 2 = C, ids ascending.
    random_store(con, np.random.default_rng(7))
    start, end = date(2024, 2, 1), date(2024, 11, 30)
    frame = seg.abc_classify_sql(con, start, end, "revenue", 0.07, 0.3).sort_values("customer_id")
    ids, codes = seg.abc_class_codes_sql(con, start, end, "revenue", 0.07, 0.3)
    assert ids.tolist() == frame["customer_id"].tolist() and codes.dtype == np.int8
    assert ["ABC"[c] for c in codes] == frame["abc"].tolist()
    assert {0, 1, 2} == set(codes.tolist())


def test_sql_margin_measure_matches_pandas(con):
    txns = random_store(con, np.random.default_rng(11))
    known = txns.dropna(subset=["margin"])
    margin_cents = known.assign(m=(known["margin"].astype(float) * 100).round().astype(int))
    totals = margin_cents.groupby("customer_id", as_index=False)["m"].sum()
    expected = seg.abc_classify(pd.DataFrame({"customer_id": totals["customer_id"], "spend": totals["m"] / 100}))
    actual = seg.abc_classify_sql(con, date(2024, 1, 1), date(2024, 12, 31), "margin")
    assert actual["customer_id"].tolist() == expected["customer_id"].tolist()
    assert actual["abc"].tolist() == expected["abc"].tolist()


def test_sql_small_store_by_hand(con):
    add_customers(con, [1, 2, 3, 4])
    add_transactions(con, [
        (1, "2024-03-01", "100.00", None, None, None, None),
        (2, "2024-03-02", "300.00", None, None, None, None),
        (3, "2024-03-03", "50.00", None, None, None, None),
        (3, "2024-03-04", "-50.00", None, None, None, None),  # returned everything
        (2, "2024-05-01", "999.00", None, None, None, None),  # outside the period
    ])
    result = seg.abc_classify_sql(con, date(2024, 3, 1), date(2024, 3, 31))
    assert result["customer_id"].tolist() == [2, 1]
    assert result["abc"].tolist() == ["A", "C"]  # n = 2: A = ceil(0.1) = 1, B up to ceil(0.4) = 1
    assert result["cum_share"].tolist() == pytest.approx([0.75, 1.0])
    assert reference.inactive_customer_count(con, date(2024, 3, 1), date(2024, 3, 31)) == 2  # 3 and 4
    assert seg.abc_classify_sql(con, date(2023, 1, 1), date(2023, 1, 31)).empty
    with pytest.raises(ValueError):
        seg.abc_classify_sql(con, date(2024, 3, 1), date(2024, 3, 31), measure="amount; DROP TABLE customers")
    with pytest.raises(ValueError):
        seg.abc_classify_sql(con, date(2024, 3, 31), date(2024, 3, 1))


def test_rfm_table_sql_by_hand(con):
    add_customers(con, [1, 2, 3])
    add_transactions(con, [
        (1, "2024-06-01", "100.00", None, None, None, None),
        (1, "2024-06-01", "20.00", None, None, None, None),  # same day: one purchase occasion
        (1, "2024-06-20", "80.00", None, None, None, None),
        (1, "2024-06-25", "-30.00", None, None, None, None),  # a return is not a purchase
        (2, "2024-06-10", "500.00", None, None, None, None),
        (3, "2024-05-01", "70.00", None, None, None, None),  # before the period
    ])
    table = seg.rfm_table_sql(con, date(2024, 6, 1), date(2024, 6, 30), as_of=date(2024, 7, 1))
    assert table["customer_id"].tolist() == [1, 2]
    assert table["recency_days"].tolist() == [11, 21]
    assert table["frequency"].tolist() == [2, 1]
    assert table["monetary"].tolist() == pytest.approx([170.0, 500.0])
    with pytest.raises(ValueError):
        seg.rfm_table_sql(con, date(2024, 6, 1), date(2024, 6, 30), as_of=date(2024, 6, 29))


def test_customer_features_sql_by_hand(con):
    add_customers(con, [1, 2], influence=[4, None])
    add_transactions(con, [
        (1, "2023-12-15", "10.00", None, None, None, None),  # first purchase, before the period
        (1, "2024-01-05", "100.00", None, None, None, None),
        (1, "2024-03-05", "200.00", None, None, None, None),
    ])
    features = seg.customer_features_sql(con, date(2024, 1, 1), date(2024, 4, 30)).set_index("customer_id")
    # months Jan–Apr spend 100, 0, 200, 0: mean 75, population variance (625+5625+15625+5625)/4
    assert features.loc[1, "tenure_days"] == (date(2024, 4, 30) - date(2023, 12, 15)).days
    assert features.loc[1, "repeat_rate"] == pytest.approx(0.5)
    assert features.loc[1, "spend_cv"] == pytest.approx(np.sqrt(27500 / 4) / 75)
    assert features.loc[1, "influence"] == 4
    assert features.loc[2, "repeat_rate"] == 0 and pd.isna(features.loc[2, "spend_cv"])
    assert pd.isna(features.loc[2, "tenure_days"])
    assert seg.months_in_period(date(2024, 1, 31), date(2024, 2, 1)) == 2


def test_need_features_sql_by_hand(con):
    add_customers(con, [1, 2, 3])
    add_transactions(con, [
        # product P: 10 units for 100 and 10 units for 300 → average unit price 20
        (1, "2024-01-02", "100.00", None, "P", "10", "5.00"),
        (2, "2024-01-03", "300.00", None, "P", "10", "0.00"),
        (2, "2024-01-04", "40.00", None, "Q", "2", None),  # Q average 20; discount not recorded
    ])
    features = seg.need_features_sql(con, date(2024, 1, 1), date(2024, 1, 31)).set_index("customer_id")
    assert features.loc[1, "discount_share"] == 1.0 and features.loc[1, "relative_price"] == pytest.approx(0.5)
    assert features.loc[2, "discount_share"] == 0.0
    assert features.loc[2, "relative_price"] == pytest.approx(340 / (10 * 20 + 2 * 20))
    assert pd.isna(features.loc[3, "discount_share"])
    inferred = seg.infer_need_type(features.reset_index()).set_index("customer_id")
    assert inferred.loc[1, "need_type"] == "price" and inferred.loc[2, "need_type"] == "value"


def test_actual_cost_to_serve_and_comparison(con):
    add_customers(con, [1, 2, 3])
    con.execute("""INSERT INTO interactions (customer_id, occurred_at, channel, cost, concession) VALUES
        (1, TIMESTAMPTZ '2024-03-01 09:00:00+08', 'visit', 200, 50),
        (1, TIMESTAMPTZ '2024-03-31 23:30:00+08', 'gift', 100, 0),
        (2, TIMESTAMPTZ '2024-03-15 10:00:00+08', 'phone', 10, 40),
        (2, TIMESTAMPTZ '2024-04-01 00:10:00+08', 'phone', 999, 0)""")  # April in Shanghai
    costs = reference.actual_cost_to_serve_sql(con, date(2024, 3, 1), date(2024, 3, 31))
    assert costs["customer_id"].tolist() == [1, 2]
    assert costs["interactions"].tolist() == [2, 1]
    assert costs["cost_to_serve"].tolist() == [350.0, 50.0]
    tiered = pd.DataFrame({"customer_id": [1, 2, 3], "tier": ["key", "general", "potential"]})
    plan = seg.allocate_budget(1000, reference.tier_counts(tiered))
    comparison = reference.actual_vs_recommended(tiered, costs, plan).set_index("tier")
    assert comparison["recommended"].tolist() == [600.0, 300.0, 100.0]
    assert comparison["actual"].tolist() == [350.0, 50.0, 0.0]
    assert comparison["actual_share"].tolist() == pytest.approx([0.875, 0.125, 0.0])


def test_catalog_has_both_languages_for_every_segmentation_key():
    from crm_core.locales.segmentation import MESSAGES
    for key, texts in MESSAGES.items():
        assert key.startswith("seg.") and texts["en"] and texts["zh"], key
    keys = ([f"seg.class.{cls}" for cls in seg.MIGRATION_CLASSES]
            + [f"seg.tier.{tier}" for tier in seg.ALLOCATION_TIERS]
            + [f"seg.value_tier.{tier}" for tier in seg.VALUE_TIERS]
            + [f"seg.factor.{factor}" for factor in seg.NONMONETARY_FACTORS]
            + [f"seg.need.{need}" for need in seg.NEED_TYPES]
            + [f"seg.measure.{measure}" for measure in seg.MEASURES])
    assert [key for key in keys if key not in MESSAGES] == []


@pytest.mark.parametrize("n, levels", [(1, 1), (2, 2), (3, 3), (7, 3), (1000, 10), (50_000, 50_000)])
def test_tiers_follow_the_average_rank_percentile(n, levels):
    # tercile_codes (two counts over the sorted scores, bounded memory at ten million customers)
    # against the definition row by row: average rank r of ties, p = (r − 1)/(n − 1),
    # p > 2/3 high (0), p < 1/3 low (2), else medium (1).
    from scipy.stats import rankdata

    from crm_core.segmentation.value import tercile_codes

    score = np.random.default_rng(n).integers(0, levels, n).astype(float)
    p = (rankdata(score, method="average") - 1) / max(n - 1, 1)
    expected = np.where(p > 2 / 3, 0, np.where(p < 1 / 3, 2, 1))
    if n == 1:
        expected = np.array([1])  # p = 0/0: neither above 2/3 nor below 1/3
    assert tercile_codes(score).tolist() == expected.tolist()


def test_missing_scores_tie_last():
    from crm_core.segmentation.value import tercile_codes

    # 1, 3, 5 rank 1, 2, 3 and the two missing tie at 4.5: p = 0 and .25 low, .5 medium, .875 high
    assert tercile_codes(np.array([np.nan, 5.0, 1.0, np.nan, 3.0])).tolist() == [0, 1, 2, 0, 2]
