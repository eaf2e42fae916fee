"""crm_core.churn: the docs/domain.md §5 worked example, hand-computed cases and the CDNOW references."""
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy.optimize import check_grad

from crm_core.churn import (
    FUNNEL_STAGES,
    REASONS,
    bgnbd,
    churn_loss,
    churn_rate_by_period_sql,
    customer_funnel,
    expected_loss_by_segment,
    fit_bgnbd,
    fit_gamma_gamma,
    lapsed_customers,
    lapsed_customers_sql,
    p_alive,
    reason_pareto,
    rfm_summary,
    rfm_summary_sql,
    what_if,
)
from crm_core.churn.bgnbd import BGNBDFit, distinct_patterns, unique_patterns
from crm_core.churn.reasons import pareto_of_counts
from crm_core.churn.spend import WEEKS_PER_MONTH, GammaGammaFit
from crm_core.i18n import t
from crm_core.locales.churn import MESSAGES
from tests.reference import (
    churn_rate_by_period,
    customer_lifetime_value,
    expected_purchases,
    expected_spend,
    p_alive_explained,
    reasons_by_category,
)

ROOT = Path(__file__).resolve().parents[1]
CDNOW = ROOT / "tests" / "fixtures" / "cdnow"
CALIBRATION_END = date(1997, 9, 30)


@pytest.fixture(scope="module")
def cdnow_summary():
    return pd.read_csv(CDNOW / "cdnow_summary.csv")


@pytest.fixture(scope="module")
def cdnow_transactions():
    return pd.read_csv(CDNOW / "cdnow_sample_transactions.csv")


def store_with(transactions: pd.DataFrame):
    """In-memory DuckDB with the project schema and ``transactions`` (customer_id, date, amount)."""
    con = duckdb.connect()
    con.execute("SET TimeZone='Asia/Shanghai'")
    con.execute((ROOT / "crm_core" / "migrations" / "001_foundation.sql").read_text(encoding="utf-8"))
    con.register("incoming", transactions)
    con.execute("INSERT INTO transactions (customer_id, txn_date, amount) "
                "SELECT customer_id, CAST(date AS DATE), amount FROM incoming")
    con.unregister("incoming")
    return con


@pytest.fixture(scope="module")
def cdnow_store(cdnow_transactions):
    con = store_with(cdnow_transactions)
    yield con
    con.close()


# --- cost of churn -------------------------------------------------------------------------------

def test_worked_example_transport_company_year_one():
    loss = churn_loss(64_000, 0.05, 40_000, 0.10)
    assert loss.lost_customers == 3_200
    assert loss.lost_revenue == 128_000_000
    assert loss.lost_profit == 12_800_000
    assert isinstance(loss.lost_profit, Decimal)
    assert len(loss.years) == 1 and loss.total_lost_profit == 12_800_000


def test_lost_customers_stay_lost_in_later_years():
    # 1000 customers, 10 % churn: lose 100, then 10 % of 900 = 90, then 10 % of 810 = 81.
    loss = churn_loss(1000, Decimal("0.10"), 100, Decimal("0.2"), years=3)
    table = loss.to_frame()
    assert list(table["base_at_start"]) == [1000, 900, 810]
    assert list(table["newly_lost"]) == [100, 90, 81]
    assert list(table["cumulative_lost"]) == [100, 190, 271]
    assert list(table["lost_revenue"]) == [10_000, 19_000, 27_100]
    assert list(table["lost_profit"]) == [2_000, 3_800, 5_420]
    assert loss.total_lost_customers == 271
    assert loss.total_lost_revenue == 56_100
    assert loss.total_lost_profit == 11_220


def test_discounting_starts_in_year_two():
    loss = churn_loss(1000, 0.10, 100, 0.2, years=3, discount_rate=0.10)
    assert loss.lost_profit == 2_000
    expected = 2000 + 3800 / 1.1 + 5420 / 1.1 ** 2
    assert float(loss.total_lost_profit) == pytest.approx(expected, rel=1e-12)


def test_word_of_mouth_takes_others_along():
    # each of the 100 lost influences 5, one in five of those leaves too: 100 more in year 1
    loss = churn_loss(1000, 0.10, 100, 0.2, years=2, word_of_mouth=5, word_of_mouth_loss_share=0.2)
    first, second = loss.years
    assert (first.directly_lost, first.word_of_mouth_lost, first.newly_lost) == (100, 100, 200)
    assert (second.base_at_start, second.newly_lost, second.cumulative_lost) == (800, 160, 360)


