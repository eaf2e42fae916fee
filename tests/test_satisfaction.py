import math
import sys
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from crm_core import satisfaction as sat
from crm_core.satisfaction import queries
from crm_core.satisfaction.regional import calibration_cells, prior_strength
from tests import reference

MIGRATIONS = Path(__file__).resolve().parent.parent / "crm_core" / "migrations"


# --- NPS -----------------------------------------------------------------------------------

def test_nps_hand_computed_vector():
    # 10 answers: promoters 10,10,9,9,9 (P = 5); passives 8,7 (2); detractors 6,3,0 (D = 3)
    # NPS = 100 × (5 − 3)/10 = 20
    # raw SE = 100 × sqrt((0.5 + 0.3 − 0.2²)/10) = 100 × sqrt(0.076) = 27.5681
    # adjusted: n' = 13, p' = 5.75/13 = 0.442308, d' = 3.75/13 = 0.288462, p' − d' = 2/13
    # adjusted NPS = 15.3846; SE' = 100 × sqrt((0.730769 − 0.023669)/13) = 23.3222
    # interval = 15.3846 ± 1.96 × 23.3222 = 15.3846 ± 45.7115 → (−30.3268, 61.0961)
    result = sat.nps([10, 10, 9, 9, 9, 8, 7, 6, 3, 0])
    assert (result.score, result.n) == (20.0, 10)
    assert (result.promoters, result.passives, result.detractors) == (5, 2, 3)
    assert result.se == pytest.approx(27.5681, abs=1e-4)
    assert result.score_adjusted == pytest.approx(15.3846, abs=1e-4)
    assert result.se_adjusted == pytest.approx(23.3222, abs=1e-4)
    assert result.ci_low == pytest.approx(-30.3268, abs=1e-3)
    assert result.ci_high == pytest.approx(61.0961, abs=1e-3)


def test_nps_reachable_as_crm_core_satisfaction_nps():
    import crm_core.satisfaction

    assert crm_core.satisfaction.nps([10, 0]).score == 0.0


def test_nps_interval_clipped_to_scale_when_all_promoters():
    # P = 3, n = 3: NPS 100, raw SE 0; adjusted p' = 3.75/6, d' = 0.75/6 → centre 50,
    # SE' = 100 × sqrt((0.75 − 0.25)/6) = 28.8675 → 50 + 56.58 = 106.6 clipped to 100.
    result = sat.nps([10, 9, 10])
    assert result.score == 100.0 and result.se == 0.0
    assert result.ci_high == 100.0
    assert result.ci_low == pytest.approx(50 - 1.96 * 28.8675, abs=1e-3)


@pytest.mark.parametrize("bad", [11, -1, 7.5, "abc", True])
def test_nps_rejects_bad_answers_naming_them(bad):
    with pytest.raises(ValueError, match=repr(bad).replace(".", r"\.")):
        sat.nps([10, 8, bad])


def test_nps_skips_missing_and_rejects_empty():
    assert sat.nps([10, None, np.nan, 0]).n == 2
    with pytest.raises(ValueError, match="no NPS answers"):
        sat.nps([])
    with pytest.raises(ValueError):
        sat.nps([None])


def test_nps_z_test_by_hand():
    # A: P 6, passives 2, D 2 → n' 13, p' 6.75/13, d' 2.75/13, adjusted NPS 400/13 = 30.7692
    #    SE' = 100 × sqrt((9.5/13 − (4/13)²)/13) = 100 × sqrt((0.730769 − 0.094675)/13) = 22.1202
    # B: mirror image (P 2, D 6) → adjusted NPS −30.7692, same SE'
    # z = 61.5385 / sqrt(2 × 22.1202²) = 61.5385 / 31.2828 = 1.96717, p = 0.04916
    a = sat.nps([10] * 6 + [8] * 2 + [3] * 2)
    b = sat.nps([10] * 2 + [8] * 2 + [3] * 6)
    z, p = reference.nps_z_test(a, b)
    assert z == pytest.approx(1.96717, abs=1e-4)
    assert p == pytest.approx(0.04916, abs=1e-4)
    assert reference.nps_z_test(b, a)[0] == pytest.approx(-z)


# --- CSAT ----------------------------------------------------------------------------------

def test_csat_hand_computed_vector():
    # answers 5,5,5,4,4,4,4,3,2,1: n 10, #5 = 3, #4 = 4
    # top-two-box = 100 × 7/10 = 70; top-box = 30; mean = (15 + 16 + 3 + 2 + 1)/10 = 3.7
    # Wilson 7/10 = (0.396774, 0.892211); Wilson 3/10: centre (0.3 + 0.19208)/1.38416 = 0.355508,
    # half 1.96 × sqrt(0.021 + 0.009604)/1.38416 = 0.247718 → (0.107790, 0.603226)
    result = sat.csat([5, 5, 4, 4, 4, 3, 2, 1, 5, 4])
    assert (result.n, result.top_two_box, result.top_box, result.mean) == (10, 70.0, 30.0, 3.7)
    assert result.top_two_box_low == pytest.approx(39.6774, abs=1e-3)
    assert result.top_two_box_high == pytest.approx(89.2211, abs=1e-3)
    assert result.top_box_low == pytest.approx(10.7790, abs=1e-3)
    assert result.top_box_high == pytest.approx(60.3226, abs=1e-3)


