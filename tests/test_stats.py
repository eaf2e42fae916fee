import math

import numpy as np
import pytest

from crm_core import stats
from crm_core.stats import two_proportion_z_test, two_sided_p, wilson_interval


def test_wilson_seven_of_ten_by_hand():
    # z = 1.96, z² = 3.8416, n = 10, p = 0.7
    # centre = (p + z²/2n) / (1 + z²/n) = (0.7 + 0.19208) / 1.38416 = 0.644492
    # half   = z·sqrt(p(1−p)/n + z²/4n²) / (1 + z²/n) = 1.96·sqrt(0.021 + 0.009604) / 1.38416 = 0.247718
    low, high = wilson_interval(7, 10)
    assert low == pytest.approx(0.644492 - 0.247718, abs=1e-6)
    assert high == pytest.approx(0.644492 + 0.247718, abs=1e-6)


def test_wilson_zero_successes_starts_at_zero():
    # p = 0: centre = half = 0.19208/1.38416 = 0.138770 → (0, 0.277540)
    low, high = wilson_interval(0, 10)
    assert low == pytest.approx(0.0, abs=1e-12)
    assert high == pytest.approx(0.277540, abs=1e-6)


def test_wilson_vectorised_and_empty_group():
    low, high = wilson_interval(np.array([7, 0, 0]), np.array([10, 10, 0]))
    assert low[0] == pytest.approx(0.396774, abs=1e-6) and high[1] == pytest.approx(0.277540, abs=1e-6)
    assert math.isnan(low[2]) and math.isnan(high[2])


def test_wilson_rejects_impossible_counts():
    with pytest.raises(ValueError):
        wilson_interval(11, 10)
    with pytest.raises(ValueError):
        wilson_interval(-1, 10)


def test_two_proportion_by_hand():
    # 60/100 vs 40/100: pooled 0.5, SE = sqrt(0.25 × (1/100 + 1/100)) = 0.0707107,
    # z = 0.2/0.0707107 = 2.828427
    # p = 2 × (1 − Φ(2.828427)) = 0.0046777
    z, p = two_proportion_z_test(60, 100, 40, 100)
    assert z == pytest.approx(2.828427, abs=1e-6)
    assert p == pytest.approx(0.0046777, abs=1e-6)


def test_two_proportion_identical_answers_and_empty_groups():
    # Everyone satisfied in both groups: pooled p = 1, no difference possible.
    assert two_proportion_z_test(10, 10, 20, 20) == (0.0, 1.0)
    z, p = two_proportion_z_test(np.array([5, 0]), np.array([10, 0]), np.array([5, 5]), np.array([10, 10]))
    assert z[0] == 0.0 and math.isnan(z[1]) and math.isnan(p[1])


def test_two_sided_p_of_196_is_five_percent():
    assert two_sided_p(1.96) == pytest.approx(0.04999579, abs=1e-7)
    assert two_sided_p(-1.96) == two_sided_p(1.96)


def test_holm_hand_example():
    # p = [0.01, 0.04, 0.03, 0.005], m = 4. Sorted: 0.005, 0.01, 0.03, 0.04
    # × (4, 3, 2, 1)            → 0.02, 0.03, 0.06, 0.04
    # running max (step-down)   → 0.02, 0.03, 0.06, 0.06
    # back in input order: [0.03, 0.06, 0.06, 0.02] — only 0.005 and 0.01 stay below 0.05.
    adjusted = stats.holm_adjusted([0.01, 0.04, 0.03, 0.005])
    assert adjusted == pytest.approx([0.03, 0.06, 0.06, 0.02])


def test_holm_caps_at_one_skips_nan_and_keeps_order():
    # NaN is not a test: m = 2. Sorted 0.3, 0.8 → × (2, 1) = 0.6, 0.8.
    assert np.allclose(stats.holm_adjusted([0.8, np.nan, 0.3]), [0.8, np.nan, 0.6], equal_nan=True)
    # 0.6 × 2 = 1.2 → capped at 1; the next one (0.7) is raised to the running max, 1.
    assert stats.holm_adjusted([0.7, 0.6]).tolist() == [1.0, 1.0]
    assert stats.holm_adjusted([]).size == 0
    with pytest.raises(ValueError):
        stats.holm_adjusted([0.5, 1.5])


def test_six_groups_raw_029_is_not_significant_after_holm():
    # The case: one of six region-vs-rest tests at p = 0.029, the others larger.
    # Smallest of six is multiplied by 6: 0.029 × 6 = 0.174 ≥ 0.05, so no flag.
    adjusted = stats.holm_adjusted([0.029, 0.2, 0.4, 0.5, 0.7, 0.9])
    assert adjusted[0] == pytest.approx(0.174)
    assert not (adjusted < stats.ALPHA).any()


def test_benjamini_hochberg_hand_example():
    # Same p as the Holm example. Sorted 0.005, 0.01, 0.03, 0.04; m·p/i = 0.02, 0.02, 0.04, 0.04;
    # running min from the top → 0.02, 0.02, 0.04, 0.04; input order [0.02, 0.04, 0.04, 0.02].
    assert stats.bh_adjusted([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.02, 0.04, 0.04, 0.02])