def test_word_of_mouth_cannot_lose_more_than_the_base():
    loss = churn_loss(1000, 0.5, 100, 0.2, years=2, word_of_mouth=5, word_of_mouth_loss_share=1)
    assert loss.lost_customers == 1000
    assert loss.years[1].newly_lost == 0 and loss.total_lost_customers == 1000


def test_replacement_cost_needs_the_retention_cost():
    assert churn_loss(64_000, 0.05, 40_000, 0.10).replacement_cost is None
    # keeping a customer costs 100, winning one 5 × 100; it may take ten new ones to make up one old one
    loss = churn_loss(64_000, 0.05, 40_000, 0.10, retention_cost_per_customer=100)
    assert loss.replacement_cost == 3_200 * 500
    tenfold = churn_loss(64_000, 0.05, 40_000, 0.10, retention_cost_per_customer=100, replacements_per_lost=10)
    assert tenfold.replacement_cost == 16_000_000


def test_what_if_cutting_churn_five_points():
    # profit of the base after a year: (1000 − 100) × 100 × 0.2 = 18,000 → (1000 − 50) × 20 = 19,000
    result = what_if(1000, 0.10, 100, 0.2, churn_cut_points=5)
    assert result.churn_rate_after == Decimal("0.05")
    assert (result.profit_before, result.profit_after, result.profit_change) == (18_000, 19_000, 1_000)
    assert result.profit_change_share == Decimal(1000) / Decimal(18000)
    assert result.reference_band == (Decimal("0.25"), Decimal("0.85"))
    assert result.reference_key in MESSAGES


def test_what_if_cut_larger_than_churn_is_rejected():
    with pytest.raises(ValueError, match="churn_cut_points"):
        what_if(1000, 0.03, 100, 0.2, churn_cut_points=5)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"customers": -1}, "customers"),
    ({"churn_rate": 1.5}, "churn_rate"),
    ({"churn_rate": -0.1}, "churn_rate"),
    ({"margin": 2}, "margin"),
    ({"revenue_per_customer": -5}, "revenue_per_customer"),
    ({"years": 0}, "years"),
    ({"years": 1.5}, "years"),
    ({"discount_rate": -0.1}, "discount_rate"),
    ({"word_of_mouth": -1}, "word_of_mouth"),
    ({"word_of_mouth_loss_share": 2}, "word_of_mouth_loss_share"),
    ({"retention_cost_per_customer": -1}, "retention_cost_per_customer"),
    ({"customers": "many"}, "customers"),
    ({"churn_rate": float("nan")}, "churn_rate"),
])
def test_invalid_churn_inputs_raise(kwargs, message):
    arguments = {"customers": 1000, "churn_rate": 0.1, "revenue_per_customer": 100, "margin": 0.2} | kwargs
    with pytest.raises(ValueError, match=message):
        churn_loss(**arguments)


# --- RFM summary ---------------------------------------------------------------------------------

def test_rfm_summary_merges_same_day_purchases():
    transactions = pd.DataFrame({
        "customer_id": [1, 1, 1, 1, 2, 1],
        "date": ["2024-01-01", "2024-01-01", "2024-01-08", "2024-01-15", "2024-01-10", "2024-02-01"],
        "amount": [10.0, 5.0, 20.0, 30.0, 99.0, 1000.0],
    })
    summary = rfm_summary(transactions, date(2024, 1, 22))  # the February purchase is after the end
    one, two = summary.to_dict("records")
    assert one == {"customer_id": 1, "frequency": 2, "recency": 2.0, "T": 3.0, "monetary_value": 25.0}
    assert two == {"customer_id": 2, "frequency": 0, "recency": 0.0, "T": 12 / 7, "monetary_value": 0.0}


def test_rfm_summary_reproduces_the_cdnow_calibration_summary(cdnow_transactions, cdnow_summary):
    summary = rfm_summary(cdnow_transactions, CALIBRATION_END)
    assert len(summary) == 2357
    assert (summary["customer_id"] == cdnow_summary["customer_id"]).all()
    assert (summary["frequency"] == cdnow_summary["frequency"]).all()
    for column in ("recency", "T", "monetary_value"):  # the reference is rounded to 2 decimals
        assert np.abs(summary[column] - cdnow_summary[column]).max() <= 0.005 + 1e-9