def test_csat_rejects_out_of_scale():
    with pytest.raises(ValueError, match="0"):
        sat.csat([5, 0])


# --- labels --------------------------------------------------------------------------------

@pytest.mark.parametrize("label, score", [
    ("高度满意", 5), ("一般满意", 4), ("无意见", 3), ("有些不满意", 2), ("极不满意", 1),
    ("Highly Satisfied", 5), ("generally satisfied", 4), ("SATISFIED", 4), ("no opinion", 3),
    (" Neutral ", 3), ("somewhat dissatisfied", 2), ("Very dissatisfied", 1),
    (1, 1), ("5", 5), (4.0, 4), ("４", 4),
])
def test_parse_satisfaction_both_languages(label, score):
    assert sat.parse_satisfaction(label) == score


@pytest.mark.parametrize("bad", ["满意吗", "6", 0, 4.5, "", None, True, "very"])
def test_parse_satisfaction_rejects(bad):
    with pytest.raises(ValueError, match="not a satisfaction answer"):
        sat.parse_satisfaction(bad)


def test_parse_satisfaction_series_nan_and_error_mask():
    scores, errors = sat.parse_satisfaction_series(pd.Series(["高度满意", "neutral", None, "", "好", 2]))
    assert scores.iloc[:2].tolist() == [5.0, 3.0] and scores.iloc[5] == 2.0
    assert scores.iloc[2:5].isna().all()
    assert errors.tolist() == [False, False, False, False, True, False]


@pytest.mark.parametrize("value, answer", [
    ("是", True), ("否", False), ("YES", True), ("no", False), ("y", True), ("N", False),
    (1, True), (0, False), ("1", True), (True, True), (False, False),
])
def test_parse_yes_no(value, answer):
    assert sat.parse_yes_no(value) is answer


def test_parse_yes_no_rejects_and_series_mask():
    with pytest.raises(ValueError, match="maybe"):
        sat.parse_yes_no("maybe")
    answers, errors = sat.parse_yes_no_series(["是", None, "maybe", "no"])
    assert bool(answers[0]) is True and bool(answers[3]) is False
    assert pd.isna(answers[1]) and pd.isna(answers[2])
    assert errors.tolist() == [False, False, True, False]


# --- ladder, trend, breakdown --------------------------------------------------------------

def _ladder_frame() -> pd.DataFrame:
    # 10 respondents; satisfied (4–5): rows 0–5 (6); of them buy again: rows 0–3 (4);
    # of those recommend: rows 0–1 (2). Row 6 would recommend but is not satisfied: does not climb.
    return pd.DataFrame({
        "satisfaction": [5, 5, 4, 4, 5, 4, 3, 2, 1, None],
        "repurchase_intent": ["是", "yes", True, "1", "否", None, "是", "否", "否", None],
        "recommend_yes": ["是", "y", "否", None, "是", "是", "是", "否", "否", None],
    })


def test_satisfaction_ladder_counts_and_conversion():
    ladder = reference.satisfaction_ladder(_ladder_frame())
    assert ladder["level"].tolist() == ["respondents", "satisfied", "will_buy_again", "will_recommend"]
    assert ladder["count"].tolist() == [10, 6, 4, 2]
    # shares 100, 60, 40, 20 %; conversions —, 6/10, 4/6, 2/4
    assert ladder["share"].tolist() == [100.0, 60.0, 40.0, 20.0]
    assert math.isnan(ladder["conversion"][0])
    assert ladder["conversion"][1:].tolist() == pytest.approx([60.0, 66.6667, 50.0], abs=1e-3)


def _two_waves() -> pd.DataFrame:
    # wave 1: satisfaction 5 ×60, 2 ×40; recommend 10 ×60, 3 ×40 → CSAT 60 %, NPS 20
    # wave 2: satisfaction 5 ×40, 2 ×60; recommend 10 ×40, 3 ×60 → CSAT 40 %, NPS −20
    return pd.DataFrame({
        "wave_id": [1] * 100 + [2] * 100,
        "satisfaction": [5] * 60 + [2] * 40 + [5] * 40 + [2] * 60,
        "recommend": [10] * 60 + [3] * 40 + [10] * 40 + [3] * 60,
    })


def test_trend_marks_significant_change():
    trend = sat.satisfaction_trend(_two_waves(), "wave_id")
    assert trend["csat_top_two_box"].tolist() == [60.0, 40.0]
    assert trend["nps_score"].tolist() == [20.0, -20.0]
    # CSAT: 40/100 vs 60/100 → |z| = 2.828427, p = 0.0046777 (see test_stats)
    assert trend["csat_change_p"].iloc[1] == pytest.approx(0.0046777, abs=1e-6)
    # NPS: n' 103; wave 1 p' 60.75/103, d' 40.75/103 → adj 19.4175,
    # SE' = 100 × sqrt((0.985437 − 0.037704)/103) = 9.59229;
    # wave 2 mirrored → z = −38.8350 / (9.59229 × √2) = −2.86278
    assert trend["nps_change_p"].iloc[1] == pytest.approx(2 * norm.sf(2.86278), rel=1e-4)
    assert trend["csat_significant_change"].tolist() == [False, True]
    assert trend["nps_significant_change"].tolist() == [False, True]


