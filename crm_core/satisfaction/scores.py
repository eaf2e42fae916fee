"""NPS and CSAT with their intervals, and the two-NPS significance test.

NPS (Reichheld 2003): answers 0..10, promoters 9–10, passives 7–8, detractors 0–6;
score = 100 × (P − D) / n on −100..100.

Interval: adjusted Wald (Rocks 2016, The American Statistician 70(4); computed as in Lewis &
Sauro 2021, measuringu.com/nps-confidence-intervals): n' = n + 3, p' = (P + 0.75)/n',
d' = (D + 0.75)/n', SE' = 100 × sqrt((p' + d' − (p' − d')²)/n'). Like every Agresti–Coull-type
interval it is centred on the *adjusted* estimate 100 × (p' − d'), not on the raw score:
ci = 100 × (p' − d') ± 1.96 × SE'. The raw score is still the reported point estimate (``score``),
and the adjusted centre is returned too (``score_adjusted``) so a reader can see why the interval is
not symmetric around the score. The interval is clipped to −100..100.

CSAT on the 5-point scale: top-two-box % = 100 × (#4 + #5)/n, top-box % = 100 × #5/n, with
Wilson intervals (docs/domain.md §4; Jones & Sasser 1995 on why the top box matters).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict

from crm_core.stats import Z_95, wilson_interval

NPS_SCALE = range(0, 11)
CSAT_SCALE = range(1, 6)
_ADJ_COUNT, _ADJ_N = 0.75, 3.0


class NPSResult(BaseModel):
    """One NPS with its adjusted-Wald 95 % interval (all on the −100..100 scale)."""

    model_config = ConfigDict(frozen=True)
    score: float
    n: int
    promoters: int
    passives: int
    detractors: int
    se: float
    score_adjusted: float
    se_adjusted: float
    ci_low: float
    ci_high: float


class CSATResult(BaseModel):
    """CSAT on the 5-point scale; percentages 0..100, Wilson 95 % intervals."""

    model_config = ConfigDict(frozen=True)
    n: int
    top_two_box: float
    top_two_box_low: float
    top_two_box_high: float
    top_box: float
    top_box_low: float
    top_box_high: float
    mean: float


def validated_answers(scores, scale: range, what: str) -> np.ndarray:
    """Whole-number answers on ``scale`` as an int array; missing values (None/NaN) are dropped.

    Raises ValueError naming the first bad value (text, fraction or out of range), or when no
    answers remain.
    """
    values = pd.Series(scores).dropna()
    numeric = pd.to_numeric(values, errors="coerce").astype(float)
    bad = numeric.isna() | (numeric % 1 != 0) | (numeric < scale.start) | (numeric >= scale.stop)
    # True/False would otherwise pass as 1/0: a yes/no column fed to a score by mistake.
    if values.dtype == bool:
        bad[:] = True
    elif values.dtype == object:
        bad |= values.map(type).isin([bool, np.bool_])
    if bad.any():
        raise ValueError(
            f"{what} answers must be whole numbers {scale.start}..{scale.stop - 1}; "
            f"got {values[bad].iloc[0]!r}"
        )
    if values.empty:
        raise ValueError(f"no {what} answers to score")
    return numeric.to_numpy(dtype=np.int64)


def nps_table(promoters, passives, detractors) -> pd.DataFrame:
    """NPS, standard errors and adjusted-Wald interval from counts (scalars or arrays).

    Returns one row per input position with the columns of :class:`NPSResult`; rows with n == 0
    hold NaN. This is the vectorised core used by :func:`nps`, trends and breakdowns.
    """
    p_count, pas_count, d_count = (
        np.asarray(c, dtype=float).reshape(-1) for c in (promoters, passives, detractors))
    n = p_count + pas_count + d_count
    with np.errstate(divide="ignore", invalid="ignore"):
        p, d = p_count / n, d_count / n
        score = 100.0 * (p_count - d_count) / n
        se = 100.0 * np.sqrt((p + d - (p - d) ** 2) / n)
        n_adj = n + _ADJ_N
        p_adj, d_adj = (p_count + _ADJ_COUNT) / n_adj, (d_count + _ADJ_COUNT) / n_adj
        se_adj = 100.0 * np.sqrt((p_adj + d_adj - (p_adj - d_adj) ** 2) / n_adj)
    # the two 0.75s cancel in the difference: adjusted NPS = 100 × (P − D)/n'
    score_adj = np.where(n > 0, 100.0 * (p_count - d_count) / n_adj, np.nan)
    se_adj = np.where(n > 0, se_adj, np.nan)
    return pd.DataFrame({
        "score": score, "n": n.astype(np.int64),
        "promoters": p_count.astype(np.int64), "passives": pas_count.astype(np.int64),
        "detractors": d_count.astype(np.int64), "se": se,
        "score_adjusted": score_adj, "se_adjusted": se_adj,
        "ci_low": np.clip(score_adj - Z_95 * se_adj, -100.0, 100.0),
        "ci_high": np.clip(score_adj + Z_95 * se_adj, -100.0, 100.0),
    })


def nps(scores) -> NPSResult:
    """Net Promoter Score of 0..10 answers (list, array or Series; missing answers are skipped).

    Raises ValueError naming the value for any answer that is not a whole number in 0..10, and
    for an empty input.
    """
    answers = validated_answers(scores, NPS_SCALE, "NPS")
    row = nps_table((answers >= 9).sum(), ((answers >= 7) & (answers <= 8)).sum(), (answers <= 6).sum())
    return NPSResult(**row.iloc[0].to_dict())


def csat_table(counts) -> pd.DataFrame:
    """CSAT columns from an (k × 5) array/frame of counts of answers 1..5 (columns in that order).

    Returns one row per group with the fields of :class:`CSATResult`; groups with n == 0 hold NaN.
    """
    c = np.asarray(counts, dtype=float).reshape(-1, 5)
    n = c.sum(axis=1)
    top2, top1 = c[:, 3] + c[:, 4], c[:, 4]
    t2_low, t2_high = wilson_interval(top2, n)
    t1_low, t1_high = wilson_interval(top1, n)
    with np.errstate(divide="ignore", invalid="ignore"):
        return pd.DataFrame({
            "n": n.astype(np.int64),
            "top_two_box": 100.0 * top2 / n, "top_two_box_low": 100.0 * t2_low,
            "top_two_box_high": 100.0 * t2_high,
            "top_box": 100.0 * top1 / n, "top_box_low": 100.0 * t1_low, "top_box_high": 100.0 * t1_high,
            "mean": (c * np.arange(1, 6)).sum(axis=1) / n,
        })


def csat(scores) -> CSATResult:
    """CSAT of 1..5 answers (missing skipped). Raises ValueError on a bad value or empty input."""
    answers = validated_answers(scores, CSAT_SCALE, "CSAT")
    counts = np.bincount(answers, minlength=6)[1:]
    return CSATResult(**csat_table(counts).iloc[0].to_dict())