def test_rfm_summary_sql_agrees_with_pandas(cdnow_store, cdnow_transactions):
    pd.testing.assert_frame_equal(rfm_summary_sql(cdnow_store, CALIBRATION_END),
                                  rfm_summary(cdnow_transactions, CALIBRATION_END))
    later = cdnow_transactions[cdnow_transactions["date"] >= "1997-03-01"]
    pd.testing.assert_frame_equal(rfm_summary_sql(cdnow_store, CALIBRATION_END, start=date(1997, 3, 1)),
                                  rfm_summary(later, CALIBRATION_END))


def test_rfm_summary_needs_its_columns():
    with pytest.raises(ValueError, match="amount"):
        rfm_summary(pd.DataFrame({"customer_id": [1], "date": ["2024-01-01"]}), date(2024, 2, 1))


# --- BG/NBD --------------------------------------------------------------------------------------

def test_bgnbd_reproduces_the_cdnow_reference(cdnow_summary):
    fit = fit_bgnbd(cdnow_summary)
    assert (round(fit.r, 3), round(fit.alpha, 3), round(fit.a, 3), round(fit.b, 3)) == (0.243, 4.414, 0.793, 2.426)
    assert round(fit.log_likelihood, 1) == -9582.4
    assert fit.converged and fit.customers == 2357


def test_bgnbd_counts_each_pattern_by_its_customers(cdnow_summary):
    doubled = fit_bgnbd(pd.concat([cdnow_summary, cdnow_summary], ignore_index=True))
    single = fit_bgnbd(cdnow_summary)
    assert doubled.log_likelihood == pytest.approx(2 * single.log_likelihood, rel=1e-9)
    assert doubled.r == pytest.approx(single.r, rel=1e-4) and doubled.b == pytest.approx(single.b, rel=1e-4)


@pytest.mark.parametrize("slice_rows", [1, 7, 500, 2356, 2357, 10_000])
def test_patterns_read_a_slice_at_a_time_are_the_whole_pass_exactly(cdnow_summary, slice_rows):
    # The fit job reads the summary of ten million customers in slices (bounded memory); the
    # patterns, their order (first appearance) and counts must be the whole pass's, bit for bit,
    # or the fit's sums would add in another order. CDNOW's 2,357 customers hold 1,016 patterns.
    whole = unique_patterns(cdnow_summary)[:4]
    sliced = distinct_patterns(cdnow_summary, slice_rows=slice_rows)
    assert len(whole[0]) < len(cdnow_summary)
    for expected, actual in zip(whole, sliced):
        np.testing.assert_array_equal(actual, expected)
    assert sliced[3].sum() == 2357



@pytest.mark.parametrize("slice_size", [1, 97, 500, 100_000])
def test_likelihood_summed_in_slices_on_threads_is_the_one_sum(cdnow_summary, monkeypatch, slice_size):
    # The fit sums the repeat buyers' terms in fixed slices, on threads: the answer must not depend
    # on the slicing beyond rounding, and not at all on the threads (same slices, same order).
    data = bgnbd._Patterns.of(*distinct_patterns(cdnow_summary))
    at = np.log([0.243, 4.414, 0.793, 2.426])  # the CDNOW reference fit
    whole_value, whole_gradient = bgnbd._negative_mean_ll(at, data)  # 1,016 patterns: one slice
    assert round(-whole_value * 2357, 1) == -9582.4  # the reference log-likelihood
    monkeypatch.setattr(bgnbd, "MIXTURE_SLICE", slice_size)
    value, gradient = bgnbd._negative_mean_ll(at, data)
    with ThreadPoolExecutor(2) as pool:
        threaded_value, threaded_gradient = bgnbd._negative_mean_ll(at, data, pool)
    assert threaded_value == value and (threaded_gradient == gradient).all()
    assert value == pytest.approx(whole_value, rel=1e-13)
    np.testing.assert_allclose(gradient, whole_gradient, rtol=1e-9, atol=1e-14)
    away = np.log([0.5, 3.0, 1.2, 4.0])  # the analytic gradient against finite differences
    assert check_grad(lambda p: bgnbd._negative_mean_ll(p, data)[0],
                      lambda p: bgnbd._negative_mean_ll(p, data)[1], away) < 1e-6