def test_trend_by_month_and_no_change_when_equal():
    frame = _two_waves().assign(responded_on=pd.to_datetime(["2024-03-05"] * 100 + ["2024-04-20"] * 100))
    frame.loc[100:, ["satisfaction", "recommend"]] = frame.loc[:99, ["satisfaction", "recommend"]].to_numpy()
    trend = sat.satisfaction_trend(frame, "responded_on", by_month=True)
    assert [str(p) for p in trend.index] == ["2024-03", "2024-04"]
    assert trend["csat_change_p"].iloc[1] == 1.0
    assert not trend["csat_significant_change"].any() and not trend["nps_significant_change"].any()


def test_breakdown_vs_rest():
    # north 50/100 satisfied, south 80/100, east 80/100.
    # north vs rest: 50/100 vs 160/200, pooled 0.7, SE = sqrt(0.21 × 0.015) = 0.0561249, z = −5.3452
    frame = pd.DataFrame({
        "region": ["north"] * 100 + ["south"] * 100 + ["east"] * 100,
        "satisfaction": [5] * 50 + [1] * 50 + ([4] * 80 + [2] * 20) * 2,
        "recommend": [9] * 300,
    })
    table = reference.breakdown_vs_rest(frame, "region")
    north = table.loc["north"]
    assert north["csat_top_two_box"] == 50.0 and north["csat_rest"] == 80.0
    assert north["csat_vs_rest_p"] == pytest.approx(2 * norm.sf(5.3452), rel=1e-3)
    assert north["csat_direction"] == -1 and bool(north["csat_significant"])
    assert table.loc["south", "csat_direction"] == 1
    assert (table["nps_direction"] == 0).all()  # everyone a promoter: no NPS difference
    # Holm across the three groups: north's tiny p × 3 stays tiny; south and east (p ≈ 0.0075 each)
    # × 2 ≈ 0.015 < 0.05, so both are still flagged.
    assert table["csat_tests"].tolist() == [3, 3, 3]
    assert table.loc["south", "csat_vs_rest_p_holm"] == pytest.approx(2 * table.loc["south", "csat_vs_rest_p"])
    assert table["csat_significant"].all()


def test_breakdown_flags_are_holm_corrected_across_groups():
    # a 64/100 satisfied, b 50/100, c 50/100 (everyone a promoter, so NPS never differs).
    # a vs rest: 64/100 vs 100/200, pooled 164/300 = 0.546667, SE = sqrt(0.546667 × 0.453333 × (1/100 + 1/200))
    #   = 0.0609699, z = 0.14 / 0.0609699 = 2.29622, raw p = 0.02166 < 0.05 (flagged before this rule).
    # b vs rest (and c alike): 50/100 vs 114/200 = 0.57, same SE, z = −1.14811, raw p = 0.25092.
    # Holm, m = 3: a 0.02166 × 3 = 0.06498 ≥ 0.05 → not flagged; b, c: max(0.06498, 0.25092 × 2) = 0.50184.
    frame = pd.DataFrame({
        "region": ["a"] * 100 + ["b"] * 100 + ["c"] * 100,
        "satisfaction": [5] * 64 + [1] * 36 + ([4] * 50 + [2] * 50) * 2,
        "recommend": [10] * 300,
    })
    table = reference.breakdown_vs_rest(frame, "region")
    assert table.loc["a", "csat_vs_rest_p"] == pytest.approx(2 * norm.sf(2.29622), rel=1e-4)
    assert table.loc["a", "csat_vs_rest_p"] == pytest.approx(0.02166, abs=1e-5)
    assert table.loc["a", "csat_vs_rest_p_holm"] == pytest.approx(0.06498, abs=1e-4)
    assert table.loc["b", "csat_vs_rest_p_holm"] == pytest.approx(0.50184, abs=1e-4)
    assert not table["csat_significant"].any() and (table["csat_direction"] == 0).all()


# --- SERVQUAL and drivers -----------------------------------------------------------------

def test_servqual_gaps_and_servperf_by_hand():
    frame = pd.DataFrame({
        "exp_reliability": [6, 7, 5], "perc_reliability": [5, 5, 5],          # gaps −1, −2, 0 → −1
        "exp_responsiveness_speed": [6, 6, None], "perc_responsiveness_speed": [4, 5, 7],  # −2, −1 → −1.5
        "exp_responsiveness_answer": [5, 5, 5], "perc_responsiveness_answer": [6, 6, 6],   # +1 each → +1
        "perc_empathy": [6, 7, 5],                                            # SERVPERF only
        "comment": ["a", "b", "c"],
    })
    items = reference.servqual_gaps(frame).set_index(["dimension", "item"])
    assert items.loc[("reliability", ""), "gap"] == -1.0
    assert items.loc[("responsiveness", "speed"), "gap"] == -1.5
    assert items.loc[("responsiveness", "speed"), "n"] == 2
    dims = reference.servqual_dimensions(frame)
    assert list(dims.index) == ["reliability", "responsiveness", "empathy"]
    assert dims.loc["responsiveness", "gap"] == pytest.approx((-1.5 + 1.0) / 2)
    # SERVPERF responsiveness: per respondent mean of (speed, answer) = 5, 5.5, 6.5 → 5.6667
    assert dims.loc["responsiveness", "servperf"] == pytest.approx(17 / 3)
    assert dims.loc["empathy", "servperf"] == 6.0 and math.isnan(dims.loc["empathy", "gap"])


