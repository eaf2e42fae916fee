"""From satisfaction to loyalty: the satisfaction ladder, the satisfaction × loyalty quadrants,
and word-of-mouth arithmetic (complaint iceberg, Little Swan's 1:25:8:1).

Quadrants (Jones & Sasser 1995; seed 001), x = satisfaction, y = loyalty:
saboteur 破坏者 (neither), mercenary 图利者 (satisfied, not loyal), hostage 囚禁者 (loyal, not
satisfied), apostle 传道者 (both). Default thresholds, editable: satisfied = score ≥ 4 on the
5-point scale (the top two boxes); loyal = a numeric loyalty measure ≥ 2 (e.g. repeat purchases in
the last 12 months) or, for a yes/no column, stated repurchase intent = yes.

The iceberg figures are folklore (TARP 1979/1986 and their retellings); the defaults are the
Volkswagen figures of docs/domain.md §4 and every one is a parameter. Where complaints can be joined to
survey answers, :func:`measured_complaint_ratio` measures the real ratio instead.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict

from crm_core.satisfaction.labels import parse_yes_no_series
from crm_core.stats import wilson_interval

QUADRANTS = ("saboteur", "mercenary", "hostage", "apostle")
LADDER_LEVELS = ("respondents", "satisfied", "will_buy_again", "will_recommend")
ICEBERG_PRESETS = {
    # docs/domain.md §4: of 26 dissatisfied only 1 complains; satisfied tell 3, dissatisfied tell 15.
    "volkswagen": {"complain_ratio": 1 / 26, "tell_satisfied": 3, "tell_dissatisfied": 15},
    # seed 004: only 5 % of dissatisfied customers complain; one influences 5 people.
    "seed_004": {"complain_ratio": 0.05, "tell_satisfied": 3, "tell_dissatisfied": 5},
}


def ladder_from_counts(level_counts) -> pd.DataFrame:
    """Ladder table from the four counts of :data:`LADDER_LEVELS` (each level within the one before)."""
    counts = np.asarray(level_counts, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = 100.0 * counts / counts[0]
        conversion = np.concatenate([[np.nan], 100.0 * counts[1:] / counts[:-1]])
    return pd.DataFrame({"level": LADDER_LEVELS, "count": counts.astype(np.int64),
                         "share": share, "conversion": conversion})


def _loyal_mask(values: pd.Series, loyal_threshold: float) -> pd.Series:
    if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
        answers, _ = parse_yes_no_series(values)
        return answers
    return values.ge(loyal_threshold).where(values.notna())


def loyalty_quadrant_of(df: pd.DataFrame, satisfaction: str, loyalty: str,
                        sat_threshold: float = 4, loyal_threshold: float = 2) -> pd.Series:
    """Quadrant key per row (:data:`QUADRANTS`), missing (NA) where either measure is missing.

    Satisfied = satisfaction ≥ ``sat_threshold``. Loyal = loyalty ≥ ``loyal_threshold`` for a
    numeric column, or a yes answer for a yes/no (bool or text) column.
    """
    sat = pd.to_numeric(df[satisfaction], errors="coerce")
    loyal = _loyal_mask(df[loyalty], loyal_threshold)
    known = (sat.notna() & loyal.notna()).to_numpy()
    index = 2 * loyal.fillna(False).to_numpy(dtype=bool) + sat.ge(sat_threshold).to_numpy()
    keys = np.array(QUADRANTS, dtype=object)[index]
    return pd.Series(np.where(known, keys, None), index=df.index, name="quadrant")


class IcebergEstimate(BaseModel):
    """Word-of-mouth estimate from complaint counts; the assumptions are echoed back."""

    model_config = ConfigDict(frozen=True)
    complaints: int
    estimated_dissatisfied: float
    silent_dissatisfied: float
    negative_reach: float
    positive_reach: float
    net_reach: float
    complain_ratio: float
    tell_satisfied: float
    tell_dissatisfied: float


def complaint_iceberg(complaints: int, satisfied_customers: int = 0, complain_ratio: float = 1 / 26,
                      tell_satisfied: float = 3, tell_dissatisfied: float = 15) -> IcebergEstimate:
    """Silent dissatisfied customers and net word of mouth behind ``complaints`` complaints.

    estimated dissatisfied = complaints / complain_ratio; silent = that − complaints;
    negative reach = dissatisfied × tell_dissatisfied; positive reach = satisfied_customers ×
    tell_satisfied; net = positive − negative (people). Defaults: Volkswagen (docs/domain.md §4);
    see :data:`ICEBERG_PRESETS`. Raises ValueError for negative counts or a ratio outside (0, 1].
    """
    if complaints < 0 or satisfied_customers < 0:
        raise ValueError("complaints and satisfied customers must not be negative")
    if not 0 < complain_ratio <= 1:
        raise ValueError(f"complain_ratio must be in (0, 1]; got {complain_ratio!r}")
    dissatisfied = complaints / complain_ratio
    negative, positive = dissatisfied * tell_dissatisfied, satisfied_customers * tell_satisfied
    return IcebergEstimate(
        complaints=complaints, estimated_dissatisfied=dissatisfied,
        silent_dissatisfied=dissatisfied - complaints, negative_reach=negative, positive_reach=positive,
        net_reach=positive - negative, complain_ratio=complain_ratio, tell_satisfied=tell_satisfied,
        tell_dissatisfied=tell_dissatisfied,
    )


def measured_complaint_ratio(complaints: int, dissatisfied_answers: int) -> dict[str, float]:
    """The measured share of dissatisfied customers who complain, to replace the folklore ratio.

    ``dissatisfied_answers``: respondents who answered 1–2 on the 5-point scale;
    ``complaints``: how many of those same respondents filed a complaint. Returns ``ratio`` (0..1),
    ``one_in`` (1 complaint per this many dissatisfied; inf when none complained) and the Wilson
    95 % interval ``ci_low``/``ci_high``. Raises ValueError when there are no dissatisfied answers
    or complaints exceed them.
    """
    if dissatisfied_answers <= 0:
        raise ValueError("no dissatisfied answers to measure the complaint ratio against")
    low, high = wilson_interval(complaints, dissatisfied_answers)
    ratio = complaints / dissatisfied_answers
    return {"ratio": ratio, "one_in": (1 / ratio) if ratio else float("inf"), "ci_low": low, "ci_high": high}


def little_swan_reach(customers: float, aware_per_customer: float = 25, potential_per_customer: float = 8,
                      converted_per_customer: float = 1) -> dict[str, float]:
    """Little Swan's law 1:25:8:1: each customer makes 25 aware, 8 potential, 1 new customer.

    Returns ``aware``, ``potential`` and ``new_customers`` for ``customers`` satisfied customers.
    """
    return {"aware": customers * aware_per_customer, "potential": customers * potential_per_customer,
            "new_customers": customers * converted_per_customer}
