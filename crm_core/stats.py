"""Small shared statistics: proportion intervals and tests used across the dashboard.

All functions accept scalars or equal-length array-likes and are vectorised with numpy, so a
breakdown over thousands of groups is one call, not a loop. Proportions are fractions (0..1),
not percentages; callers multiply by 100 for display.

The 95 % critical value is the rounded ``Z_95 = 1.96`` that survey texts (and docs/domain.md §4) use, so
results can be checked by hand; pass ``z`` for another level.
"""
from __future__ import annotations

import numpy as np

Z_95 = 1.96
ALPHA = 0.05


def _as_counts(successes, n) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(successes, dtype=float)
    total = np.asarray(n, dtype=float)
    if np.any(total < 0) or np.any(x < 0):
        raise ValueError("counts must not be negative")
    if np.any(x > total):
        raise ValueError("successes cannot exceed the number of trials")
    return x, total


def wilson_interval(successes, n, z: float = Z_95):
    """Wilson score interval for a binomial proportion.

    ``successes`` and ``n`` are counts (scalars or arrays). Returns ``(low, high)`` as fractions;
    where ``n == 0`` both are NaN (no data, no interval). Raises ValueError for negative counts or
    successes > n.
    """
    x, total = _as_counts(successes, n)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / total
        denom = 1.0 + z * z / total
        centre = (p + z * z / (2.0 * total)) / denom
        half = z * np.sqrt(p * (1.0 - p) / total + z * z / (4.0 * total * total)) / denom
        low, high = np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)
    empty = total == 0
    low, high = np.where(empty, np.nan, low), np.where(empty, np.nan, high)
    return (float(low), float(high)) if np.ndim(low) == 0 else (low, high)


def two_sided_p(z):
    """Two-sided p-value of a standard-normal statistic (scalar or array; NaN stays NaN)."""
    from scipy.special import ndtr
    p = 2.0 * ndtr(-np.abs(np.asarray(z, dtype=float)))
    return float(p) if np.ndim(p) == 0 else p


def two_proportion_z_test(x1, n1, x2, n2):
    """Pooled two-proportion z test of H0: p1 == p2.

    Counts as scalars or arrays. Returns ``(z, p_value)`` with z > 0 when group 1 is higher.
    Where the pooled proportion is 0 or 1 (everyone answered alike) the groups cannot differ:
    z = 0, p = 1. Where either n is 0: NaN. Raises ValueError on impossible counts.
    """
    a, na = _as_counts(x1, n1)
    b, nb = _as_counts(x2, n2)
    with np.errstate(divide="ignore", invalid="ignore"):
        pooled = (a + b) / (na + nb)
        se = np.sqrt(pooled * (1.0 - pooled) * (1.0 / na + 1.0 / nb))
        z = np.where(se > 0, (a / na - b / nb) / se, 0.0)
    z = np.where((na == 0) | (nb == 0), np.nan, z)
    p = np.asarray(two_sided_p(z))
    return (float(z), float(p)) if np.ndim(z) == 0 else (z, p)


def _finite_order(p_values) -> tuple[np.ndarray, np.ndarray, int]:
    p = np.asarray(p_values, dtype=float)
    if np.any((p < 0) | (p > 1)):
        raise ValueError("p-values must lie between 0 and 1")
    tested = np.flatnonzero(~np.isnan(p))
    return p, tested[np.argsort(p[tested], kind="stable")], len(tested)


def holm_adjusted(p_values) -> np.ndarray:
    """Holm's step-down adjusted p-values (family-wise error), same order as the input.

    Sorted ascending p₍₁₎ ≤ … ≤ p₍ₘ₎, the i-th (1-based) becomes max over j ≤ i of (m − j + 1)·p₍ⱼ₎,
    capped at 1; reject where the adjusted p < α. NaN (a group with no test) stays NaN and does
    not count in m. Raises ValueError for a p outside [0, 1].
    """
    p, order, m = _finite_order(p_values)
    out = np.full(p.shape, np.nan)
    if m:
        stepped = (m - np.arange(m)) * p[order]
        out[order] = np.minimum(np.maximum.accumulate(stepped), 1.0)
    return out


def bh_adjusted(p_values) -> np.ndarray:
    """Benjamini–Hochberg step-up adjusted p-values (false discovery rate), same order as input.

    The i-th smallest becomes min over j ≥ i of m·p₍ⱼ₎ / j, capped at 1; NaN stays NaN and does not
    count in m.
    """
    p, order, m = _finite_order(p_values)
    out = np.full(p.shape, np.nan)
    if m:
        stepped = m * p[order] / np.arange(1, m + 1)
        out[order] = np.minimum(np.minimum.accumulate(stepped[::-1])[::-1], 1.0)
    return out