def test_servqual_without_pairs_raises():
    with pytest.raises(ValueError, match="exp_"):
        reference.servqual_gaps(pd.DataFrame({"perc_empathy": [5]}))


def _orthogonal_drivers() -> pd.DataFrame:
    # 2⁴ full factorial of ±1 factors: columns mutually orthogonal, as is their 4-way product.
    grid = np.array(np.meshgrid(*[[-1, 1]] * 4)).reshape(4, -1).T
    x1, x2, x3, x4 = grid.T
    return pd.DataFrame({
        "perc_reliability": 3 + x1, "perc_assurance": 6 + x2, "perc_tangibles": 3.5 + x3,
        "perc_empathy": 5.5 + x4,
        "satisfaction": 3 * x1 + 2 * x2 + x3 + 0.5 * x1 * x2 * x3 * x4,
    })


def test_key_drivers_orthogonal_design_by_hand():
    # var(y) = 9 + 4 + 1 + 0 + 0.25 = 14.25; with orthogonal drivers the weights are r²:
    # reliability 9/14.25 = 0.631579, assurance 4/14.25 = 0.280702, tangibles 1/14.25 = 0.070175,
    # empathy 0; R² = 14/14.25 = 0.982456. Importance cut = R²/4 = 0.245614;
    # performance means 3, 6, 3.5, 5.5 → cut 4.5.
    table = sat.key_drivers(_orthogonal_drivers(), "satisfaction")
    assert table["weight"].to_dict() == pytest.approx(
        {"reliability": 0.631579, "assurance": 0.280702, "tangibles": 0.070175, "empathy": 0.0}, abs=1e-6)
    assert table.attrs["r2"] == pytest.approx(0.982456, abs=1e-6)
    assert table["quadrant"].to_dict() == {
        "reliability": "fix_first", "assurance": "keep_up", "tangibles": "low_priority",
        "empathy": "possible_overkill"}


def test_johnson_weights_one_dominant_driver_sum_to_r2():
    rng = np.random.default_rng(7)
    n = 2000
    base = rng.normal(size=n)
    drivers = pd.DataFrame({  # correlated drivers: each shares the common factor `base`
        f"d{i}": 0.6 * base + rng.normal(size=n) for i in range(5)})
    y = 3.0 * drivers["d0"] + 0.3 * drivers["d1"] + rng.normal(size=n)
    weights = sat.johnson_relative_weights(drivers, y)
    design = np.column_stack([np.ones(n), drivers.to_numpy()])
    fitted = design @ np.linalg.lstsq(design, y.to_numpy(), rcond=None)[0]
    r2 = 1 - ((y - fitted) ** 2).sum() / ((y - y.mean()) ** 2).sum()
    assert weights.sum() == pytest.approx(r2, abs=1e-9)
    assert weights.idxmax() == "d0" and weights["d0"] / weights.sum() > 0.8
    assert (weights >= 0).all()


def test_johnson_weights_reject_constant_driver():
    with pytest.raises(ValueError, match="no variation"):
        sat.johnson_relative_weights(pd.DataFrame({"a": [1, 2, 3, 4], "b": [2, 2, 2, 2]}),
                                     pd.Series([1, 2, 3, 5]))


# --- regional response style ---------------------------------------------------------------

def _regional_sample() -> pd.DataFrame:
    # Same latent experience 2..5 in both regions; southerners answer one notch lower.
    # Repurchase depends only on the latent experience.
    rng = np.random.default_rng(42)
    n = 8000
    latent = rng.integers(2, 6, size=2 * n)
    region = np.array(["north"] * n + ["south"] * n)
    label = np.where(region == "south", latent - 1, latent)
    repurchase = rng.random(2 * n) < np.array([0, 0, 0.1, 0.3, 0.6, 0.9])[latent]
    return pd.DataFrame({"region": region, "satisfaction": label, "repurchase_intent": repurchase})


def test_region_adjusted_label_calibration_recovers_bias():
    frame = _regional_sample()
    adjusted = sat.region_adjusted(frame, "satisfaction", "region", method="label_calibration")
    means = sat.region_adjusted_means(adjusted)
    assert means.loc["north", "raw_mean"] - means.loc["south", "raw_mean"] == pytest.approx(1.0, abs=0.05)
    assert abs(means.loc["north", "adjusted_mean"] - means.loc["south", "adjusted_mean"]) < 0.05
    # Raw numbers kept unchanged beside the adjusted ones.
    assert adjusted["raw"].tolist() == frame["satisfaction"].astype(float).tolist()
    # A southern 4 goes with the repurchase rate of a northern 5, so it is read as ≈ 5.
    south_four = adjusted.loc[(frame["region"] == "south") & (frame["satisfaction"] == 4), "adjusted"]
    assert south_four.mean() == pytest.approx(5.0, abs=0.1)