def simulate_bgnbd(n, r, alpha, a, b, seed):
    """Customers drawn from the BG/NBD story itself, observed for 52–104 weeks."""
    rng = np.random.default_rng(seed)
    rate = rng.gamma(r, 1 / alpha, n)
    dropout = rng.beta(a, b, n)
    age = rng.uniform(52, 104, n)
    times = np.cumsum(rng.exponential(1.0, (n, 400)) / rate[:, None], axis=1)
    assert (times[:, -1] > age).all()  # 400 draws always reach past the end of observation
    repeats = np.minimum((times <= age[:, None]).sum(axis=1), rng.geometric(dropout))
    last = np.where(repeats > 0, times[np.arange(n), np.maximum(repeats - 1, 0)], 0.0)
    return pd.DataFrame({"customer_id": np.arange(n), "frequency": repeats, "recency": last, "T": age})


def test_bgnbd_recovers_simulated_parameters():
    fit = fit_bgnbd(simulate_bgnbd(5000, r=0.8, alpha=5.0, a=0.6, b=2.5, seed=7))
    assert fit.converged
    for estimate, truth in ((fit.r, 0.8), (fit.alpha, 5.0), (fit.a, 0.6), (fit.b, 2.5)):
        assert estimate == pytest.approx(truth, rel=0.15)


def _simulated_without_heterogeneity(customers=3000, dropout=0.05, seed=1) -> pd.DataFrame:
    """Gamma(2, 4)-mixed Poisson buyers over 52 weeks who all drop out after a purchase with the
    same probability: no spread in p for Beta(a, b) to describe, so the MLE runs off to a, b → ∞."""
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(customers):
        rate, week, bought, last = rng.gamma(2.0, 1 / 4.0), 0.0, 0, 0.0
        while True:
            week += rng.exponential(1 / rate)
            if week > 52:
                break
            bought, last = bought + 1, week
            if rng.random() < dropout:
                break
        rows.append((bought, last, 52.0))
    return pd.DataFrame(rows, columns=["frequency", "recency", "T"])


def test_bgnbd_flags_the_ridge_and_reports_the_limiting_dropout_probability():
    # issue 15: everyone drops out with the same p = 5 % → the fit runs to the ridge; p = a/(a + b)
    # is what is left of a and b, and it comes out close to the 5 % simulated.
    from ui.churn.model import readable, readable_percent
    fit = fit_bgnbd(_simulated_without_heterogeneity())
    assert fit.limiting and not fit.converged and fit.a + fit.b > 1_000
    assert fit.dropout_per_purchase == pytest.approx(0.05, abs=0.005)
    shown = readable_percent(fit.dropout_per_purchase, "en")
    assert shown == f"{100 * fit.dropout_per_purchase:.2f}%" and shown.startswith("5.")
    text = t("churn.model.limiting", "en", p=shown)
    assert f"about {shown} per purchase" in text and "e+" not in text
    assert readable(fit.b, "en") == f"{fit.b:,.0f}" and "e" not in readable(6.144e-06, "en")
    assert readable(6.144e-06, "zh") == "0.00000614"


