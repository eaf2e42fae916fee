import math

import numpy as np
import pytest

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