def test_region_adjusted_zscore_equalises_region_means():
    frame = _regional_sample()
    adjusted = sat.region_adjusted(frame, "satisfaction", "region", method="zscore")
    means = sat.region_adjusted_means(adjusted)
    assert means.loc["north", "raw_mean"] - means.loc["south", "raw_mean"] > 0.9
    overall = frame["satisfaction"].mean()
    assert means["adjusted_mean"].to_numpy() == pytest.approx([overall, overall], abs=1e-9)


def _cell(region: str, label: int, n: int, yes: int) -> pd.DataFrame:
    return pd.DataFrame({"region": region, "satisfaction": label, "repurchase_intent": [True] * yes + [False] * (n - yes)})


def _two_region_hand_sample() -> pd.DataFrame:
    # label 3: north 2/10 yes, south 2/10 → overall 0.2
    # label 4: north 32/40 (0.8), south 2/10 (0.2) → overall 34/50 = 0.68
    # label 5: north 9/10, south 9/10 → overall 0.9
    return pd.concat([_cell("north", 3, 10, 2), _cell("south", 3, 10, 2), _cell("north", 4, 40, 32),
                      _cell("south", 4, 10, 2), _cell("north", 5, 10, 9), _cell("south", 5, 10, 9)],
                     ignore_index=True)


def test_calibration_shrinks_small_cells_by_hand():
    # Prior strength fixed at m = 10. Label 4's overall rate p = 0.68, so m·p = 6.8:
    #   north (32 + 6.8) / (40 + 10) = 0.776, own-data weight 40/50 = 0.8
    #   south ( 2 + 6.8) / (10 + 10) = 0.44,  own-data weight 10/20 = 0.5
    # Labels 3 and 5 have the same rate in both regions: shrunk = overall, they keep their labels.
    # Overall curve (rate → label): 0.2 → 3, 0.68 → 4, 0.9 → 5, so
    #   north 4 → 4 + (0.776 − 0.68)/(0.9 − 0.68) = 4.436364; south 4 → 3 + (0.44 − 0.2)/(0.68 − 0.2) = 3.5
    # Region means: north (10·3 + 40·4.436364 + 10·5)/60 = 4.290909 (raw 4.0);
    #               south (10·3 + 10·3.5 + 10·5)/30 = 3.833333 (raw 4.0).
    # Mean weight per answer: north (10·0.5 + 40·0.8 + 10·0.5)/60 = 0.7; south 0.5 everywhere.
    frame = _two_region_hand_sample()
    scores, regions = frame["satisfaction"].astype(float), frame["region"]
    cells = calibration_cells(scores, regions, frame["repurchase_intent"].astype(float), m=10)
    assert cells.loc[("north", 4.0), "shrunk"] == pytest.approx(0.776)
    assert cells.loc[("south", 4.0), "shrunk"] == pytest.approx(0.44)
    assert cells.loc[("north", 4.0), "weight"] == pytest.approx(0.8)
    assert cells.loc[("south", 4.0), "weight"] == pytest.approx(0.5)
    adjusted = sat.region_adjusted(frame, "satisfaction", "region", method="label_calibration", prior_strength=10)
    south_four = adjusted.loc[(frame["region"] == "south") & (frame["satisfaction"] == 4), "adjusted"]
    assert south_four.unique() == pytest.approx([3.5])
    means = sat.region_adjusted_means(adjusted)
    assert means.loc["north", "adjusted_mean"] == pytest.approx(4.290909, abs=1e-6)
    assert means.loc["south", "adjusted_mean"] == pytest.approx(3.833333, abs=1e-6)
    assert means["raw_mean"].tolist() == [4.0, 4.0]
    assert means["n_intent"].tolist() == [60, 30]
    assert means.loc["north", "weight"] == pytest.approx(0.7)
    assert means.loc["south", "weight"] == pytest.approx(0.5)
    assert (means["prior_strength"] == 10).all()


def test_prior_strength_method_of_moments_by_hand():
    # One label, north 30/50 yes, south 20/50: overall p = 0.5, p(1 − p) = 0.25.
    # Pearson χ² = (50·0.1² + 50·0.1²)/0.25 = 4 on R − 1 = 1 df, so the excess is 3.
    # N − Σn²/N = 100 − (2500 + 2500)/100 = 50 → ρ = 3/50 = 0.06, m = 1/ρ − 1 = 15.666667.
    # North shrunk = (30 + 15.666667·0.5)/(50 + 15.666667) = 0.576142, weight 50/65.666667 = 0.761421.
    frame = pd.concat([_cell("north", 4, 50, 30), _cell("south", 4, 50, 20)], ignore_index=True)
    cells = calibration_cells(frame["satisfaction"].astype(float), frame["region"],
                              frame["repurchase_intent"].astype(float))
    assert prior_strength(cells) == pytest.approx(15.666667, abs=1e-6)
    assert cells.loc[("north", 4.0), "shrunk"] == pytest.approx(0.576142, abs=1e-6)
    assert cells.loc[("north", 4.0), "weight"] == pytest.approx(0.761421, abs=1e-6)
    # No spread beyond chance (equal rates): ρ ≤ 0 → the strongest prior, m = 500.
    level = pd.concat([_cell("north", 4, 50, 25), _cell("south", 4, 50, 25)], ignore_index=True)
    assert prior_strength(calibration_cells(level["satisfaction"].astype(float), level["region"],
                                            level["repurchase_intent"].astype(float))) == 500.0
    # Hand sample above: labels 3 and 5 add χ² = 0 (−1 each); label 4 has χ² = (40·0.12² + 10·0.48²)/0.2176
    # = 13.235294, excess 12.235294 − 2 = 10.235294 over (20 − 10) + (50 − 34) + (20 − 10) = 36:
    # ρ = 0.284314, m = 2.517241.
    hand = _two_region_hand_sample()
    m = prior_strength(calibration_cells(hand["satisfaction"].astype(float), hand["region"],
                                         hand["repurchase_intent"].astype(float)))
    assert m == pytest.approx(2.517241, abs=1e-6)