def test_bgnbd_regular_buyers_who_all_stay_are_a_limiting_fit():
    # customer i buys every 1 + i mod 6 weeks from week 0 to 52 and is still buying at the end
    gaps = [1 + i % 6 for i in range(300)]
    summary = pd.DataFrame({"frequency": [52 // g for g in gaps], "recency": [(52 // g) * g for g in gaps],
                            "T": 52.0})
    fit = fit_bgnbd(summary)
    assert fit.limiting and fit.dropout_per_purchase < 1e-6
    from ui.churn.model import readable_percent
    assert readable_percent(fit.dropout_per_purchase, "zh") == "< 0.01%"


def test_bgnbd_cdnow_is_not_limiting(cdnow_summary):
    fit = fit_bgnbd(cdnow_summary)
    assert fit.converged and not fit.limiting
    assert fit.dropout_per_purchase == pytest.approx(fit.a / (fit.a + fit.b))


def test_bgnbd_rejects_bad_summaries():
    with pytest.raises(ValueError, match="empty"):
        fit_bgnbd(pd.DataFrame({"frequency": [], "recency": [], "T": []}))
    with pytest.raises(ValueError, match="recency"):
        fit_bgnbd(pd.DataFrame({"frequency": [1], "recency": [10.0], "T": [5.0]}))


REFERENCE_BGNBD = BGNBDFit(r=0.243, alpha=4.414, a=0.793, b=2.426, log_likelihood=-9582.4,
                           converged=True, iterations=0, customers=2357)


def test_p_alive_and_expected_purchases_for_cdnow_customer_one(cdnow_summary):
    # customer 1: 2 repeat purchases, the last at week 30.43 of 38.86.
    # P(alive) = 1 / (1 + a/(b+x−1) · ((α+T)/(α+t_x))^(r+x)) = 1 / (1 + 0.2315 · 1.6258) ≈ 0.7266
    first = cdnow_summary.head(3)
    alive = p_alive(REFERENCE_BGNBD, first)
    assert alive.iloc[0] == pytest.approx(1 / (1 + 0.793 / 3.426 * (43.274 / 34.844) ** 2.243), abs=1e-4)
    assert alive.iloc[2] == 1.0  # a one-time buyer is "alive" by construction
    assert expected_purchases(REFERENCE_BGNBD, 0, first).tolist() == [0.0, 0.0, 0.0]
    # lifetimes 0.11.3 on the same fit gives 1.2259 expected purchases for customer 1 in the next 39 weeks
    assert expected_purchases(fit_bgnbd(cdnow_summary), 39, first).iloc[0] == pytest.approx(1.2259, abs=1e-4)


def test_p_alive_explained_flags_one_time_buyers(cdnow_summary):
    explained = p_alive_explained(REFERENCE_BGNBD, cdnow_summary)
    one_time = explained[explained["one_time_buyer"]]
    assert len(one_time) == (cdnow_summary["frequency"] == 0).sum() == 1411
    assert (one_time["p_alive"] == 1.0).all()
    assert set(explained["explanation_key"]) == {"churn.p_alive.one_time_buyer", "churn.p_alive.repeat_buyer"}
    assert set(explained["explanation_key"]) <= MESSAGES.keys()


# --- Gamma-Gamma, CLV, expected loss -------------------------------------------------------------

def test_gamma_gamma_reproduces_the_cdnow_reference(cdnow_summary):
    fit = fit_gamma_gamma(cdnow_summary)
    assert fit.p == pytest.approx(6.25, abs=0.01)
    assert fit.q == pytest.approx(3.74, abs=0.01)
    assert fit.gamma == pytest.approx(15.44, abs=0.01)
    assert fit.converged and fit.customers == 946


def test_expected_spend_shrinks_towards_the_population_mean():
    reference = GammaGammaFit(p=6.25, q=3.74, gamma=15.44, log_likelihood=0, converged=True, iterations=0,
                              customers=946)
    customers = pd.DataFrame({"frequency": [2, 0], "monetary_value": [22.35, 0.0]})
    spend = expected_spend(reference, customers)
    assert spend.iloc[0] == pytest.approx(6.25 * (15.44 + 2 * 22.35) / (2 * 6.25 + 3.74 - 1), rel=1e-12)  # 24.66
    assert spend.iloc[1] == pytest.approx(6.25 * 15.44 / 2.74, rel=1e-12)  # population mean 35.22


def test_gamma_gamma_needs_repeat_buyers():
    with pytest.raises(ValueError, match="repeat"):
        fit_gamma_gamma(pd.DataFrame({"frequency": [0, 0], "monetary_value": [0.0, 0.0]}))


def test_clv_without_discount_is_spend_times_purchases(cdnow_summary):
    bgnbd, gg = fit_bgnbd(cdnow_summary), fit_gamma_gamma(cdnow_summary)
    sample = cdnow_summary.head(50)
    undiscounted = customer_lifetime_value(bgnbd, gg, sample, months=12, discount_rate_monthly=0.0)
    direct = expected_spend(gg, sample) * expected_purchases(bgnbd, 12 * WEEKS_PER_MONTH, sample)
    np.testing.assert_allclose(undiscounted, direct, rtol=1e-9)
    discounted = customer_lifetime_value(bgnbd, gg, sample, months=12, discount_rate_monthly=0.01)
    assert (discounted < undiscounted).all()
    with pytest.raises(ValueError, match="months"):
        customer_lifetime_value(bgnbd, gg, sample, months=0, discount_rate_monthly=0.01)


def test_expected_loss_by_segment():
    frame = pd.DataFrame({"p_alive": [0.9, 0.5, 0.2], "value": [100.0, 200.0, 50.0],
                          "segment": ["champions", "champions", "at_risk"]})
    table = expected_loss_by_segment(frame)
    assert table["segment"].tolist() == ["champions", "at_risk"]
    assert table["expected_loss"].tolist() == pytest.approx([10 + 100, 40])
    assert table["customers"].tolist() == [2, 1]
    assert table["loss_share"].tolist() == pytest.approx([110 / 150, 40 / 150])
    with pytest.raises(ValueError, match="p_alive"):
        expected_loss_by_segment(frame.assign(p_alive=[1.2, 0.5, 0.2]))


# --- lapsed customers and churn rate -------------------------------------------------------------

def lapsed_example() -> pd.DataFrame:
    rows = [
        (1, "2024-06-01", 100), (1, "2024-06-08", 100), (1, "2024-06-15", 100),  # weekly, 16 days away
        (2, "2024-06-14", 40), (2, "2024-06-21", 40), (2, "2024-06-21", 40),  # weekly, 10 days away
        (3, "2023-03-01", 1000), (3, "2024-03-01", 50), (3, "2024-03-31", 50), (3, "2024-04-30", 50),
        (4, "2024-06-20", 500),  # bought once, 11 days ago
        (5, "2024-05-01", 80),  # bought once, 61 days ago
        (6, "2024-07-05", 70),  # only after as_of
    ]
    return pd.DataFrame(rows, columns=["customer_id", "date", "amount"])


def test_lapsed_customers_against_their_own_rhythm():
    lapsed = lapsed_customers(lapsed_example(), date(2024, 7, 1))
    # 1: gaps 7, 7 → late after 14 days, 16 away. 3: gaps 366, 30, 30 → median 30, 62 > 60 days away;
    # its 2023 purchase is outside the trailing 12 months. 5: one purchase → population median of
    # the own medians (7, 7, 30) = 7, 61 > 14. 2 (same-day purchases merged: gap 7, not 0) and 4 are not.
    assert lapsed["customer_id"].tolist() == [1, 3, 5]
    assert lapsed["revenue_at_risk"].tolist() == [300, 150, 80]
    assert lapsed["median_gap_days"].tolist() == [7, 30, 7]
    assert lapsed["gap_source"].tolist() == ["own", "own", "population"]
    assert lapsed["days_since_last"].tolist() == [16, 62, 61]
    assert lapsed["threshold_days"].tolist() == [14, 60, 14]
    assert lapsed_customers(lapsed_example(), date(2024, 7, 1), k=3)["customer_id"].tolist() == [5]
    with pytest.raises(ValueError, match="k"):
        lapsed_customers(lapsed_example(), date(2024, 7, 1), k=0)


def test_lapsed_customers_sql_agrees_with_pandas(cdnow_store, cdnow_transactions):
    example = store_with(lapsed_example())
    pd.testing.assert_frame_equal(lapsed_customers_sql(example, date(2024, 7, 1)),
                                  lapsed_customers(lapsed_example(), date(2024, 7, 1)))
    pd.testing.assert_frame_equal(lapsed_customers_sql(cdnow_store, date(1998, 1, 31), k=2.5),
                                  lapsed_customers(cdnow_transactions, date(1998, 1, 31), k=2.5))


def test_churn_rate_by_period():
    transactions = pd.DataFrame({
        "customer_id": [1, 2, 3, 1, 4, 1],
        "date": ["2024-01-05", "2024-01-09", "2024-01-20", "2024-02-02", "2024-02-10", "2024-04-01"],
        "amount": [1.0] * 6,
    })
    # Jan {1,2,3} → Feb {1,4}: 2 of 3 gone; Feb → Mar (nobody): both gone; Mar empty → no April row
    table = churn_rate_by_period(transactions, "month")
    assert table["period"].dt.strftime("%Y-%m").tolist() == ["2024-02", "2024-03"]
    assert table["active_prev"].tolist() == [3, 2]
    assert table["retained"].tolist() == [1, 0]
    assert table["churn_rate"].tolist() == pytest.approx([2 / 3, 1.0])
    pd.testing.assert_frame_equal(churn_rate_by_period_sql(store_with(transactions), "month"), table)
    with pytest.raises(ValueError, match="period"):
        churn_rate_by_period(transactions, "week")


def test_churn_rate_sql_agrees_on_cdnow(cdnow_store, cdnow_transactions):
    table = churn_rate_by_period(cdnow_transactions, "quarter")
    pd.testing.assert_frame_equal(churn_rate_by_period_sql(cdnow_store, "quarter"), table)
    # all 2,357 customers made their first purchase in Q1 1997; 524 of them bought again in Q2
    assert (table.loc[0, "active_prev"], table.loc[0, "retained"]) == (2357, 524)


# --- reasons and funnel --------------------------------------------------------------------------

def test_reason_pareto():
    events = pd.DataFrame({"reason": ["poor_service"] * 5 + ["price_too_high"] * 3 + ["moved"] * 2})
    pareto = reason_pareto(events)
    assert pareto.table["reason"].tolist() == ["poor_service", "price_too_high", "moved"]
    assert pareto.table["count"].tolist() == [5, 3, 2]
    assert pareto.table["share"].tolist() == pytest.approx([0.5, 0.3, 0.2])
    assert pareto.table["cumulative_share"].tolist() == pytest.approx([0.5, 0.8, 1.0])
    assert pareto.controllable_share == pytest.approx(0.8)
    assert reason_pareto([]).controllable_share is None
    with pytest.raises(ValueError, match="unknown churn reason"):
        reason_pareto(["aliens"])


def test_pareto_of_counts_is_the_pareto_of_the_events_listed_one_by_one():
    # ties (2 and 2) keep the taxonomy's order: moved comes before poor_product in REASONS
    listed = ["poor_product"] * 2 + ["rep_left"] * 4 + ["moved"] * 2
    counted = pareto_of_counts({"poor_product": 2, "rep_left": 4, "moved": 2, "bankrupt": 0})
    pd.testing.assert_frame_equal(counted.table, reason_pareto(listed).table)
    assert counted.table["reason"].tolist() == ["rep_left", "moved", "poor_product"]
    assert (counted.total, counted.controllable_share) == (8, 6 / 8)
    empty = pareto_of_counts({})
    pd.testing.assert_frame_equal(empty.table, reason_pareto([]).table)
    assert (empty.total, empty.controllable_share) == (0, None)
    with pytest.raises(ValueError, match="unknown churn reason"):
        pareto_of_counts({"aliens": 1})


def test_reason_taxonomy_matches_the_book():
    assert reasons_by_category("uncontrollable") == ["moved", "changed_trade", "bankrupt"]
    assert "cross_territory_dumping" in reasons_by_category("controllable")


def test_customer_funnel():
    funnel = customer_funnel({"visitor": 10_000, "potential": 2_000, "purchasing": 500, "repeat": 200,
                              "loyal": 50})
    assert funnel["stage"].tolist() == list(FUNNEL_STAGES)
    assert np.isnan(funnel.loc[0, "step_conversion"])
    assert funnel["step_conversion"].tolist()[1:] == pytest.approx([0.2, 0.25, 0.4, 0.25])
    assert funnel["overall_conversion"].tolist() == pytest.approx([1, 0.2, 0.05, 0.02, 0.005])
    with pytest.raises(ValueError, match="at most"):
        customer_funnel({"visitor": 10, "potential": 20, "purchasing": 5, "repeat": 2, "loyal": 1})
    with pytest.raises(ValueError, match="missing"):
        customer_funnel({"visitor": 10})


def test_every_churn_label_has_both_languages():
    keys = ([f"churn.reason.{r}" for r in REASONS] + [f"churn.reason_category.{c}" for c in set(REASONS.values())]
            + [f"churn.funnel.{s}" for s in FUNNEL_STAGES] + ["churn.gap_source.own", "churn.gap_source.population",
                                                              "churn.p_alive.meaning"])
    for key in keys:
        assert MESSAGES[key]["en"] and MESSAGES[key]["zh"], key
    assert all(key.startswith("churn.") for key in MESSAGES)