def test_region_adjusted_unknown_method():
    with pytest.raises(ValueError, match="percentile"):
        sat.region_adjusted(_regional_sample(), "satisfaction", "region", method="percentile")


# --- loyalty quadrants and word of mouth ---------------------------------------------------

def test_loyalty_quadrants_constructed_set():
    frame = pd.DataFrame({
        "customer_id": [1, 2, 3, 4, 5, 6, 7],
        "satisfaction": [5, 4, 2, 1, 5, 3, None],
        "repeat_purchases_12m": [3, 0, 4, 1, 2, 0, 5],
    })
    # 1: sat & 3 purchases → apostle; 2: sat & 0 → mercenary; 3: 2 & 4 → hostage;
    # 4: 1 & 1 → saboteur; 5: sat & 2 (= threshold) → apostle; 6: 3 & 0 → saboteur; 7: unknown
    table = reference.loyalty_quadrants(frame, "satisfaction", "repeat_purchases_12m").set_index("quadrant")
    assert table["count"].to_dict() == {"saboteur": 2, "mercenary": 1, "hostage": 1, "apostle": 2}
    assert table.loc["apostle", "members"] == [1, 5]
    assert table.loc["saboteur", "members"] == [4, 6]
    assert table.loc["hostage", "share"] == pytest.approx(100 / 6)
    assert table.loc["saboteur", "action"] == "satisfaction.action.saboteur"
    assert pd.isna(sat.loyalty_quadrant_of(frame, "satisfaction", "repeat_purchases_12m").iloc[6])


def test_loyalty_quadrants_with_stated_intent():
    frame = pd.DataFrame({"customer_id": [1, 2, 3], "satisfaction": [5, 2, 4],
                          "repurchase_intent": ["是", "是", "否"]})
    labels = sat.loyalty_quadrant_of(frame, "satisfaction", "repurchase_intent")
    assert labels.tolist() == ["apostle", "hostage", "mercenary"]


def test_catalog_has_every_quadrant_and_action_in_both_languages():
    from crm_core.locales.satisfaction import MESSAGES
    for q in sat.QUADRANTS:
        for key in (f"satisfaction.quadrant.{q}", f"satisfaction.action.{q}"):
            assert MESSAGES[key]["en"] and MESSAGES[key]["zh"]
    for q in sat.IPA_QUADRANTS:
        assert set(MESSAGES[f"satisfaction.ipa.{q}"]) == {"en", "zh"}


def test_complaint_iceberg_volkswagen_defaults():
    # 10 complaints × 26 = 260 dissatisfied, 250 silent; they tell 260 × 15 = 3,900 people;
    # 100 satisfied tell 300; net −3,600.
    estimate = sat.complaint_iceberg(10, satisfied_customers=100)
    assert estimate.estimated_dissatisfied == pytest.approx(260)
    assert estimate.silent_dissatisfied == pytest.approx(250)
    assert estimate.negative_reach == pytest.approx(3900)
    assert estimate.net_reach == pytest.approx(-3600)


def test_complaint_iceberg_seed_004_preset():
    # 5 % complain: 10 complaints → 200 dissatisfied, each influencing 5 → 1,000 people.
    estimate = sat.complaint_iceberg(10, **sat.ICEBERG_PRESETS["seed_004"])
    assert estimate.estimated_dissatisfied == pytest.approx(200)
    assert estimate.negative_reach == pytest.approx(1000)
    with pytest.raises(ValueError):
        sat.complaint_iceberg(10, complain_ratio=0)


def test_measured_complaint_ratio_and_little_swan():
    measured = sat.measured_complaint_ratio(3, 60)
    assert measured["ratio"] == 0.05 and measured["one_in"] == pytest.approx(20)
    assert measured["ci_low"] < 0.05 < measured["ci_high"]
    with pytest.raises(ValueError):
        sat.measured_complaint_ratio(1, 0)
    # 1:25:8:1 for 4 customers
    assert sat.little_swan_reach(4) == {"aware": 100, "potential": 32, "new_customers": 4}


# --- comments ------------------------------------------------------------------------------

def test_top_words_chinese_with_jieba():
    words = sat.top_words(["送货太慢", "送货太慢了，价格贵", "客服不满意，送货太慢"], "zh")
    assert words.attrs["method"] == "jieba"
    counts = dict(zip(words["word"], words["count"], strict=True))
    assert counts["送货"] == 3 and counts["太慢"] == 3 and "了" not in counts and "，" not in counts


def test_top_words_bigram_fallback_without_jieba(monkeypatch):
    monkeypatch.setitem(sys.modules, "jieba", None)  # import jieba now raises ImportError
    words = sat.top_words(["送货太慢", "送货慢"], "zh")
    assert words.attrs["method"] == "char_bigram"
    # bigrams: 送货 货太 太慢 | 送货 货慢
    assert dict(zip(words["word"], words["count"], strict=True))["送货"] == 2


def _catalog_chinese() -> list[str]:
    """Every Chinese text of the locale catalogs: thousands of real sentences to cut."""
    import importlib
    import pkgutil

    import crm_core.locales

    texts = []
    for module in pkgutil.iter_modules(crm_core.locales.__path__):
        for value in vars(importlib.import_module(f"crm_core.locales.{module.name}")).values():
            if isinstance(value, dict):
                texts += [e["zh"] for e in value.values() if isinstance(e, dict) and isinstance(e.get("zh"), str)]
    return texts


def test_subset_tokenizer_cuts_exactly_like_jieba(tmp_path):
    import jieba

    from crm_core.satisfaction import segmenting

    copy = tmp_path / "freq.sqlite"
    segmenting.save_copy(copy)
    texts = [*_catalog_chinese()[:800], "送货太慢了，价格贵 iPhone15 客服 abc-123 不满意", "王小二来自北京清华大学", ""]
    subset = segmenting._subset_tokenizer(jieba, texts, copy)
    assert len(subset.FREQ) < len(jieba.dt.FREQ) / 20  # only what these texts can look up
    assert [subset.lcut(text) for text in texts] == [jieba.lcut(text) for text in texts]


def test_segmenter_without_a_copy_uses_jieba_and_starts_writing_one(tmp_path, monkeypatch):
    import jieba

    from crm_core.satisfaction import segmenting

    started = []
    monkeypatch.setattr(segmenting, "cache_path", lambda: tmp_path / "none.sqlite")
    monkeypatch.setattr(segmenting, "_start_saving", started.append)
    monkeypatch.setattr(jieba.dt, "initialized", False)  # as in a fresh process (FREQ stays loaded)
    assert segmenting.segmenter(["送货太慢"]) is jieba.lcut
    assert started == [tmp_path / "none.sqlite"]
    segmenting.save_copy(tmp_path / "none.sqlite")
    monkeypatch.setattr(jieba.dt, "initialized", False)  # the next fresh process finds the copy
    cut = segmenting.segmenter(["送货太慢"])
    assert cut is not jieba.lcut and cut("送货太慢") == ["送货", "太慢"]


def test_the_dictionary_copy_lives_in_a_private_cache_folder(tmp_path, monkeypatch):
    """Not in the shared temp folder, where another local user could plant a copy first."""
    from crm_core.satisfaction import segmenting

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = segmenting.cache_path()
    assert path.parent == tmp_path / "cache" / "kehu" and path.name.startswith("jieba-")
    assert path.parent.stat().st_mode & 0o777 == 0o700
    (tmp_path / "a-file").write_text("")  # no folder can be made under a file, whoever runs this
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "a-file" / "cache"))
    assert segmenting.cache_path() is None  # then the full dictionary is used (segmenter)


def test_top_words_english_and_contrast():
    contrast = sat.word_contrast(["Delivery was slow", "slow delivery and rude staff"],
                                 ["Friendly staff", "friendly and fast"], "en")
    bad = dict(zip(contrast["dissatisfied"]["word"], contrast["dissatisfied"]["count"], strict=True))
    assert bad == {"delivery": 2, "slow": 2, "rude": 1, "staff": 1}
    assert contrast["satisfied"]["word"].iloc[0] == "friendly"
    assert contrast["satisfied"].attrs["method"] == "words"


# --- non-response --------------------------------------------------------------------------

def test_nonresponse_check_shares_and_means():
    customers = pd.DataFrame({
        "customer_id": range(1, 9),
        "region": ["north", "north", "north", "south", "south", "south", "south", "south"],
        "spend": [100, 200, 300, 10, 20, 30, 40, 50],
    })
    table = sat.nonresponse_check(customers, [1, 2, 3, 4], numeric=("spend",))
    north = table[(table["variable"] == "region") & (table["level"] == "north")].iloc[0]
    # respondents 1–4: north 3 of 4 = 75 %; non-respondents 5–8: north 0 of 4 = 0 %
    assert (north["respondents"], north["non_respondents"], north["difference"]) == (75.0, 0.0, 75.0)
    spend = table[table["variable"] == "spend"].iloc[0]
    # respondent mean (100+200+300+10)/4 = 152.5; non-respondent mean (20+30+40+50)/4 = 35
    assert (spend["respondents"], spend["non_respondents"]) == (152.5, 35.0)
    assert "tenure_stage" not in set(table["variable"])


def test_nonresponse_flags_large_difference():
    customers = pd.DataFrame({"customer_id": range(1000), "region": ["north"] * 500 + ["south"] * 500})
    table = sat.nonresponse_check(customers, range(400), numeric=())
    assert table["significant"].all()  # respondents all northern, non-respondents 1/6 northern


# --- DuckDB migration and SQL aggregates ---------------------------------------------------

@pytest.fixture()
def con():
    connection = duckdb.connect()
    connection.execute("SET TimeZone='Asia/Shanghai'")
    for name in ("001_foundation.sql", "004_surveys.sql"):
        connection.execute((MIGRATIONS / name).read_text(encoding="utf-8"))
    yield connection
    connection.close()


def _insert_responses(connection, frame: pd.DataFrame) -> None:
    connection.register("incoming", frame)
    columns = ", ".join(frame.columns)
    connection.execute(f"INSERT INTO survey_responses ({columns}) SELECT {columns} FROM incoming")
    connection.unregister("incoming")


def _survey_frame() -> pd.DataFrame:
    waves = _two_waves()
    ladder = pd.concat([_ladder_frame()] * 20, ignore_index=True)
    return pd.DataFrame({
        "wave_id": waves["wave_id"],
        "responded_on": pd.to_datetime(np.where(waves["wave_id"] == 1, "2024-03-05", "2024-04-20")),
        "region": np.tile(["north", "south"], 100),
        "satisfaction": waves["satisfaction"],
        "recommend": waves["recommend"],
        "repurchase_intent": sat.parse_yes_no_series(ladder["repurchase_intent"])[0],
        "recommend_yes": sat.parse_yes_no_series(ladder["recommend_yes"])[0],
        "exp_reliability": np.tile([6, 7, 5, 6], 50), "perc_reliability": np.tile([5, 5, 5, 6], 50),
    })


def test_sql_csat_and_nps_match_pandas(con):
    frame = _survey_frame()
    _insert_responses(con, frame)
    csat_by_wave = reference.csat_by(con, "wave_id")
    assert csat_by_wave["top_two_box"].tolist() == [60.0, 40.0]
    nps_by_region = queries.nps_by(con, "region", wave_id=1)
    north_wave_1 = frame[(frame["region"] == "north") & (frame["wave_id"] == 1)]
    assert nps_by_region.loc["north", "score"] == sat.nps(north_wave_1["recommend"]).score
    trend = queries.trend_sql(con, "month")
    assert trend["csat_significant_change"].tolist() == [False, True]
    assert trend.index[0] == pd.Timestamp("2024-03-01")


def test_sql_breakdown_ladder_and_servqual(con):
    frame = _survey_frame()
    _insert_responses(con, frame)
    pd.testing.assert_frame_equal(reference.breakdown_sql(con, "region"),
                                  reference.breakdown_vs_rest(frame, "region"), check_names=False)
    # SQL ladder: same counts as the pandas ladder over the same rows
    sql_ladder = queries.ladder_sql(con)
    # where recommend_yes is missing, SQL falls back to a promoter answer (recommend ≥ 9)
    pandas_ladder = reference.satisfaction_ladder(
        frame.assign(recommend_yes=frame["recommend_yes"].fillna(frame["recommend"] >= 9)))
    assert sql_ladder["count"].tolist() == pandas_ladder["count"].tolist()
    servqual = queries.servqual_sql(con)
    # gaps per 4-row block: −1, −2, 0, 0 → mean −0.75
    assert list(servqual.index) == ["reliability"]
    assert servqual.loc["reliability", "gap"] == pytest.approx(-0.75)
    assert servqual.loc["reliability", "n_pairs"] == 200
    assert len(queries.response_sample(con, wave_id=2, limit=30)) == 30


def test_sql_ladder_counts_promoters_when_yes_no_missing(con):
    _insert_responses(con, pd.DataFrame({
        "wave_id": [1, 1, 1], "responded_on": pd.to_datetime(["2024-01-01"] * 3),
        "satisfaction": [5, 5, 4], "repurchase_intent": [True, True, True], "recommend": [10, 6, 9],
    }))
    assert queries.ladder_sql(con)["count"].tolist() == [3, 3, 3, 2]


def test_schema_rejects_out_of_scale_answers(con):
    with pytest.raises(duckdb.ConstraintException):
        con.execute("INSERT INTO survey_responses (wave_id, responded_on, satisfaction) "
                    "VALUES (1, DATE '2024-01-01', 6)")
    with pytest.raises(duckdb.ConstraintException):
        con.execute("INSERT INTO survey_responses (wave_id, responded_on, recommend) "
                    "VALUES (1, DATE '2024-01-01', 11)")
    con.execute("INSERT INTO survey_waves (name, started_on, invited) VALUES ('Q1', DATE '2024-01-01', NULL)")
    con.execute("INSERT INTO mystery_visits (location, visited_on, score, checklist) "
                "VALUES ('store 1', DATE '2024-02-01', 83, '{\"clean\": true}')")
    assert con.execute("SELECT score FROM mystery_visits").fetchone()[0] == 83


def test_sql_rejects_unlisted_identifiers(con):
    with pytest.raises(ValueError, match="group_by"):
        queries.answer_counts_sql(con, "satisfaction", "region; DROP TABLE customers")
    with pytest.raises(ValueError, match="measure"):
        queries.answer_counts_sql(con, "comment", "region")
